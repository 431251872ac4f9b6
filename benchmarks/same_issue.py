"""Same-issue candidates (重复件) on real messages: how often the top 3 holds a message about the same issue, and the
time per query.

Loads ../shared/data/hotspots/messages.csv (4,326 real messages with times) at run time into a fresh server
database (SQLite) in time order, exactly as benchmarks/hotspots.py does (content = title + body, no district or
address: the place is read from the text): for each message it first asks the same-issue service
(services/same_issue.find_same_issue, the endpoint's code without HTTP) for candidates among the earlier messages of
the 30 days before it, then adds the message as a case. The messages carry no phone, so only the place-and-content
path is measured. Prints p50/p95 per query, and writes a sample of messages with their top 3 candidates' titles to a
TSV outside the repository (`--sample-out`) for a person to judge. Skips with a message when ../shared/data is
absent.

`--scale N` (e.g. 100000): after the real run, the same messages are copied (shifted in time so they fall in the
last 30 days, numbered anew) until the server holds N cases, and 500 queries are timed on it through the service,
then 200 through GET /api/v1/cases/same-issue on a server over that database.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import REPO, emit, log, summary_ms
from hotspots import DATA, case_row, fresh_server_db, parse_time


def load(data: Path) -> list[tuple[str, str, str, datetime]]:
    import csv

    with data.open(encoding="utf-8", newline="") as f:
        messages = [(r["id"], r["title"].strip(), r["body"].strip(), parse_time(r["time"])) for r in csv.DictReader(f)]
    messages.sort(key=lambda m: m[3])
    return messages


def content_of(title: str, body: str) -> str:
    return f"{title}。{body}" if title else body


def run(data: Path, sample_out: Path, seed: int, scale: int) -> dict[str, Any]:
    from sqlalchemy import insert, select

    from central_server.db.models import Case, Seat
    from central_server.services.hotspot_assign import assign_new_cases
    from central_server.services.same_issue import find_same_issue

    messages = load(data)
    title_of_number: dict[str, str] = {}
    asked: list[float] = []
    answers: list[tuple[str, str, list[str]]] = []  # (message id, its title, top-3 candidate titles)
    with tempfile.TemporaryDirectory(prefix="same-issue-bench-") as tmp:
        engine, sessions = fresh_server_db(f"sqlite:///{tmp}/central.sqlite")
        with sessions() as session:
            seat_id = session.scalars(select(Seat.id)).one()
            for n, (mid, title, body, at) in enumerate(messages, 1):
                content = content_of(title, body)
                t = time.perf_counter()
                found = find_same_issue(session, phone="", content=content, district="", address="", city=None,
                                        now=at)
                asked.append(time.perf_counter() - t)
                if found:
                    answers.append((mid, title, [title_of_number[c.number] for c in found[:3]]))
                row = case_row(seat_id, n, at, content)
                title_of_number[row["number"]] = title or body[:40]
                session.connection().execute(insert(Case), [row])
                assign_new_cases(session, [row], None)
            session.commit()
            result: dict[str, Any] = {
                "messages": len(messages), "with_candidates": len(answers),
                "query_real": summary_ms(asked),
            }
            if scale:
                result["scaled"] = scaled(session, seat_id, messages, scale, seed)
        engine.dispose()  # the server below writes (logins): no transaction of ours may hold the file
        if scale:
            result["scaled"]["http"] = over_http(f"sqlite:///{tmp}/central.sqlite", messages, seed)
    rng = random.Random(seed)
    sample = sorted(rng.sample(answers, min(40, len(answers))), key=lambda a: int(a[0]))
    with sample_out.open("w", encoding="utf-8") as f:
        f.write("message_id\tmessage_title\tcandidate_1\tcandidate_2\tcandidate_3\n")
        for mid, title, tops in sample:
            f.write("\t".join([mid, title, *tops, *[""] * (3 - len(tops))]) + "\n")
    log(f"sample of {len(sample)} messages with their top-3 candidates written to {sample_out}")
    result["sample_file"] = str(sample_out)
    return result


def scaled(session: Any, seat_id: str, messages: list[tuple[str, str, str, datetime]], scale: int, seed: int
           ) -> dict[str, Any]:
    """Copies of the messages in the last 30 days until `scale` cases, then 500 timed queries (now = the end)."""
    from sqlalchemy import func, insert, select

    from central_server.db.models import Case
    from central_server.services.hotspot_assign import assign_new_cases
    from central_server.services.same_issue import find_same_issue

    rng = random.Random(seed)
    end = datetime.now(UTC)
    have = int(session.scalar(select(func.count()).select_from(Case)) or 0)
    started = time.perf_counter()
    n = 0
    while have < scale:
        batch = []
        for _ in range(min(1000, scale - have)):
            _, title, body, _ = messages[n % len(messages)]
            n += 1
            at = end - timedelta(seconds=rng.uniform(0, 30 * 86400))
            row = case_row(seat_id, 900_000 + n, at, content_of(title, body))
            row["number"] = f"S002-{at:%Y%m%d}-{n:07d}"
            batch.append(row)
        session.connection().execute(insert(Case), batch)
        assign_new_cases(session, batch, None)
        session.commit()
        have += len(batch)
    fill_s = time.perf_counter() - started
    log(f"filled to {have} cases in {fill_s:.0f} s")
    times = []
    for _ in range(500):
        _, title, body, _ = messages[rng.randrange(len(messages))]
        t = time.perf_counter()
        find_same_issue(session, phone="", content=content_of(title, body), district="", address="", city=None,
                        now=end)
        times.append(time.perf_counter() - t)
    return {"cases": have, "queries": 500, "query": summary_ms(times), "database": "sqlite", "fill_s": round(fill_s)}


def over_http(url: str, messages: list[tuple[str, str, str, datetime]], seed: int) -> dict[str, Any]:
    """200 GET /api/v1/cases/same-issue on a server over the filled database (loopback, one client), with the
    first 300 characters of the content, as the desk sends it (ui/cases/same_issue_panel.py)."""
    import requests

    from central_server.core.config import Settings
    from central_server.embedded import serve_app_in_thread
    from central_server.main import create_app

    server = serve_app_in_thread(create_app(Settings(database_url=url, access_log=False)))
    try:
        http = requests.Session()
        token = http.post(f"{server.url}/api/v1/auth/login", json={"username": "1001", "password": "bench-pass-1234"},
                          timeout=30).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        rng = random.Random(seed)
        times = []
        for _ in range(200):
            _, title, body, _ = messages[rng.randrange(len(messages))]
            t = time.perf_counter()
            resp = http.get(f"{server.url}/api/v1/cases/same-issue", params={"content": content_of(title, body)[:300]},
                            headers=headers, timeout=30)
            times.append(time.perf_counter() - t)
            resp.raise_for_status()
        return {"requests": 200, "request": summary_ms(times)}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=int, default=0, help="also time queries on a server holding N cases")
    parser.add_argument("--sample-out", type=Path, default=Path(tempfile.gettempdir()) / "same_issue_sample.tsv",
                        help="where the sampled messages and their candidates go (outside the repository)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--data", type=Path, default=DATA, help="messages.csv (default: ../shared/data/hotspots)")
    args = parser.parse_args()
    if not args.data.exists():
        emit({"skipped": f"{args.data} not found: this benchmark needs ../shared/data/hotspots/messages.csv"})
        sys.exit(0)
    if args.sample_out.resolve().is_relative_to(REPO):
        raise SystemExit("--sample-out must be outside the repository (it holds real message titles)")
    emit({"benchmark": "same_issue", **run(args.data, args.sample_out, args.seed, args.scale)})


if __name__ == "__main__":
    main()
