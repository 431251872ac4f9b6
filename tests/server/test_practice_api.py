"""The practice API on a live server: the scenario library (who may author, versions, publish and retire),
assignments (teams expanded to their members), attempts (scored by the server, idempotent by id)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from sqlalchemy import select, update

from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.db.models import PracticeAttempt, User
from central_server.services.users import create_user
from contract.practice.files import load_scenario_dir, scenario_dir
from tests.server.api_client import PASSWORD, Api, assert_error, count_rows
from tests.server.conftest import ServerFactory

P = "/practice"
NUMBER = "练-S001-20261205-0001"


def demo_body(index: int = 0) -> dict[str, Any]:
    """A shipped demo scenario as a trainer would send it (no id: the server makes one)."""
    body = load_scenario_dir(scenario_dir(resources_dir(Settings())))[index].to_dict()
    return {**body, "id": "", "source": "authored"}


def right_answers(body: dict[str, Any]) -> dict[str, Any]:
    """The form filled exactly as the scenario's key wants (departments and district by id, as the form accepts)."""
    key = body["key"]
    return {"caller_name": body["caller"]["name"], "phone": body["caller"]["phone"], "appeal_type": key["appeal_type"],
            "category": key["category"], "district": key["district"], "street": key["street"],
            "address": "滨江花园小区北门", "content": "夜间施工噪音", "urgency": key["urgency"],
            "disposition": key["disposition"], "lead_department": key["lead_department"],
            "cooperating_departments": key["cooperating_departments"], "special_needs": key["special_needs"]}


class Desk:
    """A live server with a token per person; 1001 and 1002 are in 二班 with its lead 2002."""

    def __init__(self, server_factory: ServerFactory, database_url: str) -> None:
        engine = make_engine(database_url)
        try:
            with session_factory(engine)() as session:
                session.execute(update(User).where(User.id.in_(["1001", "1002"])).values(team="二班"))
                session.commit()
                create_user(session, username="2002", name="何志明", role="team_lead", password=PASSWORD,
                            team="二班")
        finally:
            engine.dispose()
        self.database_url = database_url
        self.api = Api(server_factory().url)
        self.auth = {who: self.api.token(who) for who in ("1001", "1002", "2001", "2002", "3001", "admin")}

    def post(self, who: str, path: str, body: Any = None) -> Any:
        return self.api.post(P + path, body, headers=self.auth[who])

    def put(self, who: str, path: str, body: Any) -> Any:
        return self.api.http.put(self.api.url + "/api/v1" + P + path, json=body, headers=self.auth[who], timeout=30)

    def get(self, who: str, path: str, **params: Any) -> Any:
        return self.api.get(P + path, headers=self.auth[who], params=params)

    def published(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        resp = self.post("3001", "/scenarios", body or demo_body())
        assert resp.status_code == 201, resp.text
        done = self.post("3001", f"/scenarios/{resp.json()['id']}/publish")
        assert done.status_code == 200, done.text
        return dict(done.json())

    def attempt(self, who: str, scenario: dict[str, Any], **changes: Any) -> Any:
        body = {"id": str(uuid.uuid4()), "scenario_id": scenario["id"], "scenario_version": scenario["version"],
                "assignment_id": None, "number": NUMBER, "answers": right_answers(scenario), "cited": [],
                "seconds": 95.5, "suggestions_shown": True, "started_at": "2026-12-05T09:00:00+08:00",
                "submitted_at": "2026-12-05T09:01:36+08:00", **changes}
        return self.post(who, "/attempts", body)


@pytest.fixture
def desk(server_factory: ServerFactory, database_url: str) -> Desk:
    return Desk(server_factory, database_url)


def test_only_trainers_author_and_only_trainees_attempt(desk: Desk) -> None:
    for who in ("1001", "2001", "admin"):
        assert_error(desk.post(who, "/scenarios", demo_body()), 403, "forbidden")
    scenario = desk.published()
    for who in ("1001", "2001"):
        assert_error(desk.post(who, f"/scenarios/{scenario['id']}/retire"), 403, "forbidden")
        assert_error(desk.put(who, f"/scenarios/{scenario['id']}", {**scenario}), 403, "forbidden")
        assert_error(desk.post(who, "/assignments", {"title": "t", "kind": "exercise",
                                                     "scenario_ids": [scenario["id"]], "trainees": ["1001"]}),
                     403, "forbidden")
    # A trainer does not hold PRACTICE: no attempts, no "mine"; an admin reads no scenarios.
    assert_error(desk.attempt("3001", scenario), 403, "forbidden")
    assert_error(desk.get("3001", "/attempts/mine"), 403, "forbidden")
    assert_error(desk.get("admin", "/scenarios"), 403, "forbidden")
    assert_error(desk.api.get(P + "/scenarios"), 401, "not_authenticated")
    assert count_rows(desk.database_url, "practice_attempts") == 0


def test_a_broken_scenario_is_refused_with_its_fields(desk: Desk) -> None:
    body = demo_body()
    body["key"] = {**body["key"], "category": ""}
    body["lines"] = []
    err = assert_error(desk.post("3001", "/scenarios", body), 422, "invalid_scenario")
    assert "key.category" in err["message"] and "lines" in err["message"]
    assert_error(desk.post("3001", "/scenarios", ["not", "a", "scenario"]), 422)
    nul = demo_body()
    nul["lines"][1] = {"text": "我住在\x00东湖区", "after_seconds": 0}
    err = assert_error(desk.post("3001", "/scenarios", nul), 422, "invalid_scenario")
    assert "lines[1].text" in err["message"]
    assert count_rows(desk.database_url, "practice_scenarios") == 0


def test_versions_are_saved_optimistically(desk: Desk) -> None:
    made = desk.post("3001", "/scenarios", demo_body())
    assert made.status_code == 201
    first = made.json()
    assert first["id"] and first["version"] == 1 and first["status"] == "draft"
    edited = {**first, "title": "夜间工地施工噪音（修订）"}
    saved = desk.put("3001", f"/scenarios/{first['id']}", edited)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2 and saved.json()["title"] == "夜间工地施工噪音（修订）"
    # A second trainer still holding version 1 loses: nothing is overwritten.
    stale = desk.put("3001", f"/scenarios/{first['id']}", {**first, "title": "旧稿覆盖"})
    assert_error(stale, 409, "version_conflict")
    now = desk.get("3001", f"/scenarios/{first['id']}").json()
    assert (now["version"], now["title"]) == (2, "夜间工地施工噪音（修订）")
    assert count_rows(desk.database_url, "practice_scenario_versions") == 2
    assert_error(desk.put("3001", "/scenarios/no-such", {**first, "id": ""}), 404, "scenario_not_found")
    assert_error(desk.put("3001", f"/scenarios/{first['id']}", {**now, "id": "other"}), 422, "id_mismatch")


def test_trainees_see_published_scenarios_only(desk: Desk) -> None:
    draft = desk.post("3001", "/scenarios", demo_body(0)).json()
    live = desk.published(demo_body(1))
    assert [s["id"] for s in desk.get("1001", "/scenarios").json()["scenarios"]] == [live["id"]]
    assert desk.get("1001", "/scenarios", status="all").json()["scenarios"][0]["id"] == live["id"]
    assert_error(desk.get("1001", f"/scenarios/{draft['id']}"), 404, "scenario_not_found")
    shown = desk.get("2001", f"/scenarios/{live['id']}").json()
    assert shown["status"] == "published" and shown["key"] == live["key"] and shown["lines"] == live["lines"]
    every = desk.get("3001", "/scenarios", status="all").json()["scenarios"]
    assert {(s["id"], s["status"]) for s in every} == {(draft["id"], "draft"), (live["id"], "published")}
    assert desk.post("3001", f"/scenarios/{live['id']}/retire").json()["status"] == "retired"
    assert desk.get("1001", "/scenarios").json()["scenarios"] == []
    assert_error(desk.get("1001", f"/scenarios/{live['id']}"), 404, "scenario_not_found")
    # Publishing again brings it back, with a body saved while published.
    desk.post("3001", f"/scenarios/{live['id']}/publish")
    desk.put("3001", f"/scenarios/{live['id']}", {**live, "title": "新标题"})
    again = desk.get("1002", "/scenarios").json()["scenarios"]
    assert [(s["title"], s["version"], s["status"]) for s in again] == [("新标题", 2, "published")]


def test_an_assignment_to_a_team_goes_to_its_members_then(desk: Desk) -> None:
    scenario = desk.published()
    draft = desk.post("3001", "/scenarios", demo_body(1)).json()
    body = {"title": "入门练习", "kind": "exercise", "scenario_ids": [scenario["id"]], "time_limit_seconds": None,
            "suggestions_off": False, "due_at": None, "trainees": ["2001"], "teams": ["二班"]}
    made = desk.post("3001", "/assignments", body)
    assert made.status_code == 201, made.text
    assert made.json()["assignees"] == ["1001", "1002", "2001", "2002"]
    assert made.json()["progress"] == {"assigned": 4, "finished": 0}
    # Who joins the team afterwards does not inherit it.
    engine = make_engine(desk.database_url)
    try:
        with session_factory(engine)() as session:
            create_user(session, username="1011", name="张丽华", role="operator", password=PASSWORD, team="二班")
    finally:
        engine.dispose()
    newcomer = desk.api.token("1011")
    assert desk.api.get(P + "/assignments", headers=newcomer).json() == {"assignments": []}
    mine = desk.get("1002", "/assignments").json()["assignments"]
    assert [(a["title"], a["scenario_ids"], a["done"]) for a in mine] == [("入门练习", [scenario["id"]], {})]
    assert_error(desk.post("3001", "/assignments", {**body, "scenario_ids": [draft["id"]]}), 422,
                 "scenario_not_published")
    assert_error(desk.post("3001", "/assignments", {**body, "trainees": ["3001"], "teams": []}), 422,
                 "not_a_trainee")
    assert_error(desk.post("3001", "/assignments", {**body, "trainees": ["1099"], "teams": []}), 422,
                 "not_a_trainee")
    assert_error(desk.post("3001", "/assignments", {**body, "teams": ["九班"]}), 422, "unknown_team")
    assert_error(desk.post("3001", "/assignments", {**body, "trainees": [], "teams": []}), 422, "no_trainees")
    assert_error(desk.post("3001", "/assignments", {**body, "kind": "quiz"}), 422, "invalid_request")
    assert count_rows(desk.database_url, "practice_assignments") == 1


def test_an_attempt_is_scored_by_the_server_once(desk: Desk) -> None:
    scenario = desk.published()
    attempt_id = str(uuid.uuid4())
    first = desk.attempt("1001", scenario, id=attempt_id)
    assert first.status_code == 200, first.text
    score = first.json()["score"]
    assert first.json()["id"] == attempt_id and score["total"] == 100.0 and not score["over_time"]
    assert {f["skill"] for f in score["fields"]} >= {"category", "lead_department", "district", "time"}
    # The same attempt again (a seat that did not hear the answer): the same answer, one row.
    again = desk.attempt("1001", scenario, id=attempt_id, answers={"category": "其他"})
    assert again.status_code == 200 and again.json() == first.json()
    assert count_rows(desk.database_url, "practice_attempts") == 1
    # Someone else's id: refused, the first one untouched.
    assert_error(desk.attempt("1002", scenario, id=attempt_id), 409, "attempt_conflict")
    mine = desk.get("1001", "/attempts/mine").json()["attempts"]
    assert [(a["id"], a["total"], a["title"]) for a in mine] == [(attempt_id, 100.0, scenario["title"])]
    assert desk.get("1002", "/attempts/mine").json() == {"attempts": []}


def test_a_seat_score_is_never_trusted(desk: Desk) -> None:
    scenario = desk.published()
    wrong = {**right_answers(scenario), "category": "城乡建设/物业管理/物业服务质量", "lead_department": "zjj"}
    forged = {"total": 100.0, "seconds": 1, "over_time": False, "fields": []}
    resp = desk.attempt("1001", scenario, answers=wrong, score=forged, total=100.0)
    assert resp.status_code == 200, resp.text
    total = resp.json()["score"]["total"]
    assert total < 100.0
    category = next(f for f in resp.json()["score"]["fields"] if f["skill"] == "category")
    assert (category["right"], category["expected"], category["given"]) == (
        False, scenario["key"]["category"], "城乡建设/物业管理/物业服务质量")
    engine = make_engine(desk.database_url)
    try:
        with session_factory(engine)() as session:
            row = session.scalars(select(PracticeAttempt)).one()
            assert row.total == total and row.score["total"] == total
            assert (row.expected_category, row.given_category) == (scenario["key"]["category"],
                                                                   "城乡建设/物业管理/物业服务质量")
            assert row.user_id == "1001" and row.number == NUMBER
    finally:
        engine.dispose()


def test_an_incomplete_exam_form_is_scored_but_a_misshapen_one_is_refused(desk: Desk) -> None:
    scenario = desk.published()
    timed_out = desk.attempt("1001", scenario, answers={"category": scenario["key"]["category"]}, seconds=400)
    assert timed_out.status_code == 200, timed_out.text
    assert timed_out.json()["score"]["over_time"] and 0 < timed_out.json()["score"]["total"] < 100
    assert_error(desk.attempt("1001", scenario, answers={"category": 7}), 422, "invalid_answers")
    assert_error(desk.attempt("1001", scenario, answers={"colour": "blue"}), 422, "invalid_answers")
    assert_error(desk.attempt("1001", scenario, answers={"category": "环境\x00保护"}), 422, "invalid_answers")
    assert_error(desk.attempt("1001", scenario, number="S001-20261205-0001"), 422, "not_practice_number")
    assert_error(desk.attempt("1001", scenario, scenario_version=9), 404, "scenario_not_found")
    assert_error(desk.attempt("1001", scenario, scenario_id="nope"), 404, "scenario_not_found")
    assert_error(desk.attempt("1001", scenario, id="not-a-uuid"), 422, "invalid_request")
    assert count_rows(desk.database_url, "practice_attempts") == 1


def test_assignment_attempts_use_its_time_limit_and_count_as_done(desk: Desk) -> None:
    scenario = desk.published()
    other = desk.published(demo_body(1))
    exam = desk.post("3001", "/assignments", {
        "title": "分类派单测验", "kind": "exam", "scenario_ids": [scenario["id"], other["id"]],
        "time_limit_seconds": 60, "suggestions_off": True, "trainees": ["1001"]}).json()
    slow = desk.attempt("1001", scenario, assignment_id=exam["id"], seconds=90, suggestions_shown=False)
    assert slow.status_code == 200, slow.text
    assert slow.json()["score"]["over_time"]  # 90 s is within the scenario's own 300 s, not the exam's 60 s
    fast = desk.attempt("1001", scenario, assignment_id=exam["id"], seconds=50)
    mine = desk.get("1001", "/assignments").json()["assignments"]
    assert mine[0]["done"] == {scenario["id"]: fast.json()["score"]["total"]}
    assert mine[0]["suggestions_off"] is True and mine[0]["time_limit_seconds"] == 60
    assert_error(desk.attempt("1002", scenario, assignment_id=exam["id"]), 403, "not_your_assignment")
    assert_error(desk.attempt("1001", scenario, assignment_id=str(uuid.uuid4())), 403, "not_your_assignment")
    progress = desk.get("3001", "/assignments").json()["assignments"][0]
    assert progress["assignees"] == ["1001"] and progress["progress"] == {"assigned": 1, "finished": 0}
    desk.attempt("1001", other, assignment_id=exam["id"])
    progress = desk.get("3001", "/assignments").json()["assignments"][0]
    assert progress["progress"] == {"assigned": 1, "finished": 1}


def test_a_scenario_body_is_stored_as_checked(desk: Desk) -> None:
    body = copy.deepcopy(demo_body())
    body["id"] = "my-own-id"
    body["lines"].append({"text": "  还有一件事。  ", "after_seconds": 5})
    made = desk.post("3001", "/scenarios", body)
    assert made.status_code == 201, made.text
    assert made.json()["id"] == "my-own-id" and made.json()["lines"][-1] == {"text": "还有一件事。",
                                                                              "after_seconds": 5.0}
    assert_error(desk.post("3001", "/scenarios", body), 409, "scenario_exists")
    assert_error(desk.post("3001", "/scenarios", {**body, "id": "bad id/with slash"}), 422, "invalid_scenario")
