"""Cases held aside when calls pop the desk (来电弹屏): the form held an unsaved case, the new call needs the form,
and the held case must survive anything (a crash, a logout, the next call) until the operator takes it back.

Kept in the drafts table beside the operator's running draft, under keys `<operator>~held1`, `~held2`, ...: each
hold takes the next number, so a second call while a held case waits never overwrites it; taking back takes the
newest.
"""

from __future__ import annotations

from sqlalchemy import select

from contract.case_fields import CaseInput
from operator_app.services.changes import Changes
from operator_app.services.drafts import clear_draft, load_draft, save_draft
from operator_app.store import schema
from operator_app.store.database import Store

HELD_SUFFIX = "~held"  # no work number holds it: operator ids are digits (the roster)


def held_key(operator_id: str, slot: int = 1) -> str:
    return f"{operator_id}{HELD_SUFFIX}{slot}"


def held_slots(store: Store, operator_id: str) -> list[int]:
    """The operator's held cases' numbers, oldest first."""
    prefix = operator_id + HELD_SUFFIX
    d = schema.drafts.c
    with store.read() as conn:
        keys = conn.execute(select(d.operator_id).where(d.operator_id.startswith(prefix, autoescape=True))).scalars()
        return sorted(int(k[len(prefix):]) for k in keys if k[len(prefix):].isdigit())


def hold_case(store: Store, *, operator_id: str, form: CaseInput) -> Changes:
    """Keep `form` as the operator's newest held case (durable before the form is reused)."""
    slots = held_slots(store, operator_id)
    return save_draft(store, operator_id=held_key(operator_id, (slots[-1] + 1) if slots else 1), form=form)


def take_held_case(store: Store, *, operator_id: str, replace_with: CaseInput | None = None) -> CaseInput | None:
    """The newest held case (None when there is none); the form's own unsaved case, if any, is held in its place."""
    slots = held_slots(store, operator_id)
    if not slots:
        return None
    key = held_key(operator_id, slots[-1])
    held = load_draft(store, operator_id=key)
    if replace_with is not None and replace_with != CaseInput():
        save_draft(store, operator_id=key, form=replace_with)
    else:
        clear_draft(store, operator_id=key)
    return held
