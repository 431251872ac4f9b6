"""Push and pull (DESIGN.md "Sync protocol"): one transaction per push, stored outcomes, the change feed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import Conflict, Forbidden
from central_server.db.models import Case, CaseEvent, KbArticleVersion, KbChange, Seat, SeatMutation
from central_server.services import cases
from central_server.services.changes import committed_max
from central_server.services.kb import OP_UPSERT, wire_data
from central_server.services.kb_feedback import apply_feedback
from central_server.services.users import active_user_ids
from sync.protocol import (
    CASE_CREATED,
    ENTITY_CASE_EVENT,
    ENTITY_KB_ARTICLE,
    KB_FEEDBACK,
    PROTOCOL_VERSION,
    Change,
    Mutation,
    MutationResult,
    MutationStatus,
    PullResponse,
    PushRequest,
    PushResponse,
)

log = logging.getLogger(__name__)


def check_protocol(version: object) -> None:
    if version != PROTOCOL_VERSION:
        raise Conflict(
            f"this seat speaks sync protocol version {version} but the server speaks version {PROTOCOL_VERSION}; "
            "update the seat application (or the server) so both use the same version",
            code="protocol_version",
        )


def push(session: Session, *, seat: Seat, request: PushRequest) -> PushResponse:
    """Apply the batch in seq order in ONE transaction and commit; see DESIGN.md for each rule."""
    check_protocol(request.protocol_version)
    if request.seat_id != seat.id:
        raise Forbidden("a seat can push only its own mutations", code="seat_mismatch")
    # Lock the seat row (PostgreSQL): two pushes from one seat never interleave.
    locked = session.scalars(select(Seat).where(Seat.id == seat.id).with_for_update()).one()
    high_water = locked.last_applied_seq
    mutations = sorted(request.mutations, key=lambda m: m.seq)
    active = active_user_ids(session, {m.operator_id for m in mutations})
    results: list[MutationResult] = []
    for m in mutations:
        if m.seq <= high_water:
            results.append(_stored_outcome(session, locked.id, m.seq))
            continue
        if m.seq > high_water + 1:
            break  # a gap: stop here; the seat re-sends from high_water + 1
        results.append(_apply_new(session, locked, m, active))
        high_water = m.seq
    locked.last_applied_seq = high_water
    session.commit()
    applied = sum(r.status == "applied" for r in results)
    rejected = sum(r.status == "rejected" for r in results)
    log.info("push seat=%s mutations=%d applied=%d rejected=%d high_water=%d",
             seat.id, len(mutations), applied, rejected, high_water)
    return PushResponse(last_applied_seq=high_water, results=results)


def _stored_outcome(session: Session, seat_id: str, seq: int) -> MutationResult:
    """A re-sent seq: applied before → duplicate; rejected before → the same rejection, so none is lost."""
    row = session.get(SeatMutation, (seat_id, seq))
    if row is None or row.status == "applied":
        return MutationResult(seq=seq, status="duplicate")
    return MutationResult(seq=seq, status="rejected", error=row.error)


def _apply_new(session: Session, seat: Seat, m: Mutation, active: set[str]) -> MutationResult:
    """Apply one mutation in a savepoint; any domain failure becomes `rejected` and the queue moves on."""
    now = datetime.now(UTC)
    first = session.scalar(select(SeatMutation).where(SeatMutation.mutation_id == m.mutation_id))
    if first is not None:
        same = first.seat_id == seat.id and first.status == "applied"
        status: MutationStatus = "duplicate" if same else "rejected"
        error = None if same else f"mutation {m.mutation_id} was already received (seq {first.seq})"
        _record(session, seat, m, status, error, now, keep_id=False)
        return MutationResult(seq=m.seq, status=status, error=error)
    outcome: MutationStatus
    try:
        if m.operator_id not in active:
            raise cases.Rejected(f"operator {m.operator_id} is not a known active user")
        with session.begin_nested():
            _dispatch(session, seat, m)
        outcome, error = "applied", None
    except cases.Rejected as exc:
        outcome, error = "rejected", exc.reason
    _record(session, seat, m, outcome, error, now, keep_id=True)
    return MutationResult(seq=m.seq, status=outcome, error=error)


def _dispatch(session: Session, seat: Seat, m: Mutation) -> None:
    if m.name == CASE_CREATED:
        cases.create_case_from_seat(session, seat=seat, operator_id=m.operator_id, entity_id=m.entity_id,
                                    args=m.args)
        return
    if m.name == KB_FEEDBACK:
        apply_feedback(session, seat=seat, operator_id=m.operator_id, entity_id=m.entity_id, args=m.args,
                       created_at=m.created_at)
        return
    raise cases.Rejected(f"this server does not apply mutations named {m.name!r}")


def _record(session: Session, seat: Seat, m: Mutation, status: str, error: str | None, now: datetime, *,
            keep_id: bool) -> None:
    session.add(SeatMutation(seat_id=seat.id, seq=m.seq, mutation_id=m.mutation_id if keep_id else None,
                             name=m.name, operator_id=m.operator_id, status=status, error=error, received_at=now))
    session.flush()


def pull(session: Session, *, seat: Seat, cursor: int, limit: int) -> PullResponse:
    """Changes after `cursor` in change-id (= commit) order: this seat's case events merged with the
    knowledge-base changes every seat receives."""
    top = committed_max(session)
    if cursor > top:
        return PullResponse(changes=[], cursor=0, has_more=False, reset_required=True)
    events = list(session.execute(
        select(CaseEvent, Case.number).join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.seat_id == seat.id, CaseEvent.change_id > cursor, CaseEvent.change_id <= top)
        .order_by(CaseEvent.change_id).limit(limit + 1)
    ))
    kb_rows = list(session.execute(
        select(KbChange, KbArticleVersion)
        .join(KbArticleVersion, (KbArticleVersion.article_id == KbChange.article_id)
              & (KbArticleVersion.version == KbChange.version))
        .where(KbChange.change_id > cursor, KbChange.change_id <= top)
        .order_by(KbChange.change_id).limit(limit + 1)
    ))
    # Each source holds its first limit + 1 changes, so the merged first limit + 1 are the feed's first ones.
    merged: list[tuple[int, Change]] = sorted(
        [(row[0].change_id, _change(row[0], row[1])) for row in events]
        + [(row[0].change_id, _kb_change(row[0], row[1])) for row in kb_rows],
        key=lambda item: item[0],
    )[: limit + 1]
    has_more = len(merged) > limit
    merged = merged[:limit]
    # A full page ends at its last change; otherwise every change up to `top` has been seen.
    next_cursor = merged[-1][0] if has_more else top
    session.rollback()
    return PullResponse(changes=[c for _, c in merged], cursor=next_cursor, has_more=has_more)


def _change(event: CaseEvent, number: str) -> Change:
    data = {
        "case_id": event.case_id, "number": number,
        "event": {"id": event.id, "seq": event.seq, "kind": event.kind, "payload": event.payload,
                  "operator_id": event.operator_id, "recorded_at": event.recorded_at},
    }
    return Change(entity=ENTITY_CASE_EVENT, id=event.id, op="upsert", version=event.change_id, data=data)


def _kb_change(change: KbChange, version: KbArticleVersion) -> Change:
    if change.op == OP_UPSERT:
        return Change(entity=ENTITY_KB_ARTICLE, id=change.article_id, op="upsert", version=change.version,
                      data=wire_data(change.article_id, version))
    return Change(entity=ENTITY_KB_ARTICLE, id=change.article_id, op="delete", version=change.version,
                  data={"id": change.article_id, "version": change.version})
