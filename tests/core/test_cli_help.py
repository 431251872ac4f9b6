"""`operator-app case new --help` names every field of the case JSON and the allowed codes of each closed list."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

import contract.case_fields
from contract.case_fields import MAX_LEN, CaseInput, validate_case
from contract.city.model import City
from contract.enums import LabeledEnum
from contract.errors import ValidationErrors
from operator_app.cli import main
from operator_app.cli_case_help import CHOICES
from tests.core.helpers import dispatch_form


def _help(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(["case", "new", "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def _field_line(text: str, name: str) -> str:
    """The help's block for one field: from its name at the start of a line to the next field."""
    match = re.search(rf"^  {name}\b.*?(?=^  [a-z_]+\b|\Z)", text, re.M | re.S)
    assert match, f"{name} not listed"
    return " ".join(match.group(0).split())


def test_help_lists_every_field_with_its_type_and_limit(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys)
    for f in fields(CaseInput):
        line = _field_line(text, f.name)
        kind = {bool: "true/false", tuple: "list"}.get(type(f.default), "text")
        assert kind in line, (f.name, line)
        if f.name in MAX_LEN:
            assert f"{MAX_LEN[f.name]} characters" in line, (f.name, line)


def test_help_lists_the_allowed_codes_of_each_closed_list(capsys: pytest.CaptureFixture[str]) -> None:
    used = {v for v in vars(contract.case_fields).values() if isinstance(v, type) and issubclass(v, LabeledEnum)
            and v is not LabeledEnum}
    assert set(CHOICES.values()) == used  # every vocabulary the case form's validation uses, nothing else
    text = _help(capsys)
    for name, enum_cls in CHOICES.items():
        line = _field_line(text, name)
        for member in enum_cls:
            assert re.search(rf"\b{member.value}\b", line), (name, member.value, line)


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_the_listed_codes_are_the_ones_validation_accepts(city: City, name: str) -> None:
    """The fields the help gives a closed list for are the ones validation checks against that list."""
    form = dispatch_form(city).to_dict()
    for member in CHOICES[name]:
        form[name] = [member.value] if name == "special_needs" else member.value
        errors: list[object] = []
        try:
            validate_case(CaseInput.from_mapping(form), city)
        except ValidationErrors as exc:
            errors = [e for e in exc.errors if e.field == name and e.code == "choice"]
        assert errors == [], (name, member.value)
    form[name] = ["no-such-code"] if name == "special_needs" else "no-such-code"
    with pytest.raises(ValidationErrors) as exc:
        validate_case(CaseInput.from_mapping(form), city)
    assert any(e.field == name and e.code == "choice" for e in exc.value.errors)
