"""The demo practice scenarios the project ships (resources/training/scenarios/*.toml): they load, every key is
right for the demo city (codes exist, the lead unit is the routing directory's, the cited article exists and only
for 直接办结), no line carries personal data, and together they cover the common categories, every appeal type,
both dispositions, special needs and urgent calls."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from contract.city.loader import load_city
from contract.city.model import City
from contract.enums import AppealType, Disposition, SpecialNeed, Urgency
from contract.practice.files import load_scenario_dir, scenario_dir
from contract.practice.scenario import Scenario
from contract.practice.scrub import find_personal

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
SCENARIOS = load_scenario_dir(scenario_dir(RESOURCES))
CITY = load_city(RESOURCES)
ARTICLES = {json.loads(line)["id"] for line in
            (RESOURCES / "kb" / "demo_articles.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}
ROUTES = tomllib.loads((RESOURCES / "city" / "routing_directory.toml").read_text(encoding="utf-8"))


def routed_lead(category: str, district: str, city: City) -> str:
    """The routing directory's lead for the category (longest whole-segment prefix; "@district" is the district's
    government), written out here as the test's own oracle."""
    parts = category.split("/")
    best: dict[str, object] = ROUTES["fallback"]
    best_len = 0
    for route in ROUTES["route"]:
        prefix = str(route["category"]).split("/")
        if parts[:len(prefix)] == prefix and len(prefix) > best_len:
            best, best_len = route, len(prefix)
    lead = str(best["lead"])
    return city.districts[district].government_department if lead == "@district" and district else lead


def test_the_files_load_with_at_least_thirty_scenarios_and_unique_ids() -> None:
    assert len(SCENARIOS) >= 30
    ids = [s.id for s in SCENARIOS]
    assert len(set(ids)) == len(ids)
    assert all(s.source == "demo" and s.id.startswith("demo-") for s in SCENARIOS)
    assert len(list(scenario_dir(RESOURCES).glob("*.toml"))) >= 8
    assert all(p.name.isascii() for p in scenario_dir(RESOURCES).glob("*.toml"))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_each_key_is_right_for_the_city(scenario: Scenario) -> None:
    key = scenario.key
    assert CITY.categories.is_leaf(key.category), key.category
    assert AppealType.parse(key.appeal_type) is not None and key.appeal_type == AppealType.parse(key.appeal_type).value
    assert key.disposition in {d.value for d in Disposition}
    assert key.urgency in {u.value for u in Urgency}
    assert set(key.special_needs) <= {n.value for n in SpecialNeed}
    assert key.special_needs == scenario.caller.special_needs
    if key.district:
        assert key.district in CITY.districts
    if key.street:
        assert key.district and key.street in CITY.districts[key.district].streets
    if key.disposition == Disposition.DIRECT.value:
        assert key.kb_article in ARTICLES
        assert key.lead_department == "" and key.cooperating_departments == ()
        assert "answer" in key.required_fields
    else:
        assert key.kb_article == ""
        assert key.lead_department in CITY.departments
        assert key.lead_department == routed_lead(key.category, key.district, CITY)
        assert set(key.cooperating_departments) <= set(CITY.departments)
        assert key.lead_department not in key.cooperating_departments
    if key.urgency == Urgency.URGENT.value:
        assert "urgency_reason" in key.required_fields


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_each_call_is_a_few_lines_of_a_fictitious_caller_without_personal_data(scenario: Scenario) -> None:
    assert 3 <= len(scenario.lines) <= 8
    caller = scenario.caller
    assert caller.phone.startswith("1390000") and len(caller.phone) == 11 and caller.phone.isdigit()
    allow = [caller.name, caller.phone]
    for text in [line.text for line in scenario.lines] + [scenario.title, caller.note]:
        assert find_personal(text, allow=allow) == [], text
        assert find_personal(scenario.render(text), allow=allow) == [], text
    if any("【姓名】" in line.text for line in scenario.lines):
        assert caller.name
    assert 1 <= scenario.difficulty <= 3


def test_the_scenarios_cover_categories_appeal_types_dispositions_needs_and_urgency() -> None:
    top = Counter(s.key.category.split("/")[0] for s in SCENARIOS)
    assert len(top) >= 8, top
    common = {"城乡建设", "环境保护", "交通运输", "劳动和社会保障", "卫生计生", "教育文体", "民政", "商贸旅游", "政法",
              "农村农业", "国土资源", "经济管理"}
    assert common <= set(top), common - set(top)
    assert {s.key.appeal_type for s in SCENARIOS} == {a.value for a in AppealType}
    dispositions = Counter(s.key.disposition for s in SCENARIOS)
    assert dispositions[Disposition.DIRECT.value] >= 5 and dispositions[Disposition.DISPATCH.value] >= 5
    needs = [s for s in SCENARIOS if s.key.special_needs]
    assert len(needs) >= 3
    assert {"elderly", "disabled", "dialect"} <= {n for s in needs for n in s.key.special_needs}
    assert sum(s.key.urgency == Urgency.URGENT.value for s in SCENARIOS) >= 2
    assert {s.difficulty for s in SCENARIOS} == {1, 2, 3}
    assert any(line.after_seconds > 0 for s in SCENARIOS for line in s.lines), "no caller who talks on a timer"
    district_led = [s for s in SCENARIOS if s.key.lead_department.endswith("_gov")]
    assert district_led, "no scenario where the district government leads (@district)"
