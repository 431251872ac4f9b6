"""One case, one row (issue 14, finding 9): every writer of a case builds its row and created event alike."""

from __future__ import annotations

import json

from sqlalchemy import select

from contract.city.model import City
from contract.protocol import MutationResult, PushResponse
from operator_app.routing.record import RoutingSnapshot
from operator_app.routing.suggest import Suggestion
from operator_app.seat import Seat
from operator_app.services.corrections import resubmit_case
from operator_app.services.intake import submit_case
from operator_app.store import schema
from sync.outbox import pending_batch, record_push
from sync.pull_apply import apply_pulled
from tests.core.helpers import dispatch_form

CITATIONS = (("demo-006", 3), ("demo-009", 1))


def _snapshot(city: City, form_lead: str) -> RoutingSnapshot:
    lead = city.department_by_name(form_lead)
    assert lead is not None
    top = city.categories.leaves[0].split("/", 1)[0]
    return RoutingSnapshot("model-1", (Suggestion(top, lead.id, (), None, 0.8, ("楼上",)),))


def _created_payload(seat: Seat, case_id: str) -> dict[str, object]:
    with seat.store.read() as conn:
        return dict(json.loads(conn.execute(select(schema.case_events.c.payload_json).where(
            schema.case_events.c.case_id == case_id)).scalar_one()))


def _case_row(seat: Seat, case_id: str) -> dict[str, object]:
    with seat.store.read() as conn:
        row = conn.execute(select(schema.cases).where(schema.cases.c.id == case_id)).one()
    return dict(row._mapping)


def _reject_first(seat: Seat) -> None:
    batch = pending_batch(seat.store)
    record_push(seat.store, batch, PushResponse(last_applied_seq=batch[0].seq, results=[
        MutationResult(seq=batch[0].seq, status="rejected", error="主办单位已撤销")]))


def test_corrected_case_keeps_its_routing_record_and_citations(seat: Seat, city: City) -> None:
    form = dispatch_form(city)
    first = submit_case(seat.store, city, form=form, operator_id="1001",
                        routing=_snapshot(city, form.lead_department), citations=CITATIONS)
    before = _created_payload(seat, first.case_id)
    assert before["routing"]["overridden"] is False  # type: ignore[index]
    _reject_first(seat)
    other = [d for d in city.departments.values() if d.kind == "department"][1]
    resubmit_case(seat.store, city, seq=1, form=dispatch_form(city, lead_department=other.name))
    after = _created_payload(seat, first.case_id)
    routing = after["routing"]
    assert isinstance(routing, dict)
    assert routing["suggestions"] == before["routing"]["suggestions"]  # type: ignore[index]
    assert routing["chosen"]["lead_department"] == other.id  # the corrected choice
    assert routing["overridden"] is True  # the operator now chose another department than suggested
    assert after["kb_citations"] == [{"id": "demo-006", "version": 3}, {"id": "demo-009", "version": 1}]
    sent = pending_batch(seat.store)[0].args["event"]["payload"]
    assert sent == after  # and the server gets the same


def test_a_case_pulled_back_gets_the_row_the_seat_wrote(seat: Seat, city: City, tmp_path: object) -> None:
    """The pull applier builds the row of a case this store lost (restored from a backup) as intake did."""
    first = submit_case(seat.store, city, form=dispatch_form(city, special_needs=("elderly",), confidential=True),
                        operator_id="1001")
    written = _case_row(seat, first.case_id)
    with seat.store.read() as conn:
        event = conn.execute(select(schema.case_events)).one()
    data = {"case_id": first.case_id, "number": first.number, "event": {
        "id": event.id, "seq": 1, "kind": "created", "payload": json.loads(event.payload_json),
        "operator_id": event.operator_id, "recorded_at": event.recorded_at}}
    with seat.store.write() as conn:
        conn.execute(schema.outbox.delete())
        conn.execute(schema.case_events.delete())
        conn.execute(schema.cases.delete())
    from contract.names import ENTITY_CASE_EVENT
    from contract.protocol import Change
    apply_pulled(seat.store, [Change(entity=ENTITY_CASE_EVENT, id=event.id, op="upsert", version=1, data=data)], 1)
    pulled = _case_row(seat, first.case_id)
    assert pulled == {**written, "synced": True}
