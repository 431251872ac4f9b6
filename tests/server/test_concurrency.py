"""Concurrent pushes from several seats while they pull: every seat sees each of its events exactly once.

On PostgreSQL this checks that change ids follow commit order (one counter row, locked by each writer):
a pull running between two commits never skips a change that commits later with a smaller id.
"""

from __future__ import annotations

import threading

from tests.server.api_client import Api, SeatClient
from tests.server.conftest import ServerFactory

SEATS = 4
BATCHES = 6
PER_BATCH = 5


def test_concurrent_pushes_and_pulls_lose_nothing(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    seats = [SeatClient.register(Api(api.url), seat_code=f"S{i:03d}") for i in range(1, SEATS + 1)]
    done = threading.Event()
    seen: dict[str, list[str]] = {s.seat_id: [] for s in seats}
    errors: list[str] = []

    def pusher(seat: SeatClient) -> None:
        seq = 1
        for _ in range(BATCHES):
            batch = [seat.case_created(seq + i) for i in range(PER_BATCH)]
            resp = seat.push(batch)
            if resp.status_code != 200 or resp.json()["last_applied_seq"] != seq + PER_BATCH - 1:
                errors.append(resp.text)
            seq += PER_BATCH

    def puller(seat: SeatClient) -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            page = seat.pull(cursor, limit=7).json()
            seen[seat.seat_id] += [c["data"]["number"] for c in page["changes"]]
            cursor = page["cursor"]
            if finished and not page["has_more"]:
                return

    pushers = [threading.Thread(target=pusher, args=(s,)) for s in seats]
    pullers = [threading.Thread(target=puller, args=(s,)) for s in seats]
    for t in pushers + pullers:
        t.start()
    for t in pushers:
        t.join(120)
    done.set()
    for t in pullers:
        t.join(120)
    assert errors == []
    total = BATCHES * PER_BATCH
    for seat in seats:
        expected = [f"{seat.seat_code}-20260301-{n:04d}" for n in range(1, total + 1)]
        assert seen[seat.seat_id] == expected
