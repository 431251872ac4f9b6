"""The demo city: every roster person (username = work number) plus `admin`, one documented password, the
demo knowledge-base articles (resources/kb/demo_articles.jsonl), the demo practice scenarios and assignments
(services/demo_practice.py) and, for the seat's embedded default, a demo shift of cases (services/demo_shift.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.city import CityFacts
from central_server.db.models import Case, KbArticle, User
from central_server.services.demo_practice import seed_practice_if_empty
from central_server.services.kb_import import KbImportReport, import_file
from central_server.services.users import create_user, has_users
from contract.roles import ROLE_CODES, Role

# Documented in the README for the demo only; stored as an argon2 hash like every password.
DEMO_PASSWORD = "demo-12345"
ADMIN = ("admin", "演示管理员", Role.ADMIN.value, "")


def seed_demo(session: Session, city: CityFacts) -> list[str]:
    """Create the demo users that do not exist yet; returns the usernames created."""
    created = []
    people = [(p.id, p.name, p.role, p.team) for p in city.roster if p.role in ROLE_CODES] + [ADMIN]
    for username, name, role, team in people:
        if session.get(User, username) is None:
            create_user(session, username=username, name=name, role=role, password=DEMO_PASSWORD, team=team)
            created.append(username)
    return created


def demo_articles_path(resources: Path) -> Path:
    return resources / "kb" / "demo_articles.jsonl"


def seed_demo_articles(session: Session, city: CityFacts, resources: Path) -> KbImportReport:
    """Import the demo articles (unchanged ones add no version; retired ones stay retired)."""
    return import_file(session, demo_articles_path(resources), timezone=city.timezone, owner="演示知识库")


def seed_if_empty(session: Session, city: CityFacts, resources: Path | None = None, *, shift: bool = False) -> bool:
    """Seed the demo users when the database has no user at all, and (given `resources`) the demo articles when
    it has no article at all and the demo practice when it has no practice scenario, and (with `shift`) the demo
    shift when it has no case at all; True when it seeded anything."""
    seeded = False
    if not has_users(session):
        seed_demo(session, city)
        seeded = True
    if resources is not None and session.scalar(select(KbArticle.id).limit(1)) is None:
        session.rollback()
        seed_demo_articles(session, city, resources)
        seeded = True
    if resources is not None and seed_practice_if_empty(session, resources) is not None:
        seeded = True
    if shift and resources is not None and session.scalar(select(Case.id).limit(1)) is None:
        # Imported only for a database without cases: every later start of the embedded server skips its
        # templates and planning modules (they sit on the login's path at a cold start).
        from central_server.services.demo_shift import seed_demo_shift

        seed_demo_shift(session, city, resources)
        seeded = True
    return seeded
