"""The seat's side of push: read the pending batch, then record the server's answer in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, text, update

from contract.protocol import MAX_BATCH, Mutation, PushResponse
from operator_app.store import schema
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
    """The highest outbox seq this store ever assigned (AUTOINCREMENT remembers it after the rows are gone).

    The server's high-water mark for the seat can never be above it, unless the store is older than what it
    pushed (restored from a backup)."""
    made = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")).scalar()
    return int(made or 0)


def renumber_above(store: Store, high_water: int) -> int:
    """The server holds seqs up to `high_water` that this store never made (it was restored from a backup): move
    the whole queue, in order, above that mark so no new change is taken for one the server has, continue the
    numbering there, and ask for the seat's own cases to be pulled back. Returns the rows moved.

    Rows the server already has under their old seq get it again under the new one; their mutation ids and
    case ids are already on the server, so they are answered `duplicate`, never applied twice."""
    o = schema.outbox.c
    with store.write() as conn:
        if highest_seq_made(conn) >= high_water:
            return 0  # another pass did it already
        lowest = conn.execute(select(func.min(o.seq))).scalar()
        moved = 0
        if lowest is not None:
            shift = high_water + 1 - int(lowest)
            # Through negative seqs: shifting in place could collide with a row not yet moved.
            moved = conn.execute(update(schema.outbox).values(seq=-o.seq)).rowcount
            conn.execute(update(schema.outbox).values(seq=-o.seq + shift))
        top = max(high_water, int(conn.execute(select(func.max(o.seq))).scalar() or 0))
        # sqlite_sequence has no key: its row for the outbox (absent until the first insert) is replaced whole.
        conn.execute(text("DELETE FROM sqlite_sequence WHERE name = 'outbox'"))
        conn.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', :top)"), {"top": top})
        conn.execute(update(schema.sync_state).values(pull_own=True))
    return moved


@dataclass(frozen=True)
class PushOutcome:
    acked: int
    rejected: int
    unanswered: int


def record_push(store: Store, sent: list[Mutation], response: PushResponse) -> PushOutcome:
    """Remove acknowledged rows, mark rejected ones with the server's reason, count attempts on the rest.

    Nothing is dropped silently: a rejected row stays in the outbox (state 'rejected') until a person acts.
    """
    o, c = schema.outbox.c, schema.cases.c
    by_seq = {m.seq: m for m in sent}
    answered = {r.seq: r for r in response.results if r.seq in by_seq}
    done = [seq for seq, result in answered.items() if result.status in ("applied", "duplicate")]
    with store.write() as conn:
        if done:
            conn.execute(delete(schema.outbox).where(o.seq.in_(done)))
        for seq, result in answered.items():
            if result.status not in ("applied", "duplicate"):
                conn.execute(update(schema.outbox).where(o.seq == seq).values(
                    state="rejected", attempts=o.attempts + 1, last_error=result.error or "rejected"))
        unanswered = [seq for seq in by_seq if seq not in answered]
        if unanswered:
            conn.execute(update(schema.outbox).where(o.seq.in_(unanswered)).values(attempts=o.attempts + 1))
        conn.execute(update(schema.sync_state).values(last_acked_seq=func.max(
            schema.sync_state.c.last_acked_seq, response.last_applied_seq)))
        entities = {m.entity_id for m in sent}
        # One pass over the outbox for the whole batch (a correlated NOT EXISTS per case scanned it per case).
        queued = set(conn.execute(select(o.entity_id).where(o.entity_id.in_(entities))).scalars())
        if entities - queued:
            conn.execute(update(schema.cases).where(c.id.in_(entities - queued)).values(synced=True))
    return push_outcome(sent, response)


def push_outcome(sent: list[Mutation], response: PushResponse) -> PushOutcome:
    """What the server's answer means for the rows sent (no database access)."""
    seqs = {m.seq for m in sent}
    answered = {r.seq: r.status for r in response.results if r.seq in seqs}
    acked = sum(status in ("applied", "duplicate") for status in answered.values())
    return PushOutcome(acked, len(answered) - acked, len(seqs) - len(answered))


def record_failure(store: Store, sent: list[Mutation], error: str) -> None:
    """The whole batch failed (network, 5xx): count the attempt, keep everything pending."""
    o = schema.outbox.c
    with store.write() as conn:
        conn.execute(update(schema.outbox).where(o.seq.in_([m.seq for m in sent]))
                     .values(attempts=o.attempts + 1, last_error=error[:500]))


@dataclass(frozen=True)
class RejectedChange:
    seq: int
    name: str
    entity_id: str
    operator_id: str
    created_at: str
    reason: str
    args: dict[str, object]


def rejected_changes(store: Store) -> list[RejectedChange]:
    """What the server refused, oldest first, with its reason, for a person to correct."""
    o = schema.outbox.c
    with store.read() as conn:
        rows = conn.execute(select(schema.outbox).where(o.state == "rejected").order_by(o.seq)).all()
    return [RejectedChange(r.seq, r.name, r.entity_id, r.operator_id, r.created_at, r.last_error,
                           json.loads(r.args_json)) for r in rows]
