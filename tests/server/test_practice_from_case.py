"""POST /api/v1/practice/scenarios/from-case on a live server: a real case becomes a draft scenario with nothing
personal left in it, the read is audited without values, and only trainers may ask."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import AuditEvent
from central_server.embedded import EmbeddedServer
from contract.practice.scenario import Scenario
from contract.practice.scrub import find_personal
from tests.server.api_client import Api, SeatClient, assert_error, case_fields, count_rows

PATH = "/practice/scenarios/from-case"
CALLER = "欧阳丽君"
CONTENT = (
    "我叫欧阳丽君，住东湖区湖滨街道滨江花园三栋二单元五零一。"
    "楼下有辆车牌湘A·D12345的车和一辆粤b-12345天天堵在消防通道！"
    "我打了物业电话139-1234-5678，还有座机0731 8456 1234，物业的吴经理说不归他管。"
    "我身份证号430102 1990 0101 123x，我老公的手机幺三九 八七六五 四三二一，邮箱ouyang@example.com。"
    "从11月3号到现在7天了，物业费交了2400元。回电请打138   0000    0000"
)
REQUEST = "希望尽快派人把车挪走；以后别再堵了"
SECRETS = ["欧阳丽君", "丽君", "五零一", "D12345", "b-12345", "1234-5678", "8456", "吴经理", "123x", "九 八七六五",
           "ouyang", "13912345678", "13800000000", "0000    0000"]


def _push_case(seat: SeatClient, **changes: Any) -> str:
    mutation = seat.case_created(seat.next_number)  # seq and number both count up from 1
    payload = mutation["args"]["event"]["payload"]
    payload["fields"] = case_fields(**changes)
    if changes.get("disposition") == "direct":
        payload["respond_by"] = payload["finish_by"] = ""
        payload["citations"] = [{"id": "demo-018", "version": 1}]
    resp = seat.push([mutation])
    assert resp.status_code == 200, resp.text
    assert resp.json()["results"][0]["status"] in ("applied", "ok", "accepted"), resp.text
    return str(payload["number"])


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _audit_rows(database_url: str) -> list[AuditEvent]:
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(select(AuditEvent).where(AuditEvent.kind == "practice_case_read")))
    finally:
        engine.dispose()


def test_a_case_becomes_a_draft_with_nothing_personal_left(server: EmbeddedServer, database_url: str) -> None:
    api = Api(server.url)
    seat = SeatClient.register(api)
    number = _push_case(
        seat, caller_name=CALLER, content=CONTENT, request=REQUEST, category="政法/消防安全/消防通道堵塞",
        appeal_type="complaint", lead="xfzd", district="donghu", street="湖滨街道", address="滨江花园三栋",
        urgency="urgent", urgency_reason="消防通道堵塞", special_needs=["elderly"], cooperating_departments=["cgj"])
    cases_before = count_rows(database_url, "cases")

    resp = api.post(PATH, {"number": number}, headers=api.token("3001"))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    draft = body["draft"]

    for text in _strings(body):
        for secret in SECRETS:
            assert secret not in text, (secret, text)
    for line in draft["lines"]:
        assert find_personal(line["text"], allow=[draft["caller"]["name"], draft["caller"]["phone"]]) == []
    texts = [line["text"] for line in draft["lines"]]
    assert texts[0] == "我叫【姓名】，住东湖区湖滨街道滨江花园【门牌号】。"
    assert "消防通道" in texts[1] and texts[1].count("【车牌号】") == 2
    assert texts[-2:] == ["希望尽快派人把车挪走；", "以后别再堵了"]
    assert "7天" in texts[4] and "2400元" in texts[4] and "11月3号" in texts[4]
    assert texts[5] == "回电请打【电话】"  # the case's own phone, however it was spaced

    kinds = sorted(r["kind"] for r in body["replacements"])
    assert kinds == sorted(["name", "house_number", "plate", "plate", "phone", "phone", "name", "id_number",
                            "phone", "email", "phone"])
    for r in body["replacements"]:
        assert set(r) == {"kind", "placeholder", "line", "start", "end"}
        assert draft["lines"][r["line"]]["text"][r["start"]:r["end"]] == r["placeholder"]

    scenario = Scenario.from_dict(draft)
    assert scenario.id == "" and scenario.source == "case"
    assert scenario.caller.phone.startswith("1390000") and len(scenario.caller.phone) == 11
    assert scenario.caller.name and scenario.caller.special_needs == ("elderly",)
    assert "消防通道堵塞" in scenario.title
    key = draft["key"]
    assert key == {
        "category": "政法/消防安全/消防通道堵塞", "appeal_type": "complaint", "disposition": "dispatch",
        "urgency": "urgent", "lead_department": "xfzd", "cooperating_departments": ["cgj"], "district": "donghu",
        "street": "湖滨街道", "special_needs": ["elderly"],
        "required_fields": ["phone", "address", "street", "request", "urgency_reason"], "kb_article": ""}

    rows = _audit_rows(database_url)
    assert len(rows) == 1
    assert rows[0].user_id == "3001" and number in rows[0].detail
    for secret in SECRETS + ["滨江花园", "消防"]:
        assert secret not in rows[0].detail
    assert count_rows(database_url, "cases") == cases_before
    assert count_rows(database_url, "practice_scenarios") == 0  # a draft: nothing is saved


def test_a_case_closed_at_once_keys_its_cited_article(server: EmbeddedServer) -> None:
    api = Api(server.url)
    seat = SeatClient.register(api)
    number = _push_case(seat, disposition="direct", appeal_type="consult", content="物业费怎么收的？标准在哪公示？",
                        category="城乡建设/物业管理/物业收费")
    resp = api.post(PATH, {"number": number}, headers=api.token("3001"))
    assert resp.status_code == 200, resp.text
    key = resp.json()["draft"]["key"]
    assert key["disposition"] == "direct" and key["kb_article"] == "demo-018"
    assert key["lead_department"] == "" and "answer" in key["required_fields"]
    assert [line["text"] for line in resp.json()["draft"]["lines"]] == ["物业费怎么收的？", "标准在哪公示？"]


def test_unknown_and_practice_numbers_and_other_roles_are_refused(server: EmbeddedServer, database_url: str
                                                                  ) -> None:
    api = Api(server.url)
    seat = SeatClient.register(api)
    number = _push_case(seat)
    trainer = api.token("3001")
    assert_error(api.post(PATH, {"number": "S001-20260301-0999"}, headers=trainer), 404, "case_not_found")
    assert_error(api.post(PATH, {"number": "练-S001-20260301-0001"}, headers=trainer), 400, "practice_number")
    assert_error(api.post(PATH, {"number": "练-" + number}, headers=trainer), 400, "practice_number")
    for username in ("1001", "2001", "admin"):
        assert_error(api.post(PATH, {"number": number}, headers=api.token(username)), 403, "forbidden")
    assert_error(api.post(PATH, {"number": number}), 401)
    assert_error(api.post(PATH, {"number": ""}, headers=trainer), 422)
    assert_error(api.post(PATH, {"number": number, "extra": 1}, headers=trainer), 422)
    assert _audit_rows(database_url) == []


def test_a_long_run_on_content_is_cut_into_lines_that_fit_without_splitting_a_placeholder(
        server: EmbeddedServer) -> None:
    api = Api(server.url)
    seat = SeatClient.register(api)
    chunk = "楼上漏水到我家，找了物业好几次，电话13912345678，物业说找楼上，楼上说找物业"
    content = "，".join([chunk] * 40)  # about 1,700 characters without a full stop
    number = _push_case(seat, content=content, caller_name="张三")
    resp = api.post(PATH, {"number": number}, headers=api.token("3001"))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    lines = [line["text"] for line in body["draft"]["lines"]]
    assert len(lines) == 3 and all(len(text) <= 500 for text in lines)  # 1,479 characters once scrubbed
    assert "".join(lines).count("【电话】") == 40
    assert all(text.count("【") == text.count("】") for text in lines)
    assert not any("1391234" in text or "5678" in text for text in lines)
    assert len(body["replacements"]) == 40
    for r in body["replacements"]:
        assert lines[r["line"]][r["start"]:r["end"]] == "【电话】"
    Scenario.from_dict(body["draft"])

    # No comma to cut at, and the placeholder would straddle the 500th character: the cut moves before it.
    number = _push_case(seat, content="漏" * 497 + "13912345678" + "水" * 100, caller_name="张三")
    body = api.post(PATH, {"number": number}, headers=api.token("3001")).json()
    assert [line["text"] for line in body["draft"]["lines"]] == ["漏" * 497, "【电话】" + "水" * 100]
    assert body["replacements"] == [{"kind": "phone", "placeholder": "【电话】", "line": 1, "start": 0, "end": 4}]
