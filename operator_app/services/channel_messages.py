"""A channel message (网络渠道) the operator claimed, as the case form's input: what the citizen wrote becomes the
content, their contact the caller, their channel the case's channel. The rest the operator fills as for any call.

Messages from WeChat and the app often hold emoji, which the case refuses (department systems cannot store them):
they are left out of the form, and the caller says so; the message on the server keeps them as written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract.case_fields import CaseInput
from contract.enums import PhoneKind
from contract.text_checks import has_emoji


@dataclass(frozen=True)
class MessageForm:
    form: CaseInput
    emoji_removed: bool


def without_emoji(text: str) -> str:
    return "".join(ch for ch in text if not has_emoji(ch)) if has_emoji(text) else text


def form_from_message(claimed: Mapping[str, Any]) -> MessageForm:
    """`claimed`: the server's answer to POST /api/v1/intake/{id}/claim."""
    name = str(claimed.get("contact_name") or "")
    phone = str(claimed.get("contact_phone") or "")
    text = str(claimed.get("text") or "")
    content, clean_name = without_emoji(text), without_emoji(name)
    form = CaseInput(
        caller_name=clean_name, anonymous=not clean_name,
        phone_kind=PhoneKind.NUMBER.value if phone else PhoneKind.NONE.value, phone=phone,
        special_needs=tuple(str(n) for n in claimed.get("special_needs") or ()),
        channel=str(claimed["channel"]), content=content,
    )
    return MessageForm(form, emoji_removed=(content, clean_name) != (text, name))
