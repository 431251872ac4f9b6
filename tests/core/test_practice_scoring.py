"""Scoring a practice attempt against its answer key: one small scenario per rule (contract/practice/scoring.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.case_fields import CaseInput
from contract.city.model import CategoryTree, City, DeadlineRule, DeadlineRules, Department, District
from contract.practice.scenario import AnswerKey, Line, Scenario
from contract.practice.scoring import SKILLS, Score, Weights, load_weights, score_attempt
from operator_app.paths import resources_dir

RULE = DeadlineRule("*", "any", 24, 120)
TINY = City(
    name="测试市", timezone="Asia/Shanghai", default_seat_code="S001",
    departments={
        "hb": Department("hb", "市环保局", "department"),
        "cg": Department("cg", "市城管局", "department"),
        "jt": Department("jt", "市交通局", "department"),
    },
    districts={
        "dq": District("dq", "东区", ("东城",), "dqgov", ("一街道", "二街道")),
        "xq": District("xq", "西区", (), "xqgov", ("一街道", "三街道")),
    },
    categories=CategoryTree.from_rows([("环境", "噪音", "施工噪音"), ("环境", "噪音", "生活噪音"),
                                       ("环境", "污水", "排污"), ("交通", "公交", "线路")]),
    deadline_rules=DeadlineRules(RULE, RULE, ()),
    roster={},
)
EVEN = Weights({skill: 10.0 for skill in SKILLS})


def scenario(limit: int = 300, **key: object) -> Scenario:
    values: dict[str, object] = dict(category="环境/噪音/施工噪音", appeal_type="complaint", disposition="dispatch",
                                     lead_department="hb", cooperating_departments=("cg",), district="dq",
                                     street="一街道")
    values.update(key)
    return Scenario(id="t1", title="测试", lines=(Line("工地半夜施工"),), key=AnswerKey(**values),  # type: ignore[arg-type]
                    time_limit_seconds=limit)


def form(**values: object) -> CaseInput:
    base: dict[str, object] = dict(category="环境/噪音/施工噪音", appeal_type="complaint", disposition="dispatch",
                                   lead_department="hb", cooperating_departments=("cg",), district="dq",
                                   street="一街道", phone="13800138000", address="幸福小区")
    base.update(values)
    return CaseInput(**base)  # type: ignore[arg-type]


def score(sc: Scenario, answers: CaseInput, weights: Weights = EVEN, **kw: object) -> Score:
    return score_attempt(sc, answers, TINY, seconds=kw.pop("seconds", 60), weights=weights, **kw)  # type: ignore[arg-type]


def skills(result: Score) -> set[str]:
    return {f.skill for f in result.fields}


def test_a_perfect_answer_scores_100_and_every_asked_skill_is_right() -> None:
    result = score(scenario(), form())
    assert result.total == 100.0
    assert all(f.right for f in result.fields)
    assert skills(result) == {"category", "lead_department", "cooperating_departments", "district", "street",
                              "appeal_type", "urgency", "special_needs", "disposition", "time"}


def test_skills_the_key_does_not_ask_about_are_left_out_and_the_weights_renormalise() -> None:
    weights = Weights({**{s: 0.0 for s in SKILLS}, "category": 30, "appeal_type": 10, "urgency": 10,
                       "special_needs": 10, "disposition": 20, "lead_department": 50, "district": 50})
    direct = scenario(disposition="direct", lead_department="", cooperating_departments=(), district="", street="",
                      appeal_type="consult")
    answers = form(disposition="direct", appeal_type="consult", lead_department="", cooperating_departments=(),
                   category="交通/公交/线路")
    result = score(direct, answers, weights)
    assert "lead_department" not in skills(result) and "district" not in skills(result)
    assert "citation" not in skills(result) and "required_fields" not in skills(result)
    # Asked: category 30 (wrong), appeal 10, urgency 10, needs 10, disposition 20, time 0: 50 of 80 points.
    assert result.total == pytest.approx(100 * 50 / 80, abs=0.01)


def test_a_three_level_key_gives_partial_credit_from_the_weights_file() -> None:
    weights = Weights(EVEN.skills, category_level1=0.25, category_level2=0.5)
    cases = {"环境/噪音/生活噪音": 5.0, "环境/污水/排污": 2.5, "环境": 2.5, "交通/公交/线路": 0.0, "": 0.0}
    for answer, points in cases.items():
        field = score(scenario(), form(category=answer), weights).field("category")
        assert field is not None and not field.right
        assert field.points == points, answer


def test_a_top_level_key_is_right_for_any_answer_under_it_and_gets_no_partial_credit() -> None:
    top = scenario(category="环境")
    for answer in ("环境/污水/排污", "环境/噪音/生活噪音", " 环境 / 噪音 / 生活噪音 "):
        field = score(top, form(category=answer)).field("category")
        assert field is not None and field.right and field.points == 10.0
    wrong = score(top, form(category="交通/公交/线路")).field("category")
    assert wrong is not None and not wrong.right and wrong.points == 0.0
    two = score(scenario(category="环境/噪音"), form(category="环境/污水/排污")).field("category")
    assert two is not None and not two.right and two.points == 0.0


def test_departments_and_districts_count_by_name_or_id_and_cooperating_ones_as_a_set() -> None:
    key = scenario(cooperating_departments=("cg", "jt"))
    by_name = score(key, form(lead_department="市环保局", cooperating_departments=("市交通局", "cg"), district="东城"))
    assert by_name.total == 100.0
    coop = by_name.field("cooperating_departments")
    assert coop is not None and coop.expected == coop.given == "cg、jt"
    missing_one = score(key, form(cooperating_departments=("cg",))).field("cooperating_departments")
    assert missing_one is not None and not missing_one.right


def test_an_unknown_department_is_wrong_and_shown_as_typed() -> None:
    lead = score(scenario(), form(lead_department="市不存在局")).field("lead_department")
    assert lead is not None and not lead.right and lead.given == "市不存在局" and lead.expected == "hb"


def test_the_street_is_right_only_in_the_right_district() -> None:
    result = score(scenario(), form(district="西区", street="一街道"))
    district, street = result.field("district"), result.field("street")
    assert district is not None and not district.right and district.given == "xq"
    assert street is not None and not street.right


def test_codes_and_chinese_labels_are_the_same_answer() -> None:
    result = score(scenario(special_needs=("elderly", "dialect")),
                   form(appeal_type="投诉", disposition="派单", urgency="普通", special_needs=("方言/外语", "elderly")))
    assert result.total == 100.0


def test_special_needs_are_compared_as_sets() -> None:
    key = scenario(special_needs=("elderly",))
    extra = score(key, form(special_needs=("elderly", "disabled"))).field("special_needs")
    assert extra is not None and not extra.right and extra.given == "disabled、elderly"
    none_ticked_for_none = score(scenario(), form()).field("special_needs")
    assert none_ticked_for_none is not None and none_ticked_for_none.right
    ticked_for_none = score(scenario(), form(special_needs=("other",))).field("special_needs")
    assert ticked_for_none is not None and not ticked_for_none.right


def test_required_fields_earn_points_in_proportion_and_are_right_only_when_all_are_filled() -> None:
    key = scenario(required_fields=("phone", "address", "request", "caller_name"))
    field = score(key, form(request="  ", caller_name="王")).field("required_fields")
    assert field is not None and not field.right and field.points == 7.5
    assert field.given == "缺：诉求要求"
    full = score(key, form(request="停工", caller_name="王")).field("required_fields")
    assert full is not None and full.right and full.given == "齐全"


def test_the_citation_is_asked_only_for_a_direct_answer_with_an_article() -> None:
    direct = scenario(disposition="direct", lead_department="", cooperating_departments=(), kb_article="kb-7")
    answers = form(disposition="direct", lead_department="", cooperating_departments=())
    cited = score(direct, answers, cited=["kb-3", "kb-7"]).field("citation")
    assert cited is not None and cited.right and cited.given == "kb-3、kb-7"
    not_cited = score(direct, answers, cited=["kb-3"]).field("citation")
    assert not_cited is not None and not not_cited.right
    dispatched = score(scenario(kb_article="kb-7"), form(), cited=["kb-7"])
    assert "citation" not in skills(dispatched)


def test_time_uses_the_exams_own_limit_over_the_scenarios() -> None:
    key = scenario(limit=300)
    assert not score(key, form(), seconds=200).over_time
    exam = score(key, form(), seconds=200, time_limit_seconds=120)
    field = exam.field("time")
    assert exam.over_time and field is not None and not field.right and field.expected == "120"
    assert score(key, form(), seconds=100, time_limit_seconds=120).field("time").right  # type: ignore[union-attr]


def test_time_with_weight_zero_is_shown_but_does_not_count() -> None:
    weights = Weights({**EVEN.skills, "time": 0.0})
    late = score(scenario(limit=60), form(), weights, seconds=600)
    assert late.over_time and late.total == 100.0 and late.field("time") is not None


def test_a_key_without_appeal_type_or_disposition_does_not_ask_for_them() -> None:
    key = scenario(category="环境", appeal_type="", disposition="", urgency="", lead_department="",
                   cooperating_departments=(), district="", street="")
    result = score(key, form(category="环境/污水/排污"))
    assert skills(result) == {"category", "special_needs", "time"}
    assert result.total == 100.0


def test_a_score_survives_its_dict_form() -> None:
    result = score(scenario(required_fields=("request",)), form(category="环境/污水/排污"))
    assert Score.from_dict(result.to_dict()) == result


def test_the_shipped_weights_load_and_weigh_every_skill() -> None:
    weights = load_weights(resources_dir())
    assert set(weights.skills) == set(SKILLS)
    assert weights.skills["category"] > 0 and 0 <= weights.category_level1 <= weights.category_level2 <= 1


GOOD = Path(resources_dir(), "training", "scoring.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("change", "named"), [
    (lambda t: t.replace("category = 25", "category = \"很多\""), "weights.category"),
    (lambda t: t.replace("urgency = 6", "urgency = -1"), "weights.urgency"),
    (lambda t: t.replace("street = 4 ", "streett = 4 "), "weights.streett"),
    (lambda t: t.replace("citation = 5 ", "# citation = 5 "), "weights.citation"),
    (lambda t: t.replace("category_level1 = 0.4", "category_level1 = 1.5"), "partial.category_level1"),
    (lambda t: t.replace("category_level2 = 0.7", "category_level2 = 0.1"), "partial.category_level1"),
    (lambda t: t + "\nlevel3 = 0.9\n", "partial.level3"),
    (lambda t: t.replace("[weights]", "[weight]"), "weight"),
    (lambda t: t.replace("category = 25", "category = 25 25"), "line"),
], ids=["text", "negative", "unknown", "missing", "partial_over_1", "partial_order", "partial_unknown", "table",
        "toml_syntax"])
def test_a_broken_weights_file_raises_a_value_error_naming_file_and_key(tmp_path: Path, change, named) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "training").mkdir()
    path = tmp_path / "training" / "scoring.toml"
    broken = change(GOOD)
    assert broken != GOOD
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_weights(tmp_path)
    assert str(path) in str(caught.value) and named in str(caught.value)


def test_a_missing_weights_file_raises_a_value_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scoring.toml"):
        load_weights(tmp_path)
