"""Hot spots: grouping quality on real messages, and the range query's speed on 1.2 million cases (PostgreSQL).

Default mode: imports ../shared/data/hotspots/messages.csv (4,326 real messages with times) into a fresh server
database at run time; each message becomes a case (content = title + body, its real time, no district or address:
the place is read from the text by the server's own normalisation, services/hotspot_place.py) and goes through the
grouping hook (services/hotspot_assign.assign_new_cases) in time order. Two runs, side by side: `lexical` (today's
grouping by words) and `semantic` (right after each case is added its passage vector is stored, read from
benchmarks/_vectors.py's cache, and services/vector_hooks.cases_embedded is called, as the server's worker keeping
up would). For each, prints the top 10 hot spots of the whole period (size, time span, place, representative title)
on stderr and writes a sample of 50 grouped messages (message id, group, message title, group title) to a TSV
outside the repository for a person to judge (`--sample-out`, the semantic one beside it as `<name>_semantic.tsv`).
Skips with a message when ../shared/data is absent; `--lexical-only` where the encoder cannot run.

`--scale N` (e.g. 1200000): a throwaway PostgreSQL cluster (tests/server/pg_cluster.py) filled with N synthetic
cases over `--days` days by SQL (cases, hot-spot groups — most cases alone in theirs — and case_topics), then the
hot-spot answer for the last 30 days is timed through the service and through GET /api/v1/lead/hotspots (median
of 7), and the grouping of a 500-case push batch on that database.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import REPO, emit, log, median_ms, summary_ms

DATA = REPO.parent / "shared" / "data" / "hotspots" / "messages.csv"
CHINA = timedelta(hours=8)


def parse_time(text: str) -> datetime:
    """The data's two formats ("2017-06-08 17:31:20", "2020/1/8 9:32:33"), China time."""
    text = text.strip().replace("/", "-")
    day, _, clock = text.partition(" ")
    y, m, d = (int(x) for x in day.split("-"))
    hh, mm, ss = (int(x) for x in (clock or "0:0:0").split(":"))
    return datetime(y, m, d, hh, mm, ss, tzinfo=UTC) - CHINA


def fresh_server_db(url: str) -> Any:
    from central_server.db.engine import make_engine, session_factory
    from central_server.db.migrate import upgrade_to_head
    from central_server.db.models import Seat
    from central_server.services.users import create_user

    engine = make_engine(url)
    upgrade_to_head(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        create_user(session, username="1001", name="导入", role="operator", password="bench-pass-1234")
        create_user(session, username="2001", name="班长", role="team_lead", password="bench-pass-1234")
        session.add(Seat(id=str(uuid.uuid4()), seat_code="S001", credential_hash="0" * 64, registered_by="1001",
                         registered_at=datetime.now(UTC), last_applied_seq=0))
        session.commit()
    return engine, sessions


def case_row(seat_id: str, n: int, at: datetime, content: str) -> dict[str, Any]:
    stamp = at.isoformat(timespec="milliseconds")
    return {"id": str(uuid.uuid4()), "number": f"S001-{at:%Y%m%d}-{n:06d}", "seat_id": seat_id, "created_by": "1001",
            "status": "dispatched", "fields": {"district": "", "street": "", "address": "", "content": content,
                                               "category": "", "caller_name": ""},
            "lead_department": "zjj", "respond_by": stamp, "finish_by": stamp, "created_at": stamp,
            "received_at": at, "last_event_seq": 1}


def load_messages(data: Path) -> list[tuple[str, str, str, datetime]]:
    """(id, title, body, time) of each message, in time order."""
    with data.open(encoding="utf-8", newline="") as f:
        messages = [(r["id"], r["title"].strip(), r["body"].strip(), parse_time(r["time"])) for r in csv.DictReader(f)]
    messages.sort(key=lambda m: m[3])
    return messages


def message_vectors(messages: list[tuple[str, str, str, datetime]]) -> dict[str, Any]:
    """Message id → its passage vector, as the server's worker makes a case's (semantic.case_passage of the
    content), from the benchmark cache (benchmarks/_vectors.py hotspot_passages(): title + newline + body, so the
    lead's pre-fill is hit; the cases' content joins them with "。", which case_passage reads the same but for
    that one character). Encodes what the cache lacks."""
    from _vectors import vectors

    from semantic import case_passage

    texts = [case_passage(f"{title}\n{body}") for _, title, body, _ in messages]
    matrix = vectors(texts, "passage", threads=1, log=log)
    return {m[0]: matrix[i] for i, m in enumerate(messages)}


def store_vector(session: Any, case_id: str, vector: Any) -> None:
    """A case_vectors row as the worker writes it."""
    from sqlalchemy import insert

    from central_server.db.models import CaseVector
    from semantic import encoder_id, pack

    session.connection().execute(insert(CaseVector), [{"case_id": case_id, "encoder": encoder_id(),
                                                       "dim": len(vector), "data": pack(vector),
                                                       "created_at": datetime.now(UTC)}])


def real_data(data: Path, sample_out: Path, seed: int, semantic: bool) -> dict[str, Any]:
    """The lexical grouping, and (semantic) the same with each case's vector stored right after it arrives and
    the worker's hook (services/vector_hooks.cases_embedded) called, as a worker keeping up would."""
    messages = load_messages(data)
    out: dict[str, Any] = {"messages": len(messages)}
    runs: list[tuple[str, dict[str, Any] | None]] = [("lexical", None)]
    if semantic:
        runs.append(("semantic", message_vectors(messages)))
    placed: dict[str, dict[str, tuple[str, int]]] = {}
    for name, vecs in runs:
        target = sample_out if name == "lexical" else sample_out.with_name(f"{sample_out.stem}_semantic{sample_out.suffix}")
        out[name], placed[name] = group_messages(messages, vecs, target, seed, name)
    if semantic:
        out["changes"] = changes(messages, placed, sample_out.with_name(f"{sample_out.stem}_changes{sample_out.suffix}"),
                                 seed)
    return out


def changes(messages: list[tuple[str, str, str, datetime]], placed: dict[str, dict[str, tuple[str, int]]],
            sample_out: Path, seed: int) -> dict[str, Any]:
    """Messages in a hot spot (group of 2+) by meaning but not by words, and the reverse; a sample of 30 of them
    with the group title each run gave (or "—", alone) for a person to judge which is right."""
    lexical, semantic = placed["lexical"], placed["semantic"]
    gained = [m for m in (m[0] for m in messages) if semantic[m][1] >= 2 > lexical[m][1]]
    lost = [m for m in (m[0] for m in messages) if lexical[m][1] >= 2 > semantic[m][1]]
    rng = random.Random(seed)
    pool = sorted(gained + lost, key=int)
    sample = sorted(rng.sample(pool, min(30, len(pool))), key=int)
    titles = {m[0]: m[1] for m in messages}
    with sample_out.open("w", encoding="utf-8") as f:
        f.write("message_id\tmessage_title\tlexical_group\tsemantic_group\n")
        for mid in sample:
            cells = [f"{placed[r][mid][0]} ({placed[r][mid][1]})" if placed[r][mid][1] >= 2 else "—"
                     for r in ("lexical", "semantic")]
            f.write(f"{mid}\t{titles[mid]}\t{cells[0]}\t{cells[1]}\n")
    log(f"sample of {len(sample)} messages grouped differently written to {sample_out}")
    return {"in_a_hot_spot_only_by_meaning": len(gained), "in_a_hot_spot_only_by_words": len(lost),
            "sample_file": str(sample_out)}


def group_messages(messages: list[tuple[str, str, str, datetime]], vecs: dict[str, Any] | None, sample_out: Path,
                   seed: int, name: str) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """The run's figures, and message id → (its group's title, the group's size)."""
    from sqlalchemy import insert, select

    from central_server.db.models import Case, CaseTopic, HotspotGroup, Seat
    from central_server.services.hotspot_assign import assign_new_cases, config_for
    from central_server.services.hotspot_query import list_hotspots
    from central_server.services.vector_hooks import cases_embedded

    with tempfile.TemporaryDirectory(prefix="hotspots-bench-") as tmp:
        engine, sessions = fresh_server_db(f"sqlite:///{tmp}/central.sqlite")
        case_of: dict[str, str] = {}
        started = time.perf_counter()
        hook: list[float] = []
        with sessions() as session:
            seat_id = session.scalars(select(Seat.id)).one()
            for n, (mid, title, body, at) in enumerate(messages, 1):
                row = case_row(seat_id, n, at, f"{title}。{body}" if title else body)
                case_of[row["id"]] = mid
                session.connection().execute(insert(Case), [row])
                assign_new_cases(session, [row], None)
                if vecs is not None:
                    store_vector(session, row["id"], vecs[mid])
                    t = time.perf_counter()
                    cases_embedded(session, [row["id"]])
                    hook.append(time.perf_counter() - t)
            session.commit()
            assign_s = time.perf_counter() - started
            config = config_for(session)
            start, end = messages[0][3], messages[-1][3] + timedelta(seconds=1)
            t = time.perf_counter()
            spots = list_hotspots(session, start=start, end=end, limit=1000, config=config)
            query_ms = (time.perf_counter() - t) * 1000
            topics = session.execute(select(CaseTopic.case_id, CaseTopic.group_id)).all()
            groups = {g.id: g for g in session.scalars(select(HotspotGroup))}
        engine.dispose()
    titles = {m[0]: m[1] for m in messages}
    members: dict[str, list[str]] = {}
    for case_id, group_id in topics:
        members.setdefault(group_id, []).append(case_of[case_id])
    grouped = [g for g, ids in members.items() if len(ids) >= 2]
    top = [{"size": h.size, "from": (h.first_at + CHINA).strftime("%Y-%m-%d"), "to": (h.last_at + CHINA).strftime(
        "%Y-%m-%d"), "place": h.place, "district": h.district, "title": h.title, "suggested": h.suggested_supervision}
           for h in spots[:10]]
    log(f"{name}: top 10 hot spots over the whole period (rank: size + growth/2):")
    for i, h in enumerate(top, 1):
        log(f"{i:2d}. {h['size']:3d} cases  {h['from']} → {h['to']}  {h['district']} {h['place']}  「{h['title']}」")
    rng = random.Random(seed)
    pool = sorted(((g, mid) for g in grouped for mid in members[g]), key=lambda p: int(p[1]))  # group ids are random
    sample = sorted(rng.sample(pool, min(50, len(pool))), key=lambda p: (groups[p[0]].title, p[0], int(p[1])))
    with sample_out.open("w", encoding="utf-8") as f:
        f.write("group\tgroup_place\tgroup_size\tgroup_title\tmessage_id\tmessage_title\n")
        for g, mid in sample:
            grp = groups[g]
            f.write(f"{g[:8]}\t{grp.place}\t{len(members[g])}\t{grp.title}\t{mid}\t{titles[mid]}\n")
    log(f"{name}: sample of {len(sample)} grouped messages written to {sample_out}")
    result: dict[str, Any] = {
        "groups": len(members), "groups_of_2_plus": len(grouped),
        "messages_in_groups_of_2_plus": sum(len(members[g]) for g in grouped),
        "hot_spots_whole_period": len(spots), "assign_ms_per_message": round(assign_s * 1000 / len(messages), 2),
        "query_whole_period_ms": round(query_ms, 1), "top10": top, "sample_file": str(sample_out),
    }
    if hook:
        result["regroup_hook"] = summary_ms(hook)
    placed = {mid: (groups[g].title, len(ids)) for g, ids in members.items() for mid in ids}
    return result, placed


# --- timing on PostgreSQL ------------------------------------------------------------------------------------

FILL_SQL = [
    # the plan: each case's time (spread over the days) and group (60 % alone, the rest Zipf-like over 20,000)
    """CREATE TEMP TABLE plan AS SELECT i, :t0 + (random() * :days) * interval '1 day' AS at,
       CASE WHEN random() < 0.6 THEN 'solo-' || i ELSE 'hot-' || floor(20000 * power(random(), 3))::int END AS g
       FROM generate_series(1, :n) AS i""",
    """INSERT INTO hotspot_groups (id, place_key, specific, district, street, place, category, title, signature,
       size, first_at, last_at)
       SELECT md5(g)::uuid::text, 'p:' || left(md5(g), 4), true, 'donghu', '湖滨街道', '小区' || left(md5(g), 4),
       '环境保护/噪音扰民/施工噪音', '小区' || left(md5(g), 4) || '夜间施工噪音扰民', '{"施工": 1, "噪音": 1}',
       count(*), min(at), max(at) FROM plan GROUP BY g""",
    """INSERT INTO cases (id, number, seat_id, created_by, status, fields, lead_department, respond_by, finish_by,
       created_at, received_at, last_event_seq)
       SELECT md5('case' || i)::uuid::text, 'S001-20260101-' || lpad(i::text, 7, '0'), :seat, '1001',
       CASE WHEN i % 3 = 0 THEN 'closed' ELSE 'dispatched' END,
       json_build_object('district', 'donghu', 'street', '湖滨街道', 'content', '夜间施工噪音扰民',
                         'caller_name', '张三', 'phone', '13800000000'),
       'zjj', '', '', to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"+00:00"'), at, 1 FROM plan""",
    """INSERT INTO case_topics (case_id, accepted_at, place_key, group_id, title, grouped)
       SELECT md5('case' || i)::uuid::text, at, 'p:' || left(md5(g), 4), md5(g)::uuid::text, '夜间施工噪音扰民',
       g LIKE 'hot-%' FROM plan""",
]


def timing(scale: int, days: int) -> dict[str, Any]:
    import requests
    from _sync_common import postgres_database
    from sqlalchemy import insert, select, text

    from central_server.core.config import Settings
    from central_server.db.models import Case, Seat
    from central_server.embedded import serve_app_in_thread
    from central_server.main import create_app
    from central_server.services.hotspot_assign import assign_new_cases, config_for
    from central_server.services.hotspot_query import list_hotspots

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    end = t0 + timedelta(days=days)
    start = end - timedelta(days=30)
    with postgres_database("hotspots_bench") as (url, _cluster):
        engine, sessions = fresh_server_db(url)
        started = time.perf_counter()
        with engine.begin() as conn:
            seat = conn.execute(select(Seat.id)).scalar_one()
            for sql in FILL_SQL:
                conn.execute(text(sql), {"t0": t0, "days": days, "n": scale, "seat": seat})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                      for t in ("cases", "hotspot_groups", "case_topics")}
            in_range = conn.execute(text("SELECT count(*) FROM case_topics WHERE accepted_at >= :a AND accepted_at < :b"),
                                    {"a": start, "b": end}).scalar_one()
        fill_s = time.perf_counter() - started
        log(f"filled {counts} in {fill_s:.0f} s; {in_range} cases in the 30-day range")
        service: list[float] = []
        with sessions() as session:
            config = config_for(session)
            for _ in range(7):
                t = time.perf_counter()
                spots = list_hotspots(session, start=start, end=end, limit=20, config=config)
                service.append(time.perf_counter() - t)
                session.rollback()
            whole: list[float] = []
            for _ in range(3):
                t = time.perf_counter()
                list_hotspots(session, start=t0, end=end, limit=20, config=config)
                whole.append(time.perf_counter() - t)
                session.rollback()
        srv = serve_app_in_thread(create_app(Settings(database_url=url, access_log=False)))
        http: list[float] = []
        try:
            api = requests.Session()
            login = api.post(f"{srv.url}/api/v1/auth/login", json={"username": "2001", "password": "bench-pass-1234"},
                             timeout=30).json()
            headers = {"Authorization": f"Bearer {login['access_token']}"}
            params = {"from": start.isoformat(), "to": end.isoformat(), "limit": 20}
            for _ in range(7):
                t = time.perf_counter()
                resp = api.get(f"{srv.url}/api/v1/lead/hotspots", params=params, headers=headers, timeout=60)
                http.append(time.perf_counter() - t)
                assert resp.status_code == 200, resp.text
            answer_kb = len(resp.content) / 1024
        finally:
            srv.stop()
        # the grouping hook's cost in a push of 500 cases on this database
        rng = random.Random(7)
        assign: list[float] = []
        with sessions() as session:
            seat_id = session.scalars(select(Seat.id)).one()
            for batch in range(5):
                rows = [case_row(seat_id, 9_000_000 + batch * 500 + k, end - timedelta(minutes=rng.randint(1, 600)),
                                 f"{rng.choice(['幸福家园', '翠湖苑', '锦绣华庭', '金桂园'])}{rng.randint(1, 30)}栋"
                                 f"{rng.choice(['夜间施工噪音扰民', '电梯经常停运', '垃圾清运不及时', '楼下烧烤油烟大'])}")
                        for k in range(500)]
                session.connection().execute(insert(Case), rows)
                t = time.perf_counter()
                assign_new_cases(session, rows, None)
                assign.append(time.perf_counter() - t)
                session.commit()
        engine.dispose()
    return {
        "scale": scale, "days": days, "rows": counts, "cases_in_30_day_range": in_range, "fill_s": round(fill_s, 1),
        "hot_spots": len(spots), "largest": spots[0].size if spots else 0,
        "service_30_days_ms": {"median": median_ms(service), "max": round(max(service) * 1000, 1)},
        "http_30_days_ms": {"median": median_ms(http), "max": round(max(http) * 1000, 1)},
        "http_answer_kb": round(answer_kb, 1),
        f"service_all_{days}_days_ms": {"median": median_ms(whole)},
        "assign_500_case_batch_ms": {"median": median_ms(assign), "per_case": round(
            statistics.median(assign) * 1000 / 500, 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=int, default=0, help="time the range query on N synthetic cases (PostgreSQL)")
    parser.add_argument("--days", type=int, default=90, help="days the synthetic cases spread over (--scale)")
    parser.add_argument("--sample-out", type=Path, default=Path(tempfile.gettempdir()) / "hotspots_sample.tsv",
                        help="where the 50 sampled grouped messages go (outside the repository)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--lexical-only", action="store_true",
                        help="only the grouping by words (no sentence vectors: no encoder here, or no cache)")
    parser.add_argument("--data", type=Path, default=DATA, help="messages.csv (default: ../shared/data/hotspots)")
    args = parser.parse_args()
    if args.scale:
        emit({"benchmark": "hotspots_timing", **timing(args.scale, args.days)})
        return
    if not args.data.exists():
        emit({"skipped": f"{args.data} not found: the real-data run needs ../shared/data/hotspots/messages.csv"})
        sys.exit(0)
    if args.sample_out.resolve().is_relative_to(REPO):
        raise SystemExit("--sample-out must be outside the repository (it holds real message titles)")
    emit({"benchmark": "hotspots_real_data", **real_data(args.data, args.sample_out, args.seed, not args.lexical_only)})


if __name__ == "__main__":
    main()
