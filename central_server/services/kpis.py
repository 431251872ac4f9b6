"""The team lead's KPIs (班次看板) over a range of acceptance times: three aggregate queries over the KPI projection
(services/kpi_projection.py) and the call records. docs/ARCHITECTURE.md "Shift KPIs" defines every figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from central_server.db.models import CallRecord, CaseKpi, CaseKpiDepartment
from contract.enums import CallbackResult

RESULTS = tuple(r.value for r in CallbackResult)


@dataclass(frozen=True)
class Scope:
    """Whose cases: the members of a team (ids → names), or the whole city (`members` None)."""

    members: dict[str, str] | None
    names: dict[str, str]  # every person a figure may name, id → name
    departments: dict[str, str]  # id → name


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _count(condition: Any) -> Any:
    """COUNT(*) FILTER (WHERE condition): cheaper per row than SUM(CASE ...) on PostgreSQL (SQLite has it too)."""
    return func.count().filter(condition)


def lead_kpis(session: Session, scope: Scope, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """Every figure of GET /api/v1/lead/kpis for cases accepted in [start, end); `now` decides what is due."""
    start, end, now = start.astimezone(UTC), end.astimezone(UTC), now.astimezone(UTC)
    if scope.members is not None and not scope.members:
        return _answer(scope, start, end, [], [], None)
    return _answer(scope, start, end, _case_groups(session, scope, start, end, now),
                   _department_groups(session, scope, start, end), _calls(session, scope, start, end))


def _case_groups(session: Session, scope: Scope, start: datetime, end: datetime, now: datetime
                 ) -> list[Any]:
    """One pass over the range's projection rows, grouped by operator and hour of the city's day."""
    k = CaseKpi
    responded = k.first_response_at.is_not(None)
    completed = k.completed_at.is_not(None)
    columns = [
        k.operator_id, k.accepted_hour, func.count().label("cases"),
        _count(and_(k.dispatched, responded | (k.respond_by <= now))).label("response_due"),
        _count(and_(k.dispatched, responded, k.first_response_at <= k.respond_by)).label("response_on_time"),
        _count(and_(k.dispatched, completed | (k.finish_by <= now))).label("completion_due"),
        _count(and_(k.dispatched, completed, k.completed_at <= k.finish_by)).label("completion_on_time"),
        *(_count(k.callback_result == r).label(r) for r in RESULTS),
        func.count(k.handling_seconds).label("handled"),
        func.coalesce(func.sum(k.handling_seconds), 0).label("handling_total"),
        _count(k.routing_suggested).label("suggested"),
        _count(and_(k.routing_suggested, k.routing_overridden)).label("overridden"),
    ]
    where = [k.accepted_at >= start, k.accepted_at < end]
    if scope.members is not None:
        where.append(k.operator_id.in_(list(scope.members)))
    return list(session.execute(select(*columns).where(*where).group_by(k.operator_id, k.accepted_hour)))


def _department_groups(session: Session, scope: Scope, start: datetime, end: datetime) -> list[Any]:
    d = CaseKpiDepartment
    where = [d.accepted_at >= start, d.accepted_at < end]
    if scope.members is not None:
        where.append(d.operator_id.in_(list(scope.members)))
    query = (select(d.department_id, func.count().label("dispatched"), _count(d.returned).label("returned"))
             .where(*where).group_by(d.department_id))
    return list(session.execute(query))


@dataclass(frozen=True)
class _CallFigures:
    offered: int
    answered: int
    abandoned: int
    wait_total: float


def _calls(session: Session, scope: Scope, start: datetime, end: datetime) -> _CallFigures:
    """The whole city's calls, or a team's: those its members answered plus those without an operator at a seat
    a member answered at in the range (services/calls.team_calls_filter says the same in one expression; here two
    index-only aggregates)."""
    c = CallRecord
    in_range = [c.offered_at >= start, c.offered_at < end]
    figures = [func.count(), _count(c.abandoned.is_(False)), _count(c.abandoned),
               func.coalesce(func.sum(c.wait_seconds), 0.0)]
    if scope.members is None:
        parts = [session.execute(select(*figures).where(*in_range)).one()]
    else:
        members = list(scope.members)
        seats = list(session.scalars(select(c.seat_code).where(c.operator_id.in_(members), *in_range,
                                                               c.seat_code.is_not(None)).distinct()))
        parts = [session.execute(select(*figures).where(c.operator_id.in_(members), *in_range)).one()]
        if seats:
            parts.append(session.execute(select(*figures).where(c.operator_id.is_(None), c.seat_code.in_(seats),
                                                                *in_range)).one())
    return _CallFigures(sum(int(p[0]) for p in parts), sum(int(p[1] or 0) for p in parts),
                        sum(int(p[2] or 0) for p in parts), sum(float(p[3] or 0.0) for p in parts))


def _answer(scope: Scope, start: datetime, end: datetime, groups: Sequence[Any], departments: Sequence[Any],
            calls: _CallFigures | None) -> dict[str, Any]:
    per_hour = [0] * 24
    per_operator: dict[str, int] = dict.fromkeys(scope.members or {}, 0)
    totals: dict[str, int] = {}
    for g in groups:
        mapping = g._mapping
        per_hour[int(mapping["accepted_hour"])] += int(mapping["cases"])
        per_operator[g.operator_id] = per_operator.get(g.operator_id, 0) + int(mapping["cases"])
        for key, value in mapping.items():
            if key not in ("operator_id", "accepted_hour"):
                totals[key] = totals.get(key, 0) + int(value or 0)
    t = totals.get
    sat, basic, dis = t("satisfied", 0), t("basically_satisfied", 0), t("dissatisfied", 0)
    suggested, overridden = t("suggested", 0), t("overridden", 0)
    calls = calls or _CallFigures(0, 0, 0, 0.0)
    operators = sorted(per_operator.items(), key=lambda item: (-item[1], item[0]))
    return {
        "from": start, "to": end,
        "cases": sum(per_hour),
        "cases_per_hour": [{"hour": h, "count": n} for h, n in enumerate(per_hour)],
        "cases_per_operator": [{"operator_id": o, "name": scope.names.get(o, o), "count": n}
                               for o, n in operators],
        "response_on_time": _ratio(t("response_on_time", 0), t("response_due", 0)),
        "completion_on_time": _ratio(t("completion_on_time", 0), t("completion_due", 0)),
        "satisfaction": {"satisfied": sat, "basically_satisfied": basic, "dissatisfied": dis,
                         "unreachable": t("unreachable", 0), "rate": rate(sat + basic, sat + basic + dis)},
        "answer_rate": {"offered": calls.offered, "answered": calls.answered, "abandoned": calls.abandoned,
                        "rate": rate(calls.answered, calls.offered)},
        "avg_wait_seconds": calls.wait_total / calls.offered if calls.offered else None,
        "avg_handling_seconds": t("handling_total", 0) / t("handled", 0) if t("handled", 0) else None,
        "routing": {"suggested": suggested, "accepted": suggested - overridden, "overridden": overridden,
                    "acceptance_rate": rate(suggested - overridden, suggested),
                    "override_rate": rate(overridden, suggested)},
        "returns_by_department": sorted(
            ({"department_id": d.department_id, "name": scope.departments.get(d.department_id, d.department_id),
              "dispatched": int(d.dispatched), "returned": int(d.returned or 0),
              "rate": int(d.returned or 0) / int(d.dispatched)} for d in departments),
            key=lambda r: (-r["rate"], -r["dispatched"], r["department_id"])),
    }


def _ratio(on_time: int, due: int) -> dict[str, Any]:
    return {"on_time": on_time, "due": due, "rate": rate(on_time, due)}

