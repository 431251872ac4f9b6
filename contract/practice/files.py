"""Scenario files: the demo scenarios the project writes (resources/training/scenarios/*.toml, `[[scenario]]`
tables in the shape of Scenario.to_dict). The server publishes them on a demo start; a seat plays them when it has
never reached a server."""

from __future__ import annotations

import tomllib
from pathlib import Path

from contract.errors import ValidationErrors
from contract.practice.scenario import Scenario


def scenario_dir(resources: Path) -> Path:
    return resources / "training" / "scenarios"


def load_scenario_dir(folder: Path) -> list[Scenario]:
    """Every scenario of every *.toml file in the folder, in file then table order; ids are unique across files.
    A broken file raises ValueError naming the file, the scenario and the field."""
    scenarios: list[Scenario] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path}: {exc}") from exc
        for i, raw in enumerate(data.get("scenario", [])):
            where = f"{path.name}: scenario {i + 1} ({raw.get('id', '?') if isinstance(raw, dict) else '?'})"
            try:
                scenario = Scenario.from_dict(raw)
            except ValidationErrors as exc:
                problems = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
                raise ValueError(f"{where}: {problems}") from exc
            if not scenario.id:
                raise ValueError(f"{where}: id is missing")
            if scenario.id in seen:
                raise ValueError(f"{where}: id {scenario.id!r} is also in {seen[scenario.id]}")
            seen[scenario.id] = path.name
            scenarios.append(scenario)
    return scenarios
