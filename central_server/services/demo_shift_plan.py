"""Planning the demo shift: who took which call when, and about what (pure; demo_shift.py writes it).

The lead's team is on duty: its current shift is dense (never less than the last MIN_DENSE hours), the 30 days
before it thinner, other teams appear in that history. A few callers ring again about the same matter, and a few
places gather repeated complaints (the templates' hot spots)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from central_server.core.city import CityFacts
from central_server.db.models import Case
from central_server.services.demo_shift_cases import Caller, CaseSpec, Place, special_needs_of
from central_server.services.demo_shift_events import Fate
from central_server.services.demo_shift_templates import ShiftTemplates, Template
from central_server.services.lead_config import ShiftWindow, current_shift
from contract.city.model import Operator
from contract.roles import INTAKE, may

DEMO_LEAD = "2001"  # the lead whose team is on duty
DENSE_CASES = 200  # the team on duty, current shift
MIN_DENSE = timedelta(hours=3)  # right after a shift change, the dense part reaches back into the last shift
HISTORY_DAYS = 30
HISTORY_PER_DAY = (6, 4)  # the team on duty, each other team
# Hours people call, for the thinner history (weights per hour of the day, city time).
HOURLY = (1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 11, 8, 9, 11, 11, 10, 9, 8, 7, 6, 4, 3, 2)
REPEAT_CALLERS = 10
NEEDS = (("", 0.81), ("elderly", 0.10), ("disabled", 0.03), ("dialect", 0.04), ("other", 0.02))
ROUTING = (("confident", 0.75), ("low", 0.10), ("none", 0.08), ("wrong", 0.04), ("department", 0.03))
REPEAT_NOTE = "来电人称此前已就该问题来电反映，至今未解决。"


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


def shift_start(now: datetime, zone: ZoneInfo, shifts: tuple[ShiftWindow, ...]) -> datetime:
    """Start of the shift `now` falls in (UTC), by the workbench's own shift windows (resources/lead/shifts.toml)."""
    return current_shift(shifts, now, zone).start.astimezone(UTC)


def demo_teams(roster: Iterable[Operator]) -> dict[str, list[str]]:
    """Team -> the people of it who take calls (operators first, then leads), the demo lead's team first."""
    people = sorted((p for p in roster if may(p.role, INTAKE)), key=lambda p: (p.role != "operator", p.id))
    teams: dict[str, list[str]] = defaultdict(list)
    lead_team = next((p.team for p in people if p.id == DEMO_LEAD), people[0].team if people else "")
    teams[lead_team] = []
    for p in people:
        teams[p.team].append(p.id)
    return {team: members for team, members in teams.items() if members}


def plan_slots(facts: CityFacts, book: ShiftTemplates, teams: dict[str, list[str]], *, now: datetime,
                rng: random.Random, shifts: tuple[ShiftWindow, ...]) -> list[Slot]:
    zone = facts.timezone
    dense_start = min(shift_start(now, zone, shifts), now - MIN_DENSE)
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
        # Unsolved problems bring people back, not questions answered on the call.
        template = _pick_template(book, rng, dispatched_only=True)
        place = _random_place(facts, book, rng, template)
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


def forced_fates(cases: list[Case], slots: list[Slot], *, on_duty: Sequence[str], now: datetime,
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


def _pick_template(book: ShiftTemplates, rng: random.Random, *, dispatched_only: bool = False) -> Template:
    templates = [t for t in book.templates if not (dispatched_only and t.direct)]
    return rng.choices(templates, weights=[t.weight for t in templates])[0]


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


def spec_of(slot: Slot, seat_code: str, book: ShiftTemplates, facts: CityFacts, rng: random.Random) -> CaseSpec:
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


