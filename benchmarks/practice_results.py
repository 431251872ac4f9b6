"""Trainees' practice results (services/practice_results.py, GET /api/v1/practice/results) over N attempts.

The demo history (services/demo_practice_history.py: the demo trainees, scored with score_attempt) is copied with
new ids and submission times spread over 12 weeks up to N attempts, on SQLite and on a throwaway PostgreSQL
cluster. Then: the one-off filling of the skill masks for attempts stored without them (`fill_ms`), and R runs
each of the whole answer over the 12 weeks for everyone (`all_ms`) and for team 一班 (`team_ms`); median and max.
Target (issue 16): well under a second at 50,000 attempts.

    .venv/bin/python benchmarks/practice_results.py [--attempts 50000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import emit, log
from _sync_common import postgres_database
from sqlalchemy import insert, select, text

from central_server.core.city import load_city_facts
from central_server.db.engine import make_engine, session_factory
from central_server.db.migrate import upgrade_to_head
from central_server.db.models import PracticeAttempt
from central_server.services.demo import seed_demo
from central_server.services.demo_practice_history import seed_practice_history
from central_server.services.practice_results import ResultsFilter, fill_marks, practice_results

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
WEEKS = 12


def fill(url: str, attempts: int) -> None:
    city = load_city_facts(RESOURCES)
    engine = make_engine(url)
    upgrade_to_head(engine)
    with session_factory(engine)() as s:
        seed_demo(s, city)
        s.commit()
        written = seed_practice_history(s, city, RESOURCES, now=NOW, rng=random.Random(16))
        columns = [c for c in PracticeAttempt.__table__.columns if c.key not in ("skills_scored", "skills_right")]
        models = [dict(r._mapping) for r in s.execute(select(*columns))]
        rng = random.Random(1)
        batch: list[dict[str, Any]] = []
        for _ in range(attempts - written):
            row = dict(rng.choice(models))
            row["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            row["submitted_at"] = NOW - timedelta(seconds=rng.uniform(0, WEEKS * 7 * 86400))
            batch.append(row)
            if len(batch) == 5000:
                s.execute(insert(PracticeAttempt), batch)
                batch = []
        if batch:
            s.execute(insert(PracticeAttempt), batch)
        s.execute(PracticeAttempt.__table__.update().values(skills_scored=None, skills_right=None))
        s.commit()
    engine.dispose()


def measure(url: str, runs: int) -> dict[str, Any]:
    city = load_city_facts(RESOURCES)
    engine = make_engine(url)
    out: dict[str, Any] = {}
    with session_factory(engine)() as s:
        started = time.perf_counter()
        out["filled"] = fill_marks(s)
        out["fill_ms"] = round((time.perf_counter() - started) * 1000)
    if engine.dialect.name == "postgresql":  # as autovacuum would have: the visibility map for index-only scans
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE practice_attempts"))
    for key, team in (("all_ms", None), ("team_ms", "一班")):
        samples = []
        for _ in range(runs):
            with session_factory(engine)() as s:
                started = time.perf_counter()
                answer = practice_results(s, city.timezone, ResultsFilter(NOW - timedelta(weeks=WEEKS), NOW,
                                                                          team=team))
                samples.append((time.perf_counter() - started) * 1000)
        out[key] = {"median": round(statistics.median(samples), 1), "max": round(max(samples), 1),
                    "attempts": answer["attempts"]}
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result: dict[str, Any] = {"attempts": args.attempts}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'central.sqlite'}"
        log("SQLite: filling")
        fill(url, args.attempts)
        result["sqlite"] = measure(url, args.runs)
    with postgres_database("practice_bench") as (url, _):
        log("PostgreSQL: filling")
        fill(url, args.attempts)
        result["postgresql"] = measure(url, args.runs)
    emit(result)


if __name__ == "__main__":
    main()
