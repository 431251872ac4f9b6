"""Six weeks of past practice for the demo city, so a trainer's results page has something to show: the operators
of teams 一班 and 二班 play the demo scenarios (resources/training/scenarios/) a few times a week, improving week
by week, with the typical mistakes of new operators — sibling leaves taken for each other (the 噪音扰民 leaves),
a neighbouring level-2 category (物业管理 for 住房保障), now and then another top-level category, a wrong unit or
district, a required field left empty.

The answers are made up with the given RNG (the same seed gives the same history); every attempt is scored with
contract.practice.scoring.score_attempt exactly as the server scores a seat's attempt — no total is invented.
Scenario rows that are missing (the demo scenarios not yet published) are written as published demo scenarios.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.city import CityFacts
from central_server.db.models import PracticeAttempt, PracticeScenario, PracticeScenarioVersion
from contract.case_fields import CaseInput
from contract.case_number import format_practice_number
from contract.city.model import City
from contract.enums import AppealType, SpecialNeed, Urgency
from contract.practice.files import load_scenario_dir, scenario_dir
from contract.practice.scenario import Scenario
from contract.practice.scoring import load_weights, score_attempt

TEAMS = ("一班", "二班")
# The mistakes new operators make again and again (key's leaf → what they take it for), so that the confusion
# table of the demo has a head as a real one does: neighbouring leaves, 物业/住房 categories, food bought in a shop
# taken for a consumer complaint, a prepaid training course for a consumer card. Their scenarios are drilled more
# (HARD_WEIGHT), as a trainer would, and are harder (HARD_SLIP more category mistakes).
TYPICAL = {
    "环境保护/噪音扰民/施工噪音": ("环境保护/噪音扰民/商业经营噪音", "环境保护/噪音扰民/邻里噪音"),
    "环境保护/噪音扰民/邻里噪音": ("环境保护/噪音扰民/施工噪音",),
    "环境保护/餐饮油烟/油烟扰民": ("环境保护/噪音扰民/商业经营噪音", "卫生计生/食品安全/餐饮卫生"),
    "城乡建设/物业管理/电梯运行维护": ("城乡建设/住房保障/老旧小区改造", "城乡建设/物业管理/物业服务质量"),
    "城乡建设/住房公积金/公积金提取": ("城乡建设/住房保障/住房租赁补贴",),
    "卫生计生/食品安全/过期变质食品": ("商贸旅游/消费维权/商品质量",),
    "商贸旅游/消费维权/预付卡消费": ("教育文体/校外培训/培训费退费",),
    "教育文体/校外培训/培训费退费": ("商贸旅游/消费维权/预付卡消费",),
}
HARD_WEIGHT = 3
HARD_SLIP = 0.2
WEEKS = 6
SEAT_CODE = "S001"
# Text a trainee types into a required field (fictitious, like the scenarios' callers).
FILLED = {"caller_name": "演示来电人", "phone": "13900000000", "callback_phone": "13900000000",
          "address": "演示小区1栋", "street": "", "request": "请尽快处理", "urgency_reason": "涉及安全",
          "answer": "已按知识库答复", "special_needs_other": "需耐心沟通"}


def seed_practice_history(session: Session, city: CityFacts, resources: Path, *, now: datetime,
                          rng: random.Random) -> int:
    """Write the history (attempts submitted in the WEEKS weeks before `now`); returns the attempts written.
    Does nothing (0) when a demo trainee already has an attempt: the history is seeded once."""
    trainees = [p for p in city.roster if p.role == "operator" and p.team in TEAMS]
    if not trainees or session.scalar(select(PracticeAttempt.id).where(
            PracticeAttempt.user_id.in_([p.id for p in trainees])).limit(1)) is not None:
        return 0
    scenarios = _published(session, city, resources, now)
    if not scenarios:
        return 0
    weights = [HARD_WEIGHT if s.key.category in TYPICAL else 1 for s in scenarios]
    scoring = load_weights(resources)
    sequence: dict[str, int] = defaultdict(int)
    written = 0
    for person in trainees:
        ability = rng.uniform(0.45, 0.75)  # share of skills right in the first week
        pace = rng.uniform(0.55, 0.8)  # share of the time limit taken in the first week
        for week in range(WEEKS):
            week_start = now - timedelta(days=7 * (WEEKS - week))
            skill = min(0.97, ability + week * rng.uniform(0.04, 0.08))
            for _ in range(rng.randint(3, 6)):
                scenario = rng.choices(scenarios, weights)[0]
                submitted = week_start + timedelta(seconds=rng.uniform(0, 7 * 86400 - 1))
                seconds = max(30.0, scenario.time_limit_seconds * rng.gauss(pace - 0.04 * week, 0.15))
                answers, cited = _answers(scenario, city.city, rng, skill)
                score = score_attempt(scenario, answers, city.city, seconds=round(seconds, 1), weights=scoring,
                                      cited=cited)
                day = submitted.astimezone(city.timezone).date()
                sequence[day.isoformat()] += 1
                session.add(PracticeAttempt(
                    id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), user_id=person.id, seat_id=None,
                    scenario_id=scenario.id, scenario_version=scenario.version, assignment_id=None,
                    number=format_practice_number(SEAT_CODE, day, sequence[day.isoformat()]),
                    answers=answers.to_dict(), cited=list(cited), score=score.to_dict(), total=score.total,
                    expected_category=scenario.key.category, given_category=answers.category,
                    seconds=score.seconds, over_time=score.over_time, suggestions_shown=True,
                    started_at=(submitted - timedelta(seconds=score.seconds)).astimezone(UTC),
                    submitted_at=submitted.astimezone(UTC), received_at=submitted.astimezone(UTC)))
                written += 1
    session.commit()
    return written


def _published(session: Session, city: CityFacts, resources: Path, now: datetime) -> list[Scenario]:
    """The demo scenarios as stored on the server (their current version), writing those that are missing."""
    out = []
    for scenario in load_scenario_dir(scenario_dir(resources)):
        row = session.get(PracticeScenario, scenario.id)
        if row is None:
            trainer = next((p.id for p in city.roster if p.role == "trainer"), "system")
            scenario = replace(scenario, source="demo", version=1)
            session.add(PracticeScenario(
                id=scenario.id, version=1, title=scenario.title, status="published", source="demo",
                category=scenario.key.category, difficulty=scenario.difficulty, created_by=trainer,
                updated_by=trainer, updated_at=now.astimezone(UTC), published_at=now.astimezone(UTC)))
            session.flush()
            session.add(PracticeScenarioVersion(scenario_id=scenario.id, version=1, body=scenario.to_dict(),
                                                saved_by=trainer, saved_at=now.astimezone(UTC)))
            out.append(scenario)
        elif row.status == "published":
            body = session.get(PracticeScenarioVersion, (row.id, row.version))
            if body is not None:
                out.append(replace(Scenario.from_dict(body.body), id=row.id, version=row.version))
    session.flush()
    return out


def _answers(scenario: Scenario, city: City, rng: random.Random, skill: float) -> tuple[CaseInput, tuple[str, ...]]:
    """What a trainee who gets each part right with probability `skill` records for the scenario's call."""
    key = scenario.key

    def slip() -> bool:
        return rng.random() > skill

    district = city.districts.get(key.district)
    category = _leaf_under(city, key.category, rng)
    lures = [c for c in TYPICAL.get(category, ()) if city.categories.is_leaf(c)]
    if rng.random() > skill - (HARD_SLIP if lures else 0.0):
        category = rng.choice(lures) if lures and rng.random() < 0.8 else confused(city, category, rng)
    lead, coop = key.lead_department, list(key.cooperating_departments)
    if slip():
        lead = rng.choice([d for d in city.departments if d != lead] or [lead])
    if coop and slip():
        coop = coop[:-1]
    if district is not None and slip():
        district = rng.choice(list(city.districts.values()))
    street = key.street
    if district is not None and street and (district.id != key.district or slip()):
        street = rng.choice(district.streets) if district.streets else ""
    appeal = key.appeal_type if not slip() else rng.choice([a.value for a in AppealType if a.value != key.appeal_type])
    urgency = key.urgency if rng.random() < max(skill, 0.85) else \
        next(u.value for u in Urgency if u.value != key.urgency)
    needs = list(key.special_needs)
    if slip():
        needs = needs[:-1] if needs else [rng.choice([n.value for n in SpecialNeed if n.value != "other"])]
    required = {f: FILLED[f] for f in key.required_fields if f in FILLED}
    if key.street:
        required.pop("street", None)
    if required and slip():
        required.pop(rng.choice(sorted(required)))
    dispatch = key.disposition == "dispatch"
    answers = CaseInput(
        caller_name=required.get("caller_name", ""), phone=required.get("phone", ""),
        callback_phone=required.get("callback_phone", ""), special_needs=tuple(needs),
        special_needs_other=required.get("special_needs_other", ""), appeal_type=appeal, category=category,
        district=district.name if district is not None else "", street=street, address=required.get("address", ""),
        content="".join(scenario.render(line.text) for line in scenario.lines)[:500],
        request=required.get("request", ""), urgency=urgency,
        urgency_reason=required.get("urgency_reason", "") if urgency == "urgent" else "",
        disposition=key.disposition, answer="" if dispatch else required.get("answer", "已按知识库答复"),
        lead_department=_department_name(city, lead) if dispatch else "",
        cooperating_departments=tuple(_department_name(city, d) for d in coop) if dispatch else ())
    cited = (key.kb_article,) if key.kb_article and not slip() else ()
    return answers, cited


def confused(city: City, leaf: str, rng: random.Random) -> str:
    """A category a new operator takes `leaf` for: mostly a sibling leaf, else a leaf under a neighbouring
    level-2 category of the same top level, rarely one of another top level."""
    parts = leaf.split("/")
    leaves = [c for c in city.categories.leaves if c != leaf]
    siblings = [c for c in leaves if c.split("/")[:2] == parts[:2]]
    cousins = [c for c in leaves if c.split("/")[0] == parts[0] and c.split("/")[1] != parts[1]]
    strangers = [c for c in leaves if c.split("/")[0] != parts[0]]
    roll = rng.random()
    for pool, share in ((siblings, 0.55), (cousins, 0.9), (strangers, 1.0)):
        if pool and roll < share:
            return _nearest_first(pool, rng)
    return rng.choice(leaves) if leaves else leaf


def _nearest_first(pool: list[str], rng: random.Random) -> str:
    """The same few mistakes again and again (as in real confusion tables): weight the pool's first entries."""
    return pool[min(int(rng.expovariate(1.2)), len(pool) - 1)]


def _leaf_under(city: City, path: str, rng: random.Random) -> str:
    """A key that names only a level-1/2 prefix is answered with one of its leaves."""
    if city.categories.is_leaf(path):
        return path
    leaves = [c for c in city.categories.leaves if c.startswith(path + "/")]
    return rng.choice(leaves) if leaves else path


def _department_name(city: City, department_id: str) -> str:
    dept = city.departments.get(department_id)
    return dept.name if dept is not None else department_id

