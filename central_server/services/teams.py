"""Teams (班组): who works with whom. A team lead reviews the cases of the people of their own team."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.db.models import User


def team_members(session: Session, team: str) -> dict[str, str]:
    """Every person of the team (active or not: their cases stay the team's), id -> name; none for no team."""
    if not team:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.team == team).order_by(User.id)).all())
