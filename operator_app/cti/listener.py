"""The desk's end of the telephony link: POST /cti/events on 127.0.0.1, one JSON event per request.

200 {"accepted": true} once the event is handed on; 400 {"error": "bad_event", "message": ...} for bad JSON or a
bad field (the message names the field, never its value); 404 for any other path, 405 for any other method. The
HTTP server logs nothing: a request line is harmless, but nothing of a call is worth a log line.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from operator_app.cti.events import MAX_BODY_BYTES, BadCallEvent, CallEvent, parse_event

EVENTS_PATH = "/cti/events"
DEFAULT_PORT = 17345
HOST = "127.0.0.1"  # never another interface: anything on the network could pop the desk


class CtiListener:
    """Serves the endpoint in a daemon thread; `on_event` runs on that thread (the desk queues it to its own)."""

    def __init__(self, on_event: Callable[[CallEvent], None], *, port: int = DEFAULT_PORT) -> None:
        self._on_event = on_event
        self._server = ThreadingHTTPServer((HOST, port), _handler(on_event))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> CtiListener:
        self._thread = threading.Thread(target=self._server.serve_forever, name="cti-listener", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _handler(on_event: Callable[[CallEvent], None]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            if self.path != EVENTS_PATH:
                self._reply(404, {"error": "not_found", "message": f"post events to {EVENTS_PATH}"})
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY_BYTES:
                self.close_connection = True  # the unread body must not be taken for the next request
                self._reply(400, {"error": "bad_event", "message": f"the event is larger than {MAX_BODY_BYTES} "
                                                                   "bytes (or its Content-Length is not a number)"})
                return
            try:
                event = parse_event(self.rfile.read(length))
            except BadCallEvent as exc:
                self._reply(400, {"error": "bad_event", "message": str(exc)})
                return
            on_event(event)
            self._reply(200, {"accepted": True})

        def do_GET(self) -> None:  # noqa: N802
            self._reply(405, {"error": "method_not_allowed", "message": f"POST JSON events to {EVENTS_PATH}"})

        do_PUT = do_DELETE = do_GET  # noqa: N815

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
            return

    return Handler
