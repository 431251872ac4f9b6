"""Cases written straight into a server database, shaped by the server's own case-building function
(`services/cases.plan_case_from_seat`), with chosen acceptance and receipt times and deadlines: the team lead's
tests and benchmarks/lead_queue_open.py build their shifts with it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from central_server.db.models import Case, CaseEvent, Seat
from central_server.services.cases import plan_case_from_seat
from central_server.services.changes import stamped_at_commit, take_change_ids
from contract.city.model import City
from tests.server.api_client import case_fields


def routing_record(confidence: float, *, overridden: bool = False) -> dict[str, Any]:
    """A routing record as the seat stores it (operator_app/routing/record.py)."""
    top = {"category": "城乡建设", "lead_department": "zjj", "district": "donghu", "confidence": confidence}
    return {"model_version": "test", "suggestions": [top],
            "chosen": {"category": "城乡建设/物业管理/物业服务质量", "lead_department": "zjj", "district": "donghu"},
            "overridden": overridden}


@dataclass
class CaseBuilder:
    session: Session
    city: City
    seats: dict[str, Seat] = field(default_factory=dict)
    cases: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    numbers: dict[tuple[str, str], int] = field(default_factory=dict)

    def seat(self, code: str, registered_by: str) -> Seat:
        if code not in self.seats:
            seat = self.session.scalar(select(Seat).where(Seat.seat_code == code))
            if seat is None:
                seat = Seat(id=str(uuid.uuid4()), seat_code=code, credential_hash="0" * 64,
                            registered_by=registered_by, registered_at=datetime.now(UTC), last_applied_seq=0)
                self.session.add(seat)
                self.session.flush()
            self.seats[code] = seat
        return self.seats[code]

    def add(self, *, operator: str, accepted: datetime, seat_code: str = "S001",
            respond_in: timedelta | None = timedelta(hours=1), finish_in: timedelta | None = timedelta(days=1),
            received: datetime | None = None, routing: dict[str, Any] | None = None,
            disposition: str = "dispatch", **changes: Any) -> str:
        """Queue one case accepted at `accepted` (deadlines counted from it); returns its number. Each case has
        a phone of its own unless `phone` is given."""
        seat = self.seat(seat_code, operator)
        day = accepted.astimezone(UTC).strftime("%Y%m%d")
        if (seat_code, day) not in self.numbers:  # numbering goes on after the cases already stored
            self.numbers[(seat_code, day)] = int(self.session.scalar(
                select(func.count()).where(Case.number.like(f"{seat_code}-{day}-%"))) or 0)
        seq = self.numbers[(seat_code, day)] + 1
        self.numbers[(seat_code, day)] = seq
        number = f"{seat_code}-{day}-{seq:04d}"
        dispatched = disposition == "dispatch"
        changes.setdefault("phone", f"137{uuid.uuid4().int % 10**8:08d}")
        payload: dict[str, Any] = {
            "number": number, "fields": case_fields(disposition=disposition, **changes),
            "respond_by": (accepted + respond_in).isoformat() if dispatched and respond_in is not None else "",
            "finish_by": (accepted + finish_in).isoformat() if dispatched and finish_in is not None else "",
        }
        if routing is not None:
            payload["routing"] = routing
        case_id = str(uuid.uuid4())
        args = {"case_id": case_id, "seat_code": seat_code, "event": {
            "id": str(uuid.uuid4()), "seq": 1, "kind": "created", "payload": payload,
            "recorded_at": accepted.astimezone(UTC).isoformat(timespec="milliseconds")}}
        new = plan_case_from_seat(seat=seat, operator_id=operator, entity_id=case_id, args=args,
                                  received_at=received or accepted + timedelta(seconds=5), city=self.city)
        self.cases.append(new.case)
        self.events.append(new.event)
        return number

    def commit(self) -> None:
        """Insert every queued case and its created event in one transaction."""
        if self.cases:
            if stamped_at_commit(self.session):
                for event in self.events:
                    event["change_id"] = None
            else:
                for event, change_id in zip(self.events, take_change_ids(self.session, len(self.events)),
                                            strict=True):
                    event["change_id"] = change_id
            self.session.execute(insert(Case), self.cases)
            self.session.execute(insert(CaseEvent), self.events)
        self.session.commit()
        self.cases, self.events = [], []
