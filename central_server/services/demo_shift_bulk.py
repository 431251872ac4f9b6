"""Many demo cases for benchmarks: `count` cases of one team accepted in a time range, made from the demo shift's
templates through the same path (plan_case_from_seat, append_event), with their department events up to `now`."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central_server.core.city import CityFacts
from central_server.db.models import Case
from central_server.services.demo_shift import SEED, ShiftReport, demo_seats, write_cases
from central_server.services.demo_shift_cases import routing_model_facts
from central_server.services.demo_shift_plan import HISTORY_DAYS, Slot, demo_teams
from central_server.services.demo_shift_templates import load_templates


def generate_team_cases(session: Session, facts: CityFacts, resources: Path, *, team: str, start: datetime,
                        end: datetime, count: int, seed: int = SEED, now: datetime | None = None) -> ShiftReport:
    """Add `count` cases taken by `team`'s people at the demo seats, accepted uniformly in [start, end) (aware
    times); numbers continue after the cases already there. Commits once."""
    if start.tzinfo is None or end.tzinfo is None or not start < end:
        raise ValueError("start and end need their UTC offsets, start before end")
    started = time.perf_counter()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    # Ids come from the RNG: never the stream the demo shift (or an earlier call) drew from.
    existing = session.scalar(select(func.count()).select_from(Case)) or 0
    rng = random.Random(f"{seed}:bulk:{team}:{start.isoformat()}:{end.isoformat()}:{count}:{existing}")
    teams = demo_teams(facts.city.roster.values())
    if team not in teams:
        raise ValueError(f"no demo team {team!r}; teams: {', '.join(teams)}")
    book = load_templates(resources, facts.city)
    seats = demo_seats(session, teams, rng, registered_at=min(start, now) - (end - start) / HISTORY_DAYS)
    members = teams[team]
    span = end - start
    slots = sorted((Slot(start + span * rng.random(), rng.choice(members)) for _ in range(count)),
                   key=lambda s: s.at)
    report = write_cases(session, facts, book, routing_model_facts(resources), slots, seats, now=now, rng=rng)
    report.seats = len({s.id for s in seats.values()})
    report.seconds = time.perf_counter() - started
    return report
