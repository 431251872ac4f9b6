"""What the practice tests share: a fake `api` answering as the server's practice routes do (the plan's JSON
shapes), the demo scenarios, and forms that answer a scenario right or wrong."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contract.case_fields import CaseInput
from contract.city.model import City
from contract.practice.files import load_scenario_dir, scenario_dir
from contract.practice.scenario import Scenario
from contract.practice.scoring import load_weights, score_attempt
from operator_app.errors import SyncError, SyncErrorKind
from operator_app.paths import resources_dir


def demo_scenarios() -> list[Scenario]:
    return load_scenario_dir(scenario_dir(resources_dir()))


def weights() -> Any:
    return load_weights(resources_dir())


def right_form(scenario: Scenario, city: City, **overrides: Any) -> CaseInput:
    """A form that answers the scenario's key (a dispatch one) and passes validation."""
    key = scenario.key
    district = city.districts[key.district]
    values: dict[str, Any] = dict(
        caller_name=scenario.caller.name, phone=scenario.caller.phone, appeal_type=key.appeal_type,
        category=key.category, district=district.name, street=key.street, address="滨江花园小区北门对面",
        content="来电反映附近工地夜间施工噪音扰民", request="要求夜间停工", urgency=key.urgency,
        disposition=key.disposition, lead_department=city.departments[key.lead_department].name,
        cooperating_departments=tuple(city.departments[d].name for d in key.cooperating_departments),
        special_needs=key.special_needs,
    )
    values.update(overrides)
    return CaseInput(**values)


def published(scenarios: list[Scenario]) -> list[dict[str, Any]]:
    return [{**s.to_dict(), "status": "published", "updated_at": "2026-12-01T08:00:00+00:00"} for s in scenarios]


@dataclass
class FakeServer:
    """The practice routes of a central server, in memory. `fail` makes the next calls raise (a SyncError, or any
    exception); `refuse` maps an attempt id to (status code, error code) refusals. Scores are recomputed from the
    answers like the real server does, with a marker so a test can tell the server's score from the seat's."""

    city: City
    scenarios: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    fail: Exception | None = None
    refuse: dict[str, tuple[int, str]] = field(default_factory=dict)
    received: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    after_receive: Callable[[str], None] | None = None  # e.g. a crash before the seat marks the attempt

    def __call__(self, method: str, path: str, *, json_body: Any = None, params: Any = None) -> Any:
        self.calls.append((method, path))
        if self.fail is not None:
            raise self.fail
        if (method, path) == ("GET", "/api/v1/practice/scenarios"):
            return {"scenarios": self.scenarios}
        if (method, path) == ("GET", "/api/v1/practice/assignments"):
            return {"assignments": self.assignments}
        if (method, path) == ("POST", "/api/v1/practice/attempts"):
            return self._attempt(json_body)
        raise SyncError(SyncErrorKind.REJECTED, "not found", code="not_found")

    def _attempt(self, body: dict[str, Any]) -> Any:
        if body["id"] in self.refuse:
            status, code = self.refuse[body["id"]]
            raise SyncError(SyncErrorKind.REJECTED, f"refused ({status})", code=code)
        known = {(s["id"], s["version"]): s for s in self.scenarios}
        raw = known.get((body["scenario_id"], body["scenario_version"]))
        if raw is None:
            raise SyncError(SyncErrorKind.REJECTED, "未知的练习场景", code="scenario_not_found")
        scenario = Scenario.from_dict(raw)
        score = score_attempt(scenario, CaseInput.from_mapping(body["answers"]), self.city,
                              seconds=body["seconds"], weights=weights(), cited=body["cited"])
        answer = score.to_dict()
        answer["total"] = 42.5  # the server's verdict, told apart from the seat's in the tests
        self.received.setdefault(body["id"], body)
        if self.after_receive is not None:
            self.after_receive(body["id"])
        return {"id": body["id"], "score": answer}
