"""The case form's draft, saved continuously per operator so a crash or kill loses nothing."""

from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert

from contract.case_fields import CaseInput
from operator_app.errors import ValidationErrors
from operator_app.services.changes import Changes
from operator_app.store import schema
from operator_app.store.database import Store, utc_now


def save_draft(store: Store, *, operator_id: str, form: CaseInput) -> Changes:
    """Replace the operator's draft; one small durable transaction."""
    data = json.dumps(form.to_dict(), ensure_ascii=False)
    stmt = insert(schema.drafts).values(operator_id=operator_id, form_json=data, updated_at=utc_now())
    stmt = stmt.on_conflict_do_update(
        index_elements=[schema.drafts.c.operator_id],
        set_={"form_json": stmt.excluded.form_json, "updated_at": stmt.excluded.updated_at},
    )
    with store.write() as conn:
        conn.execute(stmt)
    return Changes(draft=True)


def clear_draft(store: Store, *, operator_id: str) -> Changes:
    """Drop the operator's draft (the form was emptied on purpose)."""
    with store.write() as conn:
        conn.execute(delete(schema.drafts).where(schema.drafts.c.operator_id == operator_id))
    return Changes(draft=True)


def load_draft(store: Store, *, operator_id: str) -> CaseInput | None:
    """The operator's saved draft, or None; a draft that no longer parses is ignored, not fatal."""
    with store.read() as conn:
        raw = conn.execute(
            select(schema.drafts.c.form_json).where(schema.drafts.c.operator_id == operator_id)
        ).scalar()
    if raw is None:
        return None
    try:
        return CaseInput.from_mapping(json.loads(raw))
    except (ValueError, ValidationErrors):
        return None
