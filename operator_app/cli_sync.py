"""`operator-app sync --once`: log in, push the queue, pull updates, print a summary."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from operator_app.errors import OperatorAppError
from operator_app.seat import Seat
from operator_app.services.case_queries import outbox_summary

PASSWORD_ENV = "OPERATOR_APP_PASSWORD"


def _password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    raise OperatorAppError(f"no password: set ${PASSWORD_ENV} or run in a terminal to be asked")


def sync_once(seat: Seat, args: argparse.Namespace) -> int:
    """One full pass against --server, or against the embedded server started for this data directory."""
    from sync.embedded import start_embedded_server
    from sync.engine import SyncEngine
    from sync.http_client import ServerClient
    from sync.secrets import open_secret_store

    embedded = None if args.server else start_embedded_server(seat.data_dir)
    url = args.server if embedded is None else embedded.url
    try:
        engine = SyncEngine(seat.store, ServerClient(url), open_secret_store())
        engine.login(args.operator, _password())
        report = engine.run_once()
        engine.logout()
    finally:
        if embedded is not None:
            embedded.stop()
    summary = outbox_summary(seat.store)
    data = {"acked": report.acked, "rejected": report.rejected, "pulled": report.pulled,
            "pending": summary.pending, "rejected_total": summary.rejected}
    if args.json:
        print(json.dumps(data))
    else:
        print(f"sent {report.acked}, rejected {report.rejected}, pulled {report.pulled}; "
              f"still pending {summary.pending}, waiting for correction {summary.rejected}")
    return 0
