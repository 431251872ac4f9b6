"""`operator-app practice list|history`: what a trainee can practise on this seat, and their attempts here.

Both only read the practice store (`<data-dir>/practice.db`); neither opens the real store nor creates anything: a
seat with no practice store lists the demo scenarios and has no attempts. `register(subparsers)` adds the commands;
each sets `func(args) -> int` (the exit code), which the main CLI calls.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from contract.practice.scenario import DIFFICULTIES
from operator_app.errors import AuthError

STATE_WORDS = {"pending": "not sent yet", "sent": "sent", "refused": "refused by the server"}


def register(subparsers: Any) -> argparse.ArgumentParser:
    practice = subparsers.add_parser("practice", help="practice mode (练习): scenarios on this seat, attempts")
    sub = practice.add_subparsers(dest="practice_command", required=True)
    lst = sub.add_parser("list", help="the practice scenarios a trainee can play on this seat (the central "
                                      "server's as last fetched, else the demo scenarios)")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=list_command)
    hist = sub.add_parser("history", help="a trainee's practice attempts on this seat, newest first")
    hist.add_argument("--operator", required=True, help="the trainee's work number (from the roster)")
    hist.add_argument("--limit", type=_positive, default=50, help="at most this many attempts (default 50)")
    hist.add_argument("--json", action="store_true", help="print JSON")
    hist.set_defaults(func=history_command)
    return practice


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def _open_existing(args: argparse.Namespace) -> Any:
    """The seat's practice store, or None when this data directory has none (nothing is created)."""
    from operator_app.paths import data_dir
    from operator_app.practice.store import PRACTICE_FILE, PracticeStore
    from operator_app.store.identity import load_identity

    folder: Path = data_dir(args.data_dir, create=False)
    if not (folder / PRACTICE_FILE).is_file():
        return None
    identity = load_identity(folder)
    code = identity.seat_code if identity else (args.seat_code or "")
    return PracticeStore.open(folder, seat_code=code)


def list_command(args: argparse.Namespace) -> int:
    from contract.practice.files import load_scenario_dir, scenario_dir
    from operator_app.paths import resources_dir
    from operator_app.practice.library import cached_scenarios, library_refreshed_at

    pstore = _open_existing(args)
    refreshed = None
    try:
        scenarios = cached_scenarios(pstore) if pstore is not None else []
        if pstore is not None:
            refreshed = library_refreshed_at(pstore)
    finally:
        if pstore is not None:
            pstore.close()
    source = "server" if scenarios else "demo"
    if not scenarios:
        scenarios = load_scenario_dir(scenario_dir(resources_dir()))
    if args.json:
        print(json.dumps({"source": source, "refreshed_at": refreshed, "scenarios": [
            {"id": s.id, "version": s.version, "title": s.title, "difficulty": s.difficulty,
             "time_limit_seconds": s.time_limit_seconds, "category": s.key.category, "lines": len(s.lines)}
            for s in scenarios]}, ensure_ascii=False, indent=1))
        return 0
    if source == "server":
        print(f"{len(scenarios)} scenarios from the central server (fetched {refreshed or 'at an unknown time'})")
    else:
        print(f"{len(scenarios)} demo scenarios shipped with the desk (this seat has not fetched any from the "
              f"central server yet)")
    for s in scenarios:
        print(f"{s.id}  v{s.version}  {DIFFICULTIES.get(s.difficulty, s.difficulty)}  {s.time_limit_seconds}s  "
              f"{s.title}  [{s.key.category}]")
    return 0


def history_command(args: argparse.Namespace) -> int:
    from contract.city.loader import load_city
    from operator_app.cli import city_time
    from operator_app.paths import resources_dir
    from operator_app.practice.attempts import history

    city = load_city(resources_dir())
    if args.operator not in city.roster:
        raise AuthError(f"{args.operator!r} is not in the city's roster (roster.toml)")
    pstore = _open_existing(args)
    try:
        rows = history(pstore, args.operator, limit=args.limit) if pstore is not None else []
    finally:
        if pstore is not None:
            pstore.close()
    if args.json:
        print(json.dumps([{"id": r.id, "number": r.number, "scenario_id": r.scenario.id,
                           "scenario_version": r.scenario.version, "title": r.scenario.title,
                           "assignment_id": r.assignment_id, "total": r.total, "scored_by": "server"
                           if r.server_scored else "seat", "seconds": r.seconds, "submitted_at": r.submitted_at,
                           "state": r.state, "last_error": r.last_error} for r in rows],
                         ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print(f"no practice attempts by {args.operator} on this seat")
        return 0
    for r in rows:
        scored = "server's score" if r.server_scored else "this seat's score"
        refused = f" ({r.last_error})" if r.state == "refused" else ""
        print(f"{r.number}  {city_time(r.submitted_at, city.timezone)}  {r.total:5.1f} ({scored})  "
              f"{round(r.seconds)}s  {STATE_WORDS.get(r.state, r.state)}{refused}  {r.scenario.title}")
    return 0
