"""The telephony adapter: events posted to the desk's local endpoint reach the callback, normalised; bad input is
refused with 400 and plain words (never the number); `operator-app cti simulate` plays whole calls."""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from operator_app.cli import main as cli_main
from operator_app.cti.events import CallEvent
from operator_app.cti.listener import EVENTS_PATH, CtiListener

GOOD = {"event": "ringing", "call_id": "c-1", "caller": "139 0000 1234", "channel": "hotline",
        "at": "2026-03-02T09:00:00+08:00"}


@pytest.fixture
def desk() -> Iterator[tuple[CtiListener, list[CallEvent]]]:
    received: list[CallEvent] = []
    listener = CtiListener(received.append, port=0).start()
    try:
        yield listener, received
    finally:
        listener.stop()


def post(port: int, body: bytes, *, path: str = EVENTS_PATH, method: str = "POST") -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body if method == "POST" else None,
                                 method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_events_reach_the_desk_normalised(desk: tuple[CtiListener, list[CallEvent]]) -> None:
    listener, received = desk
    for kind in ("ringing", "answered", "ended"):
        status, body = post(listener.port, json.dumps({**GOOD, "event": kind}).encode())
        assert (status, body) == (200, {"accepted": True})
    assert [e.event for e in received] == ["ringing", "answered", "ended"]
    assert {e.caller for e in received} == {"13900001234"}
    assert received[0].call_id == "c-1" and received[0].at.utcoffset() is not None
    status, _ = post(listener.port, json.dumps({**GOOD, "caller": ""}).encode())
    assert status == 200 and received[-1].caller == ""  # a withheld number


@pytest.mark.parametrize(("body", "words"), [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "JSON object"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "call_id"}).encode(), "missing field(s): call_id"),
    (json.dumps({**GOOD, "extra": "x"}).encode(), "unknown field(s): extra"),
    (json.dumps({**GOOD, "event": "hangup"}).encode(), "event must be one of"),
    (json.dumps({**GOOD, "call_id": "a b"}).encode(), "call_id"),
    (json.dumps({**GOOD, "caller": "1390000123"}).encode(), "caller is not"),
    (json.dumps({**GOOD, "at": "2026-03-02T09:00:00"}).encode(), "UTC offset"),
    (json.dumps({**GOOD, "at": "yesterday"}).encode(), "ISO-8601"),
    (json.dumps({**GOOD, "channel": 5}).encode(), "JSON string"),
    (b"x" * 5000, "larger than"),
])
def test_bad_events_are_refused_in_plain_words(desk: tuple[CtiListener, list[CallEvent]], body: bytes,
                                               words: str, caplog: pytest.LogCaptureFixture,
                                               capfd: pytest.CaptureFixture[str]) -> None:
    listener, received = desk
    caplog.set_level(logging.DEBUG)
    status, reply = post(listener.port, body)
    assert status == 400 and reply["error"] == "bad_event" and words in reply["message"], reply
    assert "1390000123" not in reply["message"]
    assert received == []
    logged = caplog.text + "".join(capfd.readouterr())
    assert "1390000123" not in logged and "13900001234" not in logged


def test_other_paths_and_methods(desk: tuple[CtiListener, list[CallEvent]]) -> None:
    listener, received = desk
    assert post(listener.port, json.dumps(GOOD).encode(), path="/other")[0] == 404
    assert post(listener.port, b"", method="GET")[0] == 405
    assert received == []


def test_cti_simulate_plays_whole_calls(desk: tuple[CtiListener, list[CallEvent]],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    listener, received = desk
    code = cli_main(["cti", "simulate", "--port", str(listener.port), "--caller", "0731-8456 1234", "--calls", "2",
                     "--pause", "0"])
    assert code == 0
    ids = capsys.readouterr().out.split()
    assert len(ids) == 2 and ids[0] != ids[1]
    assert [(e.call_id, e.event) for e in received] == [
        (ids[0], "ringing"), (ids[0], "answered"), (ids[0], "ended"),
        (ids[1], "ringing"), (ids[1], "answered"), (ids[1], "ended")]
    assert {e.caller for e in received} == {"0731-84561234"}


def test_cti_simulate_refuses_bad_input_and_a_missing_desk(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["cti", "simulate", "--port", "17345", "--caller", "12345"]) == 2
    assert "caller" in capsys.readouterr().err
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    assert cli_main(["cti", "simulate", "--port", str(free), "--pause", "0"]) == 1
    assert "no desk is listening" in capsys.readouterr().err
