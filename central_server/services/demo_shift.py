"""The demo shift: a realistic shift for the demo team, so a team lead who signs in (2001) sees a living workbench.

Cases are made from the project's own templates (resources/demo/shift_templates.toml) exactly as a seat makes
them and checked by plan_case_from_seat, the server's one builder of a case; department events and return visits
are appended through case_history.append_event. Everything is relative to `now` and drawn from one seeded RNG:
the same seed and `now` give the same cases. Who took which call when is planned in demo_shift_plan.py.
"""

from __future__ import annotations

import random
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from central_server.core.city import CityFacts
from central_server.core.security import hash_credential
from central_server.db.models import CallRecord, Case, CaseEvent, Seat
from central_server.services import callbacks, dispatch, kpi_projection
from central_server.services.backlog import Pending, record_backlog
from central_server.services.callback_config import load_callback_settings
from central_server.services.calls_simulate import simulate_shift
from central_server.services.case_history import append_event
from central_server.services.cases import NewCase, plan_case_from_seat
from central_server.services.changes import take_change_ids
from central_server.services.demo_shift_cases import (
    RoutingModelFacts,
    created_args,
    new_id,
    routing_model_facts,
)
from central_server.services.demo_shift_events import Step, plan_steps
from central_server.services.demo_shift_plan import (
    DEMO_LEAD,
    HISTORY_DAYS,
    MIN_DENSE,
    Slot,
    demo_teams,
    forced_fates,
    plan_slots,
    shift_start,
    spec_of,
)
from central_server.services.demo_shift_templates import ShiftTemplates, load_templates
from central_server.services.hotspot_assign import assign_new_cases
from central_server.services.lead_config import ShiftWindow, load_lead_settings
from central_server.services.seats import record_sign_in
from contract.case_number import day_and_seq
from contract.enums import CaseStatus
from contract.events import CALLBACK, REDISPATCHED, SUPERVISED

SEED = 12345
DEMO_ACTOR = "demo"  # `acted_by` of the demo's department actions


@dataclass
class ShiftReport:
    cases: int = 0
    events: int = 0
    seats: int = 0
    seconds: float = 0.0
    per_team: Counter[str] = field(default_factory=Counter)


def has_cases(session: Session) -> bool:
    return session.scalar(select(Case.id).limit(1)) is not None


def seed_shift_if_empty(session: Session, facts: CityFacts, resources: Path, *, now: datetime | None = None,
                        seed: int = SEED) -> ShiftReport | None:
    """Seed the demo shift into a database with no case at all (a database with cases is never seeded)."""
    if has_cases(session):
        return None
    return seed_demo_shift(session, facts, resources, now=now, seed=seed)


def seed_demo_shift(session: Session, facts: CityFacts, resources: Path, *, now: datetime | None = None,
                    seed: int = SEED) -> ShiftReport:
    """Seed the demo shift (demo users must exist: seed_demo) and commit; refuses a database with cases."""
    if has_cases(session):
        raise ValueError("the database has cases already: the demo shift goes only into one without cases")
    started = time.perf_counter()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rng = random.Random(seed)
    book = load_templates(resources, facts.city)
    teams = demo_teams(facts.city.roster.values())
    seats = demo_seats(session, teams, rng, registered_at=now - timedelta(days=HISTORY_DAYS + 1))
    shifts = load_lead_settings(resources).shifts
    slots = plan_slots(facts, book, teams, now=now, rng=rng, shifts=shifts)
    report = write_cases(session, facts, book, routing_model_facts(resources), slots, seats, now=now, rng=rng,
                         # right after a shift change the guaranteed cases fall in the last hours instead
                         shift_began=min(shift_start(now, facts.timezone, shifts), now - MIN_DENSE),
                         guarantee_for=next(iter(teams.values()), []))
    report.seats = len({s.id for s in seats.values()})
    report.seconds = time.perf_counter() - started
    _calls_of_recent_shifts(session, facts, shifts, now=now, seed=seed)
    _seats_behind(session, seats, now=now, rng=rng)
    callbacks.schedule_unscheduled(session, load_callback_settings(resources))  # completed, not yet called back
    session.commit()
    return report


def demo_seats(session: Session, teams: dict[str, list[str]], rng: random.Random, *,
                registered_at: datetime) -> dict[str, Seat]:
    """One seat per person taking calls: S011.. for the first team, S021.. for the next (never S001, the seat a
    new desk registers). Their credentials are random and never shown: nobody can push as a demo seat."""
    seats: dict[str, Seat] = {}
    for t, members in enumerate(teams.values(), start=1):
        for m, operator_id in enumerate(members, start=1):
            code = f"S0{t}{m}" if t < 10 and m < 10 else f"S{t:02d}{m:02d}"
            seat = session.scalar(select(Seat).where(Seat.seat_code == code))
            if seat is None:
                seat = Seat(id=new_id(rng), seat_code=code, credential_hash=hash_credential(secrets.token_urlsafe(32)),
                            registered_by=operator_id, registered_at=registered_at, last_applied_seq=0)
                session.add(seat)
            seats[operator_id] = seat
    session.flush()
    return seats


def write_cases(session: Session, facts: CityFacts, book: ShiftTemplates, model: RoutingModelFacts,
                slots: list[Slot], seats: dict[str, Seat], *, now: datetime, rng: random.Random,
                guarantee_for: Sequence[str] = (), shift_began: datetime | None = None) -> ShiftReport:
    """Make each slot a case through plan_case_from_seat, then its events in time order; commits once.
    `guarantee_for`: the people on duty, whose recent cases then show every queue filter.

    The rows go in as a few multi-row INSERTs: the cases with the state their events left them in, after them
    their created events, then the events append_event built."""
    report = ShiftReport()
    day_seq = _taken_numbers(session, seats.values())
    planned: list[NewCase] = []
    signed_in: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    team_of = {p.id: p.team for p in facts.city.roster.values()}
    for slot in slots:
        seat = seats[slot.operator]
        spec = spec_of(slot, seat.seat_code, book, facts, rng)
        key = (seat.seat_code, slot.at.astimezone(facts.timezone).strftime("%Y%m%d"))
        day_seq[key] += 1
        args = created_args(facts.city, book, model, spec, seq=day_seq[key], rng=rng)
        received = slot.at + timedelta(seconds=rng.randint(1, 40))
        planned.append(plan_case_from_seat(seat=seat, operator_id=slot.operator, entity_id=args["case_id"],
                                           args=args, received_at=received, city=facts.city))
        signed_in[(seat.id, slot.operator)].append(slot.at)
        report.per_team[team_of.get(slot.operator, "")] += 1
    for (seat_id, operator_id), times in signed_in.items():
        record_sign_in(session, seat_id, operator_id, min(times) - timedelta(minutes=5))
        record_sign_in(session, seat_id, operator_id, max(times) - timedelta(minutes=1))
    # Events inserted with a change id keep it (on PostgreSQL too): the created events come first in the feed.
    for new, change_id in zip(planned, take_change_ids(session, len(planned)) if planned else (), strict=True):
        new.event["change_id"] = change_id
    cases = [Case(**new.case) for new in planned]  # never added: their final state is inserted below
    if guarantee_for and shift_began is not None:
        slots = forced_fates(cases, slots, on_duty=guarantee_for, now=now, since=shift_began, rng=rng)
    with session.no_autoflush:  # nothing reaches the database before the cases
        report.events = len(planned) + _write_events(session, facts, book, cases, slots, now=now, rng=rng)
        if planned:
            session.execute(insert(Case), [{**new.case, "status": case.status, "finish_by": case.finish_by,
                                            "fields": case.fields, "lead_department": case.lead_department,
                                            "last_event_seq": case.last_event_seq}
                                           for new, case in zip(planned, cases, strict=True)])
            session.execute(insert(CaseEvent), [new.event for new in planned])
            # The projections a pushed case gets on arrival, here for cases inserted with their whole history.
            assign_new_cases(session, [new.case for new in planned], facts.city)
            kpi_projection.rebuild(session, facts.timezone)
    report.cases = len(cases)
    session.commit()
    return report


def _calls_of_recent_shifts(session: Session, facts: CityFacts, shifts: tuple[ShiftWindow, ...], *, now: datetime,
                            seed: int) -> None:
    """Call records (接通率, waits) for the demo lead's team: the shifts of the last two days up to now."""
    team = next((p.team for p in facts.city.roster.values() if p.id == DEMO_LEAD), None)
    local = now.astimezone(facts.timezone)
    for day in (local.date() - timedelta(days=1), local.date()):
        for window in shifts:
            if window.on(day, facts.timezone)[0] < now:
                simulate_shift(session, day=day, timezone=facts.timezone, shifts=shifts, shift=window.name,
                               seed=seed, team=team)
    # A simulated shift runs to its end: calls after now are not records yet.
    session.execute(delete(CallRecord).where(CallRecord.offered_at >= now))
    session.commit()


def _seats_behind(session: Session, seats: dict[str, Seat], *, now: datetime, rng: random.Random) -> None:
    """Two demo seats whose last report says changes have not reached the centre yet (the queue's backlog)."""
    for operator_id, seat in list(seats.items())[:2]:
        pending = [Pending(operator_id=operator_id, pending=rng.randint(1, 4),
                           oldest_pending_at=now - timedelta(minutes=rng.randint(3, 25)))]
        record_backlog(session, seat, pending, now=now)
    session.commit()


def _taken_numbers(session: Session, seats: Iterable[Seat]) -> Counter[tuple[str, str]]:
    """The last sequence used per (seat code, day) by cases already there, so numbers continue after them."""
    by_id = {s.id: s.seat_code for s in seats}
    taken: Counter[tuple[str, str]] = Counter()
    for seat_id, number in session.execute(select(Case.seat_id, Case.number).where(Case.seat_id.in_(by_id))):
        parsed = day_and_seq(number)
        if parsed is not None:
            key = (by_id[seat_id], parsed[0])
            taken[key] = max(taken[key], parsed[1])
    return taken


def _write_events(session: Session, facts: CityFacts, book: ShiftTemplates, cases: list[Case], slots: list[Slot],
                  *, now: datetime, rng: random.Random) -> int:
    """Every case's steps, all cases together in time order, through append_event."""
    timeline: list[tuple[datetime, int, int, Step]] = []
    team_of = {p.id: p.team for p in facts.city.roster.values()}
    for n, (case, slot) in enumerate(zip(cases, slots, strict=True)):
        respond = datetime.fromisoformat(case.respond_by) if case.respond_by else None
        finish = datetime.fromisoformat(case.finish_by) if case.finish_by else None
        steps = plan_steps(accepted_at=slot.at, respond_by=respond, finish_by=finish, now=now, rng=rng,
                           return_reasons=book.return_reasons, extend_reasons=book.extend_reasons,
                           callback_notes=book.callback_notes, redispatch_reason=book.redispatch_reason,
                           fate=slot.fate)
        if slot.supervise_at is not None and slot.supervise_at <= now:
            steps.append(Step(slot.supervise_at, "supervise", book.supervise_reason))
        timeline += [(step.at, n, k, step) for k, step in enumerate(steps)]
    timeline.sort(key=lambda item: (item[0], item[1], item[2]))
    lead_of = {p.team: p.id for p in facts.city.roster.values() if p.role == "team_lead"}
    planned: list[tuple[Case, str, dict[str, object], str, datetime]] = []
    for _, n, _, step in timeline:
        case = cases[n]
        if step.action == "callback":
            caller = rng.choice([p for p, t in team_of.items() if t == team_of.get(case.created_by)] or ["admin"])
            planned.append((case, CALLBACK, {"result": step.result, "note": step.note}, caller, step.at))
        elif step.action == "redispatch":
            redispatched = _redispatch(facts, case, step)
            if redispatched is not None:
                lead = lead_of.get(team_of.get(case.created_by, ""), DEMO_LEAD)
                planned.append((case, REDISPATCHED, redispatched, lead, step.at))
        elif step.action == "supervise":
            if case.status != CaseStatus.CLOSED.value:
                lead = lead_of.get(team_of.get(case.created_by, ""), DEMO_LEAD)
                planned.append((case, SUPERVISED, {"reason": step.reason}, lead, step.at))
        else:
            action = _department_action(case, step)
            if action is not None:
                planned.append((case, action[0], action[1], case.lead_department, step.at))
    # One counter update for all: ids in the order the events are appended, as one by one.
    for (case, kind, payload, actor, at), change_id in zip(planned, take_change_ids(session, len(planned))
                                                           if planned else (), strict=True):
        append_event(session, case, kind=kind, payload=payload, actor_id=actor, at=at, change_id=change_id)
    return len(planned)


def _redispatch(facts: CityFacts, case: Case, step: Step) -> dict[str, object] | None:
    """改派 of a returned case to its district's government (the unit that owns what no department takes): the
    case's new state and the event's payload; None when the case is not returned or already there."""
    government = facts.city.districts[case.fields["district"]].government_department
    if case.status != CaseStatus.RETURNED.value or case.lead_department == government:
        return None
    payload: dict[str, object] = {"from_department": case.lead_department, "to_department": government,
                                  "reason": step.reason}
    case.lead_department = government
    case.fields = {**case.fields, "lead_department": government}
    case.status = CaseStatus.DISPATCHED.value
    return payload


def _department_action(case: Case, step: Step) -> tuple[str, dict[str, object]] | None:
    """The case's new state and the event kind and payload dispatch.act makes for this action; None when the
    action does not apply to the case's status."""
    rule = dispatch.RULES[step.action]
    if case.status not in rule.allowed_from:
        return None
    payload: dict[str, object] = {"department_id": case.lead_department, "acted_by": DEMO_ACTOR}
    if step.reason:
        payload["reason"] = step.reason
    if step.new_finish_by is not None:
        when = step.new_finish_by.astimezone(UTC).isoformat(timespec="seconds")
        payload["previous_finish_by"] = case.finish_by
        payload["new_finish_by"] = when
        case.finish_by = when
    if rule.to_status is not None:
        case.status = rule.to_status
    payload["status"] = case.status
    return rule.kind, payload
