"""督办 a hot spot: a `supervised` event on every open case of the group, through case_history.append_event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import NotFound
from central_server.db.models import Case, CaseTopic, HotspotGroup
from central_server.services.case_history import append_event
from contract.enums import CaseStatus
from contract.events import SUPERVISED


@dataclass(frozen=True)
class Supervised:
    id: str
    supervised_cases: int  # open cases that got the event
    skipped_closed: int  # closed cases of the group, left alone
    numbers: list[str]


def supervise_group(session: Session, *, group_id: str, reason: str, actor_id: str) -> Supervised:
    """Append 督办 to every open case of the group (all of its time, not only a range) and mark the group; one
    transaction, committed here. Unknown group → 404 hotspot_not_found."""
    group = session.scalars(select(HotspotGroup).where(HotspotGroup.id == group_id).with_for_update()).one_or_none()
    if group is None:
        raise NotFound(f"no hot spot {group_id}", code="hotspot_not_found")
    members = select(CaseTopic.case_id).where(CaseTopic.group_id == group_id)
    cases = session.scalars(select(Case).where(Case.id.in_(members)).order_by(Case.number).with_for_update()).all()
    open_cases = [c for c in cases if c.status != CaseStatus.CLOSED.value]
    for c in open_cases:
        append_event(session, c, kind=SUPERVISED, payload={"reason": reason, "hotspot_id": group_id},
                     actor_id=actor_id)
    group.supervised_at = datetime.now(UTC)
    group.supervised_by = actor_id[:16]
    group.supervise_reason = reason
    session.commit()
    return Supervised(id=group_id, supervised_cases=len(open_cases), skipped_closed=len(cases) - len(open_cases),
                      numbers=[c.number for c in open_cases])
