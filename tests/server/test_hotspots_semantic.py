"""Hot spots by meaning: a case joins a group by its words when it arrives; once the server's worker has made the
cases' vectors it calls services/vector_hooks.cases_embedded, and each case's group is chosen again with them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case
from central_server.embedded import EmbeddedServer
from central_server.services.hotspot_config import HotspotConfigError, load_hotspot_config
from central_server.services.vector_hooks import cases_embedded
from semantic import Encoder
from tests.server.case_vectors import embed
from tests.server.test_hotspots import LIFT, T0, hotspots, push, setup

SMOKE_TEXT = "幸福家园小区3栋楼下新开了一家烧烤店，每天晚上营业到凌晨，油烟直接飘进楼上住户家里，窗户都不敢开。"
STALLS = "幸福家园小区门口的大排档天天夜里烟熏火燎，炭火味道呛得人睡不着觉，老人孩子咳嗽不止，请环保部门管一管。"
LIFT_TEXT = "幸福家园小区2号楼电梯近一个月停运了五次，有一次还把老人困在里面半小时，物业一直说在等配件，请督促维修。"
HOIST = "幸福家园小区的升降梯三天两头出故障，住高层的老人上不了楼，物业收了维修基金却不修，希望尽快解决。"
PARKING = "幸福家园小区地下车库停车费从每月150元涨到300元，没有经过业主大会同意，物业擅自涨价，请价格部门调查。"
FEE = "城乡建设/物业管理/物业收费"
DRAIN = "城乡建设/市政设施/积水内涝"


def _cases() -> list[dict[str, Any]]:
    return [
        {"at": T0, "content": SMOKE_TEXT, "address": "幸福家园小区3栋"},
        {"at": T0 + timedelta(hours=5), "content": STALLS, "address": "幸福家园小区"},
        {"at": T0 + timedelta(days=1), "content": LIFT_TEXT, "category": LIFT, "address": "幸福家园小区2栋"},
        {"at": T0 + timedelta(days=2), "content": HOIST, "category": LIFT, "address": "幸福家园小区"},
        {"at": T0 + timedelta(days=3), "content": PARKING, "category": FEE, "address": "幸福家园小区"},
    ]


def _embedded(database_url: str, case_ids: list[str]) -> None:
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            cases_embedded(session, case_ids)
    finally:
        engine.dispose()


def _groups(found: list[dict[str, Any]]) -> list[list[str]]:
    return sorted(sorted(c["number"] for c in h["cases"]) for h in found)


def test_cases_about_one_issue_in_other_words_group_once_they_have_vectors(
        server: EmbeddedServer, database_url: str, encoder: Encoder) -> None:
    api, seat, lead = setup(server)
    numbers = push(seat, _cases())
    smoke, stalls, lift, hoist, _parking = numbers
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=20)
    # by words the smoke and the stalls share nothing but the place
    assert all(sorted([smoke, stalls]) != g for g in _groups(hotspots(api, lead, start, end)))
    ids = embed(database_url, encoder, numbers)
    _embedded(database_url, ids)
    found = hotspots(api, lead, start, end)
    assert _groups(found) == sorted([sorted([smoke, stalls]), sorted([lift, hoist])])
    assert {h["place"] for h in found} == {"幸福家园"}
    assert all(h["size"] == 2 for h in found)
    _embedded(database_url, ids)  # the same cases again: nothing moves
    assert _groups(hotspots(api, lead, start, end)) == _groups(found)


def test_a_case_grouped_by_words_with_another_issue_leaves_for_its_own(
        server: EmbeddedServer, database_url: str, encoder: Encoder) -> None:
    api, seat, lead = setup(server)
    # the same words around another issue: a sewer, not the smoke
    sewer = "幸福家园小区3栋楼下烧烤店门口的下水道堵了半个月，污水漫到路面上，臭气熏天，行人只能绕着走。"
    numbers = push(seat, [{"at": T0, "content": SMOKE_TEXT, "address": "幸福家园小区3栋"},
                          {"at": T0 + timedelta(hours=2), "content": STALLS, "address": "幸福家园小区"},
                          {"at": T0 + timedelta(hours=4), "content": sewer, "address": "幸福家园小区3栋",
                           "category": DRAIN}])
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=20)
    by_words = _groups(hotspots(api, lead, start, end))
    ids = embed(database_url, encoder, numbers)
    _embedded(database_url, ids)
    assert _groups(hotspots(api, lead, start, end)) == [sorted(numbers[:2])]
    assert by_words != [sorted(numbers[:2])]


def test_cases_without_vectors_keep_their_groups(server: EmbeddedServer, database_url: str) -> None:
    """The encoder off (or not yet run): the hook is given cases that have no vector, and nothing moves."""
    api, seat, lead = setup(server)
    numbers = push(seat, _cases())
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=20)
    before = hotspots(api, lead, start, end)
    assert before  # the two lift cases share words and a category
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            ids = [c.id for c in session.scalars(select(Case).where(Case.number.in_(numbers)))]
            cases_embedded(session, ids)
    finally:
        engine.dispose()
    assert hotspots(api, lead, start, end) == before


def test_the_meaning_settings_are_checked(tmp_path: Path) -> None:
    shipped = load_hotspot_config(resources_dir(Settings()))
    assert shipped.group_cosine_floor < shipped.group_cosine_full and 0 < shipped.meaning_weight < 1
    (tmp_path / "lead").mkdir()
    (tmp_path / "lead" / "hotspots.toml").write_text(
        "[meaning]\nprobe_cosine_floor = 0.95\nprobe_cosine_full = 0.90\n", encoding="utf-8")
    with pytest.raises(HotspotConfigError, match="floor"):
        load_hotspot_config(tmp_path)
