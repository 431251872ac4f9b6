"""Schema-driven fuzzing (schemathesis) of a live server over every operation in /openapi.json.

Two of schemathesis' checks judge each response: `not_a_server_error` (no 5xx) and `positive_data_acceptance`
(a request valid by the schema is not refused as invalid: only 2xx, 401, 403, 404, 409 and 429 may answer it), so
the published schema says exactly what the server enforces. Every 4xx body is {error, message}.

Drives schemathesis' per-operation Hypothesis strategies directly (its pytest plugin does not load under
pytest 9 here): valid (positive) and invalid (negative) data for every operation the schema lists.

Rules JSON Schema cannot state are left out of the positive data: an article's `expires_at` must be after its
`effective_from` (the schema's description says so; tests/server/test_kb_api.py checks the refusal), a call
record's times must be in order (tests/server/test_calls.py checks the refusals), and a channel message's texts
hold no format or unassigned characters and its phone is one the form accepts (tests/server/test_channel_intake.py).
"""

from __future__ import annotations

import contextlib
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.internal.conjecture.engine import BUFFER_SIZE
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation.jsonschema import strategy as jsonschema_strategy
from schemathesis.specs.openapi.checks import positive_data_acceptance

from central_server.core.config import Settings
from central_server.embedded import EmbeddedServer, serve_app_in_thread
from central_server.main import create_app
from tests.server.api_client import Api, SeatClient

EXAMPLES = 10  # per operation and mode: ~100 operations make this about 40 s of CPU per mode (the suite has 15 min)
CHECKS = [not_a_server_error, positive_data_acceptance]
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def fuzz_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[EmbeddedServer, dict[str, str]]]:
    """A live server (SQLite) with a registered seat; yields it and valid admin + seat headers."""
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
def test_every_operation_answers_by_its_schema(fuzz_server: tuple[EmbeddedServer, dict[str, str]],
                                               mode: GenerationMode, monkeypatch: pytest.MonkeyPatch) -> None:
    srv, headers = fuzz_server
    # Negative data for a patterned string with a large maxLength (an article's body: 60,000) folds the length into
    # the pattern, and Hypothesis refuses to draw more than BUFFER_SIZE characters (InvalidArgument, ending the run
    # for that operation). Strings that long are then simply not drawn; test_bad_input covers an over-long body.
    monkeypatch.setattr(jsonschema_strategy, "MAX_STRING_LENGTH", BUFFER_SIZE)
    schema = schemathesis.openapi.from_url(f"{srv.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    listed = [(path, method) for path, item in schema.raw_schema["paths"].items() for method in item
              if method in HTTP_METHODS]
    assert len(operations) == len(listed) >= 15  # every operation the schema lists, whoever added it
    failures: list[str] = []
    statuses: Counter[str] = Counter()
    for operation in operations:
        run = _runner(operation.label, srv.url, headers, failures, statuses, positive=mode.is_positive)
        with contextlib.suppress(Unsatisfiable):  # no negative data exists for an operation without inputs
            given(case=operation.as_strategy(generation_mode=mode))(run)()
    print(f"\n{mode.value}: {len(operations)} operations, {statuses.total()} requests, statuses {dict(statuses)}")
    assert failures == [], "\n".join(failures)
    assert not any(status.startswith("5") for status in statuses)


def _runner(label: str, base_url: str, headers: dict[str, str], failures: list[str], statuses: Counter[str],
            *, positive: bool) -> Callable[..., None]:
    http = requests.Session()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)
    def run(case: schemathesis.Case) -> None:
        if positive:
            assume(not _expires_before_it_takes_effect(case.body))
            assume(not _call_times_out_of_order(case.body))
            assume(not _channel_message_refused(case.body))
        # Valid credentials let the fuzzer reach the logic behind authentication (bad auth has its own tests).
        resp = case.call(base_url=base_url, headers=headers, timeout=30, session=http)
        statuses[str(resp.status_code)] += 1
        try:
            case.validate_response(resp, checks=CHECKS, headers=headers)
        except (Failure, FailureGroup) as exc:
            failures.append(f"{label}: {resp.status_code} {resp.text[:300]} :: {str(exc)[:300]}\n"
                            f"  {case.as_curl_command(headers)[:600]}")
        if 400 <= resp.status_code < 500:
            body = resp.json()
            if set(body) != {"error", "message"}:
                failures.append(f"{label}: {resp.status_code} body {body}")

    return run


def _expires_before_it_takes_effect(body: object) -> bool:
    """Both article times given and `expires_at` not clearly after `effective_from` (a time without a zone is
    city time: read as UTC here, so "clearly" allows for any zone offset)."""
    if not isinstance(body, dict) or not body.get("effective_from") or not body.get("expires_at"):
        return False

    def utc(text: str) -> datetime:
        when = datetime.fromisoformat(text)
        return when if when.tzinfo else when.replace(tzinfo=UTC)

    return utc(body["expires_at"]) - utc(body["effective_from"]) <= timedelta(days=2)


def _call_times_out_of_order(body: object) -> bool:
    """A POST /calls body with a call whose times the server refuses (central_server/api/calls_schemas.py)."""
    from pydantic import ValidationError

    from central_server.api.calls_schemas import CallsIn

    if not isinstance(body, dict) or "calls" not in body:
        return False
    try:
        CallsIn.model_validate(body)
    except ValidationError:
        return True
    return False


def _channel_message_refused(body: object) -> bool:
    """A channel message or hand-off body the server refuses by text_checks or the phone rules
    (central_server/api/intake_schemas.py RULES)."""
    from pydantic import BaseModel, ValidationError

    from central_server.api.intake_schemas import HandoffIn, MessageIn

    if not isinstance(body, dict):
        return False
    model: type[BaseModel] | None = MessageIn if "message_id" in body else HandoffIn if "to" in body else None
    if model is None:
        return False
    try:
        model.model_validate(body)
    except ValidationError:
        return True
    return False
