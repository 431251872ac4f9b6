"""Bodies of the channel-message endpoints (网络渠道: POST /api/v1/intake, the operators' queue, claims, hand-offs)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from contract.channel_intake import (
    MAX_CONTACT_NAME_CHARS,
    MAX_MESSAGE_ID_CHARS,
    MAX_NOTE_CHARS,
    MAX_TEXT_CHARS,
)
from contract.enums import SpecialNeed
from contract.phone import PhoneFormatError, normalize_phone
from contract.text_checks import has_control_chars, normalize_text

ChannelCode = Literal["wechat", "app", "web"]  # contract.channel_intake.MESSAGE_CHANNELS
HandoffTarget = Literal["110", "119", "120"]  # contract.channel_intake.HANDOFF_TARGETS
MESSAGE_ID = r"^[A-Za-z0-9._:-]+$"
RULES = ("Texts are trimmed; `text` must not be blank. No control, format, surrogate, private-use or unassigned "
         "characters (contract/text_checks.py; line breaks and tabs allowed in `text` and `note`); the phone must be "
         "one the case form accepts (contract/phone.py).")


def _clean(raw: str, *, multiline: bool) -> str:
    text = normalize_text(raw)
    if has_control_chars(text, multiline=multiline):
        raise ValueError("holds control characters")
    return text


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"description": RULES})

    name: str = Field(default="", max_length=MAX_CONTACT_NAME_CHARS)
    phone: str = Field(default="", max_length=40)

    @field_validator("name")
    @classmethod
    def _name(cls, raw: str) -> str:
        text = _clean(raw, multiline=False)
        if len(text) > MAX_CONTACT_NAME_CHARS:
            raise ValueError(f"at most {MAX_CONTACT_NAME_CHARS} characters")
        return text

    @field_validator("phone")
    @classmethod
    def _phone(cls, raw: str) -> str:
        if not raw.strip():
            return ""
        try:
            return normalize_phone(raw)
        except PhoneFormatError:
            raise ValueError("not a phone number that can be called back") from None


class MessageIn(BaseModel):
    """A citizen's message as a channel gateway posts it; `message_id` is the channel's own id (a re-post of the
    same id returns the message first stored)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"description": RULES})

    channel: ChannelCode
    message_id: str = Field(min_length=1, max_length=MAX_MESSAGE_ID_CHARS, pattern=MESSAGE_ID)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    contact: Contact = Field(default_factory=Contact)
    special_needs: list[SpecialNeed] = Field(default_factory=list, max_length=len(SpecialNeed))
    received_at: AwareDatetime

    @field_validator("text")
    @classmethod
    def _text(cls, raw: str) -> str:
        text = _clean(raw, multiline=True)
        if not text:
            raise ValueError("is empty")
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"at most {MAX_TEXT_CHARS} characters")
        return text

    @field_validator("special_needs")
    @classmethod
    def _needs(cls, needs: list[SpecialNeed]) -> list[SpecialNeed]:
        return list(dict.fromkeys(needs))


class MessageState(BaseModel):
    """What the channel may know of its message: where it stands, the case number once the case reached the
    server, or the emergency service it was handed to."""

    id: str
    channel: str
    message_id: str
    status: Literal["waiting", "claimed", "case", "handed_off"]
    case_number: str | None
    handoff_to: str | None
    closed_at: datetime | None


class QueueItem(BaseModel):
    id: str
    channel: str
    received_at: datetime
    waited_seconds: int
    special_needs: list[str]
    text_start: str = Field(description="the first characters of the text")
    contact_name_masked: str
    contact_phone_masked: str
    mine: bool = Field(description="claimed by the asking operator (still within the claim's time)")


class Queue(BaseModel):
    items: list[QueueItem]
    truncated: bool
    claim_minutes: float


class ClaimedMessage(BaseModel):
    """The whole message, for the operator who holds the claim (the form needs the full text and phone)."""

    id: str
    channel: str
    message_id: str
    text: str
    contact_name: str
    contact_phone: str
    special_needs: list[str]
    received_at: datetime
    claim_until: datetime


class HandoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"description": RULES})

    to: HandoffTarget
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)

    @field_validator("note")
    @classmethod
    def _note(cls, raw: str) -> str:
        text = _clean(raw, multiline=True)
        if len(text) > MAX_NOTE_CHARS:
            raise ValueError(f"at most {MAX_NOTE_CHARS} characters")
        return text
