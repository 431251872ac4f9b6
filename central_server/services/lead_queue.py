"""The shift queue: every case of a team accepted in a range, as masked rows with their flags and the filter counts.

Three statements whatever the team's size: the cases with their created event's routing record, the later events of
those cases, and the earlier cases of the same phones (city-wide, through the phone index, models.CallerPhone).

The range is on the acceptance time (the created event's time, which the seat stamps). The server indexes the time
it received a case, never earlier than acceptance on an honest clock; so the cases are read from the range's start
(less `CLOCK_SLACK` for a seat's clock running ahead) onwards by receipt, and kept by acceptance time.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from central_server.core.errors import Invalid
from central_server.db.models import CallerPhone, Case, CaseEvent, Seat, User
from central_server.services.lead_config import QueueSettings
from central_server.services.lead_rows import (
    FILTERS,
    PREVIEW_CHARS,
    History,
    RowContext,
    parse_time,
    queue_row,
    row_filters,
)
from contract.city.model import City
from contract.events import CREATED

CLOCK_SLACK = timedelta(hours=1)
MAX_RANGE = timedelta(days=93)
EARLIEST, LATEST = datetime(2000, 1, 1), datetime(2100, 1, 1)


@dataclass(frozen=True)
class Queue:
    team: str
    start: datetime
    end: datetime
    counts: dict[str, int]
    rows: list[dict[str, Any]]

    def answer(self, backlog: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The wire answer; with the seats' backlog (per seat and operator: pending, oldest_pending_at), also
        `backlog` and the count `unsynced_seats` (seats with anything pending)."""
        out: dict[str, Any] = {"team": self.team, "from": self.start.isoformat(), "to": self.end.isoformat(),
                               "counts": dict(self.counts), "rows": self.rows}
        if backlog is not None:
            out["backlog"] = backlog
            out["counts"]["unsynced_seats"] = len({b["seat_code"] for b in backlog if int(b.get("pending") or 0)})
        return out


def check_range(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    if start.tzinfo is None or end.tzinfo is None:
        raise Invalid("from and to need a UTC offset, e.g. 2026-03-01T08:00:00+08:00", code="invalid_range")
    # On the local clock (an offset is at most a day): converting year 1 to UTC would overflow.
    if start.replace(tzinfo=None) < EARLIEST or end.replace(tzinfo=None) > LATEST:
        raise Invalid("from and to must lie between the years 2000 and 2100", code="invalid_range")
    if end <= start:
        raise Invalid("to must be later than from", code="invalid_range")
    if end - start > MAX_RANGE:
        raise Invalid(f"a range is at most {MAX_RANGE.days} days", code="range_too_large")
    return start.astimezone(UTC), end.astimezone(UTC)


def team_queue(session: Session, *, team: str, start: datetime, end: datetime, city: City,
               settings: QueueSettings, now: datetime | None = None) -> Queue:
    """The team's cases accepted in [start, end), special-needs callers first, then newest first."""
    start, end = check_range(start, end)
    now = now or datetime.now(UTC)
    members = dict(session.execute(select(User.id, User.name).where(User.team == team)).all()) if team else {}
    cases = _cases(session, list(members), start, end, settings.max_rows)
    histories = _histories(session, list(members), start, cases)
    repeats = repeat_counts(session, cases, timedelta(days=settings.repeat_days))
    ctx = RowContext(city=city, now=now, operators=members,
                     seat_codes=dict(session.execute(select(Seat.id, Seat.seat_code)).all()),
                     low_confidence_below=settings.low_confidence_below,
                     due_soon=timedelta(minutes=settings.due_soon_minutes))
    counts = dict.fromkeys(FILTERS, 0)
    rows: list[tuple[dict[str, Any], datetime]] = []
    for case, accepted in cases:
        row = queue_row(case, histories.get(case["id"]) or History(), repeats.get(case["id"], 0), ctx)
        row["filters"] = list(row_filters(row, settings.low_confidence_below))
        for key in row["filters"]:
            counts[key] += 1
        rows.append((row, accepted))
    rows.sort(key=lambda r: r[1], reverse=True)
    rows.sort(key=lambda r: not r[0]["special_needs"])  # stable: special-needs callers first, each newest first
    return Queue(team, start, end, counts, [row for row, _ in rows])


_FIELDS = Case.fields
_ROUTING = CaseEvent.payload
# One statement reads a row's columns, the fields it shows (out of the JSON, in the database) and the created
# event's routing record (top confidence, overridden): decoding 2,000 whole field documents cost more than the rest.
_ROW_COLUMNS = (
    Case.id, Case.number, Case.status, Case.created_by, Case.seat_id, Case.lead_department, Case.respond_by,
    Case.finish_by, Case.created_at,
    *(_FIELDS[k].as_string().label(k) for k in ("category", "district", "street", "urgency", "caller_name")),
    _FIELDS["special_needs"].as_string().label("special_needs"), CallerPhone().label("phone"),  # JSON text
    func.substr(_FIELDS["content"].as_string(), 1, PREVIEW_CHARS).label("content"),
    _ROUTING[("routing", "suggestions", 0, "confidence")].as_float().label("confidence"),
    _ROUTING[("routing", "overridden")].as_boolean().label("overridden"),
)


def _team_cases_since(members: list[str], start: datetime) -> ColumnElement[bool]:
    return and_(Case.created_by.in_(members), Case.received_at >= start - CLOCK_SLACK)


def _cases(session: Session, members: list[str], start: datetime, end: datetime, max_rows: int
           ) -> list[tuple[Mapping[str, Any], datetime]]:
    """(flat case columns for queue_row, acceptance time) of the range's cases."""
    if not members:
        return []
    stmt = (select(*_ROW_COLUMNS)
            .join(CaseEvent, and_(CaseEvent.case_id == Case.id, CaseEvent.seq == 1))
            .where(_team_cases_since(members, start)))
    out: list[tuple[Mapping[str, Any], datetime]] = []
    for row in session.execute(stmt).mappings():
        accepted = parse_time(row["created_at"])
        if accepted is None or not (start <= accepted < end):
            continue
        out.append((cast(Mapping[str, Any], row), accepted))
        if len(out) > max_rows:
            raise Invalid(f"more than {max_rows} cases in this range: choose a shorter one", code="range_too_large")
    return out


def _histories(session: Session, members: list[str], start: datetime,
               cases: list[tuple[Mapping[str, Any], datetime]]) -> dict[str, History]:
    """The later events of the range's cases, folded per case in seq order."""
    if not cases:
        return {}
    wanted = {case["id"] for case, _ in cases}
    # Only what the queue reads of each payload: a 退单's reason, a correction's routing record.
    stmt = (select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.payload["reason"].as_string(),
                   CaseEvent.payload["routing"].as_string())  # JSON text, decoded only for a correction
            .join(Case, Case.id == CaseEvent.case_id)
            .where(_team_cases_since(members, start), CaseEvent.kind != CREATED)
            .order_by(CaseEvent.case_id, CaseEvent.seq))
    histories: dict[str, History] = {}
    for case_id, kind, reason, routing in session.execute(stmt):
        if case_id in wanted:
            histories.setdefault(case_id, History()).add(kind, {"reason": reason, "routing": routing})
    return histories


def repeat_counts(session: Session, cases: list[tuple[Mapping[str, Any], datetime]], window: timedelta) -> dict[str, int]:
    """Per case: the city's cases from the same phone accepted within `window` before it (one statement)."""
    phones = {str(case["phone"] or "") for case, _ in cases} - {""}
    if not phones:
        return {}
    earliest = min(accepted for _, accepted in cases) - window
    phone = CallerPhone()
    stmt = (select(phone, Case.created_at)
            .where(phone.in_(sorted(phones)), Case.received_at >= earliest - CLOCK_SLACK))
    seen: dict[str, list[datetime]] = defaultdict(list)
    for number, created_at in session.execute(stmt):
        when = parse_time(created_at)
        if when is not None:
            seen[str(number)].append(when)
    for times in seen.values():
        times.sort()
    counts = {}
    for case, accepted in cases:
        earlier = seen.get(str(case["phone"] or ""))
        if earlier:
            n = bisect.bisect_left(earlier, accepted) - bisect.bisect_left(earlier, accepted - window)
            if n:
                counts[case["id"]] = n
    return counts
