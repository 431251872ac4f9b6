"""The caller's history for the screen pop: every seat's cases through the server, this seat's own when offline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from operator_app.errors import SyncError
from operator_app.services.case_queries import CallerCase, cases_by_phone
from operator_app.store.database import Store

HISTORY_PATH = "/api/v1/callers/history"


class ApiCaller(Protocol):
    def api(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None
            ) -> Any: ...


@dataclass(frozen=True)
class CallerHistory:
    cases: list[CallerCase]
    from_server: bool  # False: only this seat's cases (the server could not be asked)
    truncated: bool = False


def caller_history(store: Store, phone: str, *, api: ApiCaller | None) -> CallerHistory:
    """Ask the server (POST, the phone in the body: never in a URL or a log); on any sync error, or with no
    server session, fall back to this seat's cases. Blocks: call from a worker thread."""
    if not phone:
        return CallerHistory([], from_server=False)
    if api is not None:
        try:
            body = api.api("POST", HISTORY_PATH, json_body={"phone": phone})
            return CallerHistory([_case(c) for c in body["cases"]], from_server=True,
                                 truncated=bool(body.get("truncated")))
        except (SyncError, KeyError, TypeError, ValueError):
            pass
    return CallerHistory(cases_by_phone(store, phone), from_server=False)


def _case(raw: dict[str, Any]) -> CallerCase:
    return CallerCase(number=str(raw["number"]), accepted_at=str(raw["accepted_at"]), category=str(raw["category"]),
                      status=str(raw["status"]), respond_by=str(raw["respond_by"]),
                      finish_by=str(raw["finish_by"]), special_needs=tuple(str(n) for n in raw["special_needs"]),
                      last_events=tuple(str(k) for k in raw["last_events"]))
