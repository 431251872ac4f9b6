"""`operator-app store check|restore`: an administrator looks at a seat's store and brings back a backup."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from operator_app.errors import OperatorAppError

EXIT_STORE_PROBLEM = 4  # the store is damaged or missing (also for any command that meets such a store)


def register(sub: Any) -> None:
    """Add `store check` and `store restore` to the `operator-app` parser."""
    store = sub.add_parser("store", help="check the seat's local store; restore it from a backup") \
        .add_subparsers(dest="store_command", required=True)
    check = store.add_parser("check", help="quick check of <data-dir>/seat.sqlite and of each backup (exit 0 when "
                                           f"the store passes, {EXIT_STORE_PROBLEM} when it is damaged or missing)")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(func=check_command)
    restore = store.add_parser("restore", help="put a backup in place of a damaged or missing store (stop the desk "
                                               "first); the old file is moved aside, never deleted; cases made "
                                               "since the backup come back from the central server at the next "
                                               "sync")
    restore.add_argument("backup", nargs="?", metavar="BACKUP", help="a file name in <data-dir>/backups or a path "
                                                                      "(default: the newest that passes its check)")
    restore.add_argument("--empty", action="store_true", help="no backup: a new empty store for this seat's id and "
                                                              "code; all its cases come back at the next sync")
    restore.add_argument("--force", action="store_true", help="replace a store that passes its check, too")
    restore.set_defaults(func=restore_command)


def check_command(args: argparse.Namespace) -> int:
    from operator_app.paths import data_dir
    from operator_app.store.database import DB_FILE
    from operator_app.store.identity import load_identity
    from operator_app.store.integrity import CheckImpossible, check_store
    from operator_app.store.recovery import list_backups

    folder = data_dir(args.data_dir, create=False)
    path = folder / DB_FILE
    try:
        found = check_store(path, counts=True)
    except CheckImpossible as exc:
        raise OperatorAppError(f"cannot check {path}: {exc}") from exc
    identity = load_identity(folder)
    backups = list_backups(folder) if folder.is_dir() else []
    state = found.state
    if state in ("missing", "empty") and identity is None and not backups:
        state = "new"  # nothing was ever kept here: the next start makes a new seat
    seat = found.seat or identity
    report: dict[str, Any] = {
        "path": str(path), "state": state, "problem": found.problem, "kind": found.kind,
        "seat_id": seat.seat_id if seat else None, "seat_code": seat.seat_code if seat else None,
        "identity": {"seat_id": identity.seat_id, "seat_code": identity.seat_code} if identity else None,
        "cases": found.cases, "pending": found.pending,
        "backups": [{"file": b.path.name, "taken_at": b.taken_at.isoformat(), "good": b.good, "problem": b.problem,
                     "cases": b.cases, "pending": b.pending} for b in backups],
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        _print_check(report, folder)
    return 0 if state in ("good", "new") else EXIT_STORE_PROBLEM


def _city_timezone() -> str:
    """The city's timezone, for times as the desk shows them; UTC when the city's files cannot be read (this
    command must still work then)."""
    from contract.city.loader import load_city
    from operator_app.errors import ConfigError
    from operator_app.paths import resources_dir

    try:
        return load_city(resources_dir()).timezone
    except ConfigError:
        return "UTC"


def _print_check(report: dict[str, Any], folder: Path) -> None:
    from operator_app.cli import city_time

    timezone = _city_timezone()
    state = report["state"]
    words = {"good": "passes its check", "new": "no store yet (a new seat starts here)",
             "missing": "MISSING", "empty": "EMPTY (0 bytes or no tables)", "damaged": "DAMAGED"}[state]
    print(f"store: {report['path']}")
    print(f"state: {words}" + (f": {report['problem']}" if report["problem"] else ""))
    if report["seat_code"]:
        whose = "" if state == "good" else " (from the identity kept outside the store)" if report["identity"] \
            else ""
        print(f"seat: {report['seat_code']} ({report['seat_id']}){whose}")
    if state == "good":
        print(f"cases: {report['cases']}, pending sync: {report['pending']}")
    print(f"backups in {folder / 'backups'} (newest good first): {len(report['backups'])}")
    for b in report["backups"]:
        verdict = "good" if b["good"] else f"NOT USABLE: {b['problem']}"
        counts = f"{b['cases']:>6} cases {b['pending']:>6} pending" if b["good"] else ""
        print(f"  {city_time(b['taken_at'], timezone)}  {b['file']}  {counts}  {verdict}")
    if state not in ("good", "new"):
        if any(b["good"] for b in report["backups"]):
            print("to repair: `operator-app store restore` puts the newest good backup in place "
                  "(the old file is moved aside, not deleted)")
        elif report["identity"]:
            print("to repair: `operator-app store restore --empty` starts an empty store for this seat; "
                  "its cases come back from the central server at the next sync")


def restore_command(args: argparse.Namespace) -> int:
    from operator_app.cli import city_time
    from operator_app.paths import data_dir
    from operator_app.store.recovery import restore_backup, start_empty

    folder = data_dir(args.data_dir)
    if args.empty:
        if args.backup:
            raise OperatorAppError("give either BACKUP or --empty, not both")
        done = start_empty(folder)
        print(f"started an empty store for seat {done.seat.seat_code} ({done.seat.seat_id}); its cases come back "
              "from the central server at the next sync")
    else:
        done = restore_backup(folder, Path(args.backup) if args.backup else None, force=args.force)
        assert done.backup is not None
        b = done.backup
        print(f"restored {b.path} (taken {city_time(b.taken_at, _city_timezone())}, {b.cases} cases, "
              f"{b.pending} pending) "
              f"for seat {done.seat.seat_code} ({done.seat.seat_id})")
        print("cases made since the backup come back from the central server at the next sync")
    print("sync before taking new cases (log in at the desk, or `operator-app sync --once`), so that their "
          "numbers continue after the cases that come back")
    for moved in done.moved_aside:
        print(f"moved aside: {moved}")
    sys.stdout.flush()
    return 0
