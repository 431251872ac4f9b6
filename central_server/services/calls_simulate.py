"""A realistic shift of call records for the demo (`central-server calls simulate`, and the demo seeding): arrivals
per hour shaped like a hotline's day, a queue in front of the people on duty, callers who give up when the wait
outlasts their patience (so abandoned calls waited longer), and answered calls spread over the operators and the
seats they signed in at. The same date, shift and seed give the same call ids, so running it again stores nothing
twice."""

from __future__ import annotations

import heapq
import random
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import Invalid
from central_server.db.models import Seat, SeatSignIn, User
from central_server.services.calls import Call, Stored, store_calls
from central_server.services.lead_config import ShiftWindow
from contract.roles import INTAKE, roles_with

# Relative call volume in each hour of a hotline's day: quiet at night, peaks mid-morning and mid-afternoon.
HOURLY_SHAPE = (2, 1, 1, 1, 1, 2, 4, 8, 14, 18, 18, 16, 12, 13, 16, 17, 15, 12, 10, 9, 8, 6, 4, 3)
PEAK_CALLS_PER_PERSON = 11.0  # arrivals per hour per person on duty in the busiest hour
MEAN_TALK_SECONDS = 280.0
MEAN_PATIENCE_SECONDS = 75.0
RINGING_HANG_UP = 0.03  # callers who hang up while it rings at a seat (abandoned, the seat known)


@dataclass(frozen=True)
class _Agent:
    operator_id: str
    seat_code: str | None


def shift_window(day: date, shift: str, timezone: ZoneInfo, shifts: tuple[ShiftWindow, ...]
                 ) -> tuple[datetime, datetime, int]:
    """The named shift of `day` (the workbench's windows, resources/lead/shifts.toml), and its place in the list."""
    for index, window in enumerate(shifts):
        if window.name == shift:
            start, end = window.on(day, timezone)
            return start, end, index
    names = ", ".join(w.name for w in shifts)
    raise Invalid(f"unknown shift {shift!r}; use one of: {names}", code="unknown_shift")


def on_duty(session: Session, team: str | None = None) -> list[_Agent]:
    """Active people who take calls (of one team, or all), each at the seat they last signed in at, else at a
    registered seat taken in turn, else at no known seat."""
    query = select(User.id).where(User.active.is_(True), User.role.in_(roles_with(INTAKE))).order_by(User.id)
    if team:
        query = query.where(User.team == team)
    people = list(session.scalars(query))
    last_seat: dict[str, str] = {}
    for operator_id, code in session.execute(
            select(SeatSignIn.operator_id, Seat.seat_code).join(Seat, Seat.id == SeatSignIn.seat_id)
            .order_by(SeatSignIn.last_at)):
        last_seat[operator_id] = code
    seats = list(session.scalars(select(Seat.seat_code).order_by(Seat.seat_code)))
    return [_Agent(p, last_seat.get(p) or (seats[i % len(seats)] if seats else None))
            for i, p in enumerate(people)]


def simulate_calls(agents: list[_Agent], start: datetime, end: datetime, *, seed: int, id_prefix: str
                   ) -> list[Call]:
    """The calls of [start, end) for these people (no database access)."""
    rng = random.Random(f"{id_prefix}:{seed}")
    if not agents:
        return []
    free: list[tuple[datetime, int]] = [(start, i) for i in range(len(agents))]  # (free again at, agent)
    heapq.heapify(free)
    calls: list[Call] = []
    for offered in _arrivals(rng, start, end, len(agents)):
        number = f"1{rng.choice('35789')}{rng.randrange(10)}****{rng.randrange(10000):04d}"
        call_id = f"{id_prefix}-{len(calls) + 1:05d}"
        free_at, index = free[0]
        agent = agents[index]
        wait = max(0.0, (free_at - offered).total_seconds())
        patience = rng.expovariate(1 / MEAN_PATIENCE_SECONDS)
        if wait > patience:  # gave up in the queue: no seat, no operator
            calls.append(Call(call_id, offered, None, offered + timedelta(seconds=patience), round(patience, 1),
                              True, None, None, number))
            continue
        ring = rng.uniform(3, 12)
        if rng.random() < RINGING_HANG_UP:  # hung up while it rang at the seat
            hung_up = wait + ring
            calls.append(Call(call_id, offered, None, offered + timedelta(seconds=hung_up), round(hung_up, 1),
                              True, agent.seat_code, None, number))
            continue
        heapq.heappop(free)
        waited = round(wait + ring, 1)
        answered = offered + timedelta(seconds=waited)
        ended = answered + timedelta(seconds=max(30.0, rng.gammavariate(2.0, MEAN_TALK_SECONDS / 2)))
        heapq.heappush(free, (ended + timedelta(seconds=rng.uniform(10, 40)), index))  # wrap-up
        calls.append(Call(call_id, offered, answered, ended, waited, False, agent.seat_code, agent.operator_id,
                          number))
    return calls


def _arrivals(rng: random.Random, start: datetime, end: datetime, people: int) -> list[datetime]:
    """A Poisson process whose rate follows HOURLY_SHAPE on the city's clock, hour by hour."""
    out: list[datetime] = []
    hour_start = start
    while hour_start < end:
        hour_end = min(hour_start + timedelta(hours=1), end)
        per_hour = PEAK_CALLS_PER_PERSON * people * HOURLY_SHAPE[hour_start.hour] / max(HOURLY_SHAPE)
        when = hour_start
        while True:
            when += timedelta(seconds=rng.expovariate(per_hour / 3600))
            if when >= hour_end:
                break
            out.append(when)
        hour_start = hour_end
    return out


def simulate_shift(session: Session, *, day: date, timezone: ZoneInfo, shifts: tuple[ShiftWindow, ...],
                   shift: str = "早班", seed: int = 0, team: str | None = None) -> Stored:
    """Store a simulated shift of calls for the people on duty; returns what was stored (nothing twice)."""
    start, end, index = shift_window(day, shift, timezone, shifts)
    prefix = f"SIM-{day:%Y%m%d}-S{index}-{seed}" + (f"-{zlib.crc32(team.encode()):08x}" if team else "")
    calls = simulate_calls(on_duty(session, team), start, end, seed=seed, id_prefix=prefix)
    if not calls:
        return Stored(0, 0)
    return store_calls(session, calls)
