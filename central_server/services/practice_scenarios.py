"""The scenario library on the server: trainers create drafts, save new versions (optimistic: the version they
edited must still be the current one), publish and retire; seats read the published ones. Every saved version is
kept: an attempt is scored against the version it was played from."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.errors import Conflict, Invalid, NotFound
from central_server.db.models import PracticeScenario, PracticeScenarioVersion, User
from central_server.services.practice_checks import check_against_city, parse_scenario, refuse_personal_data
from contract.city.model import City
from contract.practice.scenario import Scenario

DRAFT, PUBLISHED, RETIRED = "draft", "published", "retired"
SCENARIO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def iso(moment: datetime) -> str:
    """A stored time as ISO text in UTC (SQLite hands back the stored UTC time without its zone)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def _not_found(scenario_id: str) -> NotFound:
    return NotFound(f"no practice scenario {scenario_id[:64]!r}", code="scenario_not_found")


def validated(body: Any, city: City) -> Scenario:
    """A trainer's scenario as sent: its shape, its codes against the city, no personal data; 422 otherwise."""
    scenario = parse_scenario(body)
    if scenario.id and not SCENARIO_ID.match(scenario.id):
        raise Invalid("id: letters, digits, '.', '_' and '-' only (at most 64)", code="invalid_scenario")
    check_against_city(scenario, city)
    refuse_personal_data(scenario)
    return scenario


def answer(row: PracticeScenario, body: dict[str, Any]) -> dict[str, Any]:
    """The wire shape: the version's body with the library's status and last change."""
    return {**body, "id": row.id, "version": row.version, "status": row.status,
            "updated_at": iso(row.updated_at)}


def create(session: Session, trainer: User, body: Any, *, city: City, now: datetime | None = None,
           status: str = DRAFT) -> dict[str, Any]:
    """A new scenario, version 1 (a draft unless `status` says otherwise); 409 `scenario_exists` for a taken id."""
    scenario = validated(body, city)
    return store_new(session, scenario, by=trainer.id, now=now or datetime.now(UTC), status=status)


def store_new(session: Session, scenario: Scenario, *, by: str, now: datetime, status: str = DRAFT,
              source: str | None = None) -> dict[str, Any]:
    """Insert an already checked scenario as version 1 and commit."""
    scenario_id = scenario.id or f"sc-{uuid.uuid4().hex[:12]}"
    if session.get(PracticeScenario, scenario_id) is not None:
        raise Conflict(f"a practice scenario {scenario_id!r} exists already", code="scenario_exists")
    scenario = replace(scenario, id=scenario_id, version=1, source=source or scenario.source)
    row = PracticeScenario(id=scenario_id, version=1, title=scenario.title, status=status, source=scenario.source,
                           category=scenario.key.category, difficulty=scenario.difficulty, created_by=by,
                           updated_by=by, updated_at=now, published_at=now if status == PUBLISHED else None)
    body = scenario.to_dict()
    try:
        session.add(row)
        session.flush()
        session.add(PracticeScenarioVersion(scenario_id=scenario_id, version=1, body=body, saved_by=by, saved_at=now))
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"a practice scenario {scenario_id!r} exists already", code="scenario_exists") from None
    return answer(row, body)


def save(session: Session, trainer: User, scenario_id: str, body: Any, *, city: City,
         now: datetime | None = None) -> dict[str, Any]:
    """Save the body as the next version. `version` in the body is the version the trainer edited: 409
    `version_conflict` when someone saved another since. The status stays (a published scenario goes on with the
    new body); the source stays (a scrubbed case stays marked as one)."""
    scenario = validated(body, city)
    if scenario.id and scenario.id != scenario_id:
        raise Invalid(f"the body's id {scenario.id!r} is not the scenario {scenario_id!r}", code="id_mismatch")
    if not isinstance(body, dict) or "version" not in body:
        raise Invalid("version: the version you edited is required", code="invalid_scenario")
    row = session.scalars(select(PracticeScenario).where(PracticeScenario.id == scenario_id)
                          .with_for_update()).one_or_none()
    if row is None:
        raise _not_found(scenario_id)
    if scenario.version != row.version:
        raise Conflict(f"the scenario is at version {row.version} now, you edited version {scenario.version}: "
                       "reload it and apply your changes again", code="version_conflict")
    when = now or datetime.now(UTC)
    saved = replace(scenario, id=scenario_id, version=row.version + 1, source=row.source)
    new_body = saved.to_dict()
    row.version, row.title, row.category, row.difficulty = saved.version, saved.title, saved.key.category, \
        saved.difficulty
    row.updated_by, row.updated_at = trainer.id, when
    try:
        session.add(PracticeScenarioVersion(scenario_id=scenario_id, version=saved.version, body=new_body,
                                            saved_by=trainer.id, saved_at=when))
        session.commit()
    except IntegrityError:  # another save of the same version won the race
        session.rollback()
        raise Conflict("someone saved this scenario at the same moment: reload it", code="version_conflict") \
            from None
    return answer(row, new_body)


def set_status(session: Session, trainer: User, scenario_id: str, status: str, *,
               now: datetime | None = None) -> dict[str, Any]:
    """Publish (seats get it) or retire (seats drop it; attempts made stay scored)."""
    row = session.scalars(select(PracticeScenario).where(PracticeScenario.id == scenario_id)
                          .with_for_update()).one_or_none()
    if row is None:
        raise _not_found(scenario_id)
    when = now or datetime.now(UTC)
    if row.status != status:
        row.status, row.updated_by, row.updated_at = status, trainer.id, when
        if status == PUBLISHED:
            row.published_at = when
    body = _body(session, row.id, row.version)
    session.commit()
    return answer(row, body)


def list_scenarios(session: Session, *, every_status: bool) -> list[dict[str, Any]]:
    """Published scenarios (or, for a trainer's library, all of them), by title, with their current bodies."""
    stmt = (select(PracticeScenario, PracticeScenarioVersion.body)
            .join(PracticeScenarioVersion, (PracticeScenarioVersion.scenario_id == PracticeScenario.id)
                  & (PracticeScenarioVersion.version == PracticeScenario.version))
            .order_by(PracticeScenario.title, PracticeScenario.id))
    if not every_status:
        stmt = stmt.where(PracticeScenario.status == PUBLISHED)
    return [answer(row, body) for row, body in session.execute(stmt).all()]


def read(session: Session, scenario_id: str, *, any_status: bool) -> dict[str, Any]:
    """The current body; a trainee sees only published scenarios (others are answered as missing)."""
    row = session.get(PracticeScenario, scenario_id)
    if row is None or (not any_status and row.status != PUBLISHED):
        raise _not_found(scenario_id)
    return answer(row, _body(session, row.id, row.version))


def version_body(session: Session, scenario_id: str, version: int) -> dict[str, Any] | None:
    row = session.get(PracticeScenarioVersion, (scenario_id, version))
    return dict(row.body) if row is not None else None


def _body(session: Session, scenario_id: str, version: int) -> dict[str, Any]:
    body = version_body(session, scenario_id, version)
    if body is None:  # the two tables are written together: a missing body is a broken database
        raise RuntimeError(f"practice scenario {scenario_id} has no body for version {version}")
    return body
