"""The demo city loads; a broken file gives a message naming the file, the place and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from contract.city.loader import load_city
from operator_app.errors import ConfigError
from operator_app.paths import resources_dir


def test_demo_city_loads_and_is_consistent() -> None:
    city = load_city(resources_dir())
    assert len(city.categories.top_level()) == 15
    assert all(city.categories.is_leaf(leaf) for leaf in city.categories.leaves)
    assert all(d.government_department in city.departments for d in city.districts.values())
    roles = {op.role for op in city.roster.values()}
    assert roles == {"operator", "team_lead", "trainer"}


@pytest.fixture
def resources(tmp_path: Path) -> Path:
    root = tmp_path / "resources"
    shutil.copytree(resources_dir() / "city", root / "city")
    return root


def broken(resources: Path, file: str, old: str, new: str) -> ConfigError:
    path = resources / "city" / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_city(resources)
    return info.value


def test_missing_file(resources: Path) -> None:
    (resources / "city" / "roster.toml").unlink()
    with pytest.raises(ConfigError, match=r"roster.toml: file is missing"):
        load_city(resources)


def test_invalid_toml_names_the_file(resources: Path) -> None:
    err = broken(resources, "departments.toml", "[[department]]", "[[department]")
    assert err.file == "departments.toml" and "not valid TOML" in err.problem


def test_unknown_department_kind(resources: Path) -> None:
    err = broken(resources, "departments.toml", 'kind = "department"', 'kind = "ministry"')
    assert err.file == "departments.toml" and err.place.startswith("department #") and "kind" in err.place


def test_district_pointing_to_missing_government(resources: Path) -> None:
    err = broken(resources, "districts.toml", 'government_department = "', 'government_department = "nowhere_')
    assert err.file == "districts.toml" and "government_department" in err.place
    assert "not in departments.toml" in err.problem


def test_category_row_with_missing_cell(resources: Path) -> None:
    path = resources / "city" / "categories.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_city(resources)
    assert (info.value.file, info.value.place) == ("categories.csv", "line 5")


def test_deadline_rule_with_unknown_category_and_bad_hours(resources: Path) -> None:
    err = broken(resources, "deadline_rules.toml", 'category = "', 'category = "不存在/')
    assert err.file == "deadline_rules.toml" and "rule #1" in err.place and "not in categories.csv" in err.problem
    (resources / "city" / "deadline_rules.toml").write_text(
        "[default]\nrespond_hours = 30\nfinish_hours = 24\n[urgent_default]\nrespond_hours = 1\nfinish_hours = 2\n",
        encoding="utf-8")
    with pytest.raises(ConfigError, match="respond_hours must not exceed finish_hours"):
        load_city(resources)


def test_duplicate_operator_id(resources: Path) -> None:
    path = resources / "city" / "roster.toml"
    path.write_text(path.read_text(encoding="utf-8") +
                    '\n[[operator]]\nid = "1001"\nname = "重复"\nrole = "operator"\nteam = "一班"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate id '1001'"):
        load_city(resources)


def test_bad_seat_code(resources: Path) -> None:
    err = broken(resources, "city.toml", 'default_seat_code = "S001"', 'default_seat_code = "s 1"')
    assert err.place == "default_seat_code"


def test_cli_reports_broken_city_in_plain_words(resources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from operator_app.cli import main

    broken_text = (resources / "city" / "roster.toml").read_text(encoding="utf-8").replace('role = "operator"',
                                                                                          'role = "boss"', 1)
    (resources / "city" / "roster.toml").write_text(broken_text, encoding="utf-8")
    monkeypatch.setenv("OPERATOR_APP_RESOURCES", str(resources))
    assert main(["--data-dir", str(tmp_path / "d"), "outbox"]) == 3
    err = capsys.readouterr().err
    assert "roster.toml" in err and "role" in err and "must be one of" in err
