"""Sending practice attempts to the server (`POST /api/v1/practice/attempts`), apart from the real sync queue.

Each pending attempt is sent with its own id; the server makes the same id idempotent, so an attempt sent again
after a crash between the send and its mark here is taken once. The server's score replaces this seat's. A refusal
(4xx: unknown scenario, not a practice number, assignment not theirs, the id taken by someone else) marks the
attempt refused with the reason and it is never sent again; a network failure, a server error or an expired login
leaves it pending for the next call.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from contract.practice.scoring import Score
from operator_app.errors import SyncError, SyncErrorKind
from operator_app.practice import store as t
from operator_app.practice.library import Api
from operator_app.practice.store import PracticeStore

log = logging.getLogger(__name__)
ATTEMPTS_PATH = "/api/v1/practice/attempts"


@dataclass(frozen=True)
class UploadReport:
    """`sent`: attempts the server took (its score adopted); `refused`: refused now, for good; `pending`: still
    waiting after this call; `error`: why the call stopped early (plain words), None when it did not."""

    sent: int = 0
    refused: int = 0
    pending: int = 0
    error: str | None = None


def pending_count(pstore: PracticeStore, trainee_id: str | None = None) -> int:
    query = select(t.attempts.c.id).where(t.attempts.c.state == "pending")
    if trainee_id is not None:
        query = query.where(t.attempts.c.trainee_id == trainee_id)
    with pstore.read() as conn:
        return len(conn.execute(query).all())


def upload_pending(pstore: PracticeStore, api: Api, *, trainee_id: str | None = None) -> UploadReport:
    """Send the pending attempts, oldest first (only `trainee_id`'s when given: the server takes an attempt only
    from the person who made it). Stops at the first failure that is not a refusal. Blocks: a worker thread."""
    sent = refused = 0
    error: str | None = None
    with pstore.upload_lock:
        query = select(t.attempts).where(t.attempts.c.state == "pending").order_by(t.attempts.c.submitted_at)
        if trainee_id is not None:
            query = query.where(t.attempts.c.trainee_id == trainee_id)
        with pstore.read() as conn:
            rows = conn.execute(query).all()
        for row in rows:
            try:
                answer = api("POST", ATTEMPTS_PATH, json_body=_body(row._mapping))
            except SyncError as exc:
                if exc.kind is SyncErrorKind.REJECTED:
                    _mark_refused(pstore, row.id, f"{exc.code}: {exc}" if exc.code else str(exc))
                    refused += 1
                    continue
                error = f"练习成绩暂未上传（稍后自动重试）：{exc}"
                _note_try(pstore, row.id, str(exc))
                break
            except OSError as exc:
                error = f"练习成绩暂未上传（稍后自动重试）：无法连接中心服务器（{type(exc).__name__}）"
                _note_try(pstore, row.id, error)
                break
            score = _server_score(answer, row.id)
            if score is None:  # the server may have taken it: sent again later, the same id is taken once
                error = "中心服务器的回答不完整，练习成绩稍后重试上传"
                _note_try(pstore, row.id, error)
                break
            _mark_sent(pstore, row.id, score)
            sent += 1
    return UploadReport(sent, refused, pending_count(pstore, trainee_id), error)


def _body(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"], "scenario_id": row["scenario_id"], "scenario_version": row["scenario_version"],
        "assignment_id": row["assignment_id"], "number": row["number"], "answers": json.loads(row["answers_json"]),
        "cited": json.loads(row["cited_json"]), "seconds": row["seconds"],
        "suggestions_shown": bool(row["suggestions_shown"]), "started_at": row["started_at"],
        "submitted_at": row["submitted_at"],
    }


def _server_score(answer: Any, attempt_id: str) -> Score | None:
    if not isinstance(answer, dict) or str(answer.get("id", attempt_id)) != attempt_id:
        return None
    try:
        return Score.from_dict(answer["score"])
    except (KeyError, TypeError, ValueError):
        return None


def _mark_sent(pstore: PracticeStore, attempt_id: str, score: Score) -> None:
    with pstore.write() as conn:
        conn.execute(update(t.attempts).where(t.attempts.c.id == attempt_id).values(
            state="sent", server_score_json=json.dumps(score.to_dict(), ensure_ascii=False), last_error="",
            tries=t.attempts.c.tries + 1, sent_at=_now()))


def _mark_refused(pstore: PracticeStore, attempt_id: str, reason: str) -> None:
    log.warning("the server refused practice attempt %s: %s", attempt_id, reason)
    with pstore.write() as conn:
        conn.execute(update(t.attempts).where(t.attempts.c.id == attempt_id).values(
            state="refused", last_error=reason[:500], tries=t.attempts.c.tries + 1))


def _note_try(pstore: PracticeStore, attempt_id: str, reason: str) -> None:
    with pstore.write() as conn:
        conn.execute(update(t.attempts).where(t.attempts.c.id == attempt_id).values(
            last_error=reason[:500], tries=t.attempts.c.tries + 1))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
