"""The team lead's KPIs (GET /api/v1/lead/kpis) over a 30-day range on PostgreSQL with 1.2 million generated cases.

A throwaway PostgreSQL cluster is filled by benchmarks/_lead_data.py (30 teams of 12 operators, hotline-shaped
arrivals, the KPI projection and ~1.3 million call records). Then, alternating, several runs each of:
- `team_http_ms`: the endpoint itself for a team lead (HTTP on loopback to an in-process server: login excluded),
- `team_service_ms`: services.kpis.lead_kpis for that team (one session each),
- `city_service_ms`: the same for the whole city (every case of the range),
each with a fresh session; median, p95 and max. Target (issue 15): ≤ 1 s.

    .venv/bin/python benchmarks/lead_kpis.py [--cases 1200000] [--days 30] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from _common import emit, log, percentile
from _lead_data import LEAD_PASSWORD, generate
from _sync_common import postgres_database


def _figures(samples: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(samples), 1), "p95": round(percentile(samples, 95), 1),
            "max": round(max(samples), 1), "runs": len(samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_200_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    import requests

    from central_server.core.city import load_city_facts
    from central_server.core.config import Settings, resources_dir
    from central_server.db.engine import make_engine, session_factory
    from central_server.embedded import serve_app_in_thread
    from central_server.main import create_app
    from central_server.services.kpis import Scope, lead_kpis
    from central_server.services.teams import team_members

    with postgres_database("lead_kpis") as (url, _cluster):
        data = generate(url, cases=args.cases, days=args.days)
        settings = Settings(database_url=url, access_log=False)
        departments = load_city_facts(resources_dir(settings)).departments
        engine = make_engine(url)
        sessions = session_factory(engine)
        server = serve_app_in_thread(create_app(settings))
        try:
            team = "T01"
            http = requests.Session()
            login = http.post(f"{server.url}/api/v1/auth/login",
                              json={"username": data.leads[team], "password": LEAD_PASSWORD}, timeout=30)
            login.raise_for_status()
            http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
            params = {"from": data.start.isoformat(), "to": data.end.isoformat()}
            samples: dict[str, list[float]] = {"team_http_ms": [], "team_service_ms": [], "city_service_ms": []}
            answers: dict[str, Any] = {}
            for run in range(args.runs):
                started = time.perf_counter()
                resp = http.get(f"{server.url}/api/v1/lead/kpis", params=params, timeout=60)
                samples["team_http_ms"].append((time.perf_counter() - started) * 1000)
                resp.raise_for_status()
                answers["team"] = resp.json()
                for name, everyone in (("team_service_ms", False), ("city_service_ms", True)):
                    with sessions() as session:
                        started = time.perf_counter()
                        members = None if everyone else team_members(session, team)
                        scope = Scope(members=members, names=members or {}, departments=departments)
                        answer = lead_kpis(session, scope, data.start, data.end, datetime.now(UTC))
                        samples[name].append((time.perf_counter() - started) * 1000)
                    answers["city" if everyone else "team_service"] = answer
                log(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.0f}" for k, v in samples.items()))
        finally:
            server.stop()
            engine.dispose()
    team_answer, city_answer = answers["team"], answers["city"]
    emit({
        "benchmark": "lead_kpis",
        "target_ms": 1000,
        "data": {"cases": data.cases, "calls": data.calls, "days": args.days, "teams": len(data.teams),
                 "operators_per_team": len(data.teams["T01"]), "load_s": round(data.load_seconds, 1)},
        "range": {"from": data.start.isoformat(), "to": data.end.isoformat()},
        **{name: _figures(values) for name, values in samples.items()},
        "team_cases": team_answer["cases"], "city_cases": city_answer["cases"],
        "city_figures": {k: city_answer[k] for k in ("response_on_time", "completion_on_time", "satisfaction",
                                                     "answer_rate", "avg_wait_seconds", "avg_handling_seconds",
                                                     "routing")},
    })


if __name__ == "__main__":
    main()
