"""Schema-driven fuzzing (schemathesis) of a live server: no input makes it answer 500.

Drives schemathesis' per-operation Hypothesis strategies directly (its pytest plugin does not load under
pytest 9 here): valid and invalid (negative) data for every operation in /openapi.json.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from central_server.core.config import Settings
from central_server.embedded import EmbeddedServer, serve_app_in_thread
from central_server.main import create_app
from tests.server.api_client import Api, SeatClient

EXAMPLES = 20  # per operation and mode; ~30 s in all on this 2-core machine


@pytest.fixture
def fuzz_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[EmbeddedServer, dict[str, str]]]:
    """A live server (SQLite) with a registered seat; yields it and valid operator + seat headers."""
    db = tmp_path / "fuzz.sqlite"
    shutil.copyfile(sqlite_template, db)
    srv = serve_app_in_thread(create_app(Settings(database_url=f"sqlite:///{db}", access_log=False)))
    try:
        seat = SeatClient.register(Api(srv.url), operator="1001")
        seat.push([seat.case_created(1, operator="1001")])
        seat.sign_in("admin")
        yield srv, seat.headers()
    finally:
        srv.stop()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_makes_a_500(fuzz_server: tuple[EmbeddedServer, dict[str, str]], mode: GenerationMode) -> None:
    srv, headers = fuzz_server
    schema = schemathesis.openapi.from_url(f"{srv.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    failures: list[str] = []
    for operation in operations:
        run = _runner(operation.label, srv.url, headers, failures)
        with contextlib.suppress(Unsatisfiable):  # no negative data exists for an operation without inputs
            given(case=operation.as_strategy(generation_mode=mode))(run)()
    assert failures == []


def _runner(label: str, base_url: str, headers: dict[str, str], failures: list[str]) -> Callable[..., None]:
    http = requests.Session()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)
    def run(case: schemathesis.Case) -> None:
        # Valid credentials let the fuzzer reach the logic behind authentication (bad auth has its own tests).
        resp = case.call(base_url=base_url, headers=headers, timeout=30, session=http)
        if resp.status_code >= 500:
            failures.append(f"{label}: {resp.status_code} {resp.text[:200]}")
        elif resp.status_code >= 400:
            body = resp.json()
            if set(body) != {"error", "message"}:
                failures.append(f"{label}: {resp.status_code} body {body}")

    return run
