"""Channel messages (网络渠道): stored once per (channel, message_id), one queue for every channel (special needs
first, then oldest), claimed by exactly one operator at a time (a conditional UPDATE; a claim lapses after the
configured minutes), linked to the case made from it when that case reaches the server, or closed as a 110/119/120
hand-off.

A claim, a release, a hand-off and the case link all hold only while the message is `claimed` by the same person:
whoever claims a lapsed message takes it over, and the first holder can no longer close it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.errors import Conflict, NotFound
from central_server.db.models import ChannelMessage
from contract.channel_intake import INTAKE_ID_KEY, MessageStatus

log = logging.getLogger(__name__)
QUEUE_LIMIT = 200


@dataclass(frozen=True)
class NewMessage:
    channel: str
    message_id: str
    text: str
    contact_name: str
    contact_phone: str
    special_needs: list[str]
    received_at: datetime


def store_message(session: Session, new: NewMessage, *, now: datetime | None = None) -> tuple[ChannelMessage, bool]:
    """The stored message and whether it is new; a message id the channel sent before returns the first one."""
    held = _by_channel_id(session, new.channel, new.message_id)
    if held is not None:
        return held, False
    row = ChannelMessage(
        id=str(uuid.uuid4()), channel=new.channel, message_id=new.message_id, text=new.text,
        contact_name=new.contact_name, contact_phone=new.contact_phone, special_needs=list(new.special_needs),
        special=bool(new.special_needs), received_at=new.received_at.astimezone(UTC),
        stored_at=now or datetime.now(UTC), status=MessageStatus.WAITING)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same message posted at the same moment by a retrying gateway
        held = _by_channel_id(session, new.channel, new.message_id)
        if held is None:
            raise
        session.commit()
        return held, False
    session.commit()
    return row, True


def _by_channel_id(session: Session, channel: str, message_id: str) -> ChannelMessage | None:
    return session.scalars(select(ChannelMessage).where(ChannelMessage.channel == channel,
                                                        ChannelMessage.message_id == message_id)).one_or_none()


def message_for_channel(session: Session, channel: str, message_id: str) -> ChannelMessage:
    held = _by_channel_id(session, channel, message_id)
    if held is None:
        raise NotFound("no message with this channel and message_id", code="message_not_found")
    return held


def shown_status(row: ChannelMessage, now: datetime) -> str:
    """A claim past its time is shown (and treated) as waiting."""
    if row.status == MessageStatus.CLAIMED and row.claim_until is not None and aware(row.claim_until) < now:
        return MessageStatus.WAITING
    return row.status


def _open_for(now: datetime) -> Any:
    """Waiting, or claimed with the claim lapsed."""
    return or_(ChannelMessage.status == MessageStatus.WAITING,
               and_(ChannelMessage.status == MessageStatus.CLAIMED, ChannelMessage.claim_until < now))


def queue(session: Session, operator_id: str, *, now: datetime | None = None, limit: int = QUEUE_LIMIT
          ) -> tuple[list[ChannelMessage], bool]:
    """Open messages and the operator's own live claims: special needs first, then oldest."""
    now = now or datetime.now(UTC)
    mine = and_(ChannelMessage.status == MessageStatus.CLAIMED, ChannelMessage.claimed_by == operator_id,
                ChannelMessage.claim_until >= now)
    rows = list(session.scalars(
        select(ChannelMessage).where(or_(_open_for(now), mine))
        .order_by(ChannelMessage.special.desc(), ChannelMessage.received_at, ChannelMessage.id).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def claim(session: Session, message_id: str, operator_id: str, *, minutes: float, now: datetime | None = None
          ) -> ChannelMessage:
    """Give the message to this operator (or renew their own claim); Conflict when someone else holds it or it
    is closed. One UPDATE decides: of operators claiming at once, exactly one changes the row."""
    now = now or datetime.now(UTC)
    own = and_(ChannelMessage.status == MessageStatus.CLAIMED, ChannelMessage.claimed_by == operator_id)
    result = session.execute(
        update(ChannelMessage).where(ChannelMessage.id == message_id, or_(_open_for(now), own))
        .values(status=MessageStatus.CLAIMED, claimed_by=operator_id, claim_until=now + timedelta(minutes=minutes))
        .execution_options(synchronize_session=False))
    session.commit()
    row = _get(session, message_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _not_yours(row, now)
    return row


def release(session: Session, message_id: str, operator_id: str) -> ChannelMessage:
    """Put the operator's claimed message back in the queue."""
    result = session.execute(
        update(ChannelMessage).where(ChannelMessage.id == message_id, ChannelMessage.status == MessageStatus.CLAIMED,
                                     ChannelMessage.claimed_by == operator_id)
        .values(status=MessageStatus.WAITING, claimed_by=None, claim_until=None)
        .execution_options(synchronize_session=False))
    session.commit()
    row = _get(session, message_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _not_yours(row, datetime.now(UTC))
    return row


def hand_off(session: Session, message_id: str, operator_id: str, *, to: str, note: str,
             now: datetime | None = None) -> ChannelMessage:
    """Close the operator's claimed message as handed off to 110/119/120, with the time."""
    now = now or datetime.now(UTC)
    result = session.execute(
        update(ChannelMessage).where(ChannelMessage.id == message_id, ChannelMessage.status == MessageStatus.CLAIMED,
                                     ChannelMessage.claimed_by == operator_id)
        .values(status=MessageStatus.HANDED_OFF, handoff_to=to, handoff_note=note, closed_by=operator_id,
                closed_at=now, claim_until=None)
        .execution_options(synchronize_session=False))
    session.commit()
    row = _get(session, message_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _not_yours(row, now)
    return row


def link_cases(session: Session, new_cases: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> None:
    """Record the case number on the channel message each new case (row, created payload) names, inside the
    push's transaction. The message must still be claimed by the case's author; otherwise the case stands on its
    own (it is a valid case: refusing it would lose what the operator wrote) and the message is left as it is."""
    now = datetime.now(UTC)
    for case, payload in new_cases:
        intake_id = payload.get(INTAKE_ID_KEY)
        if intake_id is None:
            continue
        result = session.execute(
            update(ChannelMessage).where(ChannelMessage.id == intake_id,
                                         ChannelMessage.status == MessageStatus.CLAIMED,
                                         ChannelMessage.claimed_by == case["created_by"])
            .values(status=MessageStatus.CASE, case_id=case["id"], case_number=case["number"],
                    closed_by=case["created_by"], closed_at=now, claim_until=None)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            log.warning("case %s names channel message %s, which its author no longer holds: not linked",
                        case["id"], intake_id)


def _get(session: Session, message_id: str) -> ChannelMessage:
    row = session.get(ChannelMessage, message_id)
    if row is None:
        raise NotFound("no channel message with this id", code="message_not_found")
    session.refresh(row)
    return row


def _not_yours(row: ChannelMessage, now: datetime) -> Conflict:
    status = shown_status(row, now)
    if status == MessageStatus.CLAIMED:
        return Conflict("another operator has claimed this message", code="already_claimed")
    if status in (MessageStatus.CASE, MessageStatus.HANDED_OFF):
        return Conflict("this message is closed: it became a case or was handed off", code="message_closed")
    return Conflict("you do not hold a claim on this message (it lapsed or was released)", code="not_claimed")


def aware(when: datetime) -> datetime:
    """SQLite hands the stored UTC times back without their offset."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
