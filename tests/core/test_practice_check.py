"""Checking a scenario's key against the city (contract/practice/check.py), on the demo city."""

from __future__ import annotations

from contract.city.model import City
from contract.practice.check import check_scenario
from contract.practice.files import load_scenario_dir, scenario_dir
from contract.practice.scenario import AnswerKey, CallerProfile, Line, Scenario
from operator_app.paths import resources_dir


def scenario(caller_needs: tuple[str, ...] = (), **key: object) -> Scenario:
    values: dict[str, object] = dict(category="环境保护/噪音扰民/施工噪音", appeal_type="complaint",
                                     disposition="dispatch", lead_department="cgj", cooperating_departments=("zjj",),
                                     district="donghu", street="湖滨街道", required_fields=("phone", "address"))
    values.update(key)
    return Scenario(id="c1", title="检查", lines=(Line("工地半夜施工"),), key=AnswerKey(**values),  # type: ignore[arg-type]
                    caller=CallerProfile(name="周女士", phone="13900000101", special_needs=caller_needs))


def problems(sc: Scenario, city: City) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in check_scenario(sc, city):
        out.setdefault(error.field, []).append(error.message)
    return out


DIRECT = dict(disposition="direct", appeal_type="consult", lead_department="", cooperating_departments=(),
              district="", street="", kb_article="kb-001")


def test_a_right_dispatch_key_and_a_right_direct_key_pass(city: City) -> None:
    assert check_scenario(scenario(), city) == []
    assert check_scenario(scenario(**DIRECT), city) == []  # type: ignore[arg-type]


def test_the_demo_scenarios_pass(city: City) -> None:
    for sc in load_scenario_dir(scenario_dir(resources_dir())):
        assert check_scenario(sc, city) == [], sc.id


def test_the_category_is_a_path_of_the_tree_at_level_one_two_or_three(city: City) -> None:
    for path in ("环境保护", "环境保护/噪音扰民", "环境保护/噪音扰民/施工噪音"):
        assert check_scenario(scenario(category=path), city) == [], path
    for path in ("环保", "环境保护/施工噪音", "环境保护/噪音扰民/施工噪音/夜间", "环境保护/噪音扰民/"):
        assert "key.category" in problems(scenario(category=path), city), path
    assert problems(scenario(category=""), city)["key.category"] == ["请填写问题分类"]


def test_enum_fields_must_hold_codes_and_a_label_gets_the_code_as_a_hint(city: City) -> None:
    found = problems(scenario(appeal_type="投诉", urgency="very", disposition=""), city)
    assert found["key.appeal_type"] == ["诉求类型“投诉”不是可用的代码，请写代码“complaint”"]
    assert "normal（普通）" in found["key.urgency"][0]
    assert found["key.disposition"] == ["请填写处理方式"]


def test_special_needs_of_key_and_caller_must_be_codes(city: City) -> None:
    found = problems(scenario(caller_needs=("elderly", "孕妇"), special_needs=("elderly", "elderly")), city)
    assert list(found) == ["key.special_needs", "caller.special_needs"]
    assert "重复" in found["key.special_needs"][0] and "孕妇" in found["caller.special_needs"][0]


def test_a_dispatch_key_needs_an_existing_lead_and_distinct_existing_cooperating_units(city: City) -> None:
    assert problems(scenario(lead_department=""), city)["key.lead_department"] == ["派单的答案须有一个主办单位"]
    assert "不是本市的承办单位" in problems(scenario(lead_department="nope"), city)["key.lead_department"][0]
    by_name = problems(scenario(lead_department="市城市管理综合执法局"), city)["key.lead_department"]
    assert by_name == ["请用单位代码“cgj”代替名称“市城市管理综合执法局”"]
    coop = problems(scenario(cooperating_departments=("cgj", "zjj", "zjj", "nope")), city)["key.cooperating_departments"]
    assert len(coop) == 3 and "协办单位不能与主办单位相同" in coop


def test_a_direct_key_has_no_departments_and_only_it_may_cite_an_article(city: City) -> None:
    found = problems(scenario(**{**DIRECT, "lead_department": "cgj", "cooperating_departments": ("zjj",)}), city)  # type: ignore[arg-type]
    assert set(found) == {"key.lead_department", "key.cooperating_departments"}
    assert set(problems(scenario(kb_article="kb-001"), city)) == {"key.kb_article"}


def test_district_and_street_exist_and_the_street_belongs_to_the_district(city: City) -> None:
    assert "不在本市行政区划中" in problems(scenario(district="atlantis", street=""), city)["key.district"][0]
    assert problems(scenario(district="东湖区", street=""), city)["key.district"] == ["请用区县代码“donghu”代替名称“东湖区”"]
    assert problems(scenario(street="西山街道"), city)["key.street"] == ["东湖区没有“西山街道”"]
    assert set(problems(scenario(district="", street="湖滨街道"), city)) == {"key.district"}
    assert check_scenario(scenario(district="", street=""), city) == []


def test_required_fields_must_be_requirable(city: City) -> None:
    found = problems(scenario(required_fields=("phone", "category", "phone")), city)["key.required_fields"]
    assert found == ["“category”不是可要求填写的字段", "必填信息有重复项"]


def test_every_problem_is_reported_at_once_in_plain_chinese(city: City) -> None:
    sc = scenario(category="无此类", appeal_type="x", lead_department="", street="无此街道")
    errors = check_scenario(sc, city)
    assert [e.field for e in errors] == ["key.category", "key.appeal_type", "key.lead_department", "key.street"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e.message) for e in errors)
