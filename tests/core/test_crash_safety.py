"""SIGKILL at random moments during 200 submissions: nothing returned is lost, nothing is half-written."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from operator_app.seat import open_seat
from operator_app.services.drafts import load_draft
from operator_app.store.database import connect_sqlite
from tests.conftest import REPO, fresh_seat_dir
from tests.core.crash_child import content

TARGET = 200


def run_child_until_killed(data_dir: Path, first: int, rng: random.Random) -> list[str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.core.crash_child", str(data_dir), str(first)],
                            cwd=REPO, stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    lines: list[str] = []
    ready = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("READY"):
                ready.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    assert ready.wait(60), "child never became ready"
    time.sleep(rng.uniform(0.0, 0.4))
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    thread.join(30)
    return lines


@pytest.mark.slow
def test_sigkill_during_submissions_loses_nothing(tmp_path: Path, migrated_db: Path) -> None:
    seed = int(os.environ.get("CRASH_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    data_dir = fresh_seat_dir(migrated_db, tmp_path / "seat")
    returned: dict[str, tuple[int, str]] = {}
    last_draft = -1
    next_index = 0
    kills = 0
    while len(returned) < TARGET:
        for line in run_child_until_killed(data_dir, next_index, rng):
            kind, *rest = line.split()
            if kind == "DRAFT":
                last_draft = int(rest[0])
            elif kind == "CASE":
                returned[rest[1]] = (int(rest[0]), rest[2])
        kills += 1
        next_index = last_draft + 1
        assert kills < 400, f"no progress (seed {seed})"

    con = connect_sqlite(data_dir / "seat.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    cases = {number: (case_id, text) for number, case_id, text in
             con.execute("SELECT number, id, content FROM cases")}
    events = dict(con.execute("SELECT case_id, count(*) FROM case_events GROUP BY case_id").fetchall())
    outbox = dict(con.execute("SELECT entity_id, count(*) FROM outbox GROUP BY entity_id").fetchall())
    con.close()
    # Every number handed to the operator is stored, with its event and outbox row.
    for number, (index, case_id) in returned.items():
        assert number in cases, f"case {number} lost (seed {seed})"
        assert cases[number][0] == case_id and cases[number][1] == content(index)
    # No half-written case: each stored case has exactly one created event and one outbox row, and vice versa.
    ids = {case_id for case_id, _ in cases.values()}
    assert all(events.get(i) == 1 and outbox.get(i) == 1 for i in ids), f"half-written case (seed {seed})"
    assert set(events) == ids and set(outbox) == ids
    assert len(set(cases)) == len(cases)

    # The draft being typed when the last kill came is restored on the next start.
    seat = open_seat(data_dir)
    draft = load_draft(seat.store, operator_id="1001")
    seat.close()
    stored_texts = {text for _, text in cases.values()}
    if content(last_draft) in stored_texts:  # its submit committed before the kill
        assert draft is None or draft.content == content(last_draft + 1), f"seed {seed}"
    else:
        assert draft is not None and draft.content == content(last_draft), f"draft lost (seed {seed})"
    print(f"crash test: {kills} kills, {len(returned)} returned, {len(cases)} stored, seed {seed}")
