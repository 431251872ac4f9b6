"""The seat's `cases` row of a case: the one projection of its state, used by every writer of a case."""

from __future__ import annotations

from typing import Any

from contract.events import CaseState


def case_row(state: CaseState, *, synced: bool) -> dict[str, Any]:
    """Every column of schema.cases for a case in this state (contract.events.apply_event / derive_state)."""
    f = state.fields
    return {
        "id": state.id, "number": state.number, "created_by": state.created_by, "created_at": state.created_at,
        "status": state.status, "category": f["category"], "district": f["district"],
        "lead_department": f["lead_department"], "urgency": f["urgency"], "disposition": f["disposition"],
        "appeal_type": f["appeal_type"], "special_needs": ",".join(f["special_needs"]),
        "confidential": bool(f["confidential"]), "caller_name": f["caller_name"], "phone": f["phone"],
        "content": f["content"], "respond_by": state.respond_by, "finish_by": state.finish_by, "synced": synced,
    }
