"""A channel message (网络渠道) the operator claimed, as the case form's input: what the citizen wrote becomes the
content, their contact the caller, their channel the case's channel. The rest the operator fills as for any call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract.case_fields import CaseInput
from contract.enums import PhoneKind


def form_from_message(claimed: Mapping[str, Any]) -> CaseInput:
    """`claimed`: the server's answer to POST /api/v1/intake/{id}/claim."""
    name = str(claimed.get("contact_name") or "")
    phone = str(claimed.get("contact_phone") or "")
    return CaseInput(
        caller_name=name, anonymous=not name,
        phone_kind=PhoneKind.NUMBER.value if phone else PhoneKind.NONE.value, phone=phone,
        special_needs=tuple(str(n) for n in claimed.get("special_needs") or ()),
        channel=str(claimed["channel"]), content=str(claimed.get("text") or ""),
    )
