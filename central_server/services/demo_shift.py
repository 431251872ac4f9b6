"""The demo shift: a realistic shift for the demo team, so a team lead who signs in (2001) sees a living workbench.

Cases are made from the project's own templates (resources/demo/shift_templates.toml) exactly as a seat makes
them and checked by plan_case_from_seat, the server's one builder of a case; department events and return visits
are appended through case_history.append_event. Everything is relative to `now` and drawn from one seeded RNG:
the same seed and `now` give the same cases. The lead's team is on duty: its current shift is dense (never less
than the last MIN_DENSE hours), the 30 days before it thinner, other teams appear a little.
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
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from central_server.core.city import CityFacts
from central_server.core.security import hash_credential
from central_server.db.models import Case, CaseEvent, Seat
from central_server.services import dispatch
from central_server.services.case_history import append_event
from central_server.services.cases import NewCase, plan_case_from_seat
from central_server.services.changes import take_change_ids
from central_server.services.demo_shift_cases import (
    Caller,
    CaseSpec,
    Place,
    RoutingModelFacts,
    created_args,
    new_id,
    routing_model_facts,
    special_needs_of,
)
from central_server.services.demo_shift_events import Fate, Step, plan_steps
from central_server.services.demo_shift_templates import ShiftTemplates, Template, load_templates
from central_server.services.seats import record_sign_in
from contract.case_number import day_and_seq
from contract.city.model import Operator
from contract.enums import CaseStatus
from contract.events import CALLBACK, SUPERVISED
from contract.roles import INTAKE, may

SEED = 12345
DEMO_LEAD = "2001"  # the lead whose team is on duty
DENSE_CASES = 200  # the team on duty, current shift
MIN_DENSE = timedelta(hours=3)  # right after a shift change, the dense part reaches back into the last shift
HISTORY_DAYS = 30
HISTORY_PER_DAY = (6, 4)  # the team on duty, each other team
# Shift windows (city time): 夜班 00-08, 早班 08-16, 中班 16-24. The workbench's own shift definition
# (resources/lead/shifts.toml, helper B) replaces this at merge: LEAD ENGINEER, call its shift lookup here.
SHIFT_START_HOURS = (0, 8, 16)
DEMO_ACTOR = "demo"  # `acted_by` of the demo's department actions
# Hours people call, for the thinner history (weights per hour of the day, city time).
HOURLY = (1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 11, 8, 9, 11, 11, 10, 9, 8, 7, 6, 4, 3, 2)
REPEAT_CALLERS = 10
NEEDS = (("", 0.81), ("elderly", 0.10), ("disabled", 0.03), ("dialect", 0.04), ("other", 0.02))
ROUTING = (("confident", 0.75), ("low", 0.10), ("none", 0.08), ("wrong", 0.04), ("department", 0.03))
REPEAT_NOTE = "来电人称此前已就该问题来电反映，至今未解决。"


@dataclass
class ShiftReport:
    cases: int = 0
    events: int = 0
    seats: int = 0
    seconds: float = 0.0
    per_team: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Slot:
    """One call to make: when, who took it, and what it is about when not left to chance."""

    at: datetime
    operator: str
    template: Template | None = None
    place: Place | None = None
    caller: Caller | None = None
    repeat: bool = False
    fate: Fate = Fate()
    supervise_at: datetime | None = None


def shift_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Start of the shift `now` falls in (UTC)."""
    local = now.astimezone(zone)
    hour = max(h for h in SHIFT_START_HOURS if h <= local.hour)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(UTC)


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
    slots = _plan_slots(facts, book, teams, now=now, rng=rng)
    report = write_cases(session, facts, book, routing_model_facts(resources), slots, seats, now=now, rng=rng,
                         guarantee_for=next(iter(teams.values()), []))
    report.seats = len({s.id for s in seats.values()})
    report.seconds = time.perf_counter() - started
    # LEAD ENGINEER: the demo's call records come from helper "kpi"'s simulation (`central-server calls simulate`),
    # wire its function here, e.g. simulate_calls(session, start=now - timedelta(days=HISTORY_DAYS), end=now, ...),
    # for the seats in `seats` (demo seat code per operator id).
    # LEAD ENGINEER: the queue's "unsynced seats" filter needs seat backlog reports (helper B's
    # POST /api/v1/seats/backlog); a demo seat or two with pending changes would be recorded here through B's service.
    return report


def demo_teams(roster: Iterable[Operator]) -> dict[str, list[str]]:
    """Team -> the people of it who take calls (operators first, then leads), the demo lead's team first."""
    people = sorted((p for p in roster if may(p.role, INTAKE)), key=lambda p: (p.role != "operator", p.id))
    teams: dict[str, list[str]] = defaultdict(list)
    lead_team = next((p.team for p in people if p.id == DEMO_LEAD), people[0].team if people else "")
    teams[lead_team] = []
    for p in people:
        teams[p.team].append(p.id)
    return {team: members for team, members in teams.items() if members}


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


def _plan_slots(facts: CityFacts, book: ShiftTemplates, teams: dict[str, list[str]], *, now: datetime,
                rng: random.Random) -> list[Slot]:
    zone = facts.timezone
    dense_start = min(shift_start(now, zone), now - MIN_DENSE)
    team_list = list(teams.values())
    on_duty = team_list[0]
    slots = [Slot(_uniform(rng, dense_start, now - timedelta(minutes=1)), _pick_member(on_duty, rng))
             for _ in range(DENSE_CASES)]
    for t, members in enumerate(team_list):
        per_day = HISTORY_PER_DAY[0] if t == 0 else HISTORY_PER_DAY[1]
        for _ in range(per_day * HISTORY_DAYS):
            slots.append(Slot(_history_time(rng, dense_start, zone), _pick_member(members, rng)))
    slots.sort(key=lambda s: s.at)
    slots = _repeat_callers(slots, book, facts, rng, dense_start)
    slots += _hotspot_slots(book, facts, team_list, rng, now=now, dense_start=dense_start)
    slots.sort(key=lambda s: s.at)
    return slots


def _uniform(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _pick_member(members: list[str], rng: random.Random) -> str:
    """Operators take most calls; the lead (last) takes some at peaks."""
    weights = [1.0] * len(members)
    if len(members) > 1:
        weights[-1] = 0.3
    return rng.choices(members, weights=weights)[0]


def _history_time(rng: random.Random, before: datetime, zone: ZoneInfo) -> datetime:
    day = (before - timedelta(days=rng.randint(1, HISTORY_DAYS))).astimezone(zone)
    hour = rng.choices(range(24), weights=HOURLY)[0]
    at = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0).astimezone(UTC)
    return at if at < before else before - timedelta(minutes=rng.randint(5, 600))


def _repeat_callers(slots: list[Slot], book: ShiftTemplates, facts: CityFacts, rng: random.Random,
                    dense_start: datetime) -> list[Slot]:
    """A few callers ring again about the same matter within 30 days, the last time in the current shift."""
    recent = [i for i, s in enumerate(slots) if s.at >= dense_start - timedelta(days=20)]
    dense = [i for i in recent if slots[i].at >= dense_start]
    earlier = [i for i in recent if slots[i].at < dense_start]
    out = list(slots)
    for _ in range(REPEAT_CALLERS):
        if not dense or len(earlier) < 3:
            break
        last = dense.pop(rng.randrange(len(dense)))
        firsts = [earlier.pop(rng.randrange(len(earlier))) for _ in range(rng.randint(1, 3))]
        template, place = _pick_template(book, rng), _random_place(facts, book, rng)
        caller = _caller(book, rng, elderly=rng.random() < 0.3)
        for n, i in enumerate(sorted([*firsts, last], key=lambda k: out[k].at)):
            out[i] = Slot(out[i].at, out[i].operator, template, place, caller, repeat=n > 0)
    return out


def _hotspot_slots(book: ShiftTemplates, facts: CityFacts, teams: list[list[str]], rng: random.Random, *,
                   now: datetime, dense_start: datetime) -> list[Slot]:
    """Repeated complaints about one issue at one place; the first group of 4+ is already under 督办."""
    out: list[Slot] = []
    supervised_one = False
    for h in book.hotspots:
        template = next(t for t in book.templates if t.category == h.category)
        place = Place(h.district, h.street, h.road, h.compound, h.object)
        times = sorted(now - timedelta(days=h.days) * rng.random() for _ in range(h.cases - 1))
        times.append(_uniform(rng, max(dense_start, now - timedelta(hours=2)), now - timedelta(minutes=2)))
        supervise_at = None
        if not supervised_one and h.cases >= 4:
            supervised_one = True
            supervise_at = times[2] + timedelta(minutes=rng.randint(20, 90))
        for at in times:
            members = teams[0] if at >= dense_start else rng.choice(teams)
            out.append(Slot(at, _pick_member(members, rng), template, place, None,
                            supervise_at=supervise_at if supervise_at and at < supervise_at else None))
    return out


def _forced_fates(cases: list[Case], slots: list[Slot], *, on_duty: Sequence[str], now: datetime,
                  since: datetime, rng: random.Random) -> list[Slot]:
    """Whatever chance did, the team on duty shows every filter, in the current shift as far as its length
    allows: cases not yet signed past their respond-by (overdue) or due within the hour, and cases returned by
    their department."""
    team = set(on_duty)
    dispatched = [i for i, c in enumerate(cases) if c.created_by in team and c.respond_by
                  and slots[i].at >= now - timedelta(hours=8)]

    def newest_first(indexes: list[int]) -> list[int]:  # the current shift first
        return sorted(indexes, key=lambda i: (slots[i].at < since, rng.random()))

    overdue = newest_first([i for i in dispatched if datetime.fromisoformat(cases[i].respond_by) < now])[:6]
    due_soon = newest_first([i for i in dispatched if now <= datetime.fromisoformat(cases[i].respond_by)
                             < now + timedelta(hours=1)])[:3]
    chosen = set(overdue) | set(due_soon)
    returned = newest_first([i for i in dispatched if i not in chosen
                             and slots[i].at <= now - timedelta(minutes=15)])[:5]
    out = list(slots)
    for i in chosen:
        out[i] = _with_fate(out[i], Fate(unsigned=True))
    for i in returned:
        out[i] = _with_fate(out[i], Fate(returned=True))
    return out


def _with_fate(slot: Slot, fate: Fate) -> Slot:
    return Slot(slot.at, slot.operator, slot.template, slot.place, slot.caller, slot.repeat, fate, slot.supervise_at)


def _pick_template(book: ShiftTemplates, rng: random.Random) -> Template:
    return rng.choices(book.templates, weights=[t.weight for t in book.templates])[0]


def _random_place(facts: CityFacts, book: ShiftTemplates, rng: random.Random, template: Template | None = None
                  ) -> Place:
    district = rng.choice(list(facts.city.districts.values()))
    obj = rng.choice(template.objects) if template is not None else ""
    return Place(district.name, rng.choice(district.streets), rng.choice(book.roads), rng.choice(book.compounds), obj)


def _caller(book: ShiftTemplates, rng: random.Random, *, elderly: bool = False) -> Caller:
    kind = "elderly" if elderly else rng.choices([k for k, _ in NEEDS], weights=[w for _, w in NEEDS])[0]
    needs, other, note = special_needs_of(kind, book, rng)
    anonymous, no_number = rng.random() < 0.04, rng.random() < 0.02
    name = "" if anonymous else rng.choice(book.surnames) + rng.choice(book.given)
    if no_number:
        phone = ""
    elif rng.random() < 0.15:
        phone = f"0731-8{rng.randrange(10_000_000):07d}"
    else:  # fictitious mobiles: 4 zeros in the middle
        phone = f"1{rng.choice('3578')}{rng.randrange(10)}0000{rng.randrange(10_000):04d}"
    return Caller(name, phone, needs, other, note)


def _spec(slot: Slot, seat_code: str, book: ShiftTemplates, facts: CityFacts, rng: random.Random) -> CaseSpec:
    template = slot.template or _pick_template(book, rng)
    place = slot.place or _random_place(facts, book, rng, template)
    if slot.place is not None and not place.object:
        place = Place(place.district, place.street, place.road, place.compound, rng.choice(template.objects))
    caller = slot.caller or _caller(book, rng)
    if slot.repeat:
        caller = Caller(caller.name, caller.phone, caller.special_needs, caller.special_needs_other,
                        REPEAT_NOTE + caller.note)
    urgent = rng.random() < template.urgent
    direct = rng.random() < template.direct and not urgent
    routing = rng.choices([k for k, _ in ROUTING], weights=[w for _, w in ROUTING])[0]
    mean = 200 if direct else 330
    seconds = rng.lognormvariate(0, 0.35) * mean * (1.4 if caller.special_needs else 1.0) * (0.8 if urgent else 1)
    return CaseSpec(slot.operator, seat_code, slot.at, template, caller, place, rng.choice(book.times), urgent,
                    direct, routing, int(min(1800, max(45, seconds))))


def write_cases(session: Session, facts: CityFacts, book: ShiftTemplates, model: RoutingModelFacts,
                slots: list[Slot], seats: dict[str, Seat], *, now: datetime, rng: random.Random,
                guarantee_for: Sequence[str] = ()) -> ShiftReport:
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
        spec = _spec(slot, seat.seat_code, book, facts, rng)
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
    if guarantee_for:
        slots = _forced_fates(cases, slots, on_duty=guarantee_for, now=now, since=shift_start(now, facts.timezone),
                              rng=rng)
    with session.no_autoflush:  # nothing reaches the database before the cases
        report.events = len(planned) + _write_events(session, facts, book, cases, slots, now=now, rng=rng)
        if planned:
            session.execute(insert(Case), [{**new.case, "status": case.status, "finish_by": case.finish_by,
                                            "last_event_seq": case.last_event_seq}
                                           for new, case in zip(planned, cases, strict=True)])
            session.execute(insert(CaseEvent), [new.event for new in planned])
    report.cases = len(cases)
    session.commit()
    return report


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
                           callback_notes=book.callback_notes, fate=slot.fate)
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
