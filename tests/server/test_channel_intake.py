"""Channel messages (网络渠道) on a real server: what POST /intake refuses and how re-posts are answered, who may do
what, the queue's order (special needs first, then oldest), claims (one holder, lapsing, release), 110/119/120
hand-offs, and the channel reading the case number once the case made from its message reached the server."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.server.api_client import Api, SeatClient, assert_error, count_rows
from tests.server.channel_helpers import GATEWAY, a_message, add_accounts, case_from
from tests.server.conftest import ServerFactory


def test_posting_validates_everything_and_is_idempotent(server_factory: ServerFactory, database_url: str) -> None:
    add_accounts(database_url)
    api = Api(server_factory().url)
    gw = api.token(GATEWAY)
    first = api.post("/intake", a_message(), headers=gw)
    assert first.status_code == 201, first.text
    again = api.post("/intake", a_message(text="改过的内容"), headers=gw)  # the gateway retried
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert api.post("/intake", a_message(channel="web"), headers=gw).status_code == 201  # another channel's id
    bad = [
        a_message("b1", channel="phone"), a_message("b2", channel="fax"),
        a_message("b3", text=""), a_message("b4", text="   \n "), a_message("b5", text="x" * 5001),
        a_message("b6", text="路灯\x00坏了"), a_message("b7", text="路灯\u202e坏了"),
        a_message("b8", contact={"name": "王\x07芳"}), a_message("b9", contact={"name": "王" * 31}),
        a_message("b10", contact={"phone": "12345"}), a_message("b11", contact={"email": "a@b.c"}),
        a_message("b12", special_needs=["vip"]), a_message("b13", received_at="2026-03-01T08:00:00"),
        a_message("bad id with spaces"), a_message("x" * 65), {**a_message("b14"), "extra": 1},
    ]
    for body in bad:
        assert_error(api.post("/intake", body, headers=gw), 422, "invalid_request")
    assert count_rows(database_url, "channel_messages") == 2
    kept = api.post("/intake", a_message("ok", text="  第一行\r\n第二行\t完  ", contact={"phone": "139-1234-5678"}),
                    headers=gw)
    assert kept.status_code == 201, kept.text
    claimed = api.post(f"/intake/{kept.json()['id']}/claim", headers=api.token("1001")).json()
    assert claimed["text"] == "第一行\n第二行\t完" and claimed["contact_phone"] == "13912345678"
    # Emoji are what citizens write on WeChat: kept as written (the desk leaves them out of the case form).
    assert api.post("/intake", a_message("emoji", text="路灯坏了😡"), headers=gw).status_code == 201


def test_who_may_do_what(server_factory: ServerFactory, database_url: str) -> None:
    add_accounts(database_url)
    api = Api(server_factory().url)
    gw, op, trainer = api.token(GATEWAY), api.token("1001"), api.token("3001")
    assert_error(api.post("/intake", a_message(), headers=op), 403, "forbidden")
    assert_error(api.post("/intake", a_message()), 401)
    assert api.post("/intake", a_message(), headers=api.token("admin")).status_code == 201
    msg = api.get("/intake/wechat/wx-1", headers=gw).json()
    assert_error(api.get("/intake/queue", headers=gw), 403, "forbidden")
    assert_error(api.get("/intake/queue", headers=trainer), 403, "forbidden")
    assert_error(api.post(f"/intake/{msg['id']}/claim", headers=gw), 403, "forbidden")
    assert_error(api.get("/intake/wechat/wx-1", headers=op), 403, "forbidden")
    assert_error(api.get("/intake/wechat/nope", headers=gw), 404, "message_not_found")
    assert_error(api.post("/intake/00000000-0000-0000-0000-000000000000/claim", headers=op), 404,
                 "message_not_found")
    assert api.get("/intake/queue", headers=api.token("2001")).status_code == 200  # team leads take them too


def test_queue_puts_special_needs_first_then_oldest_and_masks(server_factory: ServerFactory, database_url: str
                                                               ) -> None:
    add_accounts(database_url)
    api = Api(server_factory().url)
    gw = api.token(GATEWAY)
    now = datetime.now(UTC)
    for mid, minutes, needs in [("a", 30, []), ("b", 50, []), ("c", 10, ["elderly"]), ("d", 20, ["disabled"])]:
        body = a_message(mid, received_at=(now - timedelta(minutes=minutes)).isoformat(), special_needs=needs)
        assert api.post("/intake", body, headers=gw).status_code == 201
    items = api.get("/intake/queue", headers=api.token("1001")).json()["items"]
    assert [i["special_needs"] for i in items] == [["disabled"], ["elderly"], [], []]
    assert [i["waited_seconds"] // 60 for i in items] == [20, 10, 50, 30]
    assert {i["contact_phone_masked"] for i in items} == {"139****5678"}
    assert {i["contact_name_masked"] for i in items} == {"王*"}
    assert all("13912345678" not in str(i) for i in items)


def test_a_claim_is_exclusive_lapses_and_can_be_released(server_factory: ServerFactory, database_url: str) -> None:
    add_accounts(database_url)
    api = Api(server_factory(intake_claim_minutes=1.5 / 60).url)  # 1.5 seconds
    gw, one, two = api.token(GATEWAY), api.token("1001"), api.token("1002")
    mid = api.post("/intake", a_message(), headers=gw).json()["id"]
    assert api.post(f"/intake/{mid}/claim", headers=one).status_code == 200
    assert_error(api.post(f"/intake/{mid}/claim", headers=two), 409, "already_claimed")
    assert api.get("/intake/wechat/wx-1", headers=gw).json()["status"] == "claimed"
    assert [i["mine"] for i in api.get("/intake/queue", headers=one).json()["items"]] == [True]
    assert api.get("/intake/queue", headers=two).json()["items"] == []  # held by someone else: not offered
    assert_error(api.post(f"/intake/{mid}/release", headers=two), 409, "already_claimed")
    time.sleep(1.8)  # the first seat died: its claim lapses and the message is offered again
    assert [i["mine"] for i in api.get("/intake/queue", headers=two).json()["items"]] == [False]
    assert api.get("/intake/wechat/wx-1", headers=gw).json()["status"] == "waiting"
    assert api.post(f"/intake/{mid}/claim", headers=two).status_code == 200
    assert_error(api.post(f"/intake/{mid}/release", headers=one), 409, "already_claimed")
    released = api.post(f"/intake/{mid}/release", headers=two)
    assert released.json()["status"] == "waiting", released.text
    assert_error(api.post(f"/intake/{mid}/release", headers=two), 409, "not_claimed")
    assert api.post(f"/intake/{mid}/claim", headers=one).status_code == 200


def test_handoff_is_recorded_with_its_time_and_the_channel_sees_it(server_factory: ServerFactory,
                                                                    database_url: str) -> None:
    add_accounts(database_url)
    api = Api(server_factory().url)
    gw, op = api.token(GATEWAY), api.token("1001")
    mid = api.post("/intake", a_message(text="楼下着火了，有烟"), headers=gw).json()["id"]
    assert_error(api.post(f"/intake/{mid}/handoff", {"to": "119", "note": ""}, headers=op), 409, "not_claimed")
    api.post(f"/intake/{mid}/claim", headers=op)
    assert_error(api.post(f"/intake/{mid}/handoff", {"to": "911"}, headers=op), 422)
    assert_error(api.post(f"/intake/{mid}/handoff", {"to": "119", "note": "a\x00"}, headers=op), 422)
    before = datetime.now(UTC)
    done = api.post(f"/intake/{mid}/handoff", {"to": "119", "note": "已转119，告知留言人"}, headers=op)
    assert done.status_code == 200, done.text
    seen = api.get("/intake/wechat/wx-1", headers=gw).json()
    assert seen["status"] == "handed_off" and seen["handoff_to"] == "119" and seen["case_number"] is None
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(seen["closed_at"]) <= datetime.now(UTC)
    assert_error(api.post(f"/intake/{mid}/claim", headers=api.token("1002")), 409, "message_closed")
    assert api.get("/intake/queue", headers=op).json()["items"] == []


def test_the_channel_reads_the_number_once_the_case_arrived(server_factory: ServerFactory, database_url: str
                                                             ) -> None:
    add_accounts(database_url)
    api = Api(server_factory().url)
    gw = api.token(GATEWAY)
    mid = api.post("/intake", a_message(), headers=gw).json()["id"]
    seat = SeatClient.register(Api(api.url), operator="1001")
    api.post(f"/intake/{mid}/claim", headers=seat.auth)
    assert api.get("/intake/wechat/wx-1", headers=gw).json()["case_number"] is None
    pushed = seat.push([case_from(seat, 1, mid, operator="1001")]).json()
    assert pushed["results"][0]["status"] == "applied", pushed
    seen = api.get("/intake/wechat/wx-1", headers=gw).json()
    assert seen["status"] == "case" and seen["case_number"] == "S001-20260301-0001"
    assert_error(api.post(f"/intake/{mid}/claim", headers=api.token("1002")), 409, "message_closed")
    # A case naming a message its author does not hold is kept as a case; the message is left as it was.
    other = api.post("/intake", a_message("wx-2"), headers=gw).json()["id"]
    api.post(f"/intake/{other}/claim", headers=api.token("1002"))
    pushed = seat.push([case_from(seat, 2, other, operator="1001")]).json()
    assert pushed["results"][0]["status"] == "applied", pushed
    assert api.get("/intake/wechat/wx-2", headers=gw).json()["status"] == "claimed"
    assert count_rows(database_url, "cases") == 2
    bad = case_from(seat, 3, "not-a-uuid", operator="1001")
    assert seat.push([bad]).json()["results"][0]["status"] == "rejected"
