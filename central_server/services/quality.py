"""Quality review (质检): a team lead samples cases of their team's operators, scores them on the scoresheet
(services/quality_sheet.py), and each operator reads their own scores.

A team's case is one whose author (`created_by`) is a member of the team; a review is visible to the leads of the
operator's team and to that operator (once scored). A case is sampled once at most (a unique case_id).
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.errors import Conflict, Forbidden, Invalid, NotFound
from central_server.db.models import Case, QualityReview, User
from central_server.services.quality_sheet import Scoresheet, total_of
from central_server.services.quality_view import Names, review_json
from central_server.services.teams import team_members
from contract.enums import Disposition, Urgency
from contract.roles import REVIEW, may

PENDING, SCORED = "pending", "scored"
MAX_PER_OPERATOR = 50
MAX_WEEKS = 52
MAX_RANGE = timedelta(days=92)
# Seats stamp acceptance; the server stamps receipt. Receipt comes after acceptance, but a seat's clock may run a
# little ahead: this slack keeps such cases inside a range searched by receipt time.
CLOCK_SLACK = timedelta(days=1)


def _is_urgent(fields: dict[str, Any]) -> bool:
    return bool(fields.get("urgency") == Urgency.URGENT.value)


def _has_special_needs(fields: dict[str, Any]) -> bool:
    return bool(fields.get("special_needs"))


def _closed_at_once(fields: dict[str, Any]) -> bool:
    return bool(fields.get("disposition") == Disposition.DIRECT.value)


def _dispatched(fields: dict[str, Any]) -> bool:
    return bool(fields.get("disposition") == Disposition.DISPATCH.value)


# The filters a sample may be drawn from: over the case's fields as the cases table holds them.
FILTERS = {"urgent": _is_urgent, "special_needs": _has_special_needs, "direct": _closed_at_once,
           "dispatched": _dispatched}


def utc(when: datetime) -> datetime:
    """Aware UTC; SQLite hands back naive datetimes, which the server always writes in UTC."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def accepted_at(case: Case) -> datetime | None:
    try:
        when = datetime.fromisoformat(case.created_at)
    except ValueError:
        return None
    return utc(when) if when.tzinfo is not None else None


def plausible(when: datetime) -> datetime:
    """Aware UTC, years 1901-9998 (as the API schema says): date arithmetic on it never overflows."""
    when = utc(when)
    if not 1901 <= when.year <= 9998:
        raise Invalid("times must fall in the years 1901-9998", code="invalid_range")
    return when


def check_range(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    start, end = plausible(start), plausible(end)
    if end <= start:
        raise Invalid("'to' must be after 'from'", code="invalid_range")
    if end - start > MAX_RANGE:
        raise Invalid(f"a range covers at most {MAX_RANGE.days} days", code="range_too_large")
    return start, end


@dataclass(frozen=True)
class SampleResult:
    reviews: list[dict[str, Any]]
    per_operator: list[dict[str, Any]]


def sample(session: Session, lead: User, *, start: datetime, end: datetime, per_operator: int,
           operator_ids: list[str] | None, filter_name: str | None, seed: int | None,
           names: Names) -> SampleResult:
    """Draw up to `per_operator` not-yet-reviewed cases of each operator of the lead's team (or of each of
    `operator_ids`, who must be of the team) accepted in
    [start, end), at random (seeded when `seed` is given) from all of them or from those `filter_name` keeps;
    creates them as pending reviews. An operator outside the team is 404 (other teams' people are not confirmed)."""
    start, end = check_range(start, end)
    if not 1 <= per_operator <= MAX_PER_OPERATOR:
        raise Invalid(f"per_operator must be 1..{MAX_PER_OPERATOR}", code="invalid_per_operator")
    keep = None
    if filter_name:
        keep = FILTERS.get(filter_name)
        if keep is None:
            raise Invalid(f"unknown filter; one of {', '.join(FILTERS)}", code="unknown_filter")
    members = team_members(session, lead.team)
    if operator_ids:
        strangers = [o for o in operator_ids if o not in members]
        if strangers:
            raise NotFound("no such operator in your team", code="operator_not_found")
        targets = sorted(set(operator_ids))
    else:
        # Leads take calls at peaks, but their work is not sampled by default: the team's operators are.
        roles = session.execute(select(User.id, User.role).where(User.id.in_(list(members)))).all()
        targets = sorted(user_id for user_id, role in roles if not may(role, REVIEW))
    reviewed = select(QualityReview.case_id)
    rows = session.execute(
        select(Case).where(Case.created_by.in_(targets), Case.received_at >= start - CLOCK_SLACK,
                           Case.id.not_in(reviewed)).order_by(Case.created_by, Case.number)
    ).scalars().all() if targets else []
    by_operator: dict[str, list[tuple[Case, datetime]]] = defaultdict(list)
    for case in rows:
        when = accepted_at(case)
        if when is not None and start <= when < end and (keep is None or keep(case.fields)):
            by_operator[case.created_by].append((case, when))
    rng = random.Random(seed)
    now = datetime.now(UTC)
    created: list[QualityReview] = []
    summary: list[dict[str, Any]] = []
    for operator_id in targets:
        pool = by_operator.get(operator_id, [])
        chosen = rng.sample(pool, min(per_operator, len(pool)))
        chosen.sort(key=lambda pair: pair[1])
        for case, when in chosen:
            review = QualityReview(
                id=str(uuid.uuid4()), case_id=case.id, operator_id=operator_id, accepted_at=when,
                sampled_by=lead.id, sampled_at=now, how=filter_name or "random", status=PENDING, scores=None,
                comment="", total=None, sheet=None, sheet_sha256=None, scored_by=None, scored_at=None)
            session.add(review)
            created.append(review)
        summary.append({"operator_id": operator_id, "name": members.get(operator_id, operator_id),
                        "available": len(pool), "sampled": len(chosen)})
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("another lead sampled some of these cases at the same time: sample again",
                       code="sample_conflict") from None
    cases = {c.id: c for c in rows}
    return SampleResult([review_json(r, cases[r.case_id], members, names) for r in created], summary)


def list_reviews(session: Session, lead: User, *, start: datetime, end: datetime,
                 names: Names) -> list[dict[str, Any]]:
    """The reviews of the lead's team whose case was accepted in [start, end): pending first, then by time."""
    start, end = check_range(start, end)
    members = team_members(session, lead.team)
    rows = list(session.execute(
        select(QualityReview, Case).join(Case, Case.id == QualityReview.case_id)
        .where(QualityReview.operator_id.in_(list(members)), QualityReview.accepted_at >= start,
               QualityReview.accepted_at < end)
    ).all())
    rows.sort(key=lambda pair: (pair[0].status != PENDING, utc(pair[0].accepted_at), pair[1].number))
    return [review_json(review, case, members, names) for review, case in rows]


def score(session: Session, lead: User, review_id: str, *, scores: dict[str, int], comment: str,
          sheet: Scoresheet, names: Names) -> dict[str, Any]:
    """Score (or re-score) a review on the sheet as it is now; the total is computed here, from that sheet.
    A review of another team is 404; one another lead already scored is theirs to change (403)."""
    members = team_members(session, lead.team)
    found = session.execute(
        select(QualityReview, Case).join(Case, Case.id == QualityReview.case_id)
        .where(QualityReview.id == review_id).with_for_update()
    ).first()
    if found is None or found[0].operator_id not in members:
        raise NotFound("no such review in your team", code="review_not_found")
    review, case = found
    if review.status == SCORED and review.scored_by != lead.id:
        raise Forbidden("another team lead scored this review: only they may change it", code="not_your_review")
    missing = [i.id for i in sheet.items if i.id not in scores]
    unknown = [k for k in scores if sheet.item(k) is None]
    if unknown:
        raise Invalid(f"not on the scoresheet: {', '.join(sorted(unknown)[:5])}", code="unknown_item")
    if missing:
        raise Invalid(f"every item needs points; missing: {', '.join(missing)}", code="scores_incomplete")
    for item in sheet.items:
        points = scores[item.id]
        if not 0 <= points <= item.max_points:
            raise Invalid(f"{item.id}: points must be 0..{item.max_points}", code="points_out_of_range")
    snapshot = sheet.snapshot()
    review.scores = {i.id: scores[i.id] for i in sheet.items}
    review.comment = comment
    review.sheet = snapshot
    review.sheet_sha256 = sheet.sha256
    review.total = total_of(snapshot, review.scores)
    review.status = SCORED
    review.scored_by = lead.id
    review.scored_at = datetime.now(UTC)
    session.commit()
    return review_json(review, case, members, names)


def mine(session: Session, user: User, *, names: Names, limit: int = 200) -> list[dict[str, Any]]:
    """The person's own scored reviews, newest score first; pending ones stay the lead's until scored."""
    rows = session.execute(
        select(QualityReview, Case).join(Case, Case.id == QualityReview.case_id)
        .where(QualityReview.operator_id == user.id, QualityReview.status == SCORED)
        .order_by(QualityReview.scored_at.desc()).limit(limit)
    ).all()
    scorers = {r.scored_by for r, _ in rows if r.scored_by}
    people = dict(session.execute(select(User.id, User.name).where(User.id.in_(scorers))).all()) if scorers \
        else {}
    return [review_json(review, case, {user.id: user.name, **people}, names) for review, case in rows]


def iso_week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def trend(session: Session, lead: User, *, operator_id: str, weeks: int, until: datetime,
          timezone: ZoneInfo) -> dict[str, Any]:
    """The operator's average total per ISO week (city time, by the case's acceptance) over the `weeks` weeks
    ending with the week of `until`; a week with no scored review has average null."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise Invalid(f"weeks must be 1..{MAX_WEEKS}", code="invalid_weeks")
    members = team_members(session, lead.team)
    if operator_id not in members:
        raise NotFound("no such operator in your team", code="operator_not_found")
    last = iso_week_start(plausible(until).astimezone(timezone).date())
    first = last - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, datetime.min.time(), timezone)
    end = datetime.combine(last + timedelta(weeks=1), datetime.min.time(), timezone)
    rows = session.execute(
        select(QualityReview.accepted_at, QualityReview.total)
        .where(QualityReview.operator_id == operator_id, QualityReview.status == SCORED,
               QualityReview.accepted_at >= utc(start), QualityReview.accepted_at < utc(end))
    ).all()
    totals: dict[date, list[float]] = defaultdict(list)
    for when, total in rows:
        if total is not None:
            totals[iso_week_start(utc(when).astimezone(timezone).date())].append(total)
    out = []
    for n in range(weeks):
        monday = first + timedelta(weeks=n)
        values = totals.get(monday, [])
        year, week, _ = monday.isocalendar()
        out.append({"week": f"{year}-W{week:02d}", "start": monday.isoformat(), "reviews": len(values),
                    "average": round(sum(values) / len(values), 2) if values else None})
    return {"operator_id": operator_id, "name": members[operator_id], "weeks": out}
