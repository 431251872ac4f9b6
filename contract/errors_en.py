"""The command line's English for the contract's validation errors.

The desk shows ValidationError.message (Chinese, at the field). The command line speaks English: its line is made
from the error's field and code only, so it cannot drift from what validation decided. Every code the contract
raises has a text here (tests/core/test_errors_en.py reads the contract's source to hold the two together).
"""

from __future__ import annotations

from dataclasses import fields

from contract.case_fields import FIELD_CHOICES, FIELD_LABELS, MAX_LEN, CaseInput
from contract.errors import ValidationError

# One plain-English reason per validation code.
CODE_TEXTS: dict[str, str] = {
    "required": "required",
    "missing": "missing",
    "too_long": "too long",
    "range": "out of range",
    "control": "contains invisible control characters; remove them",
    "emoji": "contains emoji, which the departments' systems cannot store; remove them",
    "anonymous": "must be empty when anonymous is true",
    "phone": "not a phone number: a mobile has 11 digits starting with 1, a landline starts with its area code "
             "(e.g. 0731-84561234)",
    "phone_not_empty": 'must be empty when phone_kind is "none"',
    "choice": "not one of the allowed values",
    "direct": "must be empty when disposition is direct (a case closed directly is not dispatched)",
    "not_direct": "must be empty unless disposition is direct",
    "duplicate": "must not repeat an entry (or the lead department)",
    "type": "wrong type",
    "unknown": "unknown field",
    "not_normalised": "not in the normalised form this system stores",
}

# Where the field says more than its code.
FIELD_TEXTS: dict[tuple[str, str], str] = {
    ("form", "type"): "the case must be one JSON object",
    ("phone", "required"): 'required: give the caller\'s number, or set phone_kind to "none"',
    ("category", "required"): "required: a third-level category, level1/level2/level3 as in categories.csv",
    ("category", "choice"): "not a third-level category of this city (level1/level2/level3 as in categories.csv)",
    ("district", "required"): "required when dispatching, and before a street",
    ("district", "choice"): "not a district of this city (a name, alias or id from districts.toml)",
    ("street", "choice"): "not a street of that district (as districts.toml names it)",
    ("lead_department", "required"): "required when dispatching",
    ("lead_department", "choice"): "not a department of this city (a name or id from departments.toml)",
    ("cooperating_departments", "duplicate"): "must not include the lead department",
    ("cooperating_departments", "choice"): "not a department of this city (a name or id from departments.toml)",
}

_KINDS = {f.name: f.default for f in fields(CaseInput)}


def english_reason(err: ValidationError) -> str:
    """What is wrong, in plain English, from the error's field and code; unknown codes still read as words."""
    special = FIELD_TEXTS.get((err.field, err.code))
    if special:
        return special
    if err.code == "too_long" and err.field in MAX_LEN:
        return f"too long: at most {MAX_LEN[err.field]} characters"
    if err.code == "choice" and err.field in FIELD_CHOICES:
        codes = ", ".join(str(m.value) for m in FIELD_CHOICES[err.field])
        return f"not one of: {codes} (or their Chinese labels)"
    if err.code == "type" and err.field in _KINDS:
        default = _KINDS[err.field]
        kind = "true or false" if isinstance(default, bool) else "a list of text" if isinstance(default, tuple) \
            else "text"
        return f"wrong type: must be {kind}"
    return CODE_TEXTS.get(err.code, f"not accepted ({err.code})")


def cli_line(err: ValidationError) -> str:
    """`FIELD (表单标签): reason`: the field by its JSON name, the desk's label where the case form has one."""
    label = FIELD_LABELS.get(err.field)
    subject = f"{err.field} ({label})" if label else err.field
    return f"{subject}: {english_reason(err)}"
