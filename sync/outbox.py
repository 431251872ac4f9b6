"""The seat's side of push: read the pending batch, then record the server's answer in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, text, update

from contract.names import CASE_CREATED, CASE_EVENT
from contract.protocol import MAX_BATCH, Mutation, PushResponse
from operator_app.store import schema
from operator_app.store.case_rows import reproject
from operator_app.store.database import Store


def pending_batch(store: Store, *, limit: int = MAX_BATCH, after_seq: int = 0) -> list[Mutation]:
    """The oldest pending mutations after `after_seq` in seq order (rejected ones wait for a person)."""
    o = schema.outbox.c
    with store.read() as conn:
        rows = conn.execute(select(schema.outbox).where(o.state == "pending", o.seq > after_seq)
                            .order_by(o.seq).limit(limit)).all()
    return [Mutation(seq=r.seq, mutation_id=r.mutation_id, name=r.name, args=json.loads(r.args_json),
                     operator_id=r.operator_id, entity_id=r.entity_id, created_at=r.created_at) for r in rows]


def highest_seq_made(conn: Connection) -> int:
    """The top of this store's seq line: the highest seq it assigned (AUTOINCREMENT remembers it after the rows
    are gone), or where `realign_pending` last put it.

    The server's high-water mark for the seat can never be above it, unless the store is older than what it
    pushed (restored from a backup) or another copy of the store pushed under the same seat."""
    made = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")).scalar()
    return int(made or 0)


def renumber_above(store: Store, high_water: int) -> int:
    """The server holds seqs up to `high_water` that this store never made (it was restored from a backup, or a
    copy of it pushed): move the pending queue, in order, to just above that mark so no new change is taken for
    one the server has, continue the numbering there, and ask for the seat's own cases to be pulled back.
    Returns the rows moved.

    Rows the server already has under their old seq get it again under the new one; their mutation ids and
    case ids are already on the server, so they are answered `duplicate`, never applied twice. Rejected rows
    keep their seq: the server answered them under it, and only pending rows are ever sent."""
    with store.write() as conn:
        if highest_seq_made(conn) >= high_water:
            return 0  # another pass did it already
        moved = realign_pending(conn, high_water + 1)
        conn.execute(update(schema.sync_state).values(pull_own=True))
    return moved


def realign_pending(conn: Connection, first: int) -> int:
    """Make the pending rows the run first, first + 1, … in their order, and continue the numbering after them.

    The server applies a seat's seqs one after another and waits at a gap; only pending rows are ever sent, so
    they must follow its mark with no hole, whatever else the outbox holds. A rejected row holding a seq at or
    above `first` (only when the server's mark went back: it forgot seqs it had answered) moves below `first`,
    into a seq no other row holds: it keeps its place in the list of rejections and is never waited for.
    Returns the pending rows that moved."""
    o = schema.outbox.c
    pending = list(conn.execute(select(o.seq).where(o.state == "pending").order_by(o.seq)).scalars())
    in_way = list(conn.execute(select(o.seq).where(o.state != "pending", o.seq >= first).order_by(o.seq))
                  .scalars())
    moves: dict[int, int] = {}
    if in_way:
        taken = set(conn.execute(select(o.seq).where(o.seq < first)).scalars())
        free = (seq for seq in range(first - 1, -(2 ** 62), -1) if seq not in taken)
        moves.update(zip(reversed(in_way), free, strict=False))
    if pending and (pending[0] != first or pending[-1] != first + len(pending) - 1):
        moves.update({seq: first + i for i, seq in enumerate(pending)})
    _move_rows(conn, moves)
    top = first - 1 + len(pending)
    # sqlite_sequence has no key: its row for the outbox (absent until the first insert) is replaced whole.
    conn.execute(text("DELETE FROM sqlite_sequence WHERE name = 'outbox'"))
    conn.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', :top)"), {"top": top})
    return sum(1 for seq in pending if seq in moves)


_PARK = -(2 ** 50)  # rows being moved wait below every real seq, so no move collides with a row not yet moved


def _move_rows(conn: Connection, moves: dict[int, int]) -> None:
    if not moves:
        return
    move = text("UPDATE outbox SET seq = :new WHERE seq = :old")
    conn.execute(move, [{"old": old, "new": _PARK - i} for i, old in enumerate(moves)])
    conn.execute(move, [{"old": _PARK - i, "new": new} for i, new in enumerate(moves.values())])


@dataclass(frozen=True)
class PushOutcome:
    acked: int
    rejected: int
    unanswered: int
    conflicts: int = 0  # seqs that hold another change on the server: kept pending, moved above its mark


_HELD = ("applied", "duplicate")  # the server holds this mutation_id: the row may leave the outbox


def record_push(store: Store, sent: list[Mutation], response: PushResponse) -> PushOutcome:
    """Remove acknowledged rows, mark rejected ones with the server's reason, count attempts on the rest.

    Nothing is dropped silently: a row leaves the outbox only when the server holds its mutation_id; a rejected
    row stays (state 'rejected') until a person acts; a `conflict` (its seq holds another change on the server)
    stays pending and the pending queue moves above the server's mark, to be sent again under seqs it has not seen.

    A refused "case.event" (a correction the server would not take: the case was redispatched meanwhile, say) is
    taken out of the case's local history, so the case shows what the server holds; the rejected row keeps it,
    with the server's reason, for the operator.
    """
    o, c = schema.outbox.c, schema.cases.c
    by_seq = {m.seq: m for m in sent}
    answered = {r.seq: r for r in response.results if r.seq in by_seq}
    done = [seq for seq, result in answered.items() if result.status in _HELD]
    with store.write() as conn:
        if done:
            conn.execute(delete(schema.outbox).where(o.seq.in_(done)))
        for seq, result in answered.items():
            if result.status == "rejected":
                conn.execute(update(schema.outbox).where(o.seq == seq).values(
                    state="rejected", attempts=o.attempts + 1, last_error=result.error or "rejected"))
                if by_seq[seq].name == CASE_EVENT:
                    _withdraw_event(conn, by_seq[seq])
        kept = [seq for seq in by_seq if seq not in answered or answered[seq].status == "conflict"]
        if kept:
            conn.execute(update(schema.outbox).where(o.seq.in_(kept)).values(attempts=o.attempts + 1))
        if any(result.status == "conflict" for result in answered.values()):
            realign_pending(conn, response.last_applied_seq + 1)
        conn.execute(update(schema.sync_state).values(last_acked_seq=func.max(
            schema.sync_state.c.last_acked_seq, response.last_applied_seq)))
        entities = {m.entity_id for m in sent}
        # One pass over the outbox for the whole batch (a correlated NOT EXISTS per case scanned it per case).
        # A case is unsynced while a change of it waits, or while its creation was refused (the server lacks it).
        queued = set(conn.execute(select(o.entity_id).where(
            o.entity_id.in_(entities), (o.state == "pending") | (o.name == CASE_CREATED))).scalars())
        if entities - queued:
            conn.execute(update(schema.cases).where(c.id.in_(entities - queued)).values(synced=True))
    return push_outcome(sent, response)


def _withdraw_event(conn: Connection, mutation: Mutation) -> None:
    """Remove the refused event from the case's local history and re-derive the case."""
    try:
        event_id, case_id = str(mutation.args["event"]["id"]), str(mutation.args["case_id"])
    except (KeyError, TypeError):
        return
    e = schema.case_events.c
    if conn.execute(delete(schema.case_events).where(e.id == event_id, e.case_id == case_id)).rowcount:
        reproject(conn, case_id)


def push_outcome(sent: list[Mutation], response: PushResponse) -> PushOutcome:
    """What the server's answer means for the rows sent (no database access)."""
    seqs = {m.seq for m in sent}
    answered = {r.seq: r.status for r in response.results if r.seq in seqs}
    acked = sum(status in _HELD for status in answered.values())
    conflicts = sum(status == "conflict" for status in answered.values())
    return PushOutcome(acked, len(answered) - acked - conflicts, len(seqs) - len(answered), conflicts)


def record_failure(store: Store, sent: list[Mutation], error: str) -> None:
    """The whole batch failed (network, 5xx): count the attempt, keep everything pending."""
    o = schema.outbox.c
    with store.write() as conn:
        conn.execute(update(schema.outbox).where(o.seq.in_([m.seq for m in sent]))
                     .values(attempts=o.attempts + 1, last_error=error[:500]))


def pending_by_operator(store: Store) -> list[dict[str, object]]:
    """The backlog report's body: per operator, the changes waiting to be pushed and when the oldest was made
    (refused ones reached the server and are not counted)."""
    o = schema.outbox.c
    with store.read() as conn:
        rows = conn.execute(select(o.operator_id, func.count(), func.min(o.created_at))
                            .where(o.state == "pending").group_by(o.operator_id).order_by(o.operator_id)).all()
    return [{"operator_id": operator_id, "pending": int(n), "oldest_pending_at": oldest}
            for operator_id, n, oldest in rows]


@dataclass(frozen=True)
class RejectedChange:
    seq: int
    name: str
    entity_id: str
    operator_id: str
    created_at: str
    reason: str
    args: dict[str, object]
    number: str = ""  # the case's number, when the change is about a case this store holds


def rejected_changes(store: Store) -> list[RejectedChange]:
    """What the server refused, oldest first, with its reason, for a person to correct."""
    o, c = schema.outbox.c, schema.cases.c
    with store.read() as conn:
        rows = conn.execute(select(schema.outbox, c.number).outerjoin(schema.cases, c.id == o.entity_id)
                            .where(o.state == "rejected").order_by(o.seq)).all()
    return [RejectedChange(r.seq, r.name, r.entity_id, r.operator_id, r.created_at, r.last_error,
                           json.loads(r.args_json), r.number or "") for r in rows]
