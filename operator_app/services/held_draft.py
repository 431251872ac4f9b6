"""A case held aside when a call pops the desk (来电弹屏): the form held an unsaved case, the new call needs the
form, and the held case must survive anything (a crash, a logout) until the operator takes it back.

Kept in the drafts table under its own key beside the operator's running draft (one held case per operator; a
newer hold replaces it only after the operator was told, see ui/calls/screen_pop.py).
"""

from __future__ import annotations

from contract.case_fields import CaseInput
from operator_app.services.changes import Changes
from operator_app.services.drafts import clear_draft, load_draft, save_draft
from operator_app.store.database import Store

HELD_SUFFIX = "~held"  # no work number holds it: operator ids are digits (the roster)


def held_key(operator_id: str) -> str:
    return operator_id + HELD_SUFFIX


def hold_case(store: Store, *, operator_id: str, form: CaseInput) -> Changes:
    """Keep `form` as the operator's held case (durable before the form is reused)."""
    return save_draft(store, operator_id=held_key(operator_id), form=form)


def take_held_case(store: Store, *, operator_id: str, replace_with: CaseInput | None = None) -> CaseInput | None:
    """The held case (None when there is none); the form's own unsaved case, if any, is held in its place."""
    held = load_draft(store, operator_id=held_key(operator_id))
    if held is None:
        return None
    if replace_with is not None and replace_with != CaseInput():
        hold_case(store, operator_id=operator_id, form=replace_with)
    else:
        clear_draft(store, operator_id=held_key(operator_id))
    return held
