"""Push and pull (DESIGN.md "Sync protocol"): one transaction per push, stored outcomes, the change feed."""

from __future__ import annotations

import logging
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.errors import Conflict, Forbidden, Invalid
from central_server.core.recent_checks import RecentChecks
from central_server.db.models import (
    COUNTER_ROW_ID,
    OWN_EVENT_KIND,
    Case,
    CaseEvent,
    ChangeCounter,
    KbArticleVector,
    KbArticleVersion,
    KbChange,
    Seat,
    SeatMutation,
)
from central_server.services.changes import feed_id
from central_server.services.kb import OP_UPSERT, wire_data
from central_server.services.push_batch import apply_fresh
from central_server.services.seats import signed_in_operators
from central_server.services.users import intake_key, remember_intake_users
from central_server.services.vectors import wire_vector
from contract.city.model import City
from contract.names import ENTITY_CASE_EVENT, ENTITY_KB_ARTICLE
from contract.protocol import (
    PROTOCOL_VERSION,
    SEQ_CONFLICT,
    Change,
    Mutation,
    MutationResult,
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


def push(session: Session, *, seat_id: str, request: PushRequest, city: City, recent: RecentChecks | None = None
         ) -> PushResponse:
    """Apply the batch in seq order in ONE transaction and commit; see DESIGN.md for each rule.

    `recent` may vouch for operators whose active status was checked moments ago (fewer lookups)."""
    check_protocol(request.protocol_version)
    if request.seat_id != seat_id:
        raise Forbidden("a seat can push only its own mutations", code="seat_mismatch")
    seqs = [m.seq for m in request.mutations]
    if len(set(seqs)) != len(seqs):
        raise Invalid("a batch names each seq at most once", code="duplicate_seq")
    try:
        response = _apply(session, seat_id, request, recent, city, bulk=True)
    except IntegrityError as exc:
        session.rollback()
        log.warning("push seat=%s: the batch clashed with rows on the server (%s); applying one at a time",
                    seat_id, type(exc.orig).__name__)
        response = _apply(session, seat_id, request, recent, city, bulk=False)
    applied = sum(r.status == "applied" for r in response.results)
    rejected = sum(r.status == "rejected" for r in response.results)
    conflicts = sum(r.status == "conflict" for r in response.results)
    log_conflicts = log.warning if conflicts else log.info
    log_conflicts("push seat=%s mutations=%d applied=%d rejected=%d conflicts=%d high_water=%d",
                  seat_id, len(request.mutations), applied, rejected, conflicts, response.last_applied_seq)
    return response


def _apply(session: Session, seat_id: str, request: PushRequest, recent: RecentChecks | None, city: City, *,
           bulk: bool) -> PushResponse:
    # Lock the seat row (PostgreSQL): two pushes from one seat never interleave.
    locked = session.scalars(select(Seat).where(Seat.id == seat_id).with_for_update()).one()
    high_water = locked.last_applied_seq
    mutations = sorted(request.mutations, key=lambda m: m.seq)
    resent = [m for m in mutations if m.seq <= high_water]
    fresh: list[Mutation] = []
    for m in mutations:
        if m.seq == high_water + len(fresh) + 1:
            fresh.append(m)
        elif m.seq > high_water + len(fresh):
            break  # a gap: stop here; the seat re-sends from the new high-water mark + 1
    operators = {m.operator_id for m in fresh}
    vouched = {o for o in operators if recent is not None and recent.fresh(intake_key(o))}
    active = vouched | remember_intake_users(session, operators - vouched, recent)
    signed_in = _signed_in(session, seat_id, operators, recent)
    locked.last_applied_seq = high_water + len(fresh)  # every fresh mutation gets an answer
    session.flush()  # before the batch takes the change counter's lock
    results = _stored_outcomes(session, locked.id, resent) + apply_fresh(session, locked, fresh, active, city=city,
                                                                          signed_in=signed_in, bulk=bulk)
    session.commit()
    return PushResponse(last_applied_seq=locked.last_applied_seq, results=results)


def _signed_in(session: Session, seat_id: str, operators: set[str], recent: RecentChecks | None) -> set[str]:
    """The operators named who signed in at this seat; a sign-in seen moments ago is vouched for by `recent`
    (keys under ("seat", seat_id): forgotten with the seat's credential)."""
    vouched = {o for o in operators if recent is not None and recent.fresh(("seat", seat_id, "signed_in", o))}
    found = signed_in_operators(session, seat_id, operators - vouched)
    if recent is not None:
        for operator in found:
            recent.remember(("seat", seat_id, "signed_in", operator))
    return vouched | found


def _stored_outcomes(session: Session, seat_id: str, resent: list[Mutation]) -> list[MutationResult]:
    """Re-sent seqs, compared by identity: the mutation_id stored for that seq → its stored outcome (applied or a
    duplicate before → duplicate; rejected before → the same rejection); any other id, or a seq with no stored
    id → conflict, and nothing is stored (the seat sends that change again above the mark)."""
    if not resent:
        return []
    rows = session.execute(select(SeatMutation.seq, SeatMutation.status, SeatMutation.error,
                                  SeatMutation.error_code, SeatMutation.sent_mutation_id).where(
        SeatMutation.seat_id == seat_id, SeatMutation.seq.in_({m.seq for m in resent})))
    stored = {r.seq: r for r in rows}
    results = []
    for m in resent:
        row = stored.get(m.seq)
        if row is None or row.sent_mutation_id != m.mutation_id:
            log.warning("push seat=%s seq=%d: the server holds another mutation under this seq (sent %s): conflict",
                        seat_id, m.seq, m.mutation_id)
            results.append(seq_conflict(m.seq))
        elif row.status in ("applied", "duplicate"):
            results.append(MutationResult(seq=m.seq, status="duplicate"))
        else:
            results.append(MutationResult(seq=m.seq, status="rejected", error=row.error, code=row.error_code))
    return results


def seq_conflict(seq: int) -> MutationResult:
    return MutationResult(seq=seq, status="conflict", code=SEQ_CONFLICT,
                          error=f"序号 {seq} 在中心服务器上已是本席位的另一条变更，本条未保存，将换新序号重新发送")


_events = cast(Table, CaseEvent.__table__)
_cases = cast(Table, Case.__table__)
_kb_changes = cast(Table, KbChange.__table__)
_counter = cast(Table, ChangeCounter.__table__)
_seats = cast(Table, Seat.__table__)


def _seat_events(*, skip_own: bool) -> Any:
    """This seat's events after the cursor; with `skip_own`, without the created events the seat made itself."""
    where = (_events.c.seat_id == bindparam("seat_id")) & (_events.c.change_id > bindparam("cursor"))
    return where & (_events.c.kind != OWN_EVENT_KIND) if skip_own else where


def _probe(*, skip_own: bool) -> Any:
    """One statement: the counter, this seat's high-water mark, and whether anything is new for this seat."""
    return select(
        _counter.c.value,
        select(_seats.c.last_applied_seq).where(_seats.c.id == bindparam("seat_id")).scalar_subquery(),
        exists().where(_seat_events(skip_own=skip_own), _events.c.change_id <= _counter.c.value),
        exists().where(_kb_changes.c.change_id > bindparam("cursor"), _kb_changes.c.change_id <= _counter.c.value),
    ).where(_counter.c.id == COUNTER_ROW_ID)


def _events_page(*, skip_own: bool) -> Any:
    return (
        select(_events.c.change_id, _events.c.id, _events.c.case_id, _events.c.seq, _events.c.kind,
               _events.c.payload, _events.c.operator_id, _events.c.recorded_at, _cases.c.number)
        .join(_cases, _cases.c.id == _events.c.case_id)
        .where(_seat_events(skip_own=skip_own), _events.c.change_id <= bindparam("top"))
        .order_by(_events.c.change_id)
    )


# Built once (every seat pulls every few seconds), keyed by skip_own.
_PROBE = {flag: _probe(skip_own=flag) for flag in (False, True)}
_EVENTS = {flag: _events_page(skip_own=flag) for flag in (False, True)}


def pull(session: Session, *, seat_id: str, cursor: int, limit: int, skip_own: bool = False) -> PullResponse:
    """Changes after `cursor` in change-id (= commit) order: this seat's case events merged with the
    knowledge-base changes every seat receives.

    `skip_own` leaves out the created events of the seat's own cases: an intact seat store already holds them
    (they were made there), and they are most of a busy seat's feed. The answer carries the seat's high-water
    mark, so a store that is behind it (restored from a backup) knows to pull without skipping."""
    conn = session.connection()
    params = {"seat_id": seat_id, "cursor": cursor}
    top, high_water, new_events, new_kb = conn.execute(_PROBE[skip_own], params).one()
    if cursor > top:
        session.rollback()
        return PullResponse(changes=[], cursor=0, has_more=False, reset_required=True, seat_high_water=high_water)
    events = list(conn.execute(_EVENTS[skip_own].limit(limit + 1), {**params, "top": top})) if new_events else []
    kb_rows = list(session.execute(
        select(KbChange, KbArticleVersion, KbArticleVector.encoder, KbArticleVector.dim, KbArticleVector.data)
        .join(KbArticleVersion, (KbArticleVersion.article_id == KbChange.article_id)
              & (KbArticleVersion.version == KbChange.version))
        .outerjoin(KbArticleVector, (KbArticleVector.article_id == KbChange.article_id)
                   & (KbArticleVector.version == KbChange.version))
        .where(KbChange.change_id > cursor, KbChange.change_id <= top)
        .order_by(KbChange.change_id).limit(limit + 1)
    )) if new_kb else []
    # Each source holds its first limit + 1 changes, so the merged first limit + 1 are the feed's first ones.
    merged: list[tuple[int, Change]] = sorted(
        [(feed_id(row.change_id), _change(row)) for row in events]
        + [(row[0].change_id, _kb_change(row[0], row[1], wire_vector(row[2], row[3], row[4]))) for row in kb_rows],
        key=lambda item: item[0],
    )[: limit + 1]
    has_more = len(merged) > limit
    merged = merged[:limit]
    # A full page ends at its last change; otherwise every change up to `top` has been seen.
    next_cursor = merged[-1][0] if has_more else top
    session.rollback()  # after the rows were read: a rollback expires ORM instances (one SELECT each to reload)
    return PullResponse(changes=[c for _, c in merged], cursor=next_cursor, has_more=has_more,
                        seat_high_water=high_water)


def _change(row: Any) -> Change:  # a row of _EVENTS
    data = {
        "case_id": row.case_id, "number": row.number,
        "event": {"id": row.id, "seq": row.seq, "kind": row.kind, "payload": row.payload,
                  "operator_id": row.operator_id, "recorded_at": row.recorded_at},
    }
    return Change(entity=ENTITY_CASE_EVENT, id=row.id, op="upsert", version=feed_id(row.change_id), data=data)


def _kb_change(change: KbChange, version: KbArticleVersion, vector: dict[str, object] | None) -> Change:
    if change.op == OP_UPSERT:
        return Change(entity=ENTITY_KB_ARTICLE, id=change.article_id, op="upsert", version=change.version,
                      data=wire_data(change.article_id, version, vector))
    return Change(entity=ENTITY_KB_ARTICLE, id=change.article_id, op="delete", version=change.version,
                  data={"id": change.article_id, "version": change.version})
