"""Send-back round trip (退回修改) against a real central server: a lead's send-back reaches the seat by pull, the
operator corrects the case through the service the desk calls, and the server takes the correction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case, CaseEvent
from central_server.embedded import EmbeddedServer
from central_server.services.case_history import append_event
from contract.city.model import City
from contract.enums import CaseStatus
from contract.events import NOTE, RETURNED_FOR_CORRECTION
from contract.names import CASE_EVENT
from operator_app.errors import OperatorAppError
from operator_app.seat import Seat
from operator_app.services.case_queries import CaseFilter, count_cases, get_case, list_cases, outbox_summary
from operator_app.services.corrections import correct_case, rejected_case_form, returned_case
from operator_app.services.intake import SubmitResult, submit_case
from operator_app.store import schema
from sync.embedded import DEMO_PASSWORD
from sync.engine import SyncEngine
from sync.outbox import pending_batch, rejected_changes
from tests.core.helpers import dispatch_form
from tests.integration.conftest import engine_for, server_on
from tests.server.conftest import pg_cluster  # noqa: F401 - the throwaway PostgreSQL cluster fixture

REASON = "地址不详，请补充门牌号"


@pytest.fixture(params=["sqlite", "postgresql"])
def central(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[EmbeddedServer, str]]:
    with server_on(request, tmp_path, "send_back") as found:
        yield found


def server_session(url: str) -> Iterator[Session]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def send_back(url: str, number: str, *, reason: str = REASON, lead: str = "2001") -> None:
    """What the team lead's action does on the server: the case becomes `correcting`, one event is appended."""
    for session in server_session(url):
        case = session.scalars(select(Case).where(Case.number == number).with_for_update()).one()
        case.status = CaseStatus.CORRECTING.value
        append_event(session, case, kind=RETURNED_FOR_CORRECTION, payload={"reason": reason}, actor_id=lead)
        session.commit()


def add_note(url: str, number: str, text: str) -> None:
    for session in server_session(url):
        case = session.scalars(select(Case).where(Case.number == number).with_for_update()).one()
        append_event(session, case, kind=NOTE, payload={"text": text}, actor_id="2001")
        session.commit()


def server_history(url: str, number: str) -> tuple[Case, list[CaseEvent]]:
    for session in server_session(url):
        case = session.scalars(select(Case).where(Case.number == number)).one()
        events = list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                      .order_by(CaseEvent.seq)))
        return case, events
    raise AssertionError("unreachable")


def synced_case(seat: Seat, city: City, url: str) -> tuple[SyncEngine, SubmitResult]:
    created = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001", handling_seconds=95)
    engine = engine_for(seat, url)
    engine.login("1001", DEMO_PASSWORD)
    assert engine.run_once().acked == 1
    return engine, created


def local_seqs(seat: Seat, case_id: str) -> list[tuple[int, str]]:
    detail = get_case(seat.store, case_id)
    assert detail is not None
    return [(e.seq, e.kind) for e in detail.events]


def test_send_back_correct_and_resubmit(seat: Seat, city: City, central: tuple[EmbeddedServer, str]) -> None:
    srv, url = central
    engine, created = synced_case(seat, city, srv.url)
    send_back(url, created.number)

    report = engine.run_once()
    assert created.case_id in report.case_ids
    mine = CaseFilter(operator_id="1001", status=CaseStatus.CORRECTING.value)
    assert count_cases(seat.store, mine) == 1
    [row] = list_cases(seat.store, mine)
    assert (row.number, row.status, row.reason) == (created.number, "correcting", REASON)

    returned = returned_case(seat.store, case_id=created.case_id)
    assert (returned.number, returned.reason, returned.returned_by) == (created.number, REASON, "2001")
    other = next(d for d in city.departments.values() if d.kind == "department" and d.name != returned.form.lead_department)
    fixed = returned.form.__class__(**{**returned.form.__dict__, "address": "幸福小区3栋2单元501",
                                       "lead_department": other.name})
    result = correct_case(seat.store, city, case_id=created.case_id, form=fixed, operator_id="1001")
    assert result.number == created.number
    [mutation] = pending_batch(seat.store)
    assert mutation.name == CASE_EVENT and mutation.args["event"]["kind"] == "corrected"
    assert get_case(seat.store, created.case_id).state.status == "dispatched"  # type: ignore[union-attr]
    with pytest.raises(OperatorAppError):  # corrected once: not sent back any more
        correct_case(seat.store, city, case_id=created.case_id, form=fixed, operator_id="1001")

    report = engine.run_once()
    assert (report.acked, report.rejected) == (1, 0)
    case, events = server_history(url, created.number)
    assert case.status == "dispatched" and case.number == created.number
    assert case.fields["address"] == "幸福小区3栋2单元501" and case.lead_department == other.id
    assert case.created_at == events[0].recorded_at  # acceptance time unchanged
    assert [(e.seq, e.kind, e.operator_id) for e in events] == [
        (1, "created", "1001"), (2, "returned_for_correction", "2001"), (3, "corrected", "1001")]
    assert events[2].id == mutation.args["event"]["id"]
    assert events[2].payload["fields"]["address"] == "幸福小区3栋2单元501"
    assert events[0].payload["handling_seconds"] == 95
    assert all(e.recorded_at for e in events)
    assert local_seqs(seat, created.case_id) == [(1, "created"), (2, "returned_for_correction"), (3, "corrected")]
    assert outbox_summary(seat.store).pending == 0
    assert get_case(seat.store, created.case_id).synced  # type: ignore[union-attr]
    assert count_cases(seat.store, mine) == 0


def test_server_event_in_between_takes_its_place(seat: Seat, city: City,
                                                 central: tuple[EmbeddedServer, str]) -> None:
    """The lead adds a note after the seat pulled the send-back and before the correction arrives: the server puts
    the correction after the note, and the seat takes the server's order without setting anything aside."""
    srv, url = central
    engine, created = synced_case(seat, city, srv.url)
    send_back(url, created.number)
    engine.run_once()
    returned = returned_case(seat.store, case_id=created.case_id)
    correct_case(seat.store, city, case_id=created.case_id, form=returned.form, operator_id="1001")
    add_note(url, created.number, "已电话提醒话务员")
    report = engine.run_once()
    assert (report.acked, report.quarantined) == (1, 0)
    _, events = server_history(url, created.number)
    assert [e.kind for e in events] == ["created", "returned_for_correction", "note", "corrected"]
    assert local_seqs(seat, created.case_id) == [(1, "created"), (2, "returned_for_correction"), (3, "note"),
                                                 (4, "corrected")]
    assert get_case(seat.store, created.case_id).state.status == "dispatched"  # type: ignore[union-attr]


def test_correction_refused_when_the_case_moved_on(seat: Seat, city: City,
                                                   central: tuple[EmbeddedServer, str]) -> None:
    """The lead took the case out of correction before the correction arrived: the server refuses it with its
    reason, the seat takes it out of the case's local history and keeps it in the rejected list."""
    srv, url = central
    engine, created = synced_case(seat, city, srv.url)
    send_back(url, created.number)
    engine.run_once()
    returned = returned_case(seat.store, case_id=created.case_id)
    fixed = returned.form.__class__(**{**returned.form.__dict__, "content": "更正后的内容"})
    correct_case(seat.store, city, case_id=created.case_id, form=fixed, operator_id="1001")
    for session in server_session(url):
        case = session.scalars(select(Case).where(Case.number == created.number)).one()
        case.status = CaseStatus.DISPATCHED.value
        session.commit()
    report = engine.run_once()
    assert report.rejected == 1
    [refused] = rejected_changes(seat.store)
    assert refused.name == CASE_EVENT and "退回修改" in refused.reason and refused.number == created.number
    with pytest.raises(OperatorAppError, match="我的工单"):  # not a created case to rewrite: says where to go
        rejected_case_form(seat.store, seq=refused.seq)
    assert refused.args["event"]["payload"]["fields"]["content"] == "更正后的内容"  # type: ignore[index]
    detail = get_case(seat.store, created.case_id)
    assert detail is not None and [e.kind for e in detail.events] == ["created", "returned_for_correction"]
    with seat.store.read() as conn:
        content = conn.execute(select(schema.cases.c.content).where(schema.cases.c.id == created.case_id)).scalar()
    assert content != "更正后的内容"
    _, events = server_history(url, created.number)
    assert [e.kind for e in events] == ["created", "returned_for_correction"]
    assert json.dumps(events[0].payload)  # untouched
