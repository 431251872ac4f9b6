"""`operator-app` commands: script the same services the form uses. The desk itself starts from ui.main."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from operator_app.errors import ConfigError, OperatorAppError, ValidationErrors


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="operator-app", description="12345 Operator Desk (12345 坐席工作台)")
    parser.add_argument("--data-dir", help="keep the seat's data here (default: the user data directory, "
                                           "or $OPERATOR_APP_DATA_DIR)")
    parser.add_argument("--seat-code", help="seat code used when the store is first created (e.g. S017)")
    parser.add_argument("--server", help="central server URL (default: the embedded server in this process)")
    sub = parser.add_subparsers(dest="command")

    case = sub.add_parser("case", help="enter or list cases").add_subparsers(dest="case_command", required=True)
    new = case.add_parser("new", help="validate and queue a case, print its number")
    new.add_argument("--json", required=True, metavar="FILE", help="the case as JSON ('-' for standard input)")
    new.add_argument("--operator", required=True, help="the operator's work number (from the roster)")
    lst = case.add_parser("list", help="list cases")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.add_argument("--operator", help="only this operator's cases")
    lst.add_argument("--scope", choices=("today", "all"), default="all")
    lst.add_argument("--limit", type=int, default=1000)

    out = sub.add_parser("outbox", help="what is waiting to sync")
    out.add_argument("--json", action="store_true", help="print JSON")

    from operator_app.routing.cli_ops import register as register_route

    register_route(sub)

    sync = sub.add_parser("sync", help="push the queue and pull updates once, headless")
    sync.add_argument("--once", action="store_true", required=True, help="one pass, then exit")
    sync.add_argument("--operator", required=True, help="work number to log in with (password from "
                                                        "$OPERATOR_APP_PASSWORD or a prompt)")
    sync.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; without a command print the usage (ui.main opens the desk instead)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; errors become plain-words messages on stderr and a non-zero exit code."""
    try:
        return _run_command(args)
    except ValidationErrors as exc:
        for err in exc.errors:
            print(f"error: {err.field}: {err.message}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"error: the city configuration is broken: {exc}", file=sys.stderr)
        return 3
    except OperatorAppError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run_command(args: argparse.Namespace) -> int:
    if args.command == "route":
        return int(args.func(args))
    from operator_app.seat import open_seat

    seat = open_seat(args.data_dir, seat_code=args.seat_code)
    try:
        if args.command == "case" and args.case_command == "new":
            return _case_new(seat, args)
        if args.command == "case" and args.case_command == "list":
            return _case_list(seat, args)
        if args.command == "outbox":
            return _outbox(seat, args)
        if args.command == "sync":
            from operator_app.cli_sync import sync_once

            return sync_once(seat, args)
    finally:
        seat.close()
    return 2


def _read_json(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
    except OSError as exc:
        raise OperatorAppError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise OperatorAppError(f"{path} is not UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise OperatorAppError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc


def _case_new(seat: Any, args: argparse.Namespace) -> int:
    from operator_app.domain.case_input import CaseInput
    from operator_app.services.intake import submit_case

    form = CaseInput.from_mapping(_read_json(args.json))
    result = submit_case(seat.store, seat.city, form=form, operator_id=args.operator)
    print(result.number)
    return 0


def _case_list(seat: Any, args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from operator_app.services.case_queries import CaseFilter, list_cases

    flt = CaseFilter(operator_id=args.operator, scope=args.scope, timezone=seat.city.timezone)
    rows = list_cases(seat.store, flt, limit=args.limit)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))
    else:
        for r in rows:
            print(f"{r.number}  {r.status:<10}  {r.category}  {r.phone}")
    return 0


def _outbox(seat: Any, args: argparse.Namespace) -> int:
    from operator_app.services.case_queries import outbox_summary

    s = outbox_summary(seat.store)
    data = {"seat_code": seat.store.seat.seat_code, "seat_id": seat.store.seat.seat_id,
            "pending": s.pending, "rejected": s.rejected, "oldest_pending_at": s.oldest_pending_at}
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(f"{s.pending} pending, {s.rejected} rejected, oldest pending: {s.oldest_pending_at or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
