"""A stand-in for SyncEngine.api in the trainer's workspace tests: answers in the plan's JSON shapes
(/work/issue16_plan.md, REST API) and records every call, so a test checks exactly what the desk sent."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract.city.loader import load_city
from contract.city.model import City
from operator_app.paths import resources_dir


@dataclass
class Call:
    method: str
    path: str
    json_body: Any
    params: dict[str, Any] | None


Answer = Any  # a JSON value, an exception to raise, or a callable(Call) -> either


class FakeApi:
    def __init__(self, routes: dict[tuple[str, str], Answer] | None = None) -> None:
        self.routes: dict[tuple[str, str], Answer] = dict(routes or {})
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def __call__(self, method: str, path: str, *, json_body: Any = None,
                 params: dict[str, Any] | None = None) -> Any:
        call = Call(method, path, copy.deepcopy(json_body), params)
        with self._lock:
            self.calls.append(call)
            answer = self.routes.get((method, path), KeyError(f"{method} {path}"))
        if callable(answer) and not isinstance(answer, BaseException):
            answer = answer(call)
        if isinstance(answer, BaseException):
            raise answer
        return copy.deepcopy(answer)

    def sent(self, method: str, path: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.path == path]


_CITY: list[City] = []


def demo_city() -> City:
    if not _CITY:
        _CITY.append(load_city(resources_dir()))
    return _CITY[0]


def scenario(sid: str, title: str, category: str, *, status: str = "published", version: int = 1,
             source: str = "authored", difficulty: int = 1, updated: str = "2026-12-01T09:00:00+08:00",
             disposition: str = "dispatch") -> dict[str, Any]:
    """A scenario as GET /api/v1/practice/scenarios?status=all sends it."""
    return {
        "id": sid, "version": version, "title": title, "difficulty": difficulty, "time_limit_seconds": 300,
        "source": source, "tags": [], "status": status, "updated_at": updated,
        "caller": {"name": "周女士", "phone": "13900000101", "special_needs": [], "note": ""},
        "lines": [{"text": "你好，我要反映一个问题。", "after_seconds": 0},
                  {"text": "我的电话是【电话】。", "after_seconds": 5}],
        "key": {"category": category, "appeal_type": "complaint", "disposition": disposition, "urgency": "normal",
                "lead_department": "cgj", "cooperating_departments": [], "district": "donghu",
                "street": "湖滨街道", "special_needs": [], "required_fields": ["phone"], "kb_article": ""},
    }


LIBRARY = [
    scenario("s-noise", "夜间工地施工噪音", "环境保护/噪音扰民/施工噪音", version=3,
             updated="2026-12-03T10:00:00+08:00"),
    scenario("s-fee", "物业乱收费", "城乡建设/物业管理/物业收费", status="draft", source="case", difficulty=2,
             updated="2026-12-04T10:00:00+08:00"),
    scenario("s-old", "旧版医保咨询", "劳动和社会保障/医疗保险/医保报销", status="retired", source="demo",
             difficulty=3, updated="2026-11-20T10:00:00+08:00"),
]


def library_api(rows: list[dict[str, Any]] | None = None) -> FakeApi:
    return FakeApi({("GET", "/api/v1/practice/scenarios"): {"scenarios": LIBRARY if rows is None else rows},
                    ("GET", "/api/v1/practice/assignments"): {"assignments": []}})


def wait_calls(qtbot: Any, api: FakeApi, method: str, path: str, count: int = 1) -> list[Call]:
    qtbot.waitUntil(lambda: len(api.sent(method, path)) >= count, timeout=5000)
    return api.sent(method, path)


Handler = Callable[[Call], Any]
