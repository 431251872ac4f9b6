"""One list of roles, statuses and event kinds, used by the seat and the server alike."""

from __future__ import annotations

import typing
from dataclasses import replace

import pytest

from contract.enums import CaseStatus
from contract.events import EVENT_KINDS, EVENT_LABELS, CaseEvent, CaseState, apply_event
from contract.roles import (
    ADMINISTER,
    INTAKE,
    KB_EDIT,
    REPORT_CALLS,
    REVIEW,
    ROLE_CODES,
    SUBMIT_INTAKE,
    TRAINING,
    Role,
    may,
    role_label,
    roles_with,
)


def test_what_each_role_may_do() -> None:
    assert ROLE_CODES == ("operator", "team_lead", "trainer", "admin", "editor", "telephony", "channel")
    assert roles_with(INTAKE) == ("operator", "team_lead")
    assert roles_with(REVIEW) == ("team_lead",)
    assert roles_with(TRAINING) == ("trainer",)
    assert roles_with(KB_EDIT) == ("admin", "editor")
    assert roles_with(ADMINISTER) == ("admin",)
    assert roles_with(REPORT_CALLS) == ("admin", "telephony")
    assert roles_with(SUBMIT_INTAKE) == ("admin", "channel")
    assert not may("admin", INTAKE) and not may("nobody", INTAKE) and may("team_lead", INTAKE)
    assert [role_label(r) for r in ROLE_CODES] == ["话务员", "班组长", "培训师", "管理员", "知识库编辑", "话务系统", "网络渠道"]


def test_the_server_knows_the_same_roles() -> None:
    from central_server.api.schemas import UserOut

    assert typing.get_type_hints(UserOut)["role"] is Role
    assert UserOut(id="1", username="1", name="n", role="editor").model_dump(mode="json")["role"] == "editor"


def test_the_server_writes_only_statuses_and_kinds_of_the_contract() -> None:
    from central_server.services.dispatch import RULES

    statuses = {s.value for s in CaseStatus}
    for rule in RULES.values():
        assert rule.kind in EVENT_KINDS
        assert rule.allowed_from <= statuses and rule.to_status in statuses | {None}


@pytest.mark.parametrize("kind", ["callback", "supervised", "note"])
def test_kinds_the_projection_does_not_change(kind: str) -> None:
    assert EVENT_LABELS[kind]
    state = CaseState("c", "S001-20260301-0001", "signed", {}, "", "2026-03-02", "", "1001")
    event = CaseEvent("e", "c", 2, kind, {"status": "closed"}, "2001", "2026-03-01T09:00:00+00:00")
    assert apply_event(state, event) == state


def _signed_case() -> CaseState:
    fields = {"lead_department": "D01", "disposition": "dispatch"}
    return CaseState("c", "S001-20260301-0001", "signed", fields, "", "2026-03-02", "", "1001")


def test_a_send_back_puts_the_case_in_correction_and_a_correction_dispatches_it_again() -> None:
    back = apply_event(_signed_case(), CaseEvent("e2", "c", 2, "returned_for_correction", {"reason": "分类错"},
                                                 "2001", "2026-03-01T09:00:00+00:00"))
    assert back.status == "correcting"
    fixed = {"lead_department": "D02", "disposition": "dispatch", "content": "改正后"}
    again = apply_event(back, CaseEvent("e3", "c", 3, "corrected", {"fields": fixed}, "1001",
                                        "2026-03-01T09:10:00+00:00"))
    assert (again.status, again.fields, again.number) == ("dispatched", fixed, back.number)
    direct = apply_event(back, CaseEvent("e3", "c", 3, "corrected", {"fields": {**fixed, "disposition": "direct"}},
                                         "1001", "2026-03-01T09:10:00+00:00"))
    assert direct.status == "closed"


def test_a_redispatch_names_the_new_lead_unit_and_dispatches_the_case() -> None:
    state = replace(_signed_case(), status="returned")
    moved = apply_event(state, CaseEvent("e2", "c", 2, "redispatched",
                                         {"from_department": "D01", "to_department": "D07", "reason": "职责不符"},
                                         "2001", "2026-03-01T09:00:00+00:00"))
    assert (moved.status, moved.fields["lead_department"]) == ("dispatched", "D07")
