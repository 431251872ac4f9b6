"""Apply the new part of a push batch with a handful of statements, whatever its size.

The rules are those of DESIGN.md "Sync protocol" (sync_service.push holds the seat lock and the order):
- a mutation_id seen before (on any seat, or earlier in this batch) is answered `duplicate` when this seat
  applied it, `rejected` otherwise, and claims no id of its own (`sent_mutation_id` still records what was sent
  under its seq, so a later re-send of that seq is compared by identity in sync_service._stored_outcomes);
- every other mutation is applied or rejected on its own, and the queue moves on either way.

"case.created" — nearly all traffic — is checked in Python and written optimistically: one INSERT per table
and one change-counter UPDATE for all the batch's change ids, with no lookups first (ids clash only when a
seat misbehaves). Anything else goes through its own savepoint. If an INSERT fails on a unique id (a
mutation_id, case id, case number or event id already on the server), sync_service.push rolls the whole
transaction back and applies the batch again one mutation at a time, each in its own savepoint (`apply_one`),
which answers each clash exactly: `duplicate`, or a rejection with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from central_server.db.models import Case, CaseEvent, CaseKpi, CaseKpiDepartment, Seat, SeatMutation
from central_server.services import case_contacts, cases, channel_intake
from central_server.services.changes import stamped_at_commit, take_change_ids
from central_server.services.hotspot_assign import assign_new_cases
from central_server.services.kb_feedback import apply_feedback
from contract.city.model import City
from contract.names import CASE_CONTACT, CASE_CREATED, CASE_EVENT, KB_FEEDBACK
from contract.protocol import Mutation, MutationResult, MutationStatus


def apply_fresh(session: Session, seat: Seat, fresh: list[Mutation], active: set[str], *, city: City,
                 signed_in: set[str],
                bulk: bool = True) -> list[MutationResult]:
    """Apply mutations whose seqs follow the seat's high-water mark (consecutive, in order).

    `active`: the operators named who are active users; `signed_in`: those who signed in at this seat (a change
    may name only them: services/seats.py).

    bulk=True raises IntegrityError on a clash with rows already on the server: the caller rolls the whole
    transaction back and calls again with bulk=False (one mutation at a time, each in a savepoint).
    """
    if not bulk:
        return [apply_one(session, seat, m, active, city, signed_in=signed_in) for m in fresh]
    return _apply_bulk(session, seat, fresh, active, city, signed_in) if fresh else []


@dataclass
class _Batch:
    """What the bulk path has decided so far; `known` and `taken_*` hold ids used earlier in this batch."""

    now: datetime
    # mutation_id → (seq, status, error) of its first holder in this batch
    known: dict[str, tuple[int, str, str | None, str | None]] = field(default_factory=dict)
    taken_cases: set[str] = field(default_factory=set)
    taken_numbers: set[str] = field(default_factory=set)
    taken_events: set[str] = field(default_factory=set)
    new_cases: list[cases.NewCase] = field(default_factory=list)
    mutation_rows: list[dict[str, Any]] = field(default_factory=list)
    results: list[MutationResult] = field(default_factory=list)


def _apply_bulk(session: Session, seat: Seat, fresh: list[Mutation], active: set[str], city: City,
                signed_in: set[str]
                ) -> list[MutationResult]:
    now = datetime.now(UTC)
    plans: dict[int, cases.NewCase | cases.Rejected] = {}
    for m in fresh:
        if m.name == CASE_CREATED:
            try:
                plans[m.seq] = cases.plan_case_from_seat(seat=seat, operator_id=m.operator_id,
                                                         entity_id=m.entity_id, args=m.args, received_at=now,
                                                         city=city)
            except cases.Rejected as exc:
                plans[m.seq] = exc
    batch = _Batch(now)
    for m in fresh:
        _decide(session, seat, m, plans.get(m.seq), active, batch, city, signed_in)
    _write(session, batch)
    assign_new_cases(session, [p.case for p in batch.new_cases], city)  # hot spots (as in cases.py)
    channel_intake.link_cases(session, [(p.case, p.event["payload"]) for p in batch.new_cases])  # 网络渠道
    return batch.results


def _decide(session: Session, seat: Seat, m: Mutation, plan: cases.NewCase | cases.Rejected | None,
            active: set[str], batch: _Batch, city: City, signed_in: set[str]) -> None:
    first = batch.known.get(m.mutation_id)
    if first is not None:
        status, error, code = _seen_before(m, *first, same_seat=True)
        _answer(batch, seat, m, status, error, code, keep_id=False)
        return
    try:
        if m.operator_id not in active:  # an active user whose role may take calls (users.intake_user_ids)
            raise cases.not_an_intake_operator(m.operator_id)
        if m.operator_id not in signed_in:  # who signed in at this seat (services/seats.py)
            raise cases.not_signed_in_here(m.operator_id)
        if isinstance(plan, cases.Rejected):
            raise plan
        if isinstance(plan, cases.NewCase):
            _claim(plan, batch)
        else:
            with session.begin_nested():
                dispatch(session, seat, m, city)
        outcome: MutationStatus = "applied"
        error = code = None
    except cases.Rejected as exc:
        outcome, error, code = "rejected", exc.reason, exc.code
    batch.known[m.mutation_id] = (m.seq, outcome, error, code)
    _answer(batch, seat, m, outcome, error, code, keep_id=True)


def _claim(plan: cases.NewCase, batch: _Batch) -> None:
    """Reserve the case's ids, or reject it when one was used earlier in this batch (clashes with rows on the
    server surface as an IntegrityError at the INSERT)."""
    case_id, number, event_id = plan.case["id"], plan.case["number"], plan.event["id"]
    if case_id in batch.taken_cases or number in batch.taken_numbers or event_id in batch.taken_events:
        raise cases.Rejected(cases.conflict_reason(number), cases.CONFLICT)
    batch.taken_cases.add(case_id)
    batch.taken_numbers.add(number)
    batch.taken_events.add(event_id)
    batch.new_cases.append(plan)


def _answer(batch: _Batch, seat: Seat, m: Mutation, status: MutationStatus, error: str | None, code: str | None,
            *, keep_id: bool) -> None:
    batch.mutation_rows.append({
        "seat_id": seat.id, "seq": m.seq, "mutation_id": m.mutation_id if keep_id else None,
        "sent_mutation_id": m.mutation_id, "name": m.name, "operator_id": m.operator_id, "status": status,
        "error": error, "error_code": code, "received_at": batch.now,
    })
    batch.results.append(MutationResult(seq=m.seq, status=status, error=error, code=code))


def _write(session: Session, batch: _Batch) -> None:
    """One INSERT per table. The change counter's row lock — which every writer on the server waits for — is
    taken last: inside COMMIT on PostgreSQL (migration 0003), just before the events' INSERT on SQLite."""
    if batch.new_cases:
        _insert(session, Case, [p.case for p in batch.new_cases])
        _insert(session, CaseKpi, [p.kpi for p in batch.new_cases])  # KPI projection (services/kpi_projection.py)
        if departments := [d for p in batch.new_cases for d in p.kpi_departments]:
            _insert(session, CaseKpiDepartment, departments)
    _insert(session, SeatMutation, batch.mutation_rows)
    if batch.new_cases:
        if stamped_at_commit(session):  # PostgreSQL: ids are stamped inside COMMIT, in insert (= seq) order
            ids: list[int | None] = [None] * len(batch.new_cases)
        else:
            ids = list(take_change_ids(session, len(batch.new_cases)))
        for plan, change_id in zip(batch.new_cases, ids, strict=True):
            plan.event["change_id"] = change_id
        _insert(session, CaseEvent, [p.event for p in batch.new_cases])


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """A Core executemany on the model's table: the ORM's bulk-insert bookkeeping cost more than the SQL."""
    session.connection().execute(insert(model.__table__), rows)


# --- one mutation at a time (the fallback) -------------------------------------------------------------------

def apply_one(session: Session, seat: Seat, m: Mutation, active: set[str], city: City, *, signed_in: set[str]
              ) -> MutationResult:
    """Apply one mutation in a savepoint; any domain failure becomes `rejected` and the queue moves on."""
    now = datetime.now(UTC)
    first = session.scalar(select(SeatMutation).where(SeatMutation.mutation_id == m.mutation_id))
    if first is not None:
        status, error, code = _seen_before(m, first.seq, first.status, first.error, first.error_code,
                                           same_seat=first.seat_id == seat.id)
        _record(session, seat, m, status, error, code, now, keep_id=False)
        return MutationResult(seq=m.seq, status=status, error=error, code=code)
    outcome: MutationStatus
    try:
        if m.operator_id not in active:  # an active user whose role may take calls (users.intake_user_ids)
            raise cases.not_an_intake_operator(m.operator_id)
        if m.operator_id not in signed_in:  # who signed in at this seat (services/seats.py)
            raise cases.not_signed_in_here(m.operator_id)
        with session.begin_nested():
            dispatch(session, seat, m, city)
        outcome, error, code = "applied", None, None
    except cases.Rejected as exc:
        outcome, error, code = "rejected", exc.reason, exc.code
    _record(session, seat, m, outcome, error, code, now, keep_id=True)
    return MutationResult(seq=m.seq, status=outcome, error=error, code=code)


def _seen_before(m: Mutation, first_seq: int, first_status: str, first_error: str | None, first_code: str | None,
                 *, same_seat: bool) -> tuple[MutationStatus, str | None, str | None]:
    """A mutation_id the server holds already: this seat applied it → duplicate; this seat's was refused → the
    same refusal, so a person sees why; another seat's → rejected as reused."""
    if same_seat and first_status == "applied":
        return "duplicate", None, None
    if same_seat and first_status == "rejected" and first_error:
        return "rejected", first_error, first_code
    return "rejected", f"这条变更的标识已在第 {first_seq} 号变更中收到过，中心未再次处理。请联系系统管理员。", \
        cases.MUTATION_REUSED


def dispatch(session: Session, seat: Seat, m: Mutation, city: City) -> None:
    if m.name == CASE_CREATED:
        cases.create_case_from_seat(session, seat=seat, operator_id=m.operator_id, entity_id=m.entity_id,
                                    args=m.args, city=city)
        return
    if m.name == CASE_EVENT:
        cases.apply_case_event(session, seat=seat, operator_id=m.operator_id, entity_id=m.entity_id, args=m.args,
                               city=city)
        return
    if m.name == CASE_CONTACT:  # 重复来电 / 催办 on any seat's case
        case_contacts.apply_case_contact(session, seat=seat, operator_id=m.operator_id, entity_id=m.entity_id,
                                         args=m.args)
        return
    if m.name == KB_FEEDBACK:
        apply_feedback(session, seat=seat, operator_id=m.operator_id, entity_id=m.entity_id, args=m.args,
                       created_at=m.created_at)
        return
    raise cases.Rejected(f"中心不处理“{m.name}”类型的变更，请升级本席位程序或联系系统管理员。",
                         cases.UNKNOWN_MUTATION)


def _record(session: Session, seat: Seat, m: Mutation, status: str, error: str | None, code: str | None,
            now: datetime, *, keep_id: bool) -> None:
    session.add(SeatMutation(seat_id=seat.id, seq=m.seq, mutation_id=m.mutation_id if keep_id else None,
                             sent_mutation_id=m.mutation_id, name=m.name, operator_id=m.operator_id,
                             status=status, error=error, error_code=code, received_at=now))
    session.flush()
