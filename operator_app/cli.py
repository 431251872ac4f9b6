"""`operator-app` commands: script the same services the form uses. The desk itself starts from ui.shell.main."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from contract.errors_en import cli_line
from operator_app.errors import (
    AuthError,
    ConfigError,
    OperatorAppError,
    StoreDamaged,
    StoreError,
    StoreMissing,
    SyncError,
    ValidationError,
    ValidationErrors,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="operator-app", description="12345 Operator Desk (12345 坐席工作台)")
    parser.add_argument("--data-dir", help="keep the seat's data here (default: the user data directory, "
                                           "or $OPERATOR_APP_DATA_DIR)")
    parser.add_argument("--seat-code", help="seat code used when the store is first created (e.g. S017)")
    parser.add_argument("--server", help="central server URL (default: the embedded server in this process)")
    sub = parser.add_subparsers(dest="command")

    case = sub.add_parser("case", help="enter or list cases").add_subparsers(dest="case_command", required=True)
    from operator_app.cli_case_help import case_fields_help

    new = case.add_parser("new", help="validate and queue a case, print its number",
                          description="Validate a case as the form does, queue it for sync and print its number.\n"
                                      "Bad input prints one line per problem, `error: FIELD (表单标签): reason`, and exits 2.",
                          epilog=case_fields_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    new.add_argument("--json", required=True, metavar="FILE",
                     help="the case as a JSON object, fields below ('-' for standard input)")
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
    from operator_app.cli_store import register as register_store

    register_store(sub)
    from operator_app.practice.cli_ops import register as register_practice

    register_practice(sub)
    from operator_app.cti.cli_ops import register as register_cti

    register_cti(sub)

    kb = sub.add_parser("kb", help="the seat's local knowledge base (<data-dir>/kb.sqlite)") \
        .add_subparsers(dest="kb_command", required=True)
    kb_import = kb.add_parser("import", help="load articles from a JSONL file; bad lines are reported by number "
                                             "(exit 0 when any line was imported, 1 when the file cannot be read, "
                                             "2 when no line could be imported)")
    kb_import.add_argument("file", metavar="FILE.jsonl", help="lines {id, title, body, category?, departments?, "
                                                               "keywords?, effective_from?, expires_at?, updated_at?}")
    kb_import.add_argument("--json", action="store_true", help="print the report as JSON")
    kb_search = kb.add_parser("search", help="search the knowledge base")
    kb_search.add_argument("query", nargs="?", help="what to look for")
    kb_search.add_argument("--batch", metavar="FILE.jsonl",
                           help="one search per input line {query}; prints lines {query, results:[{id, score}], "
                                "elapsed_ms}, or {line, error} for a line without a usable query")
    kb_search.add_argument("--json", action="store_true", help="print JSON")
    kb_search.add_argument("--limit", type=int, default=10, help="results per query (default 10)")

    sync = sub.add_parser("sync", help="push the queue and pull updates once, headless")
    sync.add_argument("--once", action="store_true", required=True, help="one pass, then exit")
    sync.add_argument("--operator", required=True, help="work number to log in with (password from "
                                                        "$OPERATOR_APP_PASSWORD or a prompt)")
    sync.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; without a command print the usage (ui.shell.main opens the desk instead)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; errors become plain-words messages on stderr and a non-zero exit code.

    Every error line is `error: SUBJECT: reason` in plain English: SUBJECT is a case field's JSON name (with the
    desk's label) or the part that failed. A field's reason comes from its validation code (contract.errors_en),
    never from the Chinese message the desk shows.
    """
    try:
        return _run_command(args)
    except ValidationErrors as exc:
        for err in exc.errors:
            print(f"error: {cli_line(err)}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"error: {cli_line(exc)}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"error: the city configuration is broken: {exc}", file=sys.stderr)
        return 3
    except (StoreDamaged, StoreMissing) as exc:
        from operator_app.cli_store import EXIT_STORE_PROBLEM

        print(f"error: {exc}; nothing is written into it. See `operator-app store check`, then `operator-app store "
              "restore` (puts the newest good backup in place)", file=sys.stderr)
        return EXIT_STORE_PROBLEM
    except BadInputFile as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SyncError as exc:
        from operator_app.cli_sync_words import sync_english

        print(f"error: {_subject(exc)}{sync_english(exc)}", file=sys.stderr)
        return 1
    except OperatorAppError as exc:
        print(f"error: {_subject(exc)}{exc}", file=sys.stderr)
        return 1


def _subject(exc: OperatorAppError) -> str:
    """The English lead of an error whose text may be the desk's (Chinese); empty for the CLI's own errors."""
    if isinstance(exc, AuthError):
        return "operator: "
    if isinstance(exc, SyncError):
        return "central server: "
    if isinstance(exc, StoreError):
        return "local store: "
    return ""


def _run_command(args: argparse.Namespace) -> int:
    if args.command in ("route", "store", "practice", "cti"):
        return int(args.func(args))
    if args.command == "kb":
        return _kb(args)
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


class BadInputFile(OperatorAppError):
    """The input file was read but is not what the command takes (bad input: exit 2, as a wrong field is)."""


def _read_json(path: str) -> Any:
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        raise OperatorAppError(f"cannot read {path}: {exc.strerror}") from exc
    path = "standard input" if path == "-" else path
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputFile(f"{path} is not UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputFile(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    except RecursionError as exc:  # the decoder recurses once per level of [ or {
        raise BadInputFile(f"{path} is nested too deeply to be a case (lists or objects inside each other "
                           f"hundreds of levels deep)") from exc


def _case_new(seat: Any, args: argparse.Namespace) -> int:
    from contract.case_fields import CaseInput
    from contract.roles import INTAKE, may
    from operator_app.services.intake import submit_case

    form = CaseInput.from_mapping(_read_json(args.json))
    operator = seat.city.roster.get(args.operator)
    if operator is None:  # submit_case checks the same, in the desk's words
        raise AuthError(f"{args.operator!r} is not in the city's roster (roster.toml)")
    if not may(operator.role, INTAKE):
        raise AuthError(f"{args.operator} is a {operator.role} and may not take calls (enter cases)")
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
    from sync.quarantine import quarantine_count

    s = outbox_summary(seat.store)
    quarantined = quarantine_count(seat.store)  # pulled changes this seat could not apply, kept aside
    data = {"seat_code": seat.store.seat.seat_code, "seat_id": seat.store.seat.seat_id,
            "pending": s.pending, "rejected": s.rejected, "oldest_pending_at": s.oldest_pending_at,
            "quarantined": quarantined}
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        oldest = city_time(s.oldest_pending_at, seat.city.timezone) if s.oldest_pending_at else "-"
        print(f"{s.pending} pending, {s.rejected} rejected, {quarantined} pulled changes quarantined, "
              f"oldest pending: {oldest}")
    return 0


def city_time(moment: str | datetime, timezone: str) -> str:
    """'2026-11-28 09:30:05+08:00 (Asia/Shanghai)': the city's wall clock, as the desk shows it, with its zone."""
    from zoneinfo import ZoneInfo

    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    local = when.astimezone(ZoneInfo(timezone))
    return f"{local.isoformat(sep=' ', timespec='seconds')} ({timezone})"


KB_FILE = "kb.sqlite"  # sync/pull_apply.py KB_FILE (the core does not import sync)


def _kb(args: argparse.Namespace) -> int:
    """`kb import` and `kb search`: no store, no Qt; the index is imported only here."""
    import sqlite3
    from pathlib import Path

    from operator_app.paths import data_dir

    kb_path = data_dir(args.data_dir) / KB_FILE
    try:
        if args.kb_command == "import":
            return _kb_import(kb_path, Path(args.file), as_json=args.json)
        if args.batch:
            if args.query:
                raise OperatorAppError("give either QUERY or --batch FILE, not both")
            return _kb_search_batch(kb_path, Path(args.batch), limit=args.limit)
        if args.query is None:
            raise OperatorAppError("what to search for: give QUERY or --batch FILE")
        return _kb_search(kb_path, args.query, limit=args.limit, as_json=args.json)
    except sqlite3.DatabaseError as exc:
        raise OperatorAppError(f"{kb_path} is not a usable knowledge base ({exc})") from exc


def _kb_import(kb_path: Any, source: Any, *, as_json: bool) -> int:
    try:
        with source.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise OperatorAppError(f"cannot read {source}: {exc.strerror or exc}") from exc
    from knowledge_base.cli_ops import import_file

    report = import_file(kb_path, source)
    errors: list[dict[str, Any]] = report["errors"]  # type: ignore[assignment]
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"imported {report['imported']} articles ({report['added']} new, {report['updated']} updated); "
              f"{report['articles']} in the knowledge base")
        for err in errors:
            print(f"line {err['line']}: {err['reason']}", file=sys.stderr)
    return 2 if errors and not report["imported"] else 0


def _kb_search(kb_path: Any, query: str, *, limit: int, as_json: bool) -> int:
    if not kb_path.is_file():
        raise OperatorAppError(f"no knowledge base at {kb_path}: run `operator-app kb import FILE` or sync first")
    from knowledge_base.cli_ops import search_json

    result = search_json(kb_path, query, limit=max(0, limit))
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    results: list[dict[str, Any]] = result["results"]  # type: ignore[assignment]
    for hit in results:
        flag = "  [expired]" if hit["expired"] else ""
        print(f"{hit['score']:8.3f}  {hit['id']}  v{hit['version']}  {hit['title']}{flag}")
        print(f"          {hit['snippet']}")
    if not results:
        print("no articles found", file=sys.stderr)
    return 0


def _kb_search_batch(kb_path: Any, batch: Any, *, limit: int) -> int:
    if not kb_path.is_file():
        raise OperatorAppError(f"no knowledge base at {kb_path}: run `operator-app kb import FILE` or sync first")
    from knowledge_base.cli_ops import search_batch

    try:
        search_batch(kb_path, batch, sys.stdout, limit=max(0, limit))
    except OSError as exc:
        raise OperatorAppError(f"cannot read {batch}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise OperatorAppError(f"{batch} is not UTF-8 text") from exc
    return 0


if __name__ == "__main__":
    sys.exit(main())
