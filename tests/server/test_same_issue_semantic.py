"""Same-issue candidates by meaning (GET /api/v1/cases/same-issue with the real sentence encoder): a complaint
about the same issue at the same place in other words is a candidate once the stored cases have their vectors;
unrelated content at the place is not; without the encoder, or without vectors, the answer is the words' one."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from semantic import Encoder, case_passage
from tests.server.api_client import Api, SeatClient
from tests.server.case_vectors import embed
from tests.server.conftest import ServerFactory
from tests.server.contact_builder import created, number_of, results

SMOKE = "市民来电反映，幸福家园小区3栋楼下新开了一家烧烤店，每天晚上营业到凌晨，油烟直接飘进楼上住户家里，窗户都不敢开。"
STALLS = "幸福家园小区门口的大排档天天夜里烟熏火燎，炭火味道呛得人睡不着觉，老人孩子咳嗽不止，请环保部门管一管。"
LIFT = "幸福家园小区2号楼电梯近一个月停运了五次，有一次还把老人困在里面半小时，物业一直说在等配件，请督促维修。"
HOIST = "幸福家园小区的升降梯三天两头出故障，住高层的老人上不了楼，物业收了维修基金却不修，希望尽快解决。"
PARKING = "幸福家园小区地下车库停车费从每月150元涨到300元，没有经过业主大会同意，物业擅自涨价，请价格部门调查。"


@pytest.fixture
def place(server_factory: ServerFactory) -> tuple[SeatClient, dict[str, str]]:
    """Three open cases at 幸福家园小区, about three issues; returns the seat and text name → number."""
    seat = SeatClient.register(Api(server_factory().url))
    plan = {"stalls": (STALLS, "幸福家园小区5栋"), "lift": (LIFT, "幸福家园小区2栋"),
            "parking": (PARKING, "幸福家园小区地下车库")}
    batch = [created(seat, i, i, phone=f"1370000{i:04d}", content=content, address=address)
             for i, (content, address) in enumerate(plan.values(), 1)]
    assert {r["status"] for r in results(seat.push(batch))} == {"applied"}
    return seat, {name: number_of(m) for name, m in zip(plan, batch, strict=True)}


def _ask(seat: SeatClient, content: str, address: str) -> list[dict[str, Any]]:
    resp = seat.api.get("/cases/same-issue", params={"content": content, "address": address, "district": "donghu"},
                        headers=seat.auth)
    assert resp.status_code == 200, resp.text
    return list(resp.json())


def test_the_same_issue_in_other_words_is_a_candidate_only_with_vectors(
        place: tuple[SeatClient, dict[str, str]], database_url: str, encoder: Encoder) -> None:
    seat, n = place
    # no case has its vector yet: the words decide, and they share nothing but the place
    assert _ask(seat, SMOKE, "幸福家园小区3栋") == []
    assert _ask(seat, HOIST, "幸福家园小区") == []
    embed(database_url, encoder, list(n.values()))
    smoke = _ask(seat, SMOKE, "幸福家园小区3栋")
    assert [c["number"] for c in smoke] == [n["stalls"]]
    assert smoke[0]["reasons"] == ["same_place"] and smoke[0]["score"] > 0
    assert [c["number"] for c in _ask(seat, HOIST, "幸福家园小区")] == [n["lift"]]


def test_unrelated_content_at_the_place_stays_out(place: tuple[SeatClient, dict[str, str]], database_url: str,
                                                  encoder: Encoder) -> None:
    seat, n = place
    embed(database_url, encoder, list(n.values()))
    assert _ask(seat, "幸福家园小区南门外的路灯坏了一个多星期，晚上黑漆漆的，行人经常摔倒，请路灯管理处尽快修好。",
                "幸福家园小区南门") == []


def test_without_the_encoder_the_answer_is_the_words_one(place: tuple[SeatClient, dict[str, str]],
                                                         database_url: str, encoder: Encoder,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    seat, n = place
    embed(database_url, encoder, list(n.values()))
    same_words = "幸福家园小区电梯近一个月停运了好几次，物业一直说在等配件"
    with_vectors = _ask(seat, same_words, "幸福家园小区")
    monkeypatch.setenv("OPERATOR_DESK_ENCODER", "off")  # a server whose encoder is off or cannot run
    assert _ask(seat, SMOKE, "幸福家园小区3栋") == []  # the vectors stored are not used
    words_only = _ask(seat, same_words, "幸福家园小区")
    assert [c["number"] for c in words_only] == [c["number"] for c in with_vectors] == [n["lift"]]


def test_while_the_worker_holds_the_encoder_the_words_answer_comes_at_once(
        place: tuple[SeatClient, dict[str, str]], database_url: str, encoder: Encoder) -> None:
    seat, n = place
    embed(database_url, encoder, list(n.values()))
    batch = threading.Thread(target=encoder.passages, args=([case_passage(LIFT * 4)] * 8,))  # seconds of work
    batch.start()
    time.sleep(0.2)
    busy = _ask(seat, SMOKE, "幸福家园小区3栋")
    still_encoding = batch.is_alive()
    batch.join()
    assert still_encoding, "the batch ended before the request: this machine is too fast for the test's batch"
    assert busy == []  # by words, without waiting for the batch
    # the abandoned encoding finishes after the batch; until then requests answer by words without queueing more
    deadline = time.monotonic() + 10
    while not (after := _ask(seat, SMOKE, "幸福家园小区3栋")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [c["number"] for c in after] == [n["stalls"]]
