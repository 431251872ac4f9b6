"""Quality review (质检): the scoresheet and its checks, sampling per operator, scoring, who sees what, the trend."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import delete, update

from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.db.models import QualityReview, User
from central_server.services.quality_sheet import SHEET_FILE, load_scoresheet
from central_server.services.users import create_user
from contract.errors import ConfigError
from tests.server.api_client import PASSWORD, PREFIX, Api, SeatClient, assert_error
from tests.server.conftest import ServerFactory

# 一班: 1001, 1002 (operators), 2001 and 2003 (leads); 二班: 1011 (operator), 2002 (lead).
EXTRA_USERS = [("1011", "张丽华", "operator", "二班"), ("2002", "何志明", "team_lead", "二班"),
               ("2003", "罗美玲", "team_lead", "一班")]
RANGE = {"from": "2026-02-16T00:00:00+08:00", "to": "2026-03-16T00:00:00+08:00"}
FULL = {"intake_complete": 10, "category_correct": 10, "dispatch_correct": 10, "answer_standard": 10,
        "service_language": 5}


def _teams(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            session.execute(update(User).where(User.id.in_(["1001", "1002", "2001"])).values(team="一班"))
            session.commit()
            for username, name, role, team in EXTRA_USERS:
                create_user(session, username=username, name=name, role=role, password=PASSWORD, team=team)
    finally:
        engine.dispose()


def _clear_reviews(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(QualityReview))
    finally:
        engine.dispose()


class Desk:
    """A live server with the teams, a seat, and a token per person."""

    def __init__(self, server_factory: ServerFactory, database_url: str, **settings: object) -> None:
        _teams(database_url)
        self.database_url = database_url
        self.api = Api(server_factory(**settings).url)
        self.seat = SeatClient.register(self.api, operator="1001")
        for operator in ("1002", "1011"):
            self.seat.sign_in(operator)
        self.seq = 0
        self.tokens: dict[str, dict[str, str]] = {}

    def auth(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            self.tokens[user] = self.api.token(user)
        return self.tokens[user]

    def case(self, operator: str, accepted: str, *, urgency: str = "normal") -> str:
        """Push one case by `operator` accepted at `accepted` (ISO with offset); returns its number."""
        self.seq += 1
        mutation = self.seat.case_created(self.seq, operator=operator)
        event = mutation["args"]["event"]
        event["recorded_at"] = mutation["created_at"] = accepted
        if urgency == "urgent":
            event["payload"]["fields"].update(urgency="urgent", urgency_reason="水管爆裂")
        resp = self.seat.push([mutation])
        assert resp.status_code == 200 and resp.json()["results"][0]["status"] == "applied", resp.text
        return str(event["payload"]["number"])

    def get(self, path: str, user: str, **params: Any) -> requests.Response:
        return self.api.get(path, params=params, headers=self.auth(user))

    def post(self, path: str, user: str, body: Any) -> requests.Response:
        return self.api.post(path, body, headers=self.auth(user))

    def put(self, path: str, user: str, body: Any) -> requests.Response:
        return self.api.http.put(self.api.url + PREFIX + path, json=body, headers=self.auth(user), timeout=30)

    def sample(self, user: str = "2001", **body: Any) -> dict[str, Any]:
        resp = self.post("/lead/quality/sample", user, {**RANGE, **body})
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    def reviews(self, user: str = "2001") -> list[dict[str, Any]]:
        resp = self.get("/lead/quality/reviews", user, **RANGE)
        assert resp.status_code == 200, resp.text
        return list(resp.json())

    def score(self, review_id: str, scores: dict[str, int], comment: str = "", user: str = "2001"
              ) -> requests.Response:
        return self.put(f"/lead/quality/reviews/{review_id}", user, {"scores": scores, "comment": comment})


@pytest.fixture
def desk(server_factory: ServerFactory, database_url: str) -> Desk:
    return Desk(server_factory, database_url)


# --- the scoresheet ---------------------------------------------------------------------------------------------

GOOD_ITEM = 'id = "a"\ntitle = "受理信息完整"\ndescription = "齐全"\nmax_points = 10\n'


@pytest.mark.parametrize(("sheet", "place", "problem"), [
    ('version = "1"\ntitle = "t"\ntotal = 100\n', "the sheet", "no [[item]]"),
    ('version = "1"\ntitle = "t"\ntotal = 100\n[[item]]\n' + GOOD_ITEM + "weight = 60\n",
     "the sheet", "add up to 60, not to total = 100"),
    ('version = "1"\ntitle = "t"\ntotal = 100\n[[item]]\n' + GOOD_ITEM + "weight = 50\n[[item]]\n" + GOOD_ITEM
     + "weight = 50\n", "item 2 'a'", "used by an earlier item"),
    ('version = "1"\ntitle = "t"\ntotal = 100\n[[item]]\nid = "b"\ntitle = ""\ndescription = "d"\n'
     'max_points = 5\nweight = 100\n', "item 1 'b'", "title must be a non-empty text"),
    ('version = "1"\ntitle = "t"\ntotal = 100\n[[item]]\nid = "c"\ntitle = "x"\ndescription = "d"\n'
     'max_points = 0\nweight = 100\n', "item 1 'c'", "max_points must be a whole number from 1 to 100"),
    ('version = "1"\ntitle = "t"\ntotal = 100\n[[item]]\nid = "Bad Id"\n', "item 1", "needs an id"),
    ('version = "1"\ntitle = "t"\ntotal = 100\n[[item]]\n' + GOOD_ITEM + "weight = -100\n",
     "item 1 'a'", "weight must be a positive number"),
    ('version = "1"\ntitle = "t"\ntotal = 100\n[[item]]\n' + GOOD_ITEM + "weight = 100\npoints = 3\n",
     "item 1 'a'", "unknown keys: points"),
    ('version = "1\n', "", "not valid UTF-8 TOML"),
])
def test_a_broken_scoresheet_is_named_by_file_and_item(tmp_path: Path, sheet: str, place: str,
                                                        problem: str) -> None:
    (tmp_path / SHEET_FILE).parent.mkdir(parents=True)
    (tmp_path / SHEET_FILE).write_text(sheet, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_scoresheet(tmp_path)
    assert caught.value.file == str(tmp_path / SHEET_FILE)
    assert caught.value.place == place and problem in caught.value.problem
    assert str(tmp_path / SHEET_FILE) in str(caught.value)


def test_a_missing_scoresheet_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scoresheet.toml"):
        load_scoresheet(tmp_path)


def test_the_shipped_scoresheet_loads_and_is_served(desk: Desk) -> None:
    shipped = load_scoresheet(resources_dir(Settings()))
    assert sum(i.weight for i in shipped.items) == shipped.total == 100
    served = desk.get("/quality/scoresheet", "1001").json()  # operators read it too: it explains their scores
    assert [i["title"] for i in served["items"]] == ["受理信息完整", "分类准确", "派单准确", "答复规范", "服务用语"]
    assert served["sha256"] == shipped.sha256 and all(i["description"] for i in served["items"])
    assert_error(desk.api.get("/quality/scoresheet"), 401)


# --- sampling ---------------------------------------------------------------------------------------------------

def _numbers(reviews: list[dict[str, Any]]) -> list[str]:
    return sorted(r["case"]["number"] for r in reviews)


def test_sampling_takes_n_per_operator_of_the_team_and_never_twice(desk: Desk) -> None:
    mine = [desk.case("1001", f"2026-03-0{d}T10:00:00+08:00") for d in range(1, 6)]
    theirs = [desk.case("1002", f"2026-03-0{d}T11:00:00+08:00") for d in (2, 3)]
    desk.case("1001", "2026-03-20T10:00:00+08:00")  # after the range
    desk.case("1001", "2026-02-15T23:59:00+08:00")  # a minute before it
    other_team = [desk.case("1011", "2026-03-04T09:00:00+08:00") for _ in range(3)]
    first = desk.sample(per_operator=3, seed=7)
    got = Counter(r["operator_id"] for r in first["reviews"])
    assert got == {"1001": 3, "1002": 2}
    assert {(p["operator_id"], p["available"], p["sampled"]) for p in first["per_operator"]} == {
        ("1001", 5, 3), ("1002", 2, 2)}  # the lead (2001) is not sampled, nor anyone of 二班
    assert set(_numbers(first["reviews"])) <= set(mine + theirs)
    second = desk.sample(per_operator=3, seed=7)
    assert Counter(r["operator_id"] for r in second["reviews"]) == {"1001": 2}  # only the two left
    assert set(_numbers(first["reviews"])) | set(_numbers(second["reviews"])) == set(mine + theirs)
    assert desk.sample(per_operator=3)["reviews"] == []
    listed = desk.reviews()
    assert len(listed) == 7 and all(r["status"] == "pending" for r in listed)
    assert not set(_numbers(listed)) & set(other_team)
    row = listed[0]["case"]
    assert row["phone_masked"] == "138****0000" and row["caller_masked"] == "张*" and "phone" not in row
    assert row["content"] == "楼道灯坏了" and row["lead_department_name"]


def test_a_seed_makes_the_draw_reproducible(desk: Desk) -> None:
    for day in range(1, 10):
        desk.case("1001", f"2026-03-0{day}T10:00:00+08:00")
    draws = []
    for _ in range(2):
        draws.append(_numbers(desk.sample(per_operator=3, seed=42, operator_ids=["1001"])["reviews"]))
        _clear_reviews(desk.database_url)
    assert draws[0] == draws[1] and len(draws[0]) == 3
    for seed in (1, 2, 3):
        draws.append(_numbers(desk.sample(per_operator=3, seed=seed, operator_ids=["1001"])["reviews"]))
        _clear_reviews(desk.database_url)
    assert len({tuple(d) for d in draws}) > 1  # the seed matters: not always the same three


def test_sampling_from_a_filter(desk: Desk) -> None:
    urgent = desk.case("1001", "2026-03-03T10:00:00+08:00", urgency="urgent")
    for day in (4, 5, 6):
        desk.case("1001", f"2026-03-0{day}T10:00:00+08:00")
    result = desk.sample(per_operator=2, filter="urgent")
    assert _numbers(result["reviews"]) == [urgent]
    assert result["reviews"][0]["how"] == "urgent" and result["reviews"][0]["case"]["urgency_label"] == "紧急"
    assert_error(desk.post("/lead/quality/sample", "2001", {**RANGE, "per_operator": 2, "filter": "nope"}), 422)


def test_sampling_refuses_bad_ranges_and_strangers(desk: Desk) -> None:
    bad = {"from": RANGE["to"], "to": RANGE["from"], "per_operator": 1}
    assert_error(desk.post("/lead/quality/sample", "2001", bad), 422, "invalid_range")
    long = {"from": "2026-01-01T00:00:00+08:00", "to": "2026-06-01T00:00:00+08:00", "per_operator": 1}
    assert_error(desk.post("/lead/quality/sample", "2001", long), 422, "range_too_large")
    assert_error(desk.post("/lead/quality/sample", "2001", {**RANGE, "per_operator": 0}), 422)
    ancient = {"from": "0001-01-01T00:00:00+00:00", "to": "0001-01-03T00:00:00+00:00", "per_operator": 1}
    assert_error(desk.post("/lead/quality/sample", "2001", ancient), 422, "invalid_range")
    assert_error(desk.get("/lead/quality/reviews", "2001", **{"from": ancient["from"], "to": ancient["to"]}), 422)
    assert_error(desk.get("/lead/quality/trend", "2001", operator_id="1001", to="0001-01-03T00:00:00+00:00"), 422)
    stranger = {**RANGE, "per_operator": 1, "operator_ids": ["1011"]}  # of 二班
    assert_error(desk.post("/lead/quality/sample", "2001", stranger), 404, "operator_not_found")


# --- scoring ----------------------------------------------------------------------------------------------------

def _one_review(desk: Desk, operator: str = "1001", day: int = 3) -> dict[str, Any]:
    desk.case(operator, f"2026-03-{day:02d}T10:00:00+08:00")
    return desk.sample(per_operator=1, operator_ids=[operator])["reviews"][0]


def test_scores_stay_within_each_items_points_and_the_total_follows_the_weights(desk: Desk) -> None:
    review = _one_review(desk)
    path_id = review["id"]
    over = {**FULL, "service_language": 6}  # its max is 5
    assert_error(desk.score(path_id, over), 422, "points_out_of_range")
    assert_error(desk.score(path_id, {**FULL, "intake_complete": -1}), 422)
    missing = {k: v for k, v in FULL.items() if k != "answer_standard"}
    assert_error(desk.score(path_id, missing), 422, "scores_incomplete")
    assert_error(desk.score(path_id, {**FULL, "politeness": 3}), 422, "unknown_item")
    assert_error(desk.score(path_id, FULL, comment="坏\x00字"), 422, "invalid_comment")
    assert desk.reviews()[0]["status"] == "pending"  # nothing of the refused ones was kept
    # 10/10×25 + 8/10×20 + 6/10×25 + 9/10×20 + 4/5×10 = 25 + 16 + 15 + 18 + 8
    scores = {"intake_complete": 10, "category_correct": 8, "dispatch_correct": 6, "answer_standard": 9,
              "service_language": 4}
    resp = desk.score(path_id, scores, comment="派单单位选择有误，应派区住建局。")
    assert resp.status_code == 200, resp.text
    assert resp.json()["total"] == 82.0 and resp.json()["status"] == "scored"
    zero = dict.fromkeys(FULL, 0)
    assert desk.score(path_id, zero).json()["total"] == 0.0
    assert desk.score(path_id, FULL, comment=" 很好 ").json()["total"] == 100.0
    stored = desk.reviews()[0]
    assert stored["comment"] == "很好" and stored["scores"] == FULL and stored["scored_by"] == "2001"


def test_only_the_lead_who_scored_may_change_it(desk: Desk) -> None:
    review = _one_review(desk)
    assert desk.score(review["id"], FULL, user="2003").status_code == 200  # any lead of the team while pending
    assert_error(desk.score(review["id"], dict.fromkeys(FULL, 1), user="2001"), 403, "not_your_review")
    assert desk.score(review["id"], dict.fromkeys(FULL, 1), user="2003").json()["total"] == 11.0  # 2.5 + 2 + 2.5 + 2 + 2


def test_a_later_sheet_never_rewrites_old_scores(server_factory: ServerFactory, database_url: str,
                                                 tmp_path: Path) -> None:
    resources = tmp_path / "resources"
    shutil.copytree(resources_dir(Settings()), resources)
    desk = Desk(server_factory, database_url, resources_dir=resources)
    old, new = _one_review(desk, day=3), _one_review(desk, day=4)
    scores = {**FULL, "service_language": 0}
    assert desk.score(old["id"], scores).json()["total"] == 90.0
    old_hash = desk.get("/quality/scoresheet", "2001").json()["sha256"]
    sheet = resources / SHEET_FILE
    text = sheet.read_text(encoding="utf-8").replace('version = "2026.1"', 'version = "2026.2"')
    text = text.replace("max_points = 5\nweight = 10", "max_points = 5\nweight = 20")
    text = text.replace("max_points = 10\nweight = 25", "max_points = 10\nweight = 15", 1)  # 15+20+25+20+20
    sheet.write_text(text, encoding="utf-8")
    served = desk.get("/quality/scoresheet", "2001").json()
    assert served["version"] == "2026.2" and served["sha256"] != old_hash
    assert desk.score(new["id"], scores).json()["total"] == 80.0  # 15 + 20 + 25 + 20 + 0
    by_number = {r["case"]["number"]: r for r in desk.reviews()}
    kept = by_number[old["case"]["number"]]
    assert kept["total"] == 90.0 and kept["sheet"]["sha256"] == old_hash and kept["sheet"]["version"] == "2026.1"
    assert by_number[new["case"]["number"]]["sheet"]["version"] == "2026.2"
    sheet.write_text(text.replace("weight = 20", "weight = 21", 1), encoding="utf-8")
    broken = assert_error(desk.get("/quality/scoresheet", "2001"), 503, "scoresheet_invalid")
    assert "scoresheet.toml" in broken["message"]


# --- who sees what ----------------------------------------------------------------------------------------------

def test_an_operator_sees_only_their_own_scored_reviews(desk: Desk) -> None:
    mine, theirs = _one_review(desk, "1001", 3), _one_review(desk, "1002", 4)
    pending = _one_review(desk, "1001", 5)
    assert desk.score(mine["id"], FULL, comment="受理规范").status_code == 200
    assert desk.score(theirs["id"], dict.fromkeys(FULL, 2), comment="需加强").status_code == 200
    own = desk.get("/quality/mine", "1001").json()
    assert [r["id"] for r in own] == [mine["id"]] and pending["id"] not in {r["id"] for r in own}
    assert own[0]["comment"] == "受理规范" and own[0]["scores"] == FULL and own[0]["total"] == 100.0
    assert own[0]["scored_by_name"] == "黄秀英" and [i["title"] for i in own[0]["sheet"]["items"]][0] == "受理信息完整"
    assert [r["id"] for r in desk.get("/quality/mine", "1002").json()] == [theirs["id"]]
    assert desk.get("/quality/mine", "1011").json() == []


def test_another_teams_lead_gets_404_and_sees_none(desk: Desk) -> None:
    review = _one_review(desk, "1001")
    desk.case("1011", "2026-03-05T10:00:00+08:00")
    assert_error(desk.score(review["id"], FULL, user="2002"), 404, "review_not_found")
    assert_error(desk.score("no-such-review", FULL), 404, "review_not_found")
    assert_error(desk.get("/lead/quality/trend", "2002", operator_id="1001"), 404, "operator_not_found")
    stranger = {**RANGE, "per_operator": 1, "operator_ids": ["1001"]}
    assert_error(desk.post("/lead/quality/sample", "2002", stranger), 404, "operator_not_found")
    theirs = desk.sample("2002", per_operator=5)["reviews"]
    assert [r["operator_id"] for r in theirs] == ["1011"]
    assert [r["operator_id"] for r in desk.reviews("2002")] == ["1011"]
    assert [r["operator_id"] for r in desk.reviews("2001")] == ["1001"]


def test_an_operator_token_gets_403_on_every_lead_quality_route(desk: Desk) -> None:
    review = _one_review(desk)
    for user in ("1001", "3001"):
        assert_error(desk.post("/lead/quality/sample", user, {**RANGE, "per_operator": 1}), 403, "forbidden")
        assert_error(desk.get("/lead/quality/reviews", user, **RANGE), 403, "forbidden")
        assert_error(desk.score(review["id"], FULL, user=user), 403, "forbidden")
        assert_error(desk.get("/lead/quality/trend", user, operator_id="1001"), 403, "forbidden")
    assert desk.reviews()[0]["status"] == "pending"


# --- the trend --------------------------------------------------------------------------------------------------

def test_the_trend_averages_totals_per_iso_week_in_city_time(desk: Desk) -> None:
    # Weeks (Mondays, city time UTC+8): W08 2026-02-16, W09 02-23, W10 03-02, W11 03-09.
    totals = {
        "2026-02-17T10:00:00+08:00": dict.fromkeys(FULL, 5),  # W08: 12.5 + 10 + 12.5 + 10 + 10 = 55
        "2026-03-02T09:00:00+08:00": FULL,  # W10: 100
        "2026-03-08T23:30:00+08:00": {**FULL, "service_language": 0},  # W10 (Sunday night): 90
        "2026-03-09T00:30:00+08:00": dict.fromkeys(FULL, 0),  # W11 in city time, though still Sunday in UTC: 0
        "2026-03-12T10:00:00+08:00": {**FULL, "dispatch_correct": 6},  # W11: 90
    }
    for accepted in totals:
        desk.case("1001", accepted)
    desk.case("1001", "2026-03-11T10:00:00+08:00")  # sampled but never scored: not in the trend
    desk.case("1002", "2026-03-10T10:00:00+08:00")  # another operator's
    reviews = desk.sample(per_operator=10)["reviews"]
    for review in reviews:
        scores = totals.get(review["case"]["accepted_at"])
        if scores is not None or review["operator_id"] == "1002":
            assert desk.score(review["id"], scores or dict.fromkeys(FULL, 1)).status_code == 200
    trend = desk.get("/lead/quality/trend", "2001", operator_id="1001", weeks=4,
                     to="2026-03-15T23:59:00+08:00").json()
    assert trend["operator_id"] == "1001" and trend["name"] == "李晓梅"
    assert [(w["week"], w["start"], w["reviews"], w["average"]) for w in trend["weeks"]] == [
        ("2026-W08", "2026-02-16", 1, 55.0),
        ("2026-W09", "2026-02-23", 0, None),
        ("2026-W10", "2026-03-02", 2, 95.0),  # (100 + 90) / 2
        ("2026-W11", "2026-03-09", 2, 45.0),  # (0 + 90) / 2
    ]
    short = desk.get("/lead/quality/trend", "2001", operator_id="1001", weeks=1, to="2026-03-09T08:00:00+08:00")
    assert [w["average"] for w in short.json()["weeks"]] == [45.0]
    assert_error(desk.get("/lead/quality/trend", "2001", operator_id="1001", weeks=0), 422)
