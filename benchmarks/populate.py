"""Fill a seat's store with many cases quickly, shaped exactly as submit_case writes them.

Rows go into the same tables (cases, case_events, outbox, day_counters) in large transactions with
executemany, reusing the core's validation, case numbers, deadlines, event folding and outbox wire format;
no fsync per case. (Building rows in worker processes does not pay here: this machine's two cores give ~1.1x
the throughput of one.)
Every case is left unsynced with a pending outbox row, as if the seat had been offline the whole time
(the worst case for the outbox summary and the "待同步" column).

Usage: .venv/bin/python benchmarks/populate.py --data-dir DIR [--cases 100000] [--days 60]
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from _common import FRAGMENTS, RARE_WORD, emit, log, sample_forms

if TYPE_CHECKING:
    from contract.city.model import City
    from operator_app.seat import Seat
    from operator_app.store.database import Store

MINE = "1001"
CACHE_ENV = "BENCH_NO_CACHE"
CACHE_MAX_AGE_S = 3600
ROW_TABLES = ("cases", "case_events", "outbox")

# What _make_rows needs besides its chunk (set by populate).
_CTX: dict[str, Any] = {}


def _operators(city: City, count: int) -> list[str]:
    ops = [op.id for op in city.roster.values() if op.role == "operator"]
    ops += [op.id for op in city.roster.values() if op.role != "operator"]
    return ops[:count]


def _timestamps(rng: random.Random, *, total: int, days: int, mine_today: int, mine: str, operators: list[str],
                now: datetime, tz: ZoneInfo) -> list[tuple[datetime, str]]:
    """(created_at UTC, operator) sorted by time: `mine_today` for `mine` in the last hours of today (at most
    8 h, never before local midnight), the rest spread evenly over `days` days among all operators."""
    local_midnight = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    today_start = max(local_midnight, now - timedelta(hours=8))
    today_span = max((now - today_start).total_seconds(), 1.0)
    span = days * 86400.0
    out: list[tuple[datetime, str]] = []
    for _ in range(min(mine_today, total)):
        out.append((now - timedelta(seconds=rng.random() * today_span + 0.001), mine))
    for _ in range(total - len(out)):
        out.append((now - timedelta(seconds=rng.random() * span + 0.001), rng.choice(operators)))
    out.sort(key=lambda item: item[0])
    return out


def _make_rows(spec: tuple[int, list[tuple[datetime, str, str]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Build the rows of one chunk: case, created event and outbox row per case."""
    from dataclasses import replace

    from contract.events import CREATED, CaseEvent, apply_event
    from contract.names import CASE_CREATED
    from operator_app.ids import new_uuid
    from operator_app.services.intake import created_payload, event_wire
    from operator_app.store.case_rows import case_row

    chunk, items = spec
    city, templates = _CTX["city"], _CTX["templates"]
    columns, seat_code, corpus = _CTX["columns"], _CTX["seat_code"], _CTX["corpus"]
    rng = random.Random(_CTX["seed"] * 1000 + chunk)
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in ROW_TABLES}
    for i, (at, operator_id, number) in enumerate(items):
        k = (chunk * 7919 + i) % len(templates)
        tpl = templates[k]
        # Content 20-600 characters, skewed short (median ~65, mean ~130), like real call notes.
        length = int(20 * 30 ** (rng.random() ** 1.5))
        start = rng.randrange(len(corpus) - length)
        content = corpus[start:start + length]
        if rng.random() < 0.001:
            content = content[: max(len(content) - len(RARE_WORD), 0)] + RARE_WORD
        case_id = new_uuid()
        recorded_at = at.isoformat(timespec="milliseconds")
        payload = created_payload(city, replace(tpl, content=content), number=number, accepted_at=at, extras={})
        event = CaseEvent(new_uuid(), case_id, 1, CREATED, payload, operator_id, recorded_at)
        case = case_row(apply_event(None, event), synced=False)
        ev = {
            "id": event.id, "case_id": case_id, "seq": 1, "kind": CREATED,
            "payload_json": json.dumps(payload, ensure_ascii=False), "operator_id": operator_id,
            "recorded_at": recorded_at,
        }
        # json.dumps(args) without encoding the payload a second time; checked against the real thing once a chunk.
        args_json = (f'{{"case_id": "{case_id}", "seat_code": {json.dumps(seat_code)}, "event": {{"id": '
                     f'"{event.id}", "seq": 1, "kind": "{CREATED}", "payload": {ev["payload_json"]}, '
                     f'"recorded_at": "{recorded_at}"}}}}')
        if i == 0:
            args = {"case_id": case_id, "seat_code": seat_code, "event": event_wire(event)}
            assert args_json == json.dumps(args, ensure_ascii=False), "outbox args no longer match intake.py"
        out = {
            "seq": None, "mutation_id": new_uuid(), "name": CASE_CREATED,
            "args_json": args_json, "operator_id": operator_id, "entity_id": case_id,
            "created_at": recorded_at, "state": "pending", "attempts": 0, "last_error": "",
        }
        for name, row in (("cases", case), ("case_events", ev), ("outbox", out)):
            rows[name].append(tuple(row[c] for c in columns[name]))
    return rows


def populate(store: Store, city: City, *, total: int = 100_000, days: int = 60, mine: str = MINE,
             mine_today: int = 3000, operator_count: int = 10, seed: int = 7, batch: int = 5_000,
             now: datetime | None = None) -> dict[str, Any]:
    """Insert `total` cases into `store`; returns what was made (counts, seconds, file size).
    """
    from sqlalchemy import select

    from contract.case_fields import validate_case
    from contract.case_number import format_case_number
    from operator_app.store import schema
    from operator_app.store.database import connect_sqlite

    started = time.perf_counter()
    rng = random.Random(seed)
    tz = ZoneInfo(city.timezone)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    operators = _operators(city, operator_count)
    templates = [validate_case(f, city) for f in sample_forms(city, 400, seed=seed, min_len=20, max_len=60)]
    columns = {t.name: [c.name for c in t.columns] for t in (schema.cases, schema.case_events, schema.outbox)}
    corpus_rng = random.Random(seed)
    _CTX.update(city=city, templates=templates, columns=columns,
                seat_code=store.seat.seat_code, seed=seed,
                corpus="".join(corpus_rng.choice(FRAGMENTS) for _ in range(20_000)))

    with store.read() as conn:
        counters: dict[str, int] = {d: int(s) for d, s in conn.execute(
            select(schema.day_counters.c.day, schema.day_counters.c.last_seq)).all()}
    # Case numbers are assigned here, in time order, exactly as the day counters would have issued them.
    numbered: list[tuple[datetime, str, str]] = []
    day_keys: dict[Any, str] = {}
    for at, operator_id in _timestamps(rng, total=total, days=days, mine_today=mine_today, mine=mine,
                                       operators=operators, now=now, tz=tz):
        local_day = at.astimezone(tz).date()
        day_key = day_keys.get(local_day) or day_keys.setdefault(local_day, local_day.strftime("%Y%m%d"))
        seq = counters[day_key] = counters.get(day_key, 0) + 1
        numbered.append((at, operator_id, format_case_number(store.seat.seat_code, local_day, seq)))
    specs = [(n, numbered[s:s + batch]) for n, s in enumerate(range(0, len(numbered), batch))]

    sql = {name: f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
           for name, cols in columns.items()}
    # A separate plain connection without fsync per commit: this is test setup, not the code under test.
    raw = connect_sqlite(store.path)
    raw.isolation_level = None
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("PRAGMA cache_size=-262144")
    made = 0
    try:
        for spec in specs:
            rows = _make_rows(spec)
            raw.execute("BEGIN IMMEDIATE")
            for name, chunk_rows in rows.items():
                raw.executemany(sql[name], chunk_rows)
            raw.execute("COMMIT")
            made += len(rows["cases"])
            if made % 20_000 < batch:
                log(f"  populate: {made:,}/{total:,} cases ({time.perf_counter() - started:.1f} s)")
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany("INSERT INTO day_counters (day, last_seq) VALUES (?, ?) "
                        "ON CONFLICT(day) DO UPDATE SET last_seq = excluded.last_seq", sorted(counters.items()))
        raw.execute("COMMIT")
        # Fold the big WAL back into the database file, as a long-running seat would have by now.
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
        _CTX.clear()
    seconds = time.perf_counter() - started
    return {
        "cases": made, "days": days, "operators": operators, "mine": mine, "mine_today": min(mine_today, total),
        "seconds": round(seconds, 1), "db_mb": round(store.path.stat().st_size / 1e6, 1),
    }


def _cache_file(total: int, seed: int) -> Path:
    from operator_app.store.database import SCHEMA_HEAD
    from operator_app.store.schema import __file__ as schema_file

    digest = hashlib.sha1()
    for source in (__file__, schema_file):
        digest.update(Path(source).read_bytes())
    digest.update(repr((FRAGMENTS, RARE_WORD, inspect.getsource(sample_forms))).encode())
    folder = Path(tempfile.gettempdir()) / "operator-desk-bench-cache"
    return folder / f"seat-{total}-{seed}-{SCHEMA_HEAD}-{digest.hexdigest()[:10]}.sqlite"


def _key_ref(cache: Path) -> Path:
    """Beside a cached store: the name of its key (the key itself stays in the keyring or the key folder)."""
    return cache.with_suffix(".keyref")


def _flush(path: Path) -> None:
    """fsync the store file, so the first checkpoint of the benchmark does not pay for writing 400 MB."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def populated_seat(data_dir: Path, *, total: int = 100_000, seed: int = 7) -> tuple[Seat, dict[str, Any]]:
    """Open a seat in the (fresh) data_dir whose store holds `total` populated cases.

    The populated store file is cached for an hour (same local day) in the temp dir and copied into data_dir,
    so running all benchmarks in a row populates once; set BENCH_NO_CACHE=1 to always populate afresh.
    """
    from contract.city.loader import load_city
    from operator_app.paths import resources_dir
    from operator_app.seat import open_seat
    from operator_app.store.database import DB_FILE
    from operator_app.store.keys import KEY_REF_FILE, KeyMissingError

    started = time.perf_counter()
    cache = _cache_file(total, seed)
    use_cache = not os.environ.get(CACHE_ENV)
    fresh = cache.exists() and _key_ref(cache).exists() and time.time() - cache.stat().st_mtime < CACHE_MAX_AGE_S
    if use_cache and fresh:
        tz = ZoneInfo(load_city(resources_dir()).timezone)  # "today" of the cached cases is a local day
        made_day = datetime.fromtimestamp(cache.stat().st_mtime, tz).date()
        if made_day == datetime.now(tz).date():
            shutil.copyfile(cache, data_dir / DB_FILE)
            shutil.copyfile(_key_ref(cache), data_dir / KEY_REF_FILE)  # names the cached store's key
            _flush(data_dir / DB_FILE)
            try:
                seat = open_seat(data_dir)
            except KeyMissingError:  # the cached store's key is gone (its key folder was cleared): populate
                for name in (DB_FILE, KEY_REF_FILE):
                    (data_dir / name).unlink(missing_ok=True)
            else:
                info = {"cases": total, "cached": str(cache), "seconds": round(time.perf_counter() - started, 1),
                        "db_mb": round(seat.store.path.stat().st_size / 1e6, 1)}
                log(f"  populate: copied a cached store of {total:,} cases ({info['seconds']} s)")
                return seat, info
    seat = open_seat(data_dir)
    info = populate(seat.store, seat.city, total=total, seed=seed)
    _flush(seat.store.path)
    if use_cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.part")
        shutil.copyfile(seat.store.path, partial)
        shutil.copyfile(data_dir / KEY_REF_FILE, _key_ref(cache))
        os.replace(partial, cache)
        for old in cache.parent.glob("seat-*.sqlite"):
            if old != cache and time.time() - old.stat().st_mtime > CACHE_MAX_AGE_S:
                old.unlink(missing_ok=True)
                _key_ref(old).unlink(missing_ok=True)
    return seat, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", required=True, help="the seat's data directory (created if missing)")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=60)
    args = parser.parse_args()
    from operator_app.seat import open_seat

    seat = open_seat(args.data_dir)
    try:
        emit(populate(seat.store, seat.city, total=args.cases, days=args.days))
    finally:
        seat.close()


if __name__ == "__main__":
    main()
