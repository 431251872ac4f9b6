"""The field list of `operator-app case new --help`, generated from the contract so it cannot drift from it."""

from __future__ import annotations

import textwrap
from dataclasses import fields

from contract.case_fields import FIELD_CHOICES, FIELD_LABELS, MAX_LEN, CaseInput

# Which closed vocabulary each field takes (validate_case checks the same ones; tests/core/test_cli_help.py
# holds the two together).
CHOICES = FIELD_CHOICES

# Fields whose values come from the city's configuration (resources/city/, or the seat's synced copy).
CITY_LISTS = {
    "category": "level1/level2/level3: one row of categories.csv joined by /; required",
    "district": "a district's name, alias or id from districts.toml; required when dispatching",
    "street": "a street of that district, as districts.toml names it",
    "lead_department": "a department's name or id from departments.toml; required when dispatching",
    "cooperating_departments": "department names or ids from departments.toml, not the lead one",
}

# When a field is required beyond the form's fixed rules, said in plain English.
RULES = {
    "caller_name": "leave empty when anonymous",
    "phone": "required unless phone_kind is none",
    "special_needs_other": "required when special_needs holds other",
    "appeal_type": "required",
    "content": "required",
    "urgency_reason": "required when urgency is urgent",
    "disposition": "required",
    "answer": "required when disposition is direct",
}


def _kind(default: object) -> str:
    if isinstance(default, bool):
        return "true/false"
    if isinstance(default, tuple):
        return "list of text"
    return "text"


def _describe(name: str, default: object) -> str:
    parts = [_kind(default)]
    if name in MAX_LEN:
        parts.append(f"up to {MAX_LEN[name]} characters")
    if name in CHOICES:
        codes = ", ".join(str(m.value) for m in CHOICES[name])
        parts.append(f"{'each one of' if isinstance(default, tuple) else 'one of'}: {codes}")
    if name in CITY_LISTS:
        parts.append(CITY_LISTS[name])
    if name in RULES:
        parts.append(RULES[name])
    if default not in ("", (), False):
        parts.append(f"default {str(default).lower() if isinstance(default, bool) else default}")
    return "; ".join(parts)


def case_fields_help(width: int = 100) -> str:
    """Every CaseInput field with its type, limit, allowed codes and default; the desk's label in brackets."""
    lines = ["The case JSON is one object with these fields (all optional in the file; validation says what a case",
             "needs). Closed lists take the code shown or its Chinese label:", ""]
    for f in fields(CaseInput):
        label = FIELD_LABELS.get(f.name, "")
        head = f"  {f.name}" + (f" ({label})" if label else "")
        body = textwrap.wrap(_describe(f.name, f.default), width=width - 6)
        lines.append(head)
        lines.extend(f"      {line}" for line in body)
    lines += ["", "Errors name the field by its JSON name (the desk's label in brackets) and say in English what is wrong."]
    return "\n".join(lines)
