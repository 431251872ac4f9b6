"""Play calls to a running desk (`operator-app cti simulate`): ringing, answered, ended for each call."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime

from operator_app.cti.events import ANSWERED, ENDED, RINGING, CallEvent, event_json
from operator_app.cti.listener import EVENTS_PATH, HOST


class DeskUnreachable(OSError):
    """No desk listens on the port, or it refused an event (the message says which)."""


def post_event(port: int, event: CallEvent, *, timeout: float = 5.0) -> None:
    """Send one event; raises DeskUnreachable."""
    data = json.dumps(event_json(event)).encode()
    request = urllib.request.Request(f"http://{HOST}:{port}{EVENTS_PATH}", data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            resp.read()
    except urllib.error.HTTPError as exc:
        detail = json.loads(exc.read() or b"{}").get("message", "")
        raise DeskUnreachable(f"the desk refused the event ({exc.code}): {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeskUnreachable(f"no desk is listening on {HOST}:{port} ({exc})") from None


def simulate_calls(port: int, *, caller: str, calls: int = 1, channel: str = "hotline", pause: float = 0.5,
                   talk: float = 1.0) -> list[str]:
    """Play `calls` calls from `caller` (normalised, or "" for a withheld number); returns their call ids."""
    ids = []
    for _ in range(calls):
        call_id = f"sim-{uuid.uuid4().hex[:12]}"
        for kind, wait in ((RINGING, pause), (ANSWERED, talk), (ENDED, pause)):
            post_event(port, CallEvent(kind, call_id, caller, channel, datetime.now(UTC)))
            time.sleep(wait)
        ids.append(call_id)
    return ids
