"""Every field's validation: required fields per disposition, lengths, control characters, emoji, types."""

from __future__ import annotations

import dataclasses

import pytest

from contract.case_fields import CaseInput, validate_case
from contract.city.model import City
from operator_app.errors import ValidationErrors
from tests.core.helpers import direct_form, dispatch_form


def errors_of(city: City, form: CaseInput) -> dict[str, str]:
    with pytest.raises(ValidationErrors) as info:
        validate_case(form, city)
    return {f: e.message for f, e in info.value.by_field().items()}


def test_valid_dispatch_and_direct_forms_pass(city: City) -> None:
    ok = validate_case(dispatch_form(city), city)
    assert ok.lead_department in city.departments and ok.district in city.districts
    assert ok.phone == "13800138000"
    direct = validate_case(direct_form(city), city)
    assert direct.disposition == "direct" and direct.lead_department == "" and direct.answer


def test_empty_form_names_every_required_field(city: City) -> None:
    errs = errors_of(city, CaseInput())
    assert set(errs) == {"phone", "appeal_type", "category", "content", "disposition"}
    assert errs["content"] == "请填写诉求内容"
    assert errs["disposition"] == "请选择处理方式"


def test_dispatch_requires_lead_department_and_district(city: City) -> None:
    errs = errors_of(city, dispatch_form(city, lead_department="", district="", street=""))
    assert errs["lead_department"] == "派单须选择一个主办单位"
    assert "属地" in errs["district"]


def test_direct_requires_answer_and_no_departments(city: City) -> None:
    assert errors_of(city, direct_form(city, answer=""))["answer"] == "请填写答复内容"
    lead = next(iter(city.departments.values())).name
    assert "直接办结" in errors_of(city, direct_form(city, lead_department=lead))["lead_department"]


def test_unknown_department_and_duplicate_cooperating(city: City) -> None:
    assert "不是本市的承办单位" in errors_of(city, dispatch_form(city, lead_department="火星局"))["lead_department"]
    form = dispatch_form(city)
    dup = errors_of(city, dataclasses.replace(form, cooperating_departments=(form.lead_department,)))
    assert dup["cooperating_departments"] == "协办单位不能与主办单位相同"


def test_urgent_needs_reason_and_other_need_needs_text(city: City) -> None:
    assert errors_of(city, dispatch_form(city, urgency="urgent"))["urgency_reason"] == "请填写紧急原因"
    errs = errors_of(city, dispatch_form(city, special_needs=("other",)))
    assert errs["special_needs_other"] == "请填写其他特殊需求说明"
    ok = validate_case(dispatch_form(city, urgency="urgent", urgency_reason="燃气泄漏"), city)
    assert ok.urgency == "urgent"


def test_phone_kind_none_and_anonymous(city: City) -> None:
    ok = validate_case(dispatch_form(city, phone_kind="none", phone="", caller_name="", anonymous=True), city)
    assert ok.phone == "" and ok.caller_name == ""
    assert "无号码" in errors_of(city, dispatch_form(city, phone_kind="none"))["phone"]
    assert "匿名" in errors_of(city, dispatch_form(city, anonymous=True))["caller_name"]


def test_callback_number_is_validated(city: City) -> None:
    assert "手机号码" in errors_of(city, dispatch_form(city, callback_phone="1380"))["callback_phone"]


def test_category_must_be_a_third_level_leaf(city: City) -> None:
    top = city.categories.top_level()[0]
    assert "第三级" in errors_of(city, dispatch_form(city, category=top))["category"]


def test_street_must_belong_to_district(city: City) -> None:
    districts = list(city.districts.values())
    errs = errors_of(city, dispatch_form(city, district=districts[0].name, street=districts[1].streets[0]))
    assert "没有" in errs["street"]
    assert "不在本市" in errors_of(city, dispatch_form(city, district="火星区"))["district"]


@pytest.mark.parametrize("field", ["content", "caller_name", "address", "request", "urgency_reason"])
def test_length_limits(city: City, field: str) -> None:
    form = dispatch_form(city, urgency="urgent", urgency_reason="原因")
    errs = errors_of(city, dataclasses.replace(form, **{field: "字" * 100_000}))
    assert "最多" in errs[field] and "100000" in errs[field]


def test_hundred_thousand_character_paste_into_content(city: City) -> None:
    errs = errors_of(city, dispatch_form(city, content="噪" * 100_000))
    assert errs == {"content": "诉求内容最多5000字，当前100000字"}
    assert validate_case(dispatch_form(city, content="噪" * 5000), city).content == "噪" * 5000


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\u202e", "\ufeff"])
def test_control_characters_are_refused(city: City, bad: str) -> None:
    errs = errors_of(city, dispatch_form(city, content=f"噪音{bad}扰民", caller_name=f"张{bad}"))
    assert "控制字符" in errs["content"] and "控制字符" in errs["caller_name"]


def test_line_breaks_allowed_in_content_not_in_name(city: City) -> None:
    ok = validate_case(dispatch_form(city, content="第一行\r\n第二行\t缩进"), city)
    assert ok.content == "第一行\n第二行\t缩进"
    assert "控制字符" in errors_of(city, dispatch_form(city, caller_name="张\n三"))["caller_name"]


@pytest.mark.parametrize("emoji", ["😀", "👍🏻", "❤️", "🇨🇳"])
def test_emoji_are_refused_with_a_reason(city: City, emoji: str) -> None:
    errs = errors_of(city, dispatch_form(city, content=f"灯坏了{emoji}"))
    assert errs["content"] == "诉求内容不能包含表情符号，承办单位系统无法保存"


def test_rare_cjk_characters_are_kept(city: City) -> None:
    # U+4DB5 (CJK Ext A) and 㐀 are in the BMP and must not be mistaken for emoji.
    assert validate_case(dispatch_form(city, caller_name="䶵㐀"), city).caller_name == "䶵㐀"


def test_surrounding_whitespace_is_trimmed_and_whitespace_only_is_empty(city: City) -> None:
    assert errors_of(city, dispatch_form(city, content="   \n  "))["content"] == "请填写诉求内容"
    assert validate_case(dispatch_form(city, content="  噪音  "), city).content == "噪音"


def test_choices_accept_code_or_chinese_label(city: City) -> None:
    ok = validate_case(dispatch_form(city, appeal_type="投诉", channel="微信"), city)
    assert (ok.appeal_type, ok.channel) == ("complaint", "wechat")
    assert "不在可选范围" in errors_of(city, dispatch_form(city, channel="飞鸽传书"))["channel"]


def test_from_mapping_reports_wrong_types_and_unknown_fields() -> None:
    with pytest.raises(ValidationErrors) as info:
        CaseInput.from_mapping({"content": 5, "confidential": "yes", "special_needs": "elderly", "colour": "red"})
    errs = {e.field: e.message for e in info.value.errors}
    assert errs == {"content": "应为文字", "confidential": "应为是/否（true/false）",
                    "special_needs": "应为文字列表", "colour": "未知字段“colour”"}
    with pytest.raises(ValidationErrors):
        CaseInput.from_mapping(["not", "an", "object"])


def test_errors_come_in_form_order(city: City) -> None:
    with pytest.raises(ValidationErrors) as info:
        validate_case(CaseInput(content="😀", phone="1"), city)
    fields = [e.field for e in info.value.errors]
    assert fields.index("phone") < fields.index("content") < fields.index("disposition")


@pytest.mark.parametrize("kind", ["mobile", "None", "无"])
def test_an_unknown_phone_kind_is_refused_at_its_field(city: City, kind: str) -> None:
    with pytest.raises(ValidationErrors) as info:
        validate_case(dataclasses.replace(dispatch_form(city), phone_kind=kind), city)
    err = info.value.by_field()["phone_kind"]
    assert err.code == "choice" and "号码类型" in err.message


@pytest.mark.parametrize(("kind", "phone"), [("无号码", ""), ("none", ""), ("有号码", "13800138000"),
                                             ("number", "13800138000")])
def test_phone_kind_takes_its_code_or_chinese_label(city: City, kind: str, phone: str) -> None:
    ok = validate_case(dataclasses.replace(dispatch_form(city), phone_kind=kind, phone=phone), city)
    assert ok.phone == phone
