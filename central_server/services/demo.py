"""The demo city's accounts: every roster person (username = work number) plus `admin`, one documented password."""

from __future__ import annotations

from sqlalchemy.orm import Session

from central_server.core.city import CityFacts
from central_server.db.models import ROLES, User
from central_server.services.users import create_user, has_users

# Documented in the README for the demo only; stored as an argon2 hash like every password.
DEMO_PASSWORD = "demo-12345"
ADMIN = ("admin", "演示管理员", "admin")


def seed_demo(session: Session, city: CityFacts) -> list[str]:
    """Create the demo users that do not exist yet; returns the usernames created."""
    created = []
    people = [(p.id, p.name, p.role) for p in city.roster if p.role in ROLES] + [ADMIN]
    for username, name, role in people:
        if session.get(User, username) is None:
            create_user(session, username=username, name=name, role=role, password=DEMO_PASSWORD)
            created.append(username)
    return created


def seed_if_empty(session: Session, city: CityFacts) -> bool:
    """Seed the demo users when the database has no user at all; True when it did."""
    if has_users(session):
        return False
    seed_demo(session, city)
    return True
