"""The issue's "done when" for the channel queue: 20 messages claimed by 4 seats at once on a real server over
loopback — each claimed exactly once, each becomes exactly one case, and a seat without the centre claims nothing."""

from __future__ import annotations

import socket
import threading
from collections import Counter

import pytest
import requests

from tests.server.api_client import Api, SeatClient, count_rows
from tests.server.channel_helpers import GATEWAY, a_message, add_accounts, case_from
from tests.server.conftest import ServerFactory

MESSAGES = 20
OPERATORS = ("1001", "1002", "1003", "1004")


def _seat_works(seat: SeatClient, operator: str, start: threading.Barrier, claims: list[tuple[str, str]],
                refused: Counter[str], errors: list[str]) -> None:
    """Claim from the top of the queue (as every seat does: all race for the same message) and push a case for
    each message won, until the queue has nothing left."""
    start.wait()
    seq = 1
    while True:
        items = [i for i in seat.api.get("/intake/queue", headers=seat.auth).json()["items"] if not i["mine"]]
        if not items:
            return
        for item in items:
            resp = seat.api.post(f"/intake/{item['id']}/claim", headers=seat.auth)
            if resp.status_code == 409:
                refused[resp.json()["error"]] += 1
                continue
            if resp.status_code != 200:
                errors.append(resp.text)
                return
            claims.append((item["id"], operator))
            pushed = seat.push([case_from(seat, seq, item["id"], operator=operator)]).json()
            if pushed["results"][0]["status"] != "applied":
                errors.append(str(pushed))
            seq += 1
            break


def test_twenty_messages_four_seats_at_once(server_factory: ServerFactory, database_url: str) -> None:
    add_accounts(database_url, operators=OPERATORS[2:])
    api = Api(server_factory().url)
    gw = api.token(GATEWAY)
    for n in range(MESSAGES):
        channel = ("wechat", "app", "web")[n % 3]
        resp = api.post("/intake", a_message(f"m{n}", channel=channel, special_needs=["elderly"] if n % 7 == 0
                                             else []), headers=gw)
        assert resp.status_code == 201, resp.text
    seats = [SeatClient.register(Api(api.url), operator=op, seat_code=f"S{i:03d}")
             for i, op in enumerate(OPERATORS, start=1)]
    start = threading.Barrier(len(seats))
    claims: list[tuple[str, str]] = []
    refused: Counter[str] = Counter()
    errors: list[str] = []
    threads = [threading.Thread(target=_seat_works, args=(seat, op, start, claims, refused, errors))
               for seat, op in zip(seats, OPERATORS, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert len(claims) == MESSAGES and len({mid for mid, _ in claims}) == MESSAGES  # each claimed exactly once
    assert refused and set(refused) <= {"already_claimed", "message_closed"}  # the seats did race
    assert count_rows(database_url, "cases") == MESSAGES
    numbers = []
    for n in range(MESSAGES):
        channel = ("wechat", "app", "web")[n % 3]
        seen = api.get(f"/intake/{channel}/m{n}", headers=gw).json()
        assert seen["status"] == "case", seen
        numbers.append(seen["case_number"])
    assert len(set(numbers)) == MESSAGES  # each message is its own case
    by_operator = Counter(op for _, op in claims)
    assert sum(by_operator.values()) == MESSAGES


def test_a_seat_without_the_centre_claims_nothing(server_factory: ServerFactory, database_url: str) -> None:
    add_accounts(database_url)
    api = Api(server_factory().url)
    mid = api.post("/intake", a_message(), headers=api.token(GATEWAY)).json()["id"]
    auth = api.token("1001")
    with socket.socket() as s:  # a port nobody listens on: the seat's link to the centre is down
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(requests.ConnectionError):
        Api(dead).post(f"/intake/{mid}/claim", headers=auth)
    assert api.get("/intake/wechat/wx-1", headers=api.token(GATEWAY)).json()["status"] == "waiting"
    assert api.post(f"/intake/{mid}/claim", headers=api.token("1002")).status_code == 200
