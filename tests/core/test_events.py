from __future__ import annotations

import pytest

from contract.events import CREATED, SUPPLEMENTED, CaseEvent, derive_state


def ev(seq: int, kind: str, payload: dict[str, object]) -> CaseEvent:
    return CaseEvent(f"e{seq}", "c1", seq, kind, payload, "1001", f"2026-11-28T0{seq}:00:00+00:00")


CREATED_PAYLOAD = {"number": "S001-20261128-0001", "fields": {"disposition": "direct"}, "respond_by": "",
                   "finish_by": ""}


def test_state_is_folded_in_seq_order_not_clock_order() -> None:
    events = [ev(3, SUPPLEMENTED, {"text": "第二次"}), ev(1, CREATED, CREATED_PAYLOAD),
              ev(2, SUPPLEMENTED, {"text": "第一次"})]
    state = derive_state(events)
    assert state.status == "closed" and state.supplements == ("第一次", "第二次")


def test_unknown_event_kinds_are_kept_harmless() -> None:
    state = derive_state([ev(1, CREATED, CREATED_PAYLOAD), ev(2, "from_the_future", {})])
    assert state.number == "S001-20261128-0001"


def test_history_must_start_with_created() -> None:
    with pytest.raises(ValueError):
        derive_state([ev(1, SUPPLEMENTED, {"text": "x"})])
    with pytest.raises(ValueError):
        derive_state([])


def test_department_actions_move_the_status() -> None:
    created = ev(1, CREATED, {**CREATED_PAYLOAD, "fields": {"disposition": "dispatch"},
                              "finish_by": "2026-11-29T09:00:00+00:00"})
    assert derive_state([created]).status == "dispatched"
    signed = derive_state([created, ev(2, "signed", {"department_id": "zjj"})])
    assert signed.status == "signed"
    extended = derive_state([created, ev(2, "signed", {}), ev(3, "extended", {
        "reason": "需现场勘查", "new_finish_by": "2026-12-02T09:00:00+00:00"})])
    assert extended.status == "extended" and extended.finish_by == "2026-12-02T09:00:00+00:00"
    assert derive_state([created, ev(2, "returned", {"reason": "非本单位职责"})]).status == "returned"
    assert derive_state([created, ev(2, "signed", {}), ev(3, "completed", {})]).status == "closed"


def test_status_named_by_the_server_wins() -> None:
    created = ev(1, CREATED, {**CREATED_PAYLOAD, "fields": {"disposition": "dispatch"}})
    state = derive_state([created, ev(2, "signed", {"status": "signed"}),
                          ev(3, "extended", {"status": "signed", "new_finish_by": "2026-12-02T09:00:00+00:00"})])
    assert state.status == "signed" and state.finish_by == "2026-12-02T09:00:00+00:00"
