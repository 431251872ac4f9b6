"""Trainees' practice results for trainers (GET /api/v1/practice/results): per trainee, per skill, per ISO week of
the city's calendar, the most frequent category confusions and the latest attempts, over a range of submission
times. docs/ARCHITECTURE.md "Practice results" defines each figure.

Every count is made by the database in a handful of grouped queries: the per-skill shares count bits of two masks
kept beside each attempt's stored score (`skill_marks`: expanding 50,000 scores' JSON took seconds), weeks are bucketed with a CASE over the week boundaries worked out here in the
city's time zone (correct across daylight-saving changes, which neither back end's date functions know), and the
median time per trainee comes from a window query. Python only folds the small grouped answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, select, update
from sqlalchemy.orm import Session

from central_server.db.models import PracticeAssignee, PracticeAttempt, PracticeScenario, User
from contract.practice.scoring import SKILLS
from contract.roles import PRACTICE, roles_with

RECENT = 20  # attempts in the "recent" list
CONFUSIONS = 30  # pairs kept per level, the most frequent first


@dataclass(frozen=True)
class ResultsFilter:
    """Attempts submitted in [start, end) (aware datetimes), optionally of one team, one trainee, one assignment."""

    start: datetime
    end: datetime
    team: str | None = None
    trainee: str | None = None
    assignment: str | None = None


@dataclass(frozen=True)
class Week:
    label: str  # ISO week, "2026-W48"
    monday: date  # its first day in the city's calendar
    start: datetime  # the part of the week inside the range, UTC
    end: datetime


def weeks_of(start: datetime, end: datetime, tz: ZoneInfo) -> list[Week]:
    """The ISO weeks of the city's calendar that [start, end) touches, each clipped to the range."""
    first = start.astimezone(tz).date()
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while True:
        week_start = datetime.combine(monday, time(0), tzinfo=tz)
        if week_start >= end:
            break
        week_end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)
        year, number, _ = monday.isocalendar()
        weeks.append(Week(f"{year}-W{number:02d}", monday, max(week_start, start).astimezone(UTC),
                          min(week_end, end).astimezone(UTC)))
        monday += timedelta(days=7)
    return weeks


def practice_results(session: Session, tz: ZoneInfo, flt: ResultsFilter) -> dict[str, Any]:
    """The whole answer of GET /api/v1/practice/results (see the module's docstring)."""
    start, end = flt.start.astimezone(UTC), flt.end.astimezone(UTC)
    weeks = weeks_of(start, end, tz)
    where = _where(session, flt, start, end)
    people = _people(session, flt)
    a = PracticeAttempt
    bucket = case(*((a.submitted_at < w.end, i) for i, w in enumerate(weeks[:-1])), else_=len(weeks) - 1) \
        if len(weeks) > 1 else literal(0)

    fill_marks(session)
    # attempts, summed totals and per-skill counts per trainee and week: one pass
    per_user_week = session.execute(
        select(a.user_id, bucket.label("week"), func.count().label("n"), func.sum(a.total).label("points"),
               *_skill_counts())
        .where(*where).group_by(a.user_id, bucket)).all()
    medians = _medians(session, where)
    pairs = session.execute(
        select(a.expected_category, a.given_category, func.count().label("n")).where(
            *where, a.expected_category != a.given_category, a.given_category != "")
        .group_by(a.expected_category, a.given_category)).all()
    recent = session.execute(
        select(a.id, a.user_id, a.scenario_id, a.total, a.submitted_at, a.seconds, PracticeScenario.title)
        .outerjoin(PracticeScenario, PracticeScenario.id == a.scenario_id)
        .where(*where).order_by(a.submitted_at.desc(), a.id).limit(RECENT)).all()

    names = dict(people)
    missing = {r.user_id for r in per_user_week} - set(names)
    if missing:
        names.update({u.id: (u.name, u.team) for u in session.execute(
            select(User.id, User.name, User.team).where(User.id.in_(missing)))})

    count = _Tally()
    for r in per_user_week:
        count.add_attempts(r.user_id, int(r.week), int(r.n), float(r.points or 0.0))
        row = r._mapping
        for skill in SKILLS:
            if row[f"n_{skill}"]:
                count.add_skill(r.user_id, int(r.week), skill, int(row[f"n_{skill}"]), int(row[f"r_{skill}"]))

    trainees = []
    for user_id, (name, team) in sorted(names.items(), key=lambda item: (item[1][1], item[0])):
        n, points = count.user_attempts.get(user_id, (0, 0.0))
        trainees.append({"id": user_id, "name": name, "team": team, "attempts": n,
                         "average": round(points / n, 2) if n else None,
                         "skills": _shares(count.user_skills.get(user_id, {})),
                         "median_seconds": medians.get(user_id)})
    week_rows = []
    for i, w in enumerate(weeks):
        n, points = count.week_attempts.get(i, (0, 0.0))
        week_rows.append({"week": w.label, "start": w.monday.isoformat(), "attempts": n,
                          "average": round(points / n, 2) if n else None,
                          "skills": _shares(count.week_skills.get(i, {}))})
    return {
        "from": start.astimezone(tz), "to": end.astimezone(tz),
        "attempts": sum(n for n, _ in count.user_attempts.values()),
        "average": count.average(),
        "trainees": trainees,
        "skills": _shares(count.skills),
        "weeks": week_rows,
        "confusions": confusions([(r.expected_category, r.given_category, int(r.n)) for r in pairs]),
        "recent": [{"id": r.id, "trainee": r.user_id, "name": names.get(r.user_id, (r.user_id, ""))[0],
                    "scenario_id": r.scenario_id, "title": r.title or r.scenario_id, "total": r.total,
                    "seconds": r.seconds, "submitted_at": _aware(r.submitted_at).astimezone(tz)}
                   for r in recent],
    }


def confusions(pairs: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    """(key's category, trainee's category, attempts) → the confusions at level 1 (top-level categories differ)
    and level 3 (the answer does not agree with the key to the key's depth), the most frequent first. A deeper
    answer under a shorter key ("a/b" taken as "a/b/c") is right, not a confusion."""
    levels: dict[int, dict[tuple[str, str], int]] = {1: defaultdict(int), 3: defaultdict(int)}
    for expected, given, n in pairs:
        want, got = expected.split("/"), given.split("/")
        if got[:len(want)] == want:
            continue
        levels[3][(expected, given)] += n
        if want[0] != got[0]:
            levels[1][(want[0], got[0])] += n
    out = []
    for level, counts in levels.items():
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:CONFUSIONS]
        out += [{"expected": e, "given": g, "count": n, "level": level} for (e, g), n in ranked]
    return out


class _Tally:
    """Attempts, points and (right, counted) per skill, per trainee and per week, folded from grouped rows."""

    def __init__(self) -> None:
        self.user_attempts: dict[str, tuple[int, float]] = {}
        self.week_attempts: dict[int, tuple[int, float]] = {}
        self.user_skills: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        self.week_skills: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        self.skills: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add_attempts(self, user: str, week: int, n: int, points: float) -> None:
        user_n, user_points = self.user_attempts.get(user, (0, 0.0))
        self.user_attempts[user] = (user_n + n, user_points + points)
        week_n, week_points = self.week_attempts.get(week, (0, 0.0))
        self.week_attempts[week] = (week_n + n, week_points + points)

    def add_skill(self, user: str, week: int, skill: str, n: int, right: int) -> None:
        for cell in (self.user_skills[user][skill], self.week_skills[week][skill], self.skills[skill]):
            cell[0] += right
            cell[1] += n

    def average(self) -> float | None:
        n = sum(n for n, _ in self.user_attempts.values())
        return round(sum(p for _, p in self.user_attempts.values()) / n, 2) if n else None


def _shares(cells: dict[str, list[int]]) -> dict[str, float]:
    """skill → share right, in SKILLS order; a skill no attempt was scored on is left out."""
    return {s: round(cells[s][0] / cells[s][1], 4) for s in SKILLS if s in cells and cells[s][1]}


def _where(session: Session, flt: ResultsFilter, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    a = PracticeAttempt
    where: list[ColumnElement[bool]] = [a.submitted_at >= start, a.submitted_at < end]
    # `user_id || ''`: a condition no index serves, so SQLite keeps reading the covering results index by
    # submission time (through the (user_id, submitted_at) index it reads every wide row: twice as slow)
    user = a.user_id + ""
    if flt.trainee:
        where.append(user == flt.trainee)
    if flt.team:
        where.append(user.in_(select(User.id).where(User.team == flt.team).scalar_subquery()))
    if flt.assignment:
        where.append(a.assignment_id == flt.assignment)
    return where


def _people(session: Session, flt: ResultsFilter) -> dict[str, tuple[str, str]]:
    """The trainees listed even without an attempt in the range: the assignment's assignees, else the active
    people who may practise (of the team, or the one trainee asked for)."""
    query = select(User.id, User.name, User.team)
    if flt.assignment:
        query = query.join(PracticeAssignee, and_(PracticeAssignee.user_id == User.id,
                                                  PracticeAssignee.assignment_id == flt.assignment))
    else:
        query = query.where(User.role.in_(roles_with(PRACTICE)), User.active.is_(True))
    if flt.team:
        query = query.where(User.team == flt.team)
    if flt.trainee:
        query = query.where(User.id == flt.trainee)
    return {r.id: (r.name, r.team) for r in session.execute(query)}


def skill_marks(score: Mapping[str, Any]) -> tuple[int, int]:
    """A stored score (Score.to_dict()) as (scored, right) bit masks: bit i stands for SKILLS[i]."""
    scored = right = 0
    for f in score.get("fields", ()):
        if f.get("skill") in SKILLS:
            bit = 1 << SKILLS.index(f["skill"])
            scored |= bit
            right |= bit if f.get("right") else 0
    return scored, right


def fill_marks(session: Session) -> int:
    """Set the masks of the attempts stored without them; returns how many (0 when every attempt has them)."""
    a = PracticeAttempt
    done = 0
    while True:
        rows = session.execute(select(a.id, a.score).where(a.skills_scored.is_(None)).limit(2000)).all()
        if not rows:
            return done
        updates = []
        for attempt_id, score in rows:
            scored, right = skill_marks(score if isinstance(score, dict) else {})
            updates.append({"id": attempt_id, "skills_scored": scored, "skills_right": right})
        session.execute(update(a), updates)
        session.commit()
        done += len(rows)


def _skill_counts() -> list[Any]:
    """Per skill: the attempts it was scored in and those it was right in, from the masks."""
    a = PracticeAttempt
    columns = []
    for i, skill in enumerate(SKILLS):
        bit = 1 << i
        columns.append(func.count().filter(a.skills_scored.op("&")(bit) != 0).label(f"n_{skill}"))
        columns.append(func.count().filter(a.skills_right.op("&")(bit) != 0).label(f"r_{skill}"))
    return columns


def _medians(session: Session, where: list[ColumnElement[bool]]) -> dict[str, float]:
    """The median seconds per trainee: PostgreSQL's percentile_cont; SQLite has no median, and its window-function
    equivalent (rank within trainee) took three times as long as reading the times off the covering index."""
    a = PracticeAttempt
    if session.get_bind().dialect.name == "postgresql":
        exact = select(a.user_id, func.percentile_cont(0.5).within_group(a.seconds)).where(*where) \
            .group_by(a.user_id)
        return {user: round(float(value), 1) for user, value in session.execute(exact)}
    times: dict[str, list[float]] = defaultdict(list)
    for user, seconds in session.execute(select(a.user_id, a.seconds).where(*where)):
        times[user].append(seconds)
    return {user: round(float(median(values)), 1) for user, values in times.items()}


def _aware(when: datetime) -> datetime:
    """SQLite gives back naive UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
