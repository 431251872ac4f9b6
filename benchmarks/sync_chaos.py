"""Chaos: 20 seat processes × 500 cases against a real central server, with random SIGKILLs of seat processes
and of the server → every case on the server exactly once.

The server is `python -m central_server serve` (SQLite file by default, `--pg` for a throwaway PostgreSQL
cluster) with a fixed CENTRAL_SERVER_SECRET_KEY so tokens survive its restarts; it is SIGKILLed and started again
on the same port at random moments. Each seat is a child process of this script, forked from a multiprocessing
fork server that has the seat's modules imported already (so a restart costs ~0.3 s, not ~2 s of imports on a
busy 2-core machine; `--seat DIR CODE OPERATOR --url URL` runs one by hand): it opens its own
store (its own data dir and seat code S101..S120), creates cases with `submit_case` at a steady pace and syncs
with `SyncEngine.run_once` about once a second (retrying with backoff on network errors, logging in again on
AUTH), writing one line per event to its log (`N <case number>` after each submit_case returns). Seats are
SIGKILLed at random and restarted on the same data dir; with no keyring on this machine, a restarted seat reads its
credential back from its private secrets file (beside, not inside, its data dir: sync/secrets.py) and logs in
again. A seat exits 0 once it holds its 500 cases and its outbox is empty.

At the end the server database is read directly (SQLAlchemy) and compared with every seat's log and store:
lost = a case a seat printed or holds that is not on the server; duplicated = a number or id more than once
on the server, or a server case no seat holds.

With --copy-seat, one seat's data directory is copied mid-run to a second directory (the seat process is
SIGKILLed for a consistent copy; both copies then keep working and syncing, with the same seat id, code and
credential: their private secrets file is per seat code, so the copy finds the credential as a copied PC's
same OS account would find it in its keyring, and restarts do not register again). Both copies issue the same seqs and case numbers, so the check is by identity: every case either
reaches the server exactly once (by case id) or is listed for a person (rejected, never marked synced); `lost`
counts cases that did neither, `shown_as_rejected` the ones listed for a person.

Usage: .venv/bin/python benchmarks/sync_chaos.py [--pg] [--seats 20] [--cases 500] [--rate 4] [--copy-seat]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from _common import emit, log, sample_forms
from _sync_common import (
    DEMO_PASSWORD,
    ServerProcess,
    free_port,
    loadavg,
    postgres_database,
    prepare_db,
)

ROSTER_OPERATORS = ("1001", "1002", "1003", "1004", "1005", "1011", "1012", "1013", "1014")


# --- the seat process ---------------------------------------------------------------------------------------

def seat_main(data_dir: str, code: str, operator: str, url: str, target: int, rate: float, sync_every: float,
              seed: int, out: TextIO) -> int:
    """Create cases until the store holds `target`, syncing along the way; exit 0 once the outbox is empty."""
    from sqlalchemy import func, select

    from operator_app.errors import SyncError, SyncErrorKind
    from operator_app.seat import open_seat
    from operator_app.services.case_queries import outbox_summary
    from operator_app.services.intake import submit_case
    from operator_app.store import schema
    from sync.engine import SyncEngine
    from sync.http_client import ServerClient
    from sync.secrets import SECRETS_FILE, SecretFile, SecretStore

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    seat = open_seat(data_dir, seat_code=code)
    store = seat.store
    # The seat's credential outlives its process, as an OS keyring keeps it: a private file per seat code, so a
    # restarted seat, and a copy of a seat's data directory (--copy-seat), find the one the seat registered with.
    secrets = SecretStore(None, file=SecretFile(Path(data_dir).parent / f"secrets-{code}" / SECRETS_FILE))
    engine = SyncEngine(store, ServerClient(url), secrets)
    rng = random.Random(seed)
    forms = sample_forms(seat.city, 64, seed=seed, max_len=800)
    with store.read() as conn:
        count = int(conn.execute(select(func.count()).select_from(schema.cases)).scalar_one())
    say(f"B {count} {os.getpid()}")
    backoff = 0.1
    next_sync = 0.0
    next_case = time.monotonic()

    def sync_pass() -> bool:
        nonlocal backoff
        try:
            if not engine.logged_in:
                engine.login(operator, DEMO_PASSWORD)
                say("L")
            say("S")
            report = engine.run_once()
            say(f"E {report.acked} {report.rejected} {report.pulled} {report.conflicts}")
            backoff = 0.1
            return True
        except SyncError as exc:
            say(f"X {exc.kind.name} {exc.code or '-'}")
            if exc.kind is SyncErrorKind.AUTH:
                engine.logout()
            backoff = min(backoff * 2, 2.0) * (0.5 + rng.random())
            return False

    while True:
        now = time.monotonic()
        if count < target and now >= next_case:
            result = submit_case(store, seat.city, form=forms[count % len(forms)], operator_id=operator)
            count += 1
            say(f"N {result.number}")
            next_case = max(next_case + 1.0 / rate, now - 1.0)
        if count >= target or now >= next_sync:
            ok = sync_pass()
            next_sync = time.monotonic() + (sync_every if ok else backoff)
            if count >= target:
                summary = outbox_summary(store)
                if ok and summary.pending == 0:
                    say(f"D {count} {summary.rejected}")
                    return 0
                time.sleep(backoff if not ok else 0.05)
                continue
        wait = min(next_case, next_sync) - time.monotonic()
        if wait > 0:
            time.sleep(wait)


def seat_entry(log_path: str, *args: Any) -> None:
    """A seat process forked from the preloaded fork server: its lines (and any traceback) go to log_path."""
    sink = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    os.dup2(sink.fileno(), 2)
    sys.stderr = sink
    code = seat_main(*args, out=sink)
    sink.flush()
    os._exit(code)


# Imported once by the fork server, so a (re)started seat does not pay ~2 s of imports on a busy 2-core box.
PRELOAD = ["_common", "sqlalchemy", "pydantic", "requests", "operator_app.seat", "operator_app.services.intake",
           "operator_app.services.case_queries", "sync.engine", "sync.http_client", "sync.secrets"]


# --- the conductor ------------------------------------------------------------------------------------------

@dataclass
class SeatProc:
    index: int
    code: str
    operator: str
    data_dir: Path
    log_path: Path
    copy_of: str = ""  # the data dir this one was copied from (--copy-seat)
    proc: Any = None
    started_at: float = 0.0
    log_offset: int = 0
    restart_at: float | None = None
    done: bool = False
    starts: int = 0
    kills: int = 0
    kills_mid_sync: int = 0
    crashes: int = 0

    def start(self, args: argparse.Namespace, url: str, ctx: Any) -> None:
        self.proc = ctx.Process(target=seat_entry, name=f"seat-{self.code}", args=(
            str(self.log_path), str(self.data_dir), self.code, self.operator, url, args.cases, args.rate,
            args.sync_every, args.seed * 1000 + self.index))
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.proc.start()
        self.started_at = time.monotonic()
        self.starts += 1
        self.restart_at = None

    def booted(self) -> bool:
        """Its store is open (it wrote its `B` line since the last start): kills then hit real work."""
        try:
            return self.log_path.stat().st_size > self.log_offset
        except OSError:
            return False

    def last_line(self) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(max(0, f.seek(0, os.SEEK_END) - 4096))
                lines = [ln for ln in f.read().decode(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return ""
        return lines[-1] if lines else ""


@dataclass
class Chaos:
    seat_kills: int = 0
    server_restarts: int = 0
    server_down_s: float = 0.0
    restart_times_s: list[float] = field(default_factory=list)


def conduct(args: argparse.Namespace, db: str, work: Path) -> dict[str, Any]:
    rng = random.Random(args.seed)
    port = free_port()
    server = ServerProcess(db=db, port=port, log_path=work / "server.log")
    t0 = time.monotonic()
    prepare_db(db)
    log(f"database ready ({time.monotonic() - t0:.1f} s): {db}")
    server.start()
    seats = []
    for i in range(args.seats):
        seat_dir = work / f"seat{i + 1:02d}"
        seat_dir.mkdir()
        seats.append(SeatProc(i, f"S{101 + i}", ROSTER_OPERATORS[i % len(ROSTER_OPERATORS)], seat_dir,
                              work / f"seat{i + 1:02d}.log"))
    chaos = Chaos()
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    started = time.monotonic()
    for s in seats:
        s.start(args, server.url, ctx)
    creation_s = args.cases / args.rate
    copy_at = started + creation_s * args.copy_at if args.copy_seat else None
    restart_at = sorted(started + rng.uniform(8.0, max(10.0, creation_s * 0.95)) for _ in range(args.server_restarts))
    kill_gap = max(creation_s * 0.95 / max(args.seat_kills, 1), 0.2)
    next_kill = started + rng.expovariate(1.0 / kill_gap) + 3.0
    deadline = started + args.time_cap
    last_progress = started
    capped = False
    while True:
        now = time.monotonic()
        if now >= deadline:
            capped = True
            log(f"time cap of {args.time_cap:.0f} s reached: stopping and verifying what is there")
            break
        for s in seats:
            if s.done or s.proc is None:
                if not s.done and s.restart_at is not None and now >= s.restart_at:
                    s.start(args, server.url, ctx)
                continue
            rc = s.proc.exitcode
            if rc is None:
                continue
            s.proc.join()
            if rc == 0 and s.last_line().startswith("D "):
                s.done, s.proc = True, None
                log(f"  {s.code} done after {now - started:.0f} s ({s.starts} starts)")
            else:
                s.crashes += 1
                log(f"  {s.code} exited with {rc}: restarting (see {s.log_path})")
                s.proc, s.restart_at = None, now + 0.5
        if all(s.done for s in seats):
            break
        if copy_at is not None and now >= copy_at:
            copy_at = None
            copied = copy_seat(seats, work, rng)
            if copied is not None:
                copied.start(args, server.url, ctx)
                log(f"  {copied.copy_of} copied to {copied.data_dir.name} at {now - started:.1f} s: both copies go on")
            continue
        if restart_at and now >= restart_at[0]:
            restart_at.pop(0)
            server.kill()
            down = rng.uniform(0.3, 2.0)
            time.sleep(down)
            took = server.start()
            chaos.server_restarts += 1
            chaos.server_down_s += down + took
            chaos.restart_times_s.append(round(now - started, 1))
            log(f"  server SIGKILLed at {now - started:.1f} s; back after {down + took:.1f} s")
            continue
        if now >= next_kill and chaos.seat_kills < args.seat_kills:
            running = [s for s in seats if s.proc is not None and not s.done and s.booted()]
            if running:
                victim = rng.choice(running)
                victim.proc.kill()  # SIGKILL
                victim.proc.join(10)
                victim.proc = None
                victim.kills += 1
                chaos.seat_kills += 1
                if victim.last_line() == "S":
                    victim.kills_mid_sync += 1
                victim.restart_at = now + rng.uniform(0.1, 1.5)
            next_kill = now + rng.expovariate(1.0 / kill_gap)
        if now - last_progress >= 10:
            last_progress = now
            made = sum(count_lines(s.log_path)["N"] for s in seats)
            log(f"  {now - started:5.0f} s: {made} cases created, {sum(s.done for s in seats)} seats done, "
                f"{chaos.seat_kills} seat kills, {chaos.server_restarts} server restarts, load {loadavg()}")
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    for s in seats:
        if s.proc is not None:
            s.proc.kill()
            s.proc.join(10)
    server.stop()
    figures = verify(db, seats, args.cases)
    lines = Counter[str]()
    for s in seats:
        lines.update(count_lines(s.log_path))
    return {
        "benchmark": "sync_chaos",
        "database": "postgresql" if args.pg else "sqlite",
        "completed": not capped and all(s.done for s in seats),
        "seats": args.seats,
        "copied_seat": next((s.code for s in seats if s.copy_of), None),
        "cases_per_seat_target": args.cases,
        **figures,
        "seat_kills": chaos.seat_kills,
        "seat_kills_mid_sync": sum(s.kills_mid_sync for s in seats),
        "seat_crashes": sum(s.crashes for s in seats),
        "seat_starts": sum(s.starts for s in seats),
        "server_restarts": chaos.server_restarts,
        "server_restart_at_s": chaos.restart_times_s,
        "server_down_s": round(chaos.server_down_s, 1),
        "elapsed_s": round(elapsed, 1),
        "passes": lines["E"],
        "conflicts_answered": sum(conflicts_answered(s.log_path) for s in seats),
        "failed_passes": lines["X"],
        "network_errors": lines["X NETWORK"],
        "auth_errors": lines["X AUTH"],
        "other_sync_errors": lines["X"] - lines["X NETWORK"] - lines["X AUTH"],
        "logins": lines["L"],
        "case_rate_per_seat_per_s": args.rate,
        "server_5xx": count_5xx(server.log_path),
        "loadavg": loadavg(),
    }


def copy_seat(seats: list[SeatProc], work: Path, rng: random.Random) -> SeatProc | None:
    """SIGKILL a working seat, copy its data directory whole (store, WAL, backups) to a new one, and return a
    second seat process on the copy; the original restarts on its own directory as after any kill."""
    candidates = [s for s in seats if not s.done and not s.copy_of]
    if not candidates:
        return None
    original = rng.choice(candidates)
    if original.proc is not None:
        original.proc.kill()
        original.proc.join(10)
        original.proc = None
    original.restart_at = time.monotonic() + 0.2
    target = work / f"{original.data_dir.name}-copy"
    shutil.copytree(original.data_dir, target)
    copied = SeatProc(len(seats), original.code, original.operator, target, work / f"{target.name}.log",
                      copy_of=original.data_dir.name)
    seats.append(copied)
    return copied


def conflicts_answered(path: Path) -> int:
    """Seqs the server answered `conflict` (the E lines' fourth figure): sent again under a new seq."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return 0
    return sum(int(parts[4]) for ln in lines if ln.startswith("E ") and len(parts := ln.split()) > 4)


def count_lines(path: Path) -> Counter[str]:
    """How many log lines of each kind a seat wrote (N case, S/E sync pass, X error, L login, B boot, D done)."""
    counts = Counter[str]()
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return counts
    for line in text.splitlines():
        if not line:
            continue
        counts[line[0]] += 1
        if line.startswith("X "):
            counts["X " + line.split()[1]] += 1
    return counts


def count_5xx(path: Path) -> int:
    try:
        return sum(1 for line in path.read_text(errors="replace").splitlines() if '" 50' in line)
    except OSError:
        return 0


@dataclass
class SeatStore:
    """What one seat directory holds at the end, read directly from its store."""

    printed: set[str]  # numbers its process printed after submit_case returned
    cases: dict[str, tuple[str, bool]]  # case id -> (number, synced)
    rejected: set[str]  # case ids of rejected outbox rows: listed for a person
    pending: set[str]  # case ids still queued


def read_seat(s: SeatProc) -> SeatStore:
    from operator_app.store.database import connect_sqlite

    printed = {ln[2:].strip() for ln in s.log_path.read_text(errors="replace").splitlines() if ln.startswith("N ")}
    conn3 = connect_sqlite(s.data_dir / "seat.sqlite", readonly=True)
    try:
        cases = {i: (n, bool(synced)) for i, n, synced in conn3.execute("SELECT id, number, synced FROM cases")}
        queued = conn3.execute("SELECT state, entity_id FROM outbox").fetchall()
    finally:
        conn3.close()
    return SeatStore(printed, cases, {e for st, e in queued if st == "rejected"},
                     {e for st, e in queued if st == "pending"})


def verify(db: str, seats: list[SeatProc], target: int) -> dict[str, Any]:
    """Compare the server's cases (read from its database) with every seat's log and local store, by identity:
    each case a seat made is on the server exactly once under its id, or listed for a person there (rejected,
    never marked synced)."""
    from sqlalchemy import func, select

    from central_server.db.engine import make_engine
    from central_server.db.models import Case, CaseEvent, Seat, SeatMutation

    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            server_rows = conn.execute(select(Case.id, Case.number, Seat.seat_code)
                                       .join(Seat, Seat.id == Case.seat_id)).all()
            created_events = Counter(conn.execute(select(CaseEvent.case_id).where(CaseEvent.kind == "created"))
                                     .scalars())
            outcomes = {str(status): int(n) for status, n in conn.execute(
                select(SeatMutation.status, func.count()).group_by(SeatMutation.status))}
    finally:
        engine.dispose()
    by_number = Counter(r.number for r in server_rows)
    by_id = Counter(r.id for r in server_rows)
    copied_codes = {s.code for s in seats if s.copy_of}
    stores = {s.data_dir.name: read_seat(s) for s in seats}
    lost: list[str] = []  # case ids neither on the server nor listed for a person
    synced_not_on_server: list[str] = []
    shown: set[str] = set()
    printed_not_held: list[str] = []
    per_seat: dict[str, dict[str, int]] = {}
    bad_seats: list[str] = []
    for s in seats:
        st = stores[s.data_dir.name]
        numbers_held = {n for n, _ in st.cases.values()}
        printed_not_held += sorted(st.printed - numbers_held)
        for case_id, (_number, synced) in st.cases.items():
            if case_id in by_id:
                continue
            if synced:
                synced_not_on_server.append(case_id)
            if case_id in st.rejected:
                shown.add(case_id)
            elif case_id not in st.pending:
                lost.append(case_id)
        on_server = sum(1 for r in server_rows if r.seat_code == s.code)
        per_seat[s.data_dir.name] = {"printed": len(st.printed), "local": len(st.cases), "on_server": on_server,
                                     "rejected": len(st.rejected), "kills": s.kills}
        if s.code not in copied_codes and not (on_server == len(st.cases) >= target and not st.rejected):
            bad_seats.append(s.data_dir.name)
    held_ids = {i for st in stores.values() for i in st.cases}
    pending = sum(len(st.pending) for st in stores.values())
    rejected = sum(len(st.rejected) for st in stores.values())
    duplicated = sorted(n for n, c in by_number.items() if c > 1)
    duplicated_ids = sorted(i for i, c in by_id.items() if c > 1)
    unknown = sorted(r.id for r in server_rows if r.id not in held_ids)
    events_not_once = sum(1 for r in server_rows if created_events.get(r.id, 0) != 1)
    figures = {
        "cases_created": len(held_ids),
        "cases_printed": sum(len(st.printed) for st in stores.values()),
        "cases_on_server": len(server_rows),
        "shown_as_rejected": len(shown),
        "lost": len(lost) + len(printed_not_held),
        "marked_synced_but_not_on_server": len(synced_not_on_server),
        "duplicated": len(duplicated) + len(duplicated_ids) + len(unknown),
        "duplicated_by_number": len(duplicated),
        "duplicated_by_id": len(duplicated_ids),
        "on_server_but_no_seat_has_it": len(unknown),
        "created_event_not_exactly_once": events_not_once,
        "outbox_pending_left": pending,
        "outbox_rejected": rejected,
        "server_mutation_outcomes": outcomes,
        "seats_not_matching": bad_seats,
        "per_seat_min_max": [min(p["on_server"] for p in per_seat.values()),
                             max(p["on_server"] for p in per_seat.values())],
    }
    if copied_codes:
        pair = {s.data_dir.name for s in seats if s.copy_of} | {s.copy_of for s in seats if s.copy_of}
        figures["copied_seat_dirs"] = {name: per_seat[name] for name in sorted(pair)}
    figures["verified"] = (not lost and not printed_not_held and not synced_not_on_server and not duplicated
                           and not duplicated_ids and not unknown and not events_not_once and not bad_seats
                           and pending == 0 and (rejected == 0 or bool(copied_codes)))
    if not figures["verified"]:
        figures["examples"] = {"lost": lost[:5], "printed_not_held": printed_not_held[:5],
                               "synced_not_on_server": synced_not_on_server[:5], "duplicated": duplicated[:5],
                               "unknown": unknown[:5], "per_seat": {c: per_seat.get(c) for c in bad_seats[:5]}}
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pg", action="store_true", help="a throwaway PostgreSQL cluster instead of a SQLite file")
    p.add_argument("--seats", type=int, default=20)
    p.add_argument("--cases", type=int, default=500, help="cases per seat")
    p.add_argument("--rate", type=float, default=4.0, help="cases per second per seat")
    p.add_argument("--sync-every", type=float, default=1.0, help="seconds between a seat's sync passes")
    p.add_argument("--seat-kills", type=int, default=40, help="SIGKILLs of seat processes, spread over the run")
    p.add_argument("--server-restarts", type=int, default=4)
    p.add_argument("--time-cap", type=float, default=360.0, help="stop and verify after this many seconds")
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--copy-seat", action="store_true",
                   help="copy one seat's data directory mid-run; both copies keep working and syncing")
    p.add_argument("--copy-at", type=float, default=0.4, help="when to copy, as a fraction of the creation time")
    p.add_argument("--seat", nargs=3, metavar=("DATA_DIR", "SEAT_CODE", "OPERATOR"), help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.seat:
        data_dir, code, operator = args.seat
        sys.exit(seat_main(data_dir, code, operator, args.url, args.cases, args.rate, args.sync_every, args.seed,
                           out=sys.stdout))
    work = Path(tempfile.mkdtemp(prefix="bench-sync-chaos-"))
    log(f"work dir {work}; load {loadavg()}")
    result: dict[str, Any] = {}
    try:
        if args.pg:
            with postgres_database() as (url, _cluster):
                result = conduct(args, url, work)
        else:
            result = conduct(args, f"sqlite:///{work / 'central.sqlite'}", work)
    finally:
        keep = bool(os.environ.get("BENCH_KEEP")) or not result.get("verified")
        if keep:
            log(f"kept work dir {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    result["work_dir_kept"] = keep
    emit(result)
    if not result.get("verified"):
        log(json.dumps(result.get("examples", {}), ensure_ascii=False))
        sys.exit(1)

if __name__ == "__main__":
    main()
