"""Same-issue candidates (重复件) on real messages, by words and by meaning side by side: how often the top 3 holds a
message about the same issue (judged by a person on a sample), and the time per query.

Loads ../shared/data/hotspots/messages.csv (4,326 real messages with times) at run time into a fresh server
database (SQLite) in time order, exactly as benchmarks/hotspots.py does (content = title + body, no district or
address: the place is read from the text): for each message it first asks the same-issue service
(services/same_issue.find_same_issue, the endpoint's code without HTTP) for candidates among the earlier messages of
the 30 days before it, then adds the message as a case. The messages carry no phone, so only the place-and-content
path is measured. Two runs on two fresh databases: `lexical` (no vectors: today's answer) and `semantic` (each case
gets its passage vector as soon as it is added, as the server's worker would, read from benchmarks/_vectors.py's
cache; the typed content's query vector also goes through that cache, encoded once per machine). Prints the
messages with candidates and p50/p95 per query for each, and for `semantic` 300 more queries on the filled
database with the service's own probe, encoded live on one thread (the request and the encoding alone, wall and
CPU). Writes 40 messages with candidates in either run, each run's top-3 titles under a blind label A/B, to a TSV
outside the repo (`--sample-out`; which label is which in `<name>_key.tsv`) for a person to judge. Skips with a
message when ../shared/data is absent; `--lexical-only` where the encoder cannot run.

`--scale N` (e.g. 100000, lexical run): after the real run, the same messages are copied (shifted in time so they
fall in the last 30 days, numbered anew) until the server holds N cases, and 500 queries are timed on it through
the service, then 200 through GET /api/v1/cases/same-issue on a server over that database.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import REPO, emit, log, summary_ms
from hotspots import DATA, case_row, fresh_server_db, load_messages, message_vectors, store_vector


def content_of(title: str, body: str) -> str:
    return f"{title}。{body}" if title else body


def cached_probe() -> Callable[[str], Any]:
    """The same-issue service's probe (services/case_meaning.probe_text, query vector) read through the benchmark
    cache: each typed content is encoded once per machine, so the quality run is repeatable and cheap; the speed
    with the encoding included is measured live afterwards (`live_timing`)."""
    from _vectors import vectors

    from central_server.services.case_meaning import probe_text

    return lambda content: vectors([probe_text(content)], "query", threads=1)[0]


def run(data: Path, sample_out: Path, seed: int, scale: int, semantic: bool) -> dict[str, Any]:
    messages = load_messages(data)
    result: dict[str, Any] = {"messages": len(messages)}
    answers: dict[str, dict[str, list[str]]] = {}
    runs = ["lexical", "semantic"] if semantic else ["lexical"]
    for name in runs:
        _, summary = ask_all(messages, name, scale if name == "lexical" else 0, seed, answers)
        result[name] = summary
    write_sample(messages, answers, runs, sample_out, seed)
    result["sample_file"] = str(sample_out)
    return result


def ask_all(messages: list[tuple[str, str, str, datetime]], name: str, scale: int, seed: int,
            answers: dict[str, dict[str, list[str]]]) -> tuple[int, dict[str, Any]]:
    """Every message asks the service before it is added (as in issue 17); `semantic`: each added case gets its
    vector at once (a worker keeping up) and the probe is the cached query vector; then 300 queries timed with
    the probe encoded live on one thread."""
    from sqlalchemy import insert, select

    from central_server.db.models import Case, Seat
    from central_server.services.hotspot_assign import assign_new_cases
    from central_server.services.same_issue import find_same_issue

    vecs = message_vectors(messages) if name == "semantic" else None
    probe = cached_probe() if name == "semantic" else (lambda _content: None)
    title_of_number: dict[str, str] = {}
    asked: list[float] = []
    with_candidates = 0
    with tempfile.TemporaryDirectory(prefix="same-issue-bench-") as tmp:
        engine, sessions = fresh_server_db(f"sqlite:///{tmp}/central.sqlite")
        with sessions() as session:
            seat_id = session.scalars(select(Seat.id)).one()
            for n, (mid, title, body, at) in enumerate(messages, 1):
                content = content_of(title, body)
                t = time.perf_counter()
                found = find_same_issue(session, phone="", content=content, district="", address="", city=None,
                                        now=at, probe=probe)
                asked.append(time.perf_counter() - t)
                if found:
                    with_candidates += 1
                    answers.setdefault(mid, {})[name] = [title_of_number[c.number] for c in found[:3]]
                row = case_row(seat_id, n, at, content)
                title_of_number[row["number"]] = title or body[:40]
                session.connection().execute(insert(Case), [row])
                assign_new_cases(session, [row], None)
                if vecs is not None:
                    store_vector(session, row["id"], vecs[mid])
                if n % 1000 == 0:
                    log(f"{name}: {n}/{len(messages)} messages")
            session.commit()
            summary: dict[str, Any] = {"with_candidates": with_candidates,
                                       "query_real" if vecs is None else "query_real_cached_probe": summary_ms(asked)}
            if vecs is not None:
                summary["query_live_probe"] = live_timing(session, messages, seed)
            if scale:
                summary["scaled"] = scaled(session, seat_id, messages, scale, seed)
        engine.dispose()  # the server below writes (logins): no transaction of ours may hold the file
        if scale:
            summary["scaled"]["http"] = over_http(f"sqlite:///{tmp}/central.sqlite", messages, seed)
    return with_candidates, summary


def live_timing(session: Any, messages: list[tuple[str, str, str, datetime]], seed: int) -> dict[str, Any]:
    """300 random messages asked again on the filled database with the service's own probe (the encoder on one
    thread, as the server runs it): the whole request's service time, and the encoding alone (wall and CPU time:
    the load of other work on the machine inflates wall-clock figures)."""
    from central_server.services.case_meaning import encode_probe, probe_text
    from central_server.services.same_issue import find_same_issue
    from semantic import load_encoder

    encoder = load_encoder(1)
    assert encoder is not None
    rng = random.Random(seed)
    whole, encode, encode_cpu, encoded = [], [], [], 0
    for _ in range(300):
        _, title, body, at = messages[rng.randrange(len(messages))]
        content = content_of(title, body)
        t, cpu = time.perf_counter(), time.process_time()
        encoder.query(probe_text(content))
        encode.append(time.perf_counter() - t)
        encode_cpu.append(time.process_time() - cpu)
        calls: list[int] = []

        def probe(text: str, calls: list[int] = calls) -> Any:
            calls.append(1)
            return encode_probe(text)

        t = time.perf_counter()
        find_same_issue(session, phone="", content=content, district="", address="", city=None, now=at,
                        probe=probe)
        whole.append(time.perf_counter() - t)
        encoded += len(calls)
    return {"queries": 300, "encoded": encoded, "request": summary_ms(whole), "encode_alone": summary_ms(encode),
            "encode_alone_cpu": summary_ms(encode_cpu)}


def write_sample(messages: list[tuple[str, str, str, datetime]], answers: dict[str, dict[str, list[str]]],
                 runs: list[str], sample_out: Path, seed: int) -> None:
    """40 messages with candidates in either version, each version's top 3 under a blind label (A/B, shuffled
    per message); which is which goes to a second file, so a person judges without knowing."""
    rng = random.Random(seed)
    titles = {m[0]: m[1] for m in messages}
    pool = sorted(answers, key=int)
    sample = sorted(rng.sample(pool, min(40, len(pool))), key=int)
    key_out = sample_out.with_name(f"{sample_out.stem}_key{sample_out.suffix}")
    with sample_out.open("w", encoding="utf-8") as f, key_out.open("w", encoding="utf-8") as k:
        f.write("message_id\tmessage_title\tlist\tcandidate_1\tcandidate_2\tcandidate_3\n")
        k.write("message_id\tlist\tversion\n")
        for mid in sample:
            order = list(runs)
            rng.shuffle(order)
            for label, name in zip("AB", order, strict=False):
                tops = answers[mid].get(name, [])
                f.write("\t".join([mid, titles[mid], label, *tops, *[""] * (3 - len(tops))]) + "\n")
                k.write(f"{mid}\t{label}\t{name}\n")
    log(f"sample of {len(sample)} messages with each version's top-3 candidates written to {sample_out} "
        f"(which list is which: {key_out})")


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
    parser.add_argument("--lexical-only", action="store_true",
                        help="only the words' version (no sentence vectors: no encoder here, or no cache)")
    parser.add_argument("--data", type=Path, default=DATA, help="messages.csv (default: ../shared/data/hotspots)")
    args = parser.parse_args()
    if not args.data.exists():
        emit({"skipped": f"{args.data} not found: this benchmark needs ../shared/data/hotspots/messages.csv"})
        sys.exit(0)
    if args.sample_out.resolve().is_relative_to(REPO):
        raise SystemExit("--sample-out must be outside the repository (it holds real message titles)")
    emit({"benchmark": "same_issue", **run(args.data, args.sample_out, args.seed, args.scale, not args.lexical_only)})


if __name__ == "__main__":
    main()
