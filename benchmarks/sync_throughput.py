"""Sync throughput on PostgreSQL: (a) one seat drains 10,000 queued cases; (b) 280 simulated seats syncing every
5 s against one server keep push and pull p99 ≤ 200 ms.

The server is a subprocess running exactly what `central-server serve` runs (create_app, uvicorn, logging at
INFO, the access log on) on a throwaway PostgreSQL cluster (tests/server/pg_cluster.py), with a fixed
CENTRAL_SERVER_SECRET_KEY. This script starts uvicorn itself (`--serve`) rather than through the CLI so it can
(1) run several workers with the benchmark's own options and (2) wrap the app in a tiny ASGI middleware that adds
an `x-server-ms` header (time from the app receiving the request to the response start), which separates
server time from client and network time.

(a) `drain`: a real seat store gets 10,000 cases through `submit_case` (varied forms, content 20–2,000
    Chinese characters), then `SyncEngine.run_once` is timed from its start to an empty outbox (push in
    batches of MAX_BATCH, then pull until caught up: with `skip_own`, the seat's own 10,000 created events stay
    on the server), capped at --drain-cap s.
(b) `load`: worker processes each drive many simulated seats over raw HTTP (a requests.Session per seat, one
    thread per seat). Every seat is registered with its own credential and logged in as a roster operator;
    every 5 s (±10 % jitter, random phase) it pushes 0–3 new case.created mutations shaped as intake.py makes
    them (skipped when it has none, as run_once does) and then pulls from its cursor with `skip_own`, as seats
    do, until caught up. Each seat pulls once at registration (the demo knowledge base), as a seat in service
    already has: the load measured is the steady state.

Usage: .venv/bin/python benchmarks/sync_throughput.py [--sqlite] [--only drain|load] [--server-workers 1,2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from _common import REPO, chinese_text, emit, log, sample_forms, summary_ms
from _sync_common import (
    DEMO_PASSWORD,
    PYTHON,
    ServerProcess,
    cpu_seconds,
    free_port,
    loadavg,
    postgres_database,
    postgres_pids,
    prepare_db,
)

TIMING_ENV = "BENCH_SERVER_TIMING"
RELEASE_ENV = "BENCH_SERVER_RELEASE_AFTER_AUTH"
THREADS_ENV = "BENCH_SERVER_THREADS"  # AnyIO worker threads in the server (default 40)
OPERATORS = ("1001", "1002", "1003", "1004", "1005", "1011", "1012", "1013", "1014")
PREFIX = "/api/v1"


# --- the server process -------------------------------------------------------------------------------------

class ServerTiming:
    """ASGI wrapper: adds `x-server-ms` (app entry → response start) to every HTTP response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            tokens = os.environ.get(THREADS_ENV)
            if tokens and scope["type"] == "lifespan":  # experiment: fewer worker threads than pooled connections
                import anyio.to_thread

                anyio.to_thread.current_default_thread_limiter().total_tokens = int(tokens)
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000.0
                message = {**message, "headers": [*message.get("headers", ()), (b"x-server-ms", f"{ms:.2f}".encode())]}
            await send(message)

        await self.app(scope, receive, timed_send)


def make_app() -> Any:
    """uvicorn factory (each worker calls it): the reference app, settings from CENTRAL_SERVER_* env."""
    from central_server.main import create_app_from_environment

    if os.environ.get(RELEASE_ENV):
        release_connection_after_auth()
    app = create_app_from_environment()
    return ServerTiming(app) if os.environ.get(TIMING_ENV) else app


def release_connection_after_auth() -> None:
    """Experiment (the suggested server fix, applied by patching in this process only): end the read
    transaction right after the bearer-token and seat lookups, so a request does not hold a pooled connection
    while it waits for a thread for its next dependency or its endpoint (expire_on_commit=False: the loaded
    User and Seat stay usable)."""
    from central_server.api import deps

    user_lookup, seat_lookup = deps.user_for_access_token, deps.authenticate_seat

    def user_for_access_token(session: Any, *a: Any, **kw: Any) -> Any:
        user = user_lookup(session, *a, **kw)
        session.commit()
        return user

    def authenticate_seat(session: Any, *a: Any, **kw: Any) -> Any:
        seat = seat_lookup(session, *a, **kw)
        session.commit()
        return seat

    deps.user_for_access_token, deps.authenticate_seat = user_for_access_token, authenticate_seat


def serve_main(db: str, port: int, workers: int) -> None:
    import uvicorn

    from central_server.core.config import load_settings
    from central_server.main import configure_logging, server_options

    os.environ["CENTRAL_SERVER_DATABASE_URL"] = db
    configure_logging()
    uvicorn.run("sync_throughput:make_app", factory=True, host="127.0.0.1", port=port, workers=workers,
                app_dir=str(Path(__file__).resolve().parent), **server_options(load_settings()))


def server_for(db: str, work: Path, workers: int, name: str, threads: int = 0, release: bool = False
               ) -> ServerProcess:
    port = free_port()
    env = {TIMING_ENV: "1"} | ({THREADS_ENV: str(threads)} if threads else {}) | (
        {RELEASE_ENV: "1"} if release else {})
    return ServerProcess(db=db, port=port, log_path=work / f"server-{name}.log", env=env,
                         command=[PYTHON, str(Path(__file__).resolve()), "--serve", db, str(port), str(workers)])


# --- (a) one seat drains 10,000 queued cases ----------------------------------------------------------------

def queue_cases(seat: Any, count: int, seed: int) -> float:
    """`count` cases through submit_case (varied forms, content 20–2,000 characters); returns seconds.

    Test setup only: the store's write connections skip fsync while queueing (on this busy machine 10,000
    durable commits take ~2 min); they are durable again (synchronous=FULL) before the drain is timed.
    """
    from sqlalchemy import event

    from operator_app.services.intake import submit_case

    write_engine = seat.store._write_engine

    def no_fsync(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA synchronous=OFF")

    event.listen(write_engine, "connect", no_fsync)
    write_engine.dispose()
    forms = sample_forms(seat.city, 500, seed=seed)
    t0 = time.perf_counter()
    try:
        for i in range(count):
            submit_case(seat.store, seat.city, form=forms[i % len(forms)], operator_id=OPERATORS[i % len(OPERATORS)])
            if (i + 1) % 5000 == 0:
                log(f"  queued {i + 1:,} cases ({time.perf_counter() - t0:.1f} s)")
    finally:
        event.remove(write_engine, "connect", no_fsync)
        write_engine.dispose()
    return time.perf_counter() - t0


def drain(args: argparse.Namespace, db: str, work: Path, cluster: Any, *, seat_code: str) -> dict[str, Any]:
    """Queue, then time run_once to an empty outbox (in a thread, so a run over --drain-cap is reported, not
    waited for)."""
    from sqlalchemy import func, select

    from central_server.db.engine import make_engine
    from central_server.db.models import Case
    from contract.protocol import MAX_BATCH
    from operator_app.seat import open_seat
    from operator_app.services.case_queries import outbox_summary
    from sync.engine import SyncEngine
    from sync.http_client import ServerClient
    from sync.secrets import SecretStore

    seat_dir = work / f"drain-{seat_code}"
    seat_dir.mkdir()
    seat = open_seat(seat_dir, seat_code=seat_code)
    queued_s = queue_cases(seat, args.drain_cases, args.seed)
    server = server_for(db, work, 1, f"drain-{seat_code}")
    server.start()
    calls: list[dict[str, Any]] = []

    def record(resp: Any, *_a: Any, **_kw: Any) -> None:
        body = resp.request.body or b""
        calls.append({"path": resp.request.path_url.split("?")[0], "status": resp.status_code,
                      "ms": resp.elapsed.total_seconds() * 1000.0, "bytes_out": len(body),
                      "bytes_in": len(resp.content), "server_ms": float(resp.headers.get("x-server-ms", "nan"))})

    client = ServerClient(server.url)
    client.http.hooks["response"].append(record)
    engine = SyncEngine(seat.store, client, SecretStore(None), batch_size=args.batch or MAX_BATCH)
    for operator in (*OPERATORS[1:], "1001"):  # each operator whose cases are queued signed in at this seat
        engine.login(operator, DEMO_PASSWORD)
    calls.clear()
    pending_before = outbox_summary(seat.store).pending
    cpu_server0, cpu_pg0 = cpu_seconds(server.pids()), cpu_seconds(postgres_pids(cluster) if cluster else [])
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["report"] = engine.run_once()
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["error"] = f"{type(exc).__name__}: {exc}"

    started = time.perf_counter()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(args.drain_cap)
    elapsed = time.perf_counter() - started
    finished = not worker.is_alive()
    cpu_server = cpu_seconds(server.pids()) - cpu_server0
    cpu_pg = cpu_seconds(postgres_pids(cluster) if cluster else []) - cpu_pg0
    snapshot = list(calls)
    engine_db = make_engine(db)
    try:
        with engine_db.connect() as conn:
            on_server = int(conn.execute(select(func.count()).select_from(Case)
                                         .where(Case.number.like(f"{seat_code}-%"))).scalar_one())
    finally:
        engine_db.dispose()
    server.stop()
    left = outbox_summary(seat.store).pending if finished else None
    if finished:
        seat.close()
    push_done = next((i for i, c in enumerate(snapshot) if c["path"].endswith("/pull")), len(snapshot))
    pushes, pulls = snapshot[:push_done], snapshot[push_done:]
    push_wall = sum(c["ms"] for c in pushes) / 1000.0
    pull_wall = sum(c["ms"] for c in pulls) / 1000.0
    report = outcome.get("report")
    return {
        "seat_code": seat_code,
        "cases": pending_before,
        "queued_with_submit_case_s": round(queued_s, 1),
        "finished": finished and "error" not in outcome,
        "error": outcome.get("error"),
        "elapsed_s": round(elapsed, 2),
        "capped_at_s": None if finished else args.drain_cap,
        "cases_on_server": on_server,
        "cases_per_s": round(on_server / elapsed, 1),
        "target_s": 10.0,
        "meets_target": finished and elapsed <= 10.0 and left == 0 and on_server == pending_before,
        "acked": report.acked if report else None, "pulled": report.pulled if report else None,
        "outbox_pending_after": left,
        "batch_size": engine.batch_size,
        "push_requests": len(pushes),
        "push_http_s": round(push_wall, 2),
        "push_server_s": round(sum(c["server_ms"] for c in pushes) / 1000.0, 2),
        "push_ms_per_batch": summary_ms([c["ms"] / 1000.0 for c in pushes]) if pushes else {},
        "push_body_bytes_max": max((c["bytes_out"] for c in pushes), default=0),
        "push_body_bytes_mean": round(sum(c["bytes_out"] for c in pushes) / max(len(pushes), 1)),
        "pull_requests": len(pulls),
        "pull_http_s": round(pull_wall, 2),
        "pull_server_s": round(sum(c["server_ms"] for c in pulls) / 1000.0, 2),
        "seat_side_s": round(elapsed - push_wall - pull_wall, 2),
        "server_cpu_s": round(cpu_server, 2),
        "postgres_cpu_s": round(cpu_pg, 2) if cluster else None,
        "loadavg": loadavg(),
    }


# --- (b) many seats every 5 s --------------------------------------------------------------------------------

def case_created(code: str, seq: int, number: int, operator: str, rng: random.Random) -> dict[str, Any]:
    """A mutation shaped like operator_app/services/intake.py makes it (as tests/server/api_client.py does)."""
    case_id = str(uuid.uuid4())
    dispatch = rng.random() < 0.75
    length = int(round(20 * 100 ** rng.random()))  # log-uniform 20..2000 characters, as on the hotline
    # Every field, normalised as the seat's validation leaves it (the server checks both).
    fields = {"caller_name": "张三", "phone": "13800000000", "callback_phone": "", "confidential": False,
              "special_needs": [], "special_needs_other": "", "channel": "phone", "appeal_type": "help",
              "category": "城乡建设/物业管理/物业服务质量", "district": "donghu", "street": "", "address": "",
              "content": chinese_text(rng, length), "request": "", "urgency": "normal", "urgency_reason": "",
              "disposition": "dispatch" if dispatch else "direct", "answer": "" if dispatch else "已告知处理办法",
              "lead_department": "zjj" if dispatch else "", "cooperating_departments": []}
    recorded = time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime())
    return {
        "seq": seq, "mutation_id": str(uuid.uuid4()), "name": "case.created", "operator_id": operator,
        "entity_id": case_id, "created_at": recorded,
        "args": {"case_id": case_id, "seat_code": code, "event": {
            "id": str(uuid.uuid4()), "seq": 1, "kind": "created", "recorded_at": recorded,
            "payload": {"number": f"{code}-20260301-{number:04d}", "fields": fields,
                        "respond_by": "2026-03-01T09:00:00+00:00" if dispatch else "",
                        "finish_by": "2026-03-02T08:00:00+00:00" if dispatch else ""},
        }},
    }


def seat_loop(url: str, seat: dict[str, Any], *, start_at: float, end_at: float, interval: float, seed: int,
              out: list[tuple[str, float, float, int, float]]) -> None:
    import requests

    rng = random.Random(seed)
    http = requests.Session()
    headers = {"Authorization": f"Bearer {seat['token']}", "X-Seat-Id": seat["seat_id"],
               "X-Seat-Credential": seat["credential"]}
    seq, cursor = 0, int(seat["cursor"])
    due = start_at + rng.uniform(0, interval)

    def timed(kind: str, method: str, path: str, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            resp = http.request(method, url + PREFIX + path, headers=headers, timeout=30, **kw)
        except requests.RequestException:
            out.append((kind, time.time() - start_at, (time.perf_counter() - t0) * 1000.0, 0, float("nan")))
            return None
        ms = (time.perf_counter() - t0) * 1000.0
        out.append((kind, time.time() - start_at, ms, resp.status_code,
                    float(resp.headers.get("x-server-ms", "nan"))))
        return resp.json() if resp.status_code == 200 else None

    while True:
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        if due >= end_at:
            return
        new = rng.randint(0, 3)
        if new:
            mutations = [case_created(seat["code"], seq + i + 1, seq + i + 1, seat["operator"], rng)
                         for i in range(new)]
            body = {"protocol_version": 1, "seat_id": seat["seat_id"], "mutations": mutations}
            answer = timed("push", "POST", "/sync/push", json=body)
            if answer is not None:
                seq = max(seq, int(answer["last_applied_seq"]))
        while True:
            page = timed("pull", "GET", "/sync/pull", params={"cursor": cursor, "limit": 500, "skip_own": "true"})
            if page is None:
                break
            cursor = int(page["cursor"])
            if not page["has_more"]:
                break
        due += interval * rng.uniform(0.9, 1.1)


def load_worker(config_path: str) -> None:
    config = json.loads(Path(config_path).read_text())
    out: list[tuple[str, float, float, int, float]] = []
    threads = [threading.Thread(target=seat_loop, args=(config["url"], seat), daemon=True, kwargs=dict(
        start_at=config["start_at"], end_at=config["end_at"], interval=config["interval"],
        seed=config["seed"] * 10_000 + i, out=out)) for i, seat in enumerate(config["seats"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(config["end_at"] - time.time() + 60)
    json.dump(out, sys.stdout)
    sys.stdout.flush()


def register_seats(url: str, count: int, prefix: str) -> list[dict[str, Any]]:
    import requests

    http = requests.Session()
    tokens = {}
    for op in OPERATORS:
        resp = http.post(f"{url}{PREFIX}/auth/login", json={"username": op, "password": DEMO_PASSWORD}, timeout=30)
        resp.raise_for_status()
        tokens[op] = resp.json()["access_token"]
    seats = []
    for i in range(count):
        op = OPERATORS[i % len(OPERATORS)]
        seat_id, code = str(uuid.uuid4()), f"{prefix}{i + 1:03d}"
        resp = http.post(f"{url}{PREFIX}/seats/register", json={"seat_id": seat_id, "seat_code": code},
                         headers={"Authorization": f"Bearer {tokens[op]}"}, timeout=30)
        resp.raise_for_status()
        seat = {"seat_id": seat_id, "code": code, "credential": resp.json()["seat_credential"],
                "token": tokens[op], "operator": op, "cursor": 0}
        # A seat in service has its knowledge base already: its first pull (every article) is not steady state.
        headers = {"Authorization": f"Bearer {seat['token']}", "X-Seat-Id": seat_id,
                   "X-Seat-Credential": seat["credential"]}
        while True:
            params = {"cursor": seat["cursor"], "limit": 500, "skip_own": "true"}
            page = http.get(f"{url}{PREFIX}/sync/pull", params=params, headers=headers, timeout=60)
            page.raise_for_status()
            seat["cursor"] = int(page.json()["cursor"])
            if not page.json()["has_more"]:
                break
        seats.append(seat)
    return seats


def load(args: argparse.Namespace, db: str, work: Path, cluster: Any, workers: int, prefix: str) -> dict[str, Any]:
    server = server_for(db, work, workers, f"load-w{workers}", args.server_threads,
                        args.release_after_auth)
    server.start()
    try:
        t0 = time.perf_counter()
        seats = register_seats(server.url, args.seats, prefix)
        log(f"  registered {len(seats)} seats ({time.perf_counter() - t0:.1f} s); "
            f"running {args.duration:.0f} s with {args.clients} client processes, server workers={workers}")
        start_at = time.time() + 3.0
        end_at = start_at + args.duration
        procs = []
        for w in range(args.clients):
            config = work / f"load-{prefix}-{w}.json"
            config.write_text(json.dumps({"url": server.url, "seats": seats[w::args.clients], "start_at": start_at,
                                          "end_at": end_at, "interval": args.interval, "seed": args.seed + w}))
            procs.append(subprocess.Popen([PYTHON, str(Path(__file__).resolve()), "--load-worker", str(config)],
                                          cwd=REPO, stdout=subprocess.PIPE))
        time.sleep(max(0.0, start_at - time.time()))
        cpu_server0, cpu_pg0 = cpu_seconds(server.pids()), cpu_seconds(postgres_pids(cluster) if cluster else [])
        per_process0 = {pid: cpu_seconds([pid]) for pid in server.pids()}
        client_pids = [p.pid for p in procs]
        cpu_clients0 = cpu_seconds(client_pids)
        wall0 = time.monotonic()
        time.sleep(max(0.0, end_at - time.time()))
        cpu_server = cpu_seconds(server.pids()) - cpu_server0
        per_process = sorted(cpu_seconds([pid]) - t for pid, t in per_process0.items())
        cpu_pg = cpu_seconds(postgres_pids(cluster) if cluster else []) - cpu_pg0
        cpu_clients = cpu_seconds(client_pids) - cpu_clients0
        wall = time.monotonic() - wall0
        load_now = loadavg()
        records: list[list[Any]] = []
        for p in procs:
            stdout, _ = p.communicate(timeout=120)
            records += json.loads(stdout or b"[]")
    finally:
        server.stop()
    warm = args.warmup
    steady = [r for r in records if r[1] >= warm]
    result: dict[str, Any] = {"server_workers": workers, "server_threads": args.server_threads or 40,
                              "patched_release_connection_after_auth": args.release_after_auth, "seats": args.seats, "interval_s": args.interval,
                              "duration_s": args.duration, "warmup_excluded_s": warm,
                              "client_processes": args.clients}
    statuses = Counter(f"{r[0]} {r[3]}" for r in records)
    result["responses"] = dict(statuses)
    for kind in ("push", "pull"):
        ok = [r for r in steady if r[0] == kind and r[3] == 200]
        if not ok:
            result[kind] = {"n": 0, "p99_ms": float("inf")}
            continue
        result[kind] = {**summary_ms([r[2] / 1000.0 for r in ok]),
                        "server_side": summary_ms([r[4] / 1000.0 for r in ok if r[4] == r[4]])}
    measured = args.duration - warm
    result["requests_per_s"] = round(len(steady) / measured, 1)
    result["push_per_s"] = round(sum(1 for r in steady if r[0] == "push") / measured, 1)
    result["pull_per_s"] = round(sum(1 for r in steady if r[0] == "pull") / measured, 1)
    result["errors"] = sum(1 for r in records if r[3] != 200)
    result["server_cpu_pct_of_one_core"] = round(100.0 * cpu_server / wall, 1)
    result["postgres_cpu_pct_of_one_core"] = round(100.0 * cpu_pg / wall, 1) if cluster else None
    # The simulated seats run on the same 2 cores: their CPU is part of the machine's budget too.
    result["load_clients_cpu_pct_of_one_core"] = round(100.0 * cpu_clients / wall, 1)
    # With --workers N: the supervisor and each worker; an uneven split means connections were not shared out.
    result["server_cpu_pct_per_process"] = [round(100.0 * c / wall, 1) for c in per_process]
    result["server_cpu_ms_per_request"] = round(1000.0 * cpu_server / max(len(steady), 1) * measured / wall, 2)
    result["meets_target"] = (result["push"]["p99_ms"] <= 200 and result["pull"]["p99_ms"] <= 200
                              and result["errors"] == 0)
    result["loadavg"] = load_now
    # The slowest seconds, to tell a steady tail from a stall.
    by_second = Counter(int(r[1]) for r in steady if r[2] > 200)
    result["seconds_with_most_over_200ms"] = by_second.most_common(5)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL (for comparison)")
    p.add_argument("--only", choices=("drain", "load"))
    p.add_argument("--drain-cases", type=int, default=10_000)
    p.add_argument("--batch", type=int, default=0, help="push batch size for the drain (default MAX_BATCH)")
    p.add_argument("--drain-cap", type=float, default=60.0, help="stop timing a drain after this many seconds")
    p.add_argument("--seats", type=int, default=280)
    p.add_argument("--interval", type=float, default=5.0)
    p.add_argument("--duration", type=float, default=75.0)
    p.add_argument("--warmup", type=float, default=5.0, help="seconds at the start left out of the percentiles")
    p.add_argument("--clients", type=int, default=4, help="client worker processes for the load")
    p.add_argument("--server-workers", default="1,2", help="uvicorn worker counts to run the load with")
    p.add_argument("--server-threads", type=int, default=0,
                   help="experiment: AnyIO worker threads in the server (default: AnyIO's 40); 25 keeps them below "
                        "the PostgreSQL pool's 30 connections")
    p.add_argument("--release-after-auth", action="store_true",
                   help="experiment: patch the server (in its process only) to end the auth lookups' transaction "
                        "at once, the suggested fix for the connection-pool deadlock")
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--serve", nargs=3, metavar=("DB", "PORT", "WORKERS"), help=argparse.SUPPRESS)
    p.add_argument("--load-worker", metavar="CONFIG", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        serve_main(args.serve[0], int(args.serve[1]), int(args.serve[2]))
        return
    if args.load_worker:
        load_worker(args.load_worker)
        return
    import shutil

    work = Path(tempfile.mkdtemp(prefix="bench-sync-throughput-"))
    log(f"work dir {work}; load {loadavg()}")
    result: dict[str, Any] = {"benchmark": "sync_throughput", "database": "sqlite" if args.sqlite else "postgresql",
                              "loadavg_at_start": loadavg()}
    try:
        if args.sqlite:
            run_all(args, f"sqlite:///{work / 'central.sqlite'}", work, None, result)
        else:
            with postgres_database() as (url, cluster):
                run_all(args, url, work, cluster, result)
    finally:
        if os.environ.get("BENCH_KEEP"):
            log(f"kept work dir {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    emit(result)


def run_all(args: argparse.Namespace, db: str, work: Path, cluster: Any, result: dict[str, Any]) -> None:
    prepare_db(db)
    if args.only in (None, "drain"):
        result["drain"] = []
        for code in ("D201",):
            log(f"(a) drain {code}: queueing {args.drain_cases:,} cases with submit_case")
            d = drain(args, db, work, cluster, seat_code=code)
            result["drain"].append(d)
            log(f"  {d['cases_on_server']:,}/{d['cases']:,} on the server after {d['elapsed_s']} s "
                f"({'finished' if d['finished'] else 'CAPPED'}; {d['cases_per_s']}/s): push {d['push_http_s']} s "
                f"(server {d['push_server_s']} s), pull {d['pull_http_s']} s, seat side {d['seat_side_s']} s")
    if args.only in (None, "load"):
        result["load"] = []
        for n, workers in enumerate(int(w) for w in args.server_workers.split(",")):
            log(f"(b) load: {args.seats} seats every {args.interval:.0f} s, server workers={workers}")
            r = load(args, db, work, cluster, workers, prefix="LMNPQR"[n])
            result["load"].append(r)
            log(f"  push p99 {r['push']['p99_ms']} ms, pull p99 {r['pull']['p99_ms']} ms, "
                f"{r['requests_per_s']} req/s, CPU % of one core: server {r['server_cpu_pct_of_one_core']}, "
                f"PostgreSQL {r['postgres_cpu_pct_of_one_core']}, simulated seats {r['load_clients_cpu_pct_of_one_core']}")


if __name__ == "__main__":
    main()
