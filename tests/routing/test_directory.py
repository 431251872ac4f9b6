"""Routing directory lookups and district detection (fixture TOMLs, plus the city files when present)."""

from __future__ import annotations

from pathlib import Path

import pytest

from operator_app.routing.directory import (
    DISTRICT_LEAD,
    load_departments,
    load_directory,
    load_gazetteer,
)
from operator_app.routing.errors import DirectoryConfigError

from .helpers import FIXTURES, REPO


def test_longest_category_prefix_wins() -> None:
    directory = load_directory(FIXTURES / "routing_directory.toml")
    route = directory.lookup("城乡建设/物业管理/收费")
    assert route is not None and route.lead == "fgj" and route.cooperating == ("cgj",)
    route = directory.lookup("城乡建设/供水")
    assert route is not None and route.lead == "zjj"
    assert directory.lookup("城乡建设物业") is None  # whole segments only
    assert directory.lookup("卫生计生") is None
    assert directory.fallback_lead == DISTRICT_LEAD


def test_district_detection_prefers_the_longest_name() -> None:
    gazetteer = load_gazetteer(FIXTURES / "districts.toml")
    found = gazetteer.detect("A21区人民路5号")
    assert found is not None and found[0].id == "a21"
    found = gazetteer.detect("家住A2区东风街道")
    assert found is not None and found[0].id == "a2" and found[1] == "东风街道"
    found = gazetteer.detect("老城区菜市场")
    assert found is not None and found[0].id == "a2"
    assert gazetteer.detect("") is None
    assert gazetteer.detect("某市某路") is None


def test_a_street_shared_by_two_districts_says_nothing() -> None:
    gazetteer = load_gazetteer(FIXTURES / "districts.toml")
    assert gazetteer.detect("和平街道菜场") is None


def test_departments_are_read() -> None:
    assert load_departments(FIXTURES / "departments.toml")["zjj"] == "住房和城乡建设局"


def test_broken_files_give_plain_errors(tmp_path: Path) -> None:
    with pytest.raises(DirectoryConfigError, match="does not exist"):
        load_directory(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[route]]\ncategory = \n", encoding="utf-8")
    with pytest.raises(DirectoryConfigError, match="cannot be read"):
        load_directory(bad)
    bad.write_text('[[route]]\ncategory = "城乡建设"\n', encoding="utf-8")
    with pytest.raises(DirectoryConfigError, match="needs a category and a lead"):
        load_directory(bad)
    bad.write_text('[[district]]\nid = "x"\nname = "X区"\naliases = "not a list"\n', encoding="utf-8")
    with pytest.raises(DirectoryConfigError, match="list of strings"):
        load_gazetteer(bad)


@pytest.mark.skipif(
    not (REPO / "resources/city/routing_directory.toml").is_file(), reason="no city directory yet"
)
def test_city_files_parse_and_every_lead_is_a_known_department() -> None:
    city = REPO / "resources" / "city"
    directory = load_directory(city / "routing_directory.toml")
    departments = load_departments(city / "departments.toml")
    gazetteer = load_gazetteer(city / "districts.toml")
    assert directory.routes and gazetteer.districts
    for route in directory.routes:
        for dept in (route.lead, *route.cooperating):
            assert dept == DISTRICT_LEAD or dept in departments, dept
    for district in gazetteer.districts:
        assert district.government_department in departments
