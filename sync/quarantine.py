"""Pulled changes this seat could not apply: kept whole in the store for a person, logged without personal data.

One bad change in the feed (a created event without a field the seat needs, a payload of the wrong shape) must
not stop the seat's sync at the same place on every pass: it is set aside here, the rest of the page is applied
and the cursor moves on. The status bar counts what is here; `operator-app outbox --json` reports the count.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.sqlite import insert

from operator_app.store import schema
from operator_app.store.database import Store, utc_now

if TYPE_CHECKING:  # the desk's status bar imports this module at start-up: no pydantic then
    from contract.protocol import Change

log = logging.getLogger(__name__)
SHOWN = 200  # the newest entries listed for a person; the count covers them all


@dataclass(frozen=True)
class QuarantinedChange:
    entity: str
    change_id: str
    case_id: str
    number: str
    error: str
    quarantined_at: str


def _text(data: dict[str, Any], key: str, limit: int) -> str:
    value = data.get(key, "")
    return value[:limit] if isinstance(value, str) else ""


def quarantine(conn: Connection, change: Change, exc: BaseException) -> None:
    """Keep `change` aside (once, however often it is pulled again) and log its ids and the error's class."""
    error = type(exc).__name__
    case_id = _text(change.data, "case_id", 200)
    conn.execute(insert(schema.quarantine).values(
        entity=change.entity[:32], change_id=change.id[:200], version=change.version, case_id=case_id,
        number=_text(change.data, "number", 32), error=error[:64], data_json=json.dumps(change.data, ensure_ascii=False, default=str),
        quarantined_at=utc_now()).on_conflict_do_nothing())
    log.warning("pulled %s change %r (case %r, version %d) cannot be applied here (%s): quarantined, sync goes on",
                change.entity[:32], change.id[:64], case_id[:64], change.version, error)


def quarantine_count(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.quarantine)).scalar_one())


def quarantined_changes(store: Store, *, limit: int = SHOWN) -> list[QuarantinedChange]:
    """The newest quarantined changes first, with what a person needs to find them (never their content)."""
    q = schema.quarantine.c
    with store.read() as conn:
        rows = conn.execute(select(q.entity, q.change_id, q.case_id, q.number, q.error, q.quarantined_at)
                            .order_by(q.id.desc()).limit(limit)).all()
    return [QuarantinedChange(r.entity, r.change_id, r.case_id, r.number, r.error, r.quarantined_at) for r in rows]
