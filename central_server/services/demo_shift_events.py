"""What happened to a demo case after it was accepted: the department's 签收, 退单, 延期 and 办结 at plausible
times (most on time, some late, some still open), and the return visit (回访) of a share of completed cases.

Pure planning: the writer (demo_shift.py) applies each step through case_history.append_event with the payload
dispatch.act makes. Steps after `now` never happen, so recent cases stay open and some are overdue now."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from contract.enums import CallbackResult

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)

# Department behaviour (shares of dispatched cases).
LATE_SIGN = 0.12
RETURN_UNSIGNED = 0.02
RETURN_SIGNED = 0.05
EXTEND = 0.10
LATE_FINISH = 0.10
STUCK = 0.04  # signed, never finished: overdue once the deadline passes
CALLBACK_DONE = 0.65  # completed cases with a return visit
CALLBACK_DIRECT = 0.2  # cases answered on the call with a return visit
SATISFACTION_ON_TIME = {CallbackResult.SATISFIED: 0.74, CallbackResult.BASICALLY_SATISFIED: 0.13,
                        CallbackResult.DISSATISFIED: 0.06, CallbackResult.UNREACHABLE: 0.07}
SATISFACTION_LATE = {CallbackResult.SATISFIED: 0.35, CallbackResult.BASICALLY_SATISFIED: 0.25,
                     CallbackResult.DISSATISFIED: 0.3, CallbackResult.UNREACHABLE: 0.1}


@dataclass(frozen=True)
class Step:
    """One thing done to a case: a department action ("sign", "return", "extend", "complete"), the team lead's
    "redispatch" (改派) of a returned case, or "callback"."""

    at: datetime
    action: str
    reason: str = ""
    new_finish_by: datetime | None = None
    result: str = ""  # a CallbackResult code
    note: str = ""


@dataclass(frozen=True)
class Fate:
    """Forced outcomes for the demo's guaranteed filters; None lets chance decide."""

    unsigned: bool = False  # the department has not signed yet
    returned: bool = False  # the department sends it back


def plan_steps(*, accepted_at: datetime, respond_by: datetime | None, finish_by: datetime | None, now: datetime,
               rng: random.Random, return_reasons: tuple[str, ...], extend_reasons: tuple[str, ...],
               callback_notes: dict[str, str], redispatch_reason: str, fate: Fate = Fate()) -> list[Step]:
    """The steps up to `now`, in time order; a case without deadlines was closed on the call."""
    steps: list[Step] = []
    if respond_by is None or finish_by is None:
        if rng.random() < CALLBACK_DIRECT:
            steps.append(_callback(accepted_at + rng.uniform(2, 48) * HOUR, True, rng, callback_notes))
        return _until(steps, now)
    window = respond_by - accepted_at
    if fate.unsigned:
        return []
    if fate.returned:  # before now, however recent the case: signed first or not
        span = min(window, now - accepted_at)
        sign_at = accepted_at + rng.uniform(0.1, 0.5) * span
        returned = Step(accepted_at + rng.uniform(0.6, 0.95) * span, "return", rng.choice(return_reasons))
        return _until([Step(sign_at, "sign"), returned] if rng.random() < 0.5 else [returned], now)
    if rng.random() < RETURN_UNSIGNED:
        returned = Step(accepted_at + rng.uniform(0.15, 0.9) * window, "return", rng.choice(return_reasons))
        return _until([returned, *_redispatched(returned.at, rng, redispatch_reason)], now)
    late_sign = rng.random() < LATE_SIGN
    sign_at = respond_by + rng.uniform(5, 240) * MIN if late_sign else \
        accepted_at + max(MIN * 2, rng.uniform(0.05, 0.95) * window)
    steps.append(Step(sign_at, "sign"))
    roll = rng.random()
    if roll < RETURN_SIGNED:
        steps.append(Step(sign_at + rng.uniform(20, 300) * MIN, "return", rng.choice(return_reasons)))
        return _until([*steps, *_redispatched(steps[-1].at, rng, redispatch_reason)], now)
    deadline = finish_by
    if roll < RETURN_SIGNED + EXTEND:
        extend_at = sign_at + max(HOUR, rng.uniform(0.2, 0.7) * (finish_by - sign_at))
        deadline = finish_by + timedelta(days=rng.choice((2, 3, 5, 7)))
        steps.append(Step(extend_at, "extend", rng.choice(extend_reasons), new_finish_by=deadline))
    roll = rng.random()
    if roll < STUCK:
        return _until(steps, now)
    late = roll < STUCK + LATE_FINISH
    start = steps[-1].at
    done_at = deadline + rng.uniform(1, 48) * HOUR if late else start + max(10 * MIN, rng.uniform(0.1, 0.95) *
                                                                               (deadline - start))
    steps.append(Step(done_at, "complete"))
    if rng.random() < CALLBACK_DONE:
        steps.append(_callback(done_at + rng.uniform(1, 28) * HOUR, not late, rng, callback_notes))
    return _until(steps, now)


def _redispatched(returned_at: datetime, rng: random.Random, reason: str) -> list[Step]:
    """The team lead sends a returned case to the unit that owns it (改派) within hours; that unit signs and
    finishes it."""
    at = returned_at + rng.uniform(0.5, 3) * HOUR
    sign_at = at + rng.uniform(10, 60) * MIN
    return [Step(at, "redispatch", reason), Step(sign_at, "sign"), Step(sign_at + rng.uniform(2, 30) * HOUR,
                                                                        "complete")]


def _callback(at: datetime, on_time: bool, rng: random.Random, notes: dict[str, str]) -> Step:
    weights = SATISFACTION_ON_TIME if on_time else SATISFACTION_LATE
    result = rng.choices(list(weights), weights=list(weights.values()))[0].value
    return Step(at, "callback", result=result, note=notes[result])


def _until(steps: list[Step], now: datetime) -> list[Step]:
    """Steps are sequential: the first one still in the future and everything after it has not happened."""
    done = []
    for step in steps:
        if step.at > now:
            break
        done.append(step)
    return done
