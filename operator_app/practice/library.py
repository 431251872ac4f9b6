"""The scenarios and assignments a trainee can play on this seat: the server's, cached in the practice store, or
the demo scenarios from resources/ on a seat that never reached a server."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from contract.errors import ValidationErrors
from contract.practice.files import load_scenario_dir, scenario_dir
from contract.practice.scenario import Scenario
from operator_app.errors import SyncError
from operator_app.practice import store as t
from operator_app.practice.store import PracticeStore

log = logging.getLogger(__name__)

# SyncEngine.api: (method, path, *, json_body=None, params=None) -> parsed JSON; raises SyncError.
Api = Callable[..., Any]
SCENARIOS_PATH = "/api/v1/practice/scenarios"
ASSIGNMENTS_PATH = "/api/v1/practice/assignments"


@dataclass(frozen=True)
class Assignment:
    """An exercise or a timed exam a trainer assigned. `time_limit_seconds` (per scenario) overrides the
    scenario's own limit when set; `done` is the best total per scenario id, the server's and this seat's."""

    id: str
    title: str
    kind: str  # "exercise" | "exam"
    scenario_ids: tuple[str, ...]
    time_limit_seconds: int | None = None
    suggestions_off: bool = False
    due_at: str | None = None
    created_by: str = ""
    done: dict[str, float] = field(default_factory=dict)

    @property
    def is_exam(self) -> bool:
        return self.kind == "exam"


@dataclass(frozen=True)
class LibraryRefresh:
    """What a refresh did. `error` (plain words) is set when the server could not be reached or refused: the
    cache kept what it held before. `skipped`: ids of scenarios this version cannot read (left out)."""

    scenarios: int = 0
    assignments: int = 0
    skipped: tuple[str, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def available_scenarios(pstore: PracticeStore, resources: Path) -> list[Scenario]:
    """The cached scenarios in the server's order when the cache holds any, else the demo scenarios shipped in
    resources/training/scenarios (a seat that never reached a server)."""
    cached = cached_scenarios(pstore)
    if cached:
        return cached
    folder = scenario_dir(resources)
    if not folder.is_dir():
        return []
    return load_scenario_dir(folder)


def cached_scenarios(pstore: PracticeStore) -> list[Scenario]:
    with pstore.read() as conn:
        rows = conn.execute(select(t.scenarios.c.id, t.scenarios.c.body_json)
                            .where(t.scenarios.c.status == "published").order_by(t.scenarios.c.position)).all()
    found: list[Scenario] = []
    for row in rows:
        try:
            found.append(Scenario.from_dict(json.loads(row.body_json)))
        except (ValueError, ValidationErrors):  # written by this code: only a damaged row gets here
            log.warning("cached practice scenario %s cannot be read; left out", row.id)
    return found


def cached_assignments(pstore: PracticeStore, trainee_id: str) -> list[Assignment]:
    """The trainee's assignments as last fetched, with `done` raised by this seat's own attempts (also those not
    sent yet), in the server's order."""
    with pstore.read() as conn:
        rows = conn.execute(select(t.assignments.c.body_json).where(t.assignments.c.trainee_id == trainee_id)
                            .order_by(t.assignments.c.position)).scalars().all()
        local = conn.execute(
            select(t.attempts.c.assignment_id, t.attempts.c.scenario_id, t.attempts.c.local_score_json,
                   t.attempts.c.server_score_json)
            .where(t.attempts.c.trainee_id == trainee_id, t.attempts.c.assignment_id.is_not(None),
                   t.attempts.c.state != "refused")).all()
    best: dict[tuple[str, str], float] = {}
    for row in local:
        total = float(json.loads(row.server_score_json or row.local_score_json)["total"])
        k = (row.assignment_id, row.scenario_id)
        best[k] = max(best.get(k, 0.0), total)
    found: list[Assignment] = []
    for body in rows:
        a = _assignment(json.loads(body))
        if a is None:
            continue
        done = dict(a.done)
        for sid in a.scenario_ids:
            if (a.id, sid) in best:
                done[sid] = max(done.get(sid, 0.0), best[(a.id, sid)])
        found.append(Assignment(a.id, a.title, a.kind, a.scenario_ids, a.time_limit_seconds, a.suggestions_off,
                                a.due_at, a.created_by, done))
    return found


def refresh_library(pstore: PracticeStore, api: Api, *, trainee_id: str) -> LibraryRefresh:
    """Fetch the published scenarios and the trainee's assignments and replace the cache with them in one
    transaction. When either call fails (server unreachable, login needed, refused) nothing in the cache changes
    and the result says why. Blocks: call from a worker thread."""
    try:
        scenario_answer = api("GET", SCENARIOS_PATH)
        assignment_answer = api("GET", ASSIGNMENTS_PATH)
    except SyncError as exc:
        return LibraryRefresh(error=f"无法从中心服务器更新练习场景：{exc}")
    except OSError as exc:
        return LibraryRefresh(error=f"无法连接中心服务器：{type(exc).__name__}")
    raw_scenarios = scenario_answer.get("scenarios") if isinstance(scenario_answer, dict) else None
    raw_assignments = assignment_answer.get("assignments") if isinstance(assignment_answer, dict) else None
    if not isinstance(raw_scenarios, list) or not isinstance(raw_assignments, list):
        return LibraryRefresh(error="中心服务器的回答不完整，练习场景未更新")
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for raw in raw_scenarios:
        sid = str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
        try:
            scenario = Scenario.from_dict(raw)
        except ValidationErrors:
            skipped.append(sid)
            continue
        if not scenario.id or any(r["id"] == scenario.id for r in rows):
            skipped.append(sid)
            continue
        rows.append({"id": scenario.id, "version": scenario.version, "status": str(raw.get("status") or "published"),
                     "body_json": json.dumps(scenario.to_dict(), ensure_ascii=False),
                     "updated_at": str(raw.get("updated_at") or ""), "position": len(rows)})
    if skipped:
        log.warning("practice scenarios this version cannot read were left out: %s", ", ".join(skipped))
    assignment_rows: list[dict[str, Any]] = []
    for raw in raw_assignments:
        a = _assignment(raw)
        if a is None or any(r["id"] == a.id for r in assignment_rows):
            log.warning("an assignment this version cannot read was left out")
            continue
        assignment_rows.append({"trainee_id": trainee_id, "id": a.id, "position": len(assignment_rows),
                                "body_json": json.dumps(raw, ensure_ascii=False)})
    with pstore.write() as conn:
        conn.execute(delete(t.scenarios))
        if rows:
            conn.execute(insert(t.scenarios), rows)
        conn.execute(delete(t.assignments).where(t.assignments.c.trainee_id == trainee_id))
        if assignment_rows:
            conn.execute(insert(t.assignments), assignment_rows)
        conn.execute(t.meta.delete().where(t.meta.c.key == "library_refreshed_at"))
        conn.execute(insert(t.meta).values(key="library_refreshed_at",
                                           value=datetime.now(UTC).isoformat(timespec="seconds")))
    return LibraryRefresh(len(rows), len(assignment_rows), tuple(skipped))


def library_refreshed_at(pstore: PracticeStore) -> str | None:
    """When the cache was last filled from the server (UTC ISO), None when never."""
    with pstore.read() as conn:
        value: str | None = conn.execute(
            select(t.meta.c.value).where(t.meta.c.key == "library_refreshed_at")).scalar()
    return value


def _assignment(raw: Any) -> Assignment | None:
    """An assignment from the server's JSON; None when its shape is not one this version reads."""
    if not isinstance(raw, dict):
        return None
    ids = raw.get("scenario_ids")
    limit = raw.get("time_limit_seconds")
    done = raw.get("done") or {}
    if (not isinstance(raw.get("id"), str | int) or not isinstance(ids, list)
            or not all(isinstance(i, str) for i in ids) or not isinstance(done, dict)
            or (limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0))):
        return None
    try:
        done_totals = {str(k): float(v) for k, v in done.items()}
    except (TypeError, ValueError):
        return None
    due = raw.get("due_at")
    return Assignment(id=str(raw["id"]), title=str(raw.get("title") or ""), kind=str(raw.get("kind") or "exercise"),
                      scenario_ids=tuple(ids), time_limit_seconds=limit,
                      suggestions_off=bool(raw.get("suggestions_off")), due_at=str(due) if due else None,
                      created_by=str(raw.get("created_by") or ""), done=done_totals)
