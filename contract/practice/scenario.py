"""A practice scenario: a simulated call (who calls, what they say line by line) and its answer key.

The same dict shape is the TOML of the demo scenarios (resources/training/scenarios/), the server's stored body
(practice_scenario_versions.body) and the wire format of `/api/v1/practice/scenarios`. `from_dict` checks shape and
types and raises ValidationErrors naming the field ("key.category", "lines[2].text");
contract/practice/check.py `check_scenario` checks that the key's codes exist in the city's configuration.

In a line's text, the placeholders 【姓名】 and 【电话】 stand for the caller's fictitious name and phone from the
profile (`Scenario.render`), so a scenario made from a real case never carries the citizen's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contract.errors import ValidationError, ValidationErrors

DIFFICULTIES = {1: "入门", 2: "熟练", 3: "困难"}
MAX_LINES = 40
MAX_LINE_CHARS = 500
MAX_TITLE_CHARS = 60
DEFAULT_TIME_LIMIT = 300  # seconds
NAME_PLACEHOLDER = "【姓名】"
PHONE_PLACEHOLDER = "【电话】"

# Fields of the form a key can require to be filled (the case form's own names, contract/case_fields.py).
REQUIRABLE_FIELDS = ("caller_name", "phone", "callback_phone", "address", "street", "request", "urgency_reason",
                     "answer", "special_needs_other")


@dataclass(frozen=True)
class CallerProfile:
    """Who calls: fictitious name and phone, their special needs (contract.enums.SpecialNeed codes), and a note for
    the trainee's screen (e.g. "说话较慢，需要耐心")."""

    name: str = ""
    phone: str = ""
    special_needs: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Line:
    """One thing the caller says. `after_seconds` > 0: on a timer that many seconds after the previous line (0: only
    when the trainee asks for the next line)."""

    text: str
    after_seconds: float = 0.0


@dataclass(frozen=True)
class AnswerKey:
    """What a right handling of the call records. `category` is a path in the city's tree ("a/b/c"); a shorter
    prefix ("a" or "a/b") means the key only knows that level, and an answer is right when it agrees to that depth.
    Departments and district are the city's ids. `kb_article` is the knowledge-base article to cite for 直接办结
    ("" when none)."""

    category: str
    appeal_type: str
    disposition: str
    urgency: str = "normal"
    lead_department: str = ""
    cooperating_departments: tuple[str, ...] = ()
    district: str = ""
    street: str = ""
    special_needs: tuple[str, ...] = ()
    required_fields: tuple[str, ...] = ()
    kb_article: str = ""


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    lines: tuple[Line, ...]
    key: AnswerKey
    caller: CallerProfile = CallerProfile()
    difficulty: int = 1
    time_limit_seconds: int = DEFAULT_TIME_LIMIT
    version: int = 1
    source: str = "authored"  # "authored" | "case" (made from a real case, scrubbed) | "demo"
    tags: tuple[str, ...] = field(default=())

    def render(self, text: str) -> str:
        """A line as the trainee hears it: the profile's fictitious name and phone in place of their placeholders."""
        if self.caller.name:
            text = text.replace(NAME_PLACEHOLDER, self.caller.name)
        if self.caller.phone:
            text = text.replace(PHONE_PLACEHOLDER, self.caller.phone)
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "version": self.version, "title": self.title, "difficulty": self.difficulty,
            "time_limit_seconds": self.time_limit_seconds, "source": self.source, "tags": list(self.tags),
            "caller": {"name": self.caller.name, "phone": self.caller.phone,
                       "special_needs": list(self.caller.special_needs), "note": self.caller.note},
            "lines": [{"text": ln.text, "after_seconds": ln.after_seconds} for ln in self.lines],
            "key": {
                "category": self.key.category, "appeal_type": self.key.appeal_type,
                "disposition": self.key.disposition, "urgency": self.key.urgency,
                "lead_department": self.key.lead_department,
                "cooperating_departments": list(self.key.cooperating_departments),
                "district": self.key.district, "street": self.key.street,
                "special_needs": list(self.key.special_needs), "required_fields": list(self.key.required_fields),
                "kb_article": self.key.kb_article,
            },
        }

    @classmethod
    def from_dict(cls, data: Any) -> Scenario:
        """Build from JSON/TOML data; every problem found raises at once as ValidationErrors."""
        p = _Parser()
        if not isinstance(data, dict):
            raise ValidationErrors([ValidationError("scenario", "练习场景应为一个对象", code="type")])
        title = p.text(data, "title", required=True, limit=MAX_TITLE_CHARS)
        caller_data = p.mapping(data, "caller")
        caller = CallerProfile(
            name=p.text(caller_data, "name", prefix="caller.", limit=30),
            phone=p.text(caller_data, "phone", prefix="caller.", limit=20),
            special_needs=p.texts(caller_data, "special_needs", prefix="caller."),
            note=p.text(caller_data, "note", prefix="caller.", limit=200),
        )
        lines: list[Line] = []
        raw_lines = data.get("lines")
        if not isinstance(raw_lines, list) or not raw_lines:
            p.errors.append(ValidationError("lines", "练习场景至少要有一句来电人的话", code="required"))
        elif len(raw_lines) > MAX_LINES:
            p.errors.append(ValidationError("lines", f"来电人的话最多 {MAX_LINES} 句", code="too_long"))
        else:
            for i, raw in enumerate(raw_lines):
                where = f"lines[{i}]."
                if isinstance(raw, str):
                    raw = {"text": raw}
                if not isinstance(raw, dict):
                    p.errors.append(ValidationError(f"lines[{i}]", "每句话应为文字", code="type"))
                    continue
                text = p.text(raw, "text", prefix=where, required=True, limit=MAX_LINE_CHARS)
                after = p.number(raw, "after_seconds", prefix=where, low=0, high=600)
                lines.append(Line(text, after))
        key_data = p.mapping(data, "key", required=True)
        key = AnswerKey(
            category=p.text(key_data, "category", prefix="key.", required=True, limit=200),
            appeal_type=p.text(key_data, "appeal_type", prefix="key.", required=True, limit=20),
            disposition=p.text(key_data, "disposition", prefix="key.", required=True, limit=20),
            urgency=p.text(key_data, "urgency", prefix="key.", limit=20) or "normal",
            lead_department=p.text(key_data, "lead_department", prefix="key.", limit=40),
            cooperating_departments=p.texts(key_data, "cooperating_departments", prefix="key."),
            district=p.text(key_data, "district", prefix="key.", limit=40),
            street=p.text(key_data, "street", prefix="key.", limit=60),
            special_needs=p.texts(key_data, "special_needs", prefix="key."),
            required_fields=p.texts(key_data, "required_fields", prefix="key."),
            kb_article=p.text(key_data, "kb_article", prefix="key.", limit=64),
        )
        for name in key.required_fields:
            if name not in REQUIRABLE_FIELDS:
                p.errors.append(ValidationError("key.required_fields", f"“{name}”不是可要求填写的字段", code="choice"))
        difficulty = int(p.number(data, "difficulty", low=1, high=3, default=1))
        limit = int(p.number(data, "time_limit_seconds", low=30, high=3600, default=DEFAULT_TIME_LIMIT))
        version = int(p.number(data, "version", low=1, high=1_000_000, default=1))
        source = p.text(data, "source", limit=16) or "authored"
        if source not in ("authored", "case", "demo"):
            p.errors.append(ValidationError("source", f"未知的场景来源“{source}”", code="choice"))
        scenario_id = p.text(data, "id", limit=64)
        tags = p.texts(data, "tags")
        if p.errors:
            raise ValidationErrors(p.errors)
        return cls(id=scenario_id, title=title, lines=tuple(lines), key=key, caller=caller, difficulty=difficulty,
                   time_limit_seconds=limit, version=version, source=source, tags=tags)


class _Parser:
    """Collects every type problem of one scenario instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def mapping(self, data: dict[str, Any], name: str, *, required: bool = False) -> dict[str, Any]:
        value = data.get(name)
        if value is None:
            if required:
                self.errors.append(ValidationError(name, f"缺少“{name}”", code="required"))
            return {}
        if not isinstance(value, dict):
            self.errors.append(ValidationError(name, f"“{name}”应为一个对象", code="type"))
            return {}
        return value

    def text(self, data: dict[str, Any], name: str, *, prefix: str = "", required: bool = False,
             limit: int = 200) -> str:
        value = data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.errors.append(ValidationError(prefix + name, "应为文字", code="type"))
            return ""
        value = value.strip()
        if required and not value:
            self.errors.append(ValidationError(prefix + name, "不能为空", code="required"))
        elif len(value) > limit:
            self.errors.append(ValidationError(prefix + name, f"不能超过 {limit} 个字", code="too_long"))
        return value

    def texts(self, data: dict[str, Any], name: str, *, prefix: str = "") -> tuple[str, ...]:
        value = data.get(name, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > 20:
            self.errors.append(ValidationError(prefix + name, "应为文字列表（最多 20 项）", code="type"))
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def number(self, data: dict[str, Any], name: str, *, prefix: str = "", low: float, high: float,
               default: float = 0) -> float:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            self.errors.append(ValidationError(prefix + name, f"应为 {low:g} 到 {high:g} 之间的数", code="range"))
            return default
        return float(value)
