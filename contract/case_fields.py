"""What the operator typed into the case form, and its validation into a ValidCase."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from contract.city.model import City
from contract.enums import AppealType, Channel, Disposition, LabeledEnum, PhoneKind, SpecialNeed, Urgency
from contract.errors import ValidationError, ValidationErrors
from contract.phone import PhoneFormatError, normalize_phone
from contract.text_checks import has_control_chars, has_emoji, normalize_text

# Longest accepted text per field, in characters.
MAX_LEN = {
    "caller_name": 30,
    "special_needs_other": 50,
    "address": 200,
    "content": 5000,
    "request": 500,
    "urgency_reason": 200,
    "answer": 3000,
}
MULTILINE = {"content", "request", "answer", "address"}

# What each field is called on the form, for messages that name a field.
FIELD_LABELS = {
    "form": "工单", "caller_name": "来电人姓名", "anonymous": "匿名", "phone_kind": "号码类型", "phone": "来电号码",
    "callback_phone": "回访号码", "confidential": "保密", "special_needs": "特殊需求",
    "special_needs_other": "其他特殊需求说明", "channel": "来源渠道", "appeal_type": "诉求类型", "category": "问题分类",
    "district": "所属区县", "street": "街道", "address": "详细地址", "content": "诉求内容", "request": "诉求要求",
    "urgency": "紧急程度", "urgency_reason": "紧急原因", "disposition": "处理方式", "answer": "答复内容",
    "lead_department": "主办单位", "cooperating_departments": "协办单位",
}

# Which closed vocabulary each field takes: validate_case checks these, the CLI's help and English errors list them.
FIELD_CHOICES: dict[str, type[LabeledEnum]] = {
    "phone_kind": PhoneKind, "special_needs": SpecialNeed, "channel": Channel, "appeal_type": AppealType,
    "urgency": Urgency, "disposition": Disposition,
}

# The order of the form: the first error in this order gets the focus.
FIELD_ORDER = (
    "caller_name", "phone_kind", "phone", "callback_phone", "special_needs_other", "channel", "appeal_type", "category",
    "district", "street", "address", "content", "request", "urgency", "urgency_reason", "disposition",
    "answer", "lead_department", "cooperating_departments",
)


@dataclass(frozen=True, kw_only=True)
class CaseInput:
    """The raw form, as text and flags; also the draft format and the CLI's JSON format."""

    caller_name: str = ""
    anonymous: bool = False
    phone_kind: str = PhoneKind.NUMBER.value
    phone: str = ""
    callback_phone: str = ""
    confidential: bool = False
    special_needs: tuple[str, ...] = ()
    special_needs_other: str = ""
    channel: str = Channel.PHONE.value
    appeal_type: str = ""
    category: str = ""
    district: str = ""
    street: str = ""
    address: str = ""
    content: str = ""
    request: str = ""
    urgency: str = Urgency.NORMAL.value
    urgency_reason: str = ""
    disposition: str = ""
    answer: str = ""
    lead_department: str = ""
    cooperating_departments: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["special_needs"] = list(self.special_needs)
        data["cooperating_departments"] = list(self.cooperating_departments)
        return data

    @classmethod
    def from_mapping(cls, data: Any) -> CaseInput:
        """Build from JSON-like data; wrong types raise ValidationErrors naming the field."""
        if not isinstance(data, dict):
            raise ValidationErrors([ValidationError("form", "工单数据应为一个 JSON 对象", code="type")])
        errors: list[ValidationError] = []
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in _INPUT_DEFAULTS:
                errors.append(ValidationError(str(key), f"未知字段“{key}”", code="unknown"))
                continue
            default = _INPUT_DEFAULTS[key]
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    errors.append(ValidationError(key, "应为是/否（true/false）", code="type"))
                    continue
            elif isinstance(default, tuple):
                if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                    errors.append(ValidationError(key, "应为文字列表", code="type"))
                    continue
                value = tuple(value)
            elif not isinstance(value, str):
                errors.append(ValidationError(key, "应为文字", code="type"))
                continue
            values[key] = value
        if errors:
            raise ValidationErrors(errors)
        return cls(**values)


_INPUT_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(CaseInput)}


@dataclass(frozen=True, kw_only=True)
class ValidCase:
    """A case input that passed validation: codes resolved, text normalised."""

    caller_name: str
    phone: str
    callback_phone: str
    confidential: bool
    special_needs: tuple[str, ...]
    special_needs_other: str
    channel: str
    appeal_type: str
    category: str
    district: str
    street: str
    address: str
    content: str
    request: str
    urgency: str
    urgency_reason: str
    disposition: str
    answer: str
    lead_department: str
    cooperating_departments: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        # Every value is text, a flag or a tuple of texts: no deep copy (asdict) needed; this runs per case.
        data = {name: getattr(self, name) for name in _VALID_FIELDS}
        data["special_needs"] = list(self.special_needs)
        data["cooperating_departments"] = list(self.cooperating_departments)
        return data


_VALID_FIELDS = tuple(f.name for f in fields(ValidCase))


def _text(raw: CaseInput, name: str, errors: list[ValidationError], *, label: str, required: bool = False) -> str:
    text = normalize_text(getattr(raw, name))
    limit = MAX_LEN[name]
    if required and not text:
        errors.append(ValidationError(name, f"请填写{label}", code="required"))
    elif len(text) > limit:
        errors.append(ValidationError(name, f"{label}最多{limit}字，当前{len(text)}字", code="too_long"))
    elif has_control_chars(text, multiline=name in MULTILINE):
        errors.append(ValidationError(name, f"{label}含有不可见的控制字符，请删除后重新输入", code="control"))
    elif has_emoji(text):
        errors.append(ValidationError(name, f"{label}不能包含表情符号，承办单位系统无法保存", code="emoji"))
    return text


def _phone(raw: str, field: str, errors: list[ValidationError], *, required: bool) -> str:
    if not raw.strip() and not required:
        return ""
    try:
        return normalize_phone(raw)
    except PhoneFormatError as exc:  # the message is phone.py's; the code tells an empty number from a bad one
        if raw.strip():
            errors.append(ValidationError(field, str(exc), code="phone"))
        else:
            errors.append(ValidationError(field, str(exc), code="required"))
        return ""


def validate_case(raw: CaseInput, city: City) -> ValidCase:
    """Check every field against the city's configuration; raises ValidationErrors listing all problems."""
    errors: list[ValidationError] = []
    name = _text(raw, "caller_name", errors, label="来电人姓名")
    if raw.anonymous and name:
        errors.append(ValidationError("caller_name", "已选择匿名，请清空姓名", code="anonymous"))
    # Only a known kind decides whether a number is required: an unknown one is its own error, and the phone is
    # then checked as a number (the default kind).
    has_number = _choice(PhoneKind, raw.phone_kind, "phone_kind", "号码类型", errors) != PhoneKind.NONE.value
    phone = _phone(raw.phone, "phone", errors, required=has_number)
    if not has_number and raw.phone.strip():
        errors.append(ValidationError("phone", "已选择“无号码”，请清空电话号码", code="phone_not_empty"))
    callback = _phone(raw.callback_phone, "callback_phone", errors, required=False)
    needs = []
    for code in raw.special_needs:
        need = SpecialNeed.parse(code)
        if need is None:
            errors.append(ValidationError("special_needs", f"未知的特殊需求“{code}”", code="choice"))
        elif need.value not in needs:
            needs.append(need.value)
    need_other = _text(raw, "special_needs_other", errors, label="其他特殊需求说明",
                       required=SpecialNeed.OTHER.value in needs)
    channel = _choice(Channel, raw.channel, "channel", "来源渠道", errors)
    appeal = _choice(AppealType, raw.appeal_type, "appeal_type", "诉求类型", errors)
    category = raw.category.strip()
    if not category:
        errors.append(ValidationError("category", "请选择问题分类（三级）", code="required"))
    elif not city.categories.is_leaf(category):
        errors.append(ValidationError("category", "请从分类目录中选择到第三级", code="choice"))
    district_id, street = _location(raw, city, errors)
    address = _text(raw, "address", errors, label="详细地址")
    content = _text(raw, "content", errors, label="诉求内容", required=True)
    request = _text(raw, "request", errors, label="诉求要求")
    urgency = _choice(Urgency, raw.urgency, "urgency", "紧急程度", errors)
    reason = _text(raw, "urgency_reason", errors, label="紧急原因", required=urgency == Urgency.URGENT.value)
    disposition = _choice(Disposition, raw.disposition, "disposition", "处理方式", errors)
    answer = _text(raw, "answer", errors, label="答复内容", required=disposition == Disposition.DIRECT.value)
    lead, cooperating = _departments(raw, city, disposition, errors)
    if disposition == Disposition.DISPATCH.value and not district_id \
            and not any(e.field == "district" for e in errors):
        errors.append(ValidationError("district", "派单须选择所属区县（属地）", code="required"))
    if errors:
        errors.sort(key=lambda e: FIELD_ORDER.index(e.field) if e.field in FIELD_ORDER else len(FIELD_ORDER))
        raise ValidationErrors(errors)
    return ValidCase(
        caller_name=name, phone=phone, callback_phone=callback, confidential=raw.confidential,
        special_needs=tuple(needs), special_needs_other=need_other, channel=channel, appeal_type=appeal,
        category=category, district=district_id, street=street, address=address, content=content,
        request=request, urgency=urgency, urgency_reason=reason, disposition=disposition,
        answer=answer if disposition == Disposition.DIRECT.value else "",
        lead_department=lead, cooperating_departments=cooperating,
    )


def _choice(enum_cls: Any, raw: str, field: str, label: str, errors: list[ValidationError]) -> str:
    if not raw:
        errors.append(ValidationError(field, f"请选择{label}", code="required"))
        return ""
    member = enum_cls.parse(raw)
    if member is None:
        errors.append(ValidationError(field, f"{label}“{raw}”不在可选范围内", code="choice"))
        return ""
    return str(member.value)


def _location(raw: CaseInput, city: City, errors: list[ValidationError]) -> tuple[str, str]:
    if not raw.district.strip():
        if raw.street.strip():
            errors.append(ValidationError("district", "选择街道前请先选择区县", code="required"))
        return "", ""
    district = city.district_by_name(raw.district.strip())
    if district is None:
        errors.append(ValidationError("district", f"区县“{raw.district}”不在本市行政区划中", code="choice"))
        return "", ""
    street = raw.street.strip()
    if street and street not in district.streets:
        errors.append(ValidationError("street", f"{district.name}没有“{street}”，请从列表中选择", code="choice"))
        street = ""
    return district.id, street


def _departments(
    raw: CaseInput, city: City, disposition: str, errors: list[ValidationError]
) -> tuple[str, tuple[str, ...]]:
    if disposition != Disposition.DISPATCH.value:
        if disposition == Disposition.DIRECT.value and (raw.lead_department.strip() or raw.cooperating_departments):
            errors.append(ValidationError("lead_department", "直接办结的工单不派单，请清空承办单位", code="direct"))
        return "", ()
    lead_name = raw.lead_department.strip()
    lead = city.department_by_name(lead_name) if lead_name else None
    if not lead_name:
        errors.append(ValidationError("lead_department", "派单须选择一个主办单位", code="required"))
    elif lead is None:
        errors.append(ValidationError("lead_department", f"“{lead_name}”不是本市的承办单位", code="choice"))
    cooperating: list[str] = []
    for name in raw.cooperating_departments:
        dept = city.department_by_name(name.strip())
        if dept is None:
            errors.append(ValidationError("cooperating_departments", f"“{name}”不是本市的承办单位", code="choice"))
        elif lead is not None and dept.id == lead.id:
            errors.append(ValidationError("cooperating_departments", "协办单位不能与主办单位相同", code="duplicate"))
        elif dept.id not in cooperating:
            cooperating.append(dept.id)
    return (lead.id if lead else ""), tuple(cooperating)


def check_submitted_fields(data: object, city: City) -> ValidCase:
    """The `fields` of a created event as another party received them (the server, a pulling seat).

    They must be exactly what validate_case makes of a form: every field of ValidCase, nothing else, each value
    valid for this city and already in its normalised form. Raises ValidationErrors listing every problem.
    """
    if not isinstance(data, dict):
        raise ValidationErrors([ValidationError("form", "工单数据应为一个 JSON 对象", code="type")])
    names = _VALID_FIELDS
    errors = [ValidationError(n, f"缺少{FIELD_LABELS[n]}", code="missing") for n in names if n not in data]
    errors += [ValidationError(str(k), f"未知字段“{k}”", code="unknown") for k in data if k not in names]
    if errors:
        raise ValidationErrors(errors)
    phone = data.get("phone")
    # A ValidCase keeps no phone kind or anonymity flag: an empty phone is "no number", an empty name is allowed.
    form = CaseInput.from_mapping({**data, "phone_kind": PhoneKind.NUMBER.value if phone else PhoneKind.NONE.value})
    valid = validate_case(form, city)
    as_sent = valid.to_dict()
    differ = [n for n in names if as_sent[n] != data[n]]
    if differ:
        raise ValidationErrors([
            ValidationError(n, f"{FIELD_LABELS[n]}不是本系统保存的规范格式", code="not_normalised") for n in differ])
    return valid
