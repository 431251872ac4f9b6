"""Suggestions: categories mapped through the directory, fallback to the district government."""

from __future__ import annotations

import pytest

from operator_app.routing.directory import load_directory, load_gazetteer
from operator_app.routing.suggest import detect_district, suggest

from .helpers import FIXTURES, SHIPPED_MODEL, FixedModel

DIRECTORY = load_directory(FIXTURES / "routing_directory.toml")
GAZETTEER = load_gazetteer(FIXTURES / "districts.toml")


def run(ranked: list[tuple[str, float]], address: str = "", title: str = "物业收费", body: str = ""):
    return suggest(
        FixedModel(ranked),  # type: ignore[arg-type]
        DIRECTORY,
        GAZETTEER,
        title=title,
        body=body,
        address=address,
    )


def test_categories_map_to_lead_and_cooperating_departments() -> None:
    out = run([("城乡建设", 0.8), ("教育文体", 0.15), ("卫生计生", 0.05)], address="A2区东风街道8号")
    assert [s.category for s in out] == ["城乡建设", "教育文体", "卫生计生"]
    assert out[0].lead_department_id == "zjj" and out[0].district_id == "a2"
    assert out[1].lead_department_id == "jyj"
    assert out[1].cooperating_ids == ()  # "@district" as a cooperating entry is dropped
    assert out[2].lead_department_id == "a2gov"  # no route: the district government (属地兜底)
    assert any("属地兜底" in r for r in out[2].reasons)
    assert any("关键词" in r for r in out[0].reasons)
    assert out[0].confidence == 0.8


def test_district_lead_without_a_district_is_left_open() -> None:
    out = run([("环境保护", 0.9)], address="不知道在哪")
    assert out[0].lead_department_id is None and out[0].district_id is None
    assert out[0].cooperating_ids == ("sthjj",)
    assert any("手动" in r for r in out[0].reasons)


def test_address_wins_over_content_then_content_is_used() -> None:
    match = detect_district(GAZETTEER, address="A7县城关镇", title="A2区的问题", body="")
    assert match is not None and match.district.id == "a7" and match.source == "address"
    match = detect_district(GAZETTEER, address="", title="反映A2区的问题", body="")
    assert match is not None and match.district.id == "a2" and match.source == "content"


def test_no_text_no_suggestion() -> None:
    assert run([("城乡建设", 0.9)], title="", body="") == []


@pytest.mark.skipif(not (SHIPPED_MODEL / "manifest.json").is_file(), reason="no shipped model")
def test_with_the_shipped_model() -> None:
    from operator_app.routing.model import RoutingModel

    model = RoutingModel.load(SHIPPED_MODEL)
    out = suggest(model, DIRECTORY, GAZETTEER, title="学校周末违规补课收费", body="", address="A7县")
    assert len(out) == 3 and out[0].category == "教育文体" and out[0].lead_department_id == "jyj"
    assert out[0].district_id == "a7"
    for text in ("", "？？？", "hello world"):
        assert suggest(model, DIRECTORY, GAZETTEER, title=text, body=text, address=text) == []
