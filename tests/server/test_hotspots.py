"""Hot spots (热点): cases grouped by place and content as they arrive, ranked by size and growth, 督办 suggested at
the threshold of resources/lead/hotspots.toml, and supervised as a group. Texts are the project's own."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case, CaseEvent
from central_server.embedded import EmbeddedServer
from tests.server.api_client import Api, SeatClient, assert_error, case_fields

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=TZ)
SMOKE = "环境保护/餐饮油烟/油烟扰民"
LIFT = "城乡建设/物业管理/电梯运行维护"
HOME = {"district": "donghu", "street": "湖滨街道"}
FAR = {"district": "xishan", "street": "枫林街道"}


def push(seat: SeatClient, cases: list[dict[str, Any]]) -> list[str]:
    """Push cases shaped as the seat makes them; each spec: at, content, address, category, closed, place."""
    mutations = []
    for spec in cases:
        m = seat.case_created(len(seat_sent(seat)) + 1, disposition="direct" if spec.get("closed") else "dispatch")
        seat_sent(seat).append(m)
        at = spec["at"].isoformat(timespec="milliseconds")
        event = m["args"]["event"]
        event["recorded_at"] = m["created_at"] = at
        changes = {"content": spec["content"], "address": spec.get("address", ""),
                   "category": spec.get("category", SMOKE), **spec.get("place", HOME)}
        event["payload"]["fields"] = case_fields(disposition="direct" if spec.get("closed") else "dispatch",
                                                 **changes)
        mutations.append(m)
    resp = seat.push(mutations)
    assert resp.status_code == 200, resp.text
    assert [r["status"] for r in resp.json()["results"]] == ["applied"] * len(mutations), resp.text
    return [m["args"]["event"]["payload"]["number"] for m in mutations]


_SENT: dict[str, list[dict[str, Any]]] = {}


def seat_sent(seat: SeatClient) -> list[dict[str, Any]]:
    return _SENT.setdefault(seat.seat_id, [])


def hotspots(api: Api, lead: dict[str, str], start: datetime, end: datetime, **params: Any) -> list[dict[str, Any]]:
    resp = api.get("/lead/hotspots", params={"from": start.isoformat(), "to": end.isoformat(), **params},
                   headers=lead)
    assert resp.status_code == 200, resp.text
    return list(resp.json())


def setup(server: EmbeddedServer) -> tuple[Api, SeatClient, dict[str, str]]:
    api = Api(server.url)
    return api, SeatClient.register(api), api.token("2001")


def test_same_complaint_in_other_words_groups_by_place_and_window(server: EmbeddedServer) -> None:
    api, seat, lead = setup(server)
    grill = "幸福家园3栋楼下新开的烧烤店每天晚上油烟很大，窗户都不敢开。"
    numbers = push(seat, [
        {"at": T0 - timedelta(days=60), "content": grill, "address": "东湖区湖滨街道幸福家园3栋"},  # outside
        {"at": T0, "content": grill, "address": "东湖区湖滨街道幸福家园3栋"},
        {"at": T0 + timedelta(days=2), "content": "小区门口烧烤摊半夜还在营业，烟熏得家里全是油烟味。",
         "address": "幸福家园小区12栋2单元"},
        {"at": T0 + timedelta(days=3), "content": "我是张三，幸福家园楼下烧烤店排油烟，晚上呛人，电话13800000000。",
         "address": "湖滨街道幸福家园"},
        {"at": T0 + timedelta(days=4), "content": "幸福家园电梯经常停运，老人上下楼很困难。", "category": LIFT,
         "address": "幸福家园5栋"},
        # the same words at a distant compound, twice: a group of its own
        {"at": T0 + timedelta(days=1), "content": grill.replace("幸福家园", "松涛花园"), "place": FAR,
         "address": "西山区枫林街道松涛花园5栋"},
        {"at": T0 + timedelta(days=5), "content": grill.replace("幸福家园", "松涛花园"), "place": FAR,
         "address": "松涛花园8栋"},
    ])
    found = hotspots(api, lead, T0 - timedelta(days=1), T0 + timedelta(days=29))
    by_place = {h["place"]: h for h in found}
    assert set(by_place) == {"幸福家园", "松涛花园"}  # the lift case is a group of one: no hot spot
    home = by_place["幸福家园"]
    assert sorted(c["number"] for c in home["cases"]) == sorted(numbers[1:4])  # the 60-day-old one is outside
    assert home["size"] == 3 and home["district"] == "东湖区"
    assert sorted(c["number"] for c in by_place["松涛花园"]["cases"]) == sorted(numbers[5:7])
    assert "张三" not in str(found) and "13800000000" not in str(found)
    # a range that holds only the old case has no hot spot
    assert hotspots(api, lead, T0 - timedelta(days=61), T0 - timedelta(days=59)) == []


def test_growing_group_ranks_before_an_equal_or_larger_fading_one(server: EmbeddedServer) -> None:
    api, seat, lead = setup(server)
    fading = [{"at": T0 + timedelta(days=d), "content": "南门街道白沙湾菜市场门口占道经营，垃圾堆在路边。",
               "address": "白沙湾菜市场", "place": {"district": "nanhe", "street": "南门街道"},
               "category": "城乡建设/市容环卫/占道经营"} for d in (0, 1, 2, 3)]
    growing = [{"at": T0 + timedelta(days=d), "content": "桃源街道翠湖苑地下车库积水，车开不进去。",
                "address": "翠湖苑", "category": "城乡建设/物业管理/物业服务质量"} for d in (20, 22, 25)]
    push(seat, fading + growing)
    found = hotspots(api, lead, T0, T0 + timedelta(days=30))
    assert [(h["place"], h["size"], h["growth"]) for h in found] == [("翠湖苑", 3, 3), ("白沙湾菜市场", 4, -4)]
    assert len(hotspots(api, lead, T0, T0 + timedelta(days=30), limit=1)) == 1


def test_supervision_is_suggested_at_three_within_thirty_days(server: EmbeddedServer) -> None:
    api, seat, lead = setup(server)
    noisy = {"content": "观澜街道锦绣华庭工地夜间施工噪音扰民，凌晨还在打桩。", "address": "锦绣华庭",
             "category": "环境保护/噪音扰民/施工噪音", "place": {"district": "xishan", "street": "观澜街道"}}
    spread = {"content": "青石街道石桥新村路灯不亮，晚上走路看不见。", "address": "石桥新村",
              "category": "城乡建设/市政设施/路灯不亮", "place": {"district": "donghu", "street": "青石街道"}}
    push(seat, [{**noisy, "at": T0}, {**noisy, "at": T0 + timedelta(days=3)},
                {**spread, "at": T0}, {**spread, "at": T0 + timedelta(days=20)}])
    window = (T0 - timedelta(days=1), T0 + timedelta(days=60))
    assert [h["suggested_supervision"] for h in hotspots(api, lead, *window)] == [False, False]
    push(seat, [{**noisy, "at": T0 + timedelta(days=10)}, {**spread, "at": T0 + timedelta(days=45)}])
    found = {h["place"]: h for h in hotspots(api, lead, *window)}
    assert found["锦绣华庭"]["size"] == 3 and found["锦绣华庭"]["suggested_supervision"] is True
    # three cases, but never three within 30 days
    assert found["石桥新村"]["size"] == 3 and found["石桥新村"]["suggested_supervision"] is False


def test_supervise_appends_to_open_cases_only(server: EmbeddedServer, database_url: str) -> None:
    api, seat, lead = setup(server)
    spec = {"content": "柳岸街道金桂园小区垃圾清运不及时，楼下堆满垃圾发臭。", "address": "金桂园",
            "category": "城乡建设/市容环卫/垃圾清运"}
    numbers = push(seat, [{**spec, "at": T0}, {**spec, "at": T0 + timedelta(days=1), "closed": True},
                          {**spec, "at": T0 + timedelta(days=2)}])
    (spot,) = hotspots(api, lead, T0, T0 + timedelta(days=30))
    resp = api.post(f"/lead/hotspots/{spot['id']}/supervise", {"reason": "同一小区反复投诉，请加快清运"}, headers=lead)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["supervised_cases"] == 2 and body["skipped_closed"] == 1
    assert sorted(body["numbers"]) == sorted([numbers[0], numbers[2]])
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(select(Case.number, CaseEvent.payload, CaseEvent.operator_id).join(
                Case, Case.id == CaseEvent.case_id).where(CaseEvent.kind == "supervised")).all()
    finally:
        engine.dispose()
    assert sorted(r[0] for r in rows) == sorted([numbers[0], numbers[2]])
    assert all(r[1]["reason"] == "同一小区反复投诉，请加快清运" and r[2] == "2001" for r in rows)
    (after,) = hotspots(api, lead, T0, T0 + timedelta(days=30))
    assert after["supervised"] is True and after["suggested_supervision"] is False


def test_operators_are_refused_and_bad_input_is_explained(server: EmbeddedServer) -> None:
    api, seat, lead = setup(server)
    operator = api.token("1001")
    some_id = "00000000-0000-4000-8000-000000000000"
    params = {"from": T0.isoformat(), "to": (T0 + timedelta(days=30)).isoformat()}
    assert_error(api.get("/lead/hotspots", params=params, headers=operator), 403, "forbidden")
    assert_error(api.post(f"/lead/hotspots/{some_id}/supervise", {"reason": "请督办"}, headers=operator), 403,
                 "forbidden")
    assert_error(api.get("/lead/hotspots", params=params), 401)
    assert_error(api.get("/lead/hotspots", params={"from": "yesterday", "to": params["to"]}, headers=lead), 422)
    assert_error(api.get("/lead/hotspots", params={"to": params["to"]}, headers=lead), 422)
    assert_error(api.get("/lead/hotspots", params={**params, "limit": 0}, headers=lead), 422)
    assert_error(api.post(f"/lead/hotspots/{some_id}/supervise", {"reason": "  "}, headers=lead), 422)
    assert_error(api.post(f"/lead/hotspots/{some_id}/supervise", {}, headers=lead), 422)
    assert_error(api.post("/lead/hotspots/not-an-id/supervise", {"reason": "请督办"}, headers=lead), 422)
    assert_error(api.post(f"/lead/hotspots/{some_id}/supervise", {"reason": "请督办"}, headers=lead), 404,
                 "hotspot_not_found")
    # a reversed range is empty, not an error
    assert hotspots(api, lead, T0 + timedelta(days=1), T0) == []


def test_a_corrected_case_moves_to_the_group_of_its_new_place(server: EmbeddedServer, database_url: str) -> None:
    """The correction path (the seat's `corrected` event, another part of this issue) calls reassign_case."""
    from central_server.core.city import load_city_facts
    from central_server.core.config import Settings, resources_dir
    from central_server.services.hotspot_assign import reassign_case

    api, seat, lead = setup(server)
    lift = {"content": "金桂园5栋电梯经常停运，老人上下楼困难。", "address": "金桂园5栋", "category": LIFT}
    numbers = push(seat, [{**lift, "at": T0}, {**lift, "at": T0 + timedelta(days=1)},
                          {**lift, "address": "翠湖苑2栋", "content": lift["content"].replace("金桂园", "翠湖苑"),
                           "at": T0 + timedelta(days=2)}])
    window = (T0, T0 + timedelta(days=30))
    assert [(h["place"], h["size"]) for h in hotspots(api, lead, *window)] == [("金桂园", 2)]
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            case = session.scalars(select(Case).where(Case.number == numbers[2])).one()
            fields = {**case.fields, "address": "金桂园5栋", "content": lift["content"]}  # the operator's correction
            case.fields = fields
            row = {"id": case.id, "created_at": case.created_at, "fields": fields}
            reassign_case(session, row, load_city_facts(resources_dir(Settings())).city)
            session.commit()
    finally:
        engine.dispose()
    assert [(h["place"], h["size"]) for h in hotspots(api, lead, *window)] == [("金桂园", 3)]


def test_a_case_that_was_alone_counts_once_a_second_one_joins_it(server: EmbeddedServer) -> None:
    api, seat, lead = setup(server)
    spec = {"content": "南河区白沙街道碧水湾小区门口井盖缺失，晚上有人踩空。", "address": "碧水湾",
            "category": "城乡建设/市政设施/井盖缺失破损", "place": {"district": "nanhe", "street": "白沙街道"}}
    first = push(seat, [{**spec, "at": T0}])
    window = (T0, T0 + timedelta(days=30))
    assert hotspots(api, lead, *window) == []  # a group of one is not a hot spot
    second = push(seat, [{**spec, "at": T0 + timedelta(days=1)}])
    (spot,) = hotspots(api, lead, *window)
    assert spot["size"] == 2 and sorted(c["number"] for c in spot["cases"]) == sorted(first + second)


def test_place_keys_ignore_house_numbers_suffixes_and_prefixes() -> None:
    from central_server.services.hotspot_place import place_of

    names = ("东湖区", "东湖", "湖滨街道")

    def key(address: str = "", content: str = "") -> str:
        return place_of(district="donghu", street="", address=address, content=content, admin_names=names).key

    same_compound = {key("幸福家园3栋2单元501"), key("东湖区湖滨街道幸福家园小区12栋"), key("幸福家园三期"),
                     key(content="投诉东湖区幸福家园楼下烧烤店油烟大"), key("万科幸福家园5号楼")}
    assert same_compound == {"p:幸福家园"}
    assert key("人民大道128号") == key("人民路东段5号") == key("人民街") == "p:人民路"
    assert key("联丰路米兰春天G2栋320") == "p:米兰春天"
    assert key("松涛花园5栋") != key("幸福家园5栋")
    # no compound or road named: only the district (and street) — a broad place
    broad = place_of(district="donghu", street="湖滨街道", address="", content="请加快全市垃圾分类进度",
                     admin_names=names)
    assert (broad.key, broad.specific) == ("d:donghu|湖滨街道", False)


def test_a_compound_of_the_same_name_in_another_district_is_another_place(server: EmbeddedServer) -> None:
    """Compound names recur across a city: the same complaint at 新桥村安置小区 of two districts is two hot spots."""
    api, seat, lead = setup(server)
    lamp = "新桥村安置小区门口的路灯坏了一个星期，晚上出行很不安全。"
    numbers = push(seat, [
        {"at": T0 + timedelta(hours=h), "content": lamp, "address": "新桥村安置小区", "place": place}
        for h, place in ((0, HOME), (1, FAR), (2, HOME), (3, FAR))])
    found = hotspots(api, lead, T0 - timedelta(days=1), T0 + timedelta(days=1))
    groups = sorted(sorted(c["number"] for c in h["cases"]) for h in found)
    assert groups == sorted([sorted(numbers[0::2]), sorted(numbers[1::2])])
