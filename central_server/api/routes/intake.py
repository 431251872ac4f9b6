"""Channel messages (网络渠道): gateways post them and read back the case number or hand-off; operators read the one
queue, claim a message, release it, or close it as a 110/119/120 hand-off. A message becomes a case through the
seat's ordinary "case.created" push, which names the message (contract.channel_intake.INTAKE_ID_KEY)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from central_server.api.deps import ContextDep, CurrentUser, SessionDep
from central_server.api.intake_schemas import (
    MESSAGE_ID,
    ChannelCode,
    ClaimedMessage,
    HandoffIn,
    MessageIn,
    MessageState,
    Queue,
    QueueItem,
)
from central_server.core.errors import Forbidden
from central_server.db.models import ChannelMessage, User
from central_server.services import channel_intake as svc
from contract.phone import mask_name, mask_phone
from contract.roles import INTAKE, SUBMIT_INTAKE, may

router = APIRouter(tags=["intake"])
TEXT_START_CHARS = 60
MessageKey = Annotated[str, Path(min_length=1, max_length=64, pattern=MESSAGE_ID)]
Uuid = Annotated[str, Path(min_length=36, max_length=36)]


def _gateway(user: CurrentUser) -> User:
    if not may(user.role, SUBMIT_INTAKE):
        raise Forbidden("only a channel gateway's account (or an administrator) may post or read channel messages")
    return user


def _operator(user: CurrentUser) -> User:
    if not may(user.role, INTAKE):
        raise Forbidden("only operators and team leads take channel messages")
    return user


GatewayUser = Annotated[User, Depends(_gateway)]
IntakeUser = Annotated[User, Depends(_operator)]


@router.post("/intake", status_code=201)
def post_message(body: MessageIn, _: GatewayUser, session: SessionDep, response: Response) -> MessageState:
    """201 with the new message; 200 with the message first stored when this channel sent the id before."""
    row, new = svc.store_message(session, svc.NewMessage(
        channel=body.channel, message_id=body.message_id, text=body.text, contact_name=body.contact.name,
        contact_phone=body.contact.phone, special_needs=[n.value for n in body.special_needs],
        received_at=body.received_at))
    if not new:
        response.status_code = 200
    return _state(row)


@router.get("/intake/queue")
def get_queue(user: IntakeUser, session: SessionDep, ctx: ContextDep) -> Queue:
    """Waiting messages of every channel (and the asker's own claims): special needs first, then oldest."""
    now = datetime.now(UTC)
    rows, truncated = svc.queue(session, user.id, now=now)
    return Queue(truncated=truncated, claim_minutes=ctx.settings.intake_claim_minutes, items=[
        QueueItem(id=r.id, channel=r.channel, received_at=svc.aware(r.received_at),
                  waited_seconds=max(0, int((now - svc.aware(r.received_at)).total_seconds())),
                  special_needs=list(r.special_needs), text_start=r.text[:TEXT_START_CHARS],
                  contact_name_masked=mask_name(r.contact_name), contact_phone_masked=mask_phone(r.contact_phone),
                  mine=svc.shown_status(r, now) == "claimed" and r.claimed_by == user.id)
        for r in rows])


@router.post("/intake/{intake_id}/claim")
def claim(intake_id: Uuid, user: IntakeUser, session: SessionDep, ctx: ContextDep) -> ClaimedMessage:
    """409 `already_claimed` when another operator holds it, `message_closed` when it is a case or handed off."""
    row = svc.claim(session, intake_id, user.id, minutes=ctx.settings.intake_claim_minutes)
    return _claimed(row)


@router.post("/intake/{intake_id}/release")
def release(intake_id: Uuid, user: IntakeUser, session: SessionDep) -> MessageState:
    return _state(svc.release(session, intake_id, user.id))


@router.post("/intake/{intake_id}/handoff")
def handoff(intake_id: Uuid, body: HandoffIn, user: IntakeUser, session: SessionDep) -> MessageState:
    """Close a message the operator holds as handed off to 110/119/120 (the time is recorded)."""
    return _state(svc.hand_off(session, intake_id, user.id, to=body.to, note=body.note))


@router.get("/intake/{channel}/{message_id}")
def channel_reads(channel: ChannelCode, message_id: MessageKey, _: GatewayUser, session: SessionDep) -> MessageState:
    """The channel asks what became of its message: the case number to tell the citizen, or the hand-off."""
    return _state(svc.message_for_channel(session, channel, message_id))


def _state(row: ChannelMessage) -> MessageState:
    return MessageState(
        id=row.id, channel=row.channel, message_id=row.message_id,
        status=svc.shown_status(row, datetime.now(UTC)),  # type: ignore[arg-type]
        case_number=row.case_number, handoff_to=row.handoff_to,
        closed_at=svc.aware(row.closed_at) if row.closed_at else None)


def _claimed(row: ChannelMessage) -> ClaimedMessage:
    assert row.claim_until is not None
    return ClaimedMessage(
        id=row.id, channel=row.channel, message_id=row.message_id, text=row.text, contact_name=row.contact_name,
        contact_phone=row.contact_phone, special_needs=list(row.special_needs),
        received_at=svc.aware(row.received_at), claim_until=svc.aware(row.claim_until))
