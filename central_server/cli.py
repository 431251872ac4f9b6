"""`central-server`: serve, init-db, create-user, seed-demo (--shift: a demo shift of cases), `kb import` of
articles, `kb embed` (sentence vectors for what has none), `routing publish` of a model, `routing learn-leaves`
(leaf prototypes from the operators' categories), `seat reset` of a seat that lost its credential, `dept act` to
move a case along as a department, and `calls simulate` to feed a realistic shift of call records for the demo."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from central_server.core.city import load_city_facts
from central_server.core.config import (
    Settings,
    load_settings,
    resources_dir,
    settings_environment,
    with_secret,
)
from central_server.core.errors import ServerError
from central_server.db.engine import make_engine, session_factory
from central_server.db.migrate import current_revision, head_revision, upgrade_to_head
from central_server.services import (
    calls_simulate,
    dispatch,
    routing_leaves,
    routing_models,
    seats,
    vector_hooks,
    vectors,
)
from central_server.services.callback_config import load_callback_settings
from central_server.services.demo import DEMO_PASSWORD, seed_demo, seed_demo_articles
from central_server.services.demo_practice import seed_practice_if_empty
from central_server.services.demo_shift import seed_shift_if_empty
from central_server.services.hotspot_assign import RESOURCES_KEY
from central_server.services.kb_import import import_file as kb_import_file
from central_server.services.lead_config import load_lead_settings
from central_server.services.users import create_user
from contract.roles import ROLE_CODES

PASSWORD_ENV = "CENTRAL_SERVER_NEW_PASSWORD"
EMBED_BATCH = 32  # texts `kb embed` encodes between two commits


class CliError(Exception):
    """A problem to print in plain words, with the exit code to use."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="central-server", description="The 12345 Operator Desk central server.")
    p.add_argument("--settings", help="a settings file (KEY=value lines, CENTRAL_SERVER_* names)")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_text)
        c.add_argument("--db", help="database URL: sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
        return c

    serve = command("serve", "run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1,
                       help="server processes sharing the port (default 1); each keeps its own connection pool")
    command("init-db", "create or upgrade the database schema (Alembic upgrade head)")
    user = command("create-user", f"add a user; the password comes from ${PASSWORD_ENV} or a prompt")
    user.add_argument("--username", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=ROLE_CODES)
    user.add_argument("--team", default="", help="the team (班组) the person works in; a team lead reviews "
                                                 "the cases of their own team's operators")
    seed = command("seed-demo", f"add the demo city's accounts (password {DEMO_PASSWORD!r}), an admin and the demo "
                                "knowledge-base articles")
    seed.add_argument("--shift", action="store_true", help="also a demo shift of cases up to now, with department "
                                                           "events and return visits (only into a database without "
                                                           "cases)")
    kb = sub.add_parser("kb", help="the knowledge base").add_subparsers(dest="kb_command", required=True)
    kb_import = kb.add_parser("import", help="import articles from a JSONL file (bad lines are reported by "
                                             "number, the rest imported; unchanged articles add no version)")
    kb_import.add_argument("file", help="one JSON object a line: {id, title, body, category?, departments?, "
                                        "keywords?, effective_from?, expires_at?, updated_at?, owner?}")
    kb_import.add_argument("--db")
    kb_import.add_argument("--owner", default="", help="owner of articles whose line names none")
    kb_import.add_argument("--json", action="store_true", help="print the report as JSON")
    kb_embed = kb.add_parser("embed", help="make the sentence vectors of every current article version that has "
                                           "none (after a bulk import or a new encoder); seats pull them")
    kb_embed.add_argument("--db")
    kb_embed.add_argument("--cases", action="store_true", help="also the vectors of cases that have none")
    kb_embed.add_argument("--threads", type=int, default=1, help="encoder threads (default 1)")
    routing = sub.add_parser("routing", help="routing models for the seats").add_subparsers(
        dest="routing_command", required=True)
    publish = routing.add_parser("publish", help="check a model folder (operator-app route train --out DIR, "
                                                 "with routing_directory.toml if the directory changes too) "
                                                 "and make it the seats' current routing release")
    publish.add_argument("folder")
    publish.add_argument("--db")
    learn = routing.add_parser("learn-leaves", help="learn the leaf categories' prototypes from the categories "
                                                    "operators chose (the cases' vectors) and publish the current "
                                                    "release again with them")
    learn.add_argument("--db")
    learn.add_argument("--min-cases", type=int, default=routing_leaves.MIN_CASES,
                       help="cases a leaf needs before its centroid is used (default %(default)s)")
    seat = sub.add_parser("seat", help="seats").add_subparsers(dest="seat_command", required=True)
    reset = seat.add_parser("reset", help="a seat that lost its credential: the old credential stops working and "
                                          "the next login at that seat registers it again (audited)")
    reset.add_argument("--db")
    reset.add_argument("--code", required=True, help="the seat's code, e.g. S001")
    dept = sub.add_parser("dept", help="act as a department").add_subparsers(dest="dept_command", required=True)
    act = dept.add_parser("act", help="sign / return / extend / complete a case")
    act.add_argument("--db")
    act.add_argument("--case", required=True, help="the case number")
    act.add_argument("--action", required=True, choices=dispatch.ACTIONS)
    act.add_argument("--reason")
    act.add_argument("--new-finish-by", help="ISO date-time; without a zone it is the city's local time")
    act.add_argument("--department", help="department id (default: the case's lead department)")
    calls = sub.add_parser("calls", help="call records").add_subparsers(dest="calls_command", required=True)
    simulate = calls.add_parser("simulate", help="store a realistic shift of call records for the people on duty "
                                                 "(the same date, shift and seed store nothing twice)")
    simulate.add_argument("--db")
    simulate.add_argument("--date", required=True, help="the shift's day, YYYY-MM-DD (city time)")
    simulate.add_argument("--shift", default="早班", help="a shift's name in resources/lead/shifts.toml (default 早班)")
    simulate.add_argument("--seed", type=int, default=0)
    simulate.add_argument("--team", help="only this team's people are on duty (default: everyone who takes calls)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.settings, database_url=getattr(args, "db", None))
        return _run(args, settings)
    except CliError as exc:
        print(f"central-server: {exc}", file=sys.stderr)
        return exc.code
    except ServerError as exc:
        print(f"central-server: {exc.message}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"central-server: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"central-server: database error ({type(exc).__name__}); check --db and that the database "
              "is running and initialised (central-server init-db)", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    engine = make_engine(settings.database_url, sqlite_key=settings.sqlite_key)
    try:
        if args.command == "init-db":
            upgrade_to_head(engine)
            print(f"database is at schema {head_revision()}")
            return 0
        _require_schema(engine)
        with session_factory(engine)() as session:
            if args.command == "create-user":
                password = _new_password()
                user = create_user(session, username=args.username, name=args.name, role=args.role,
                                   password=password, team=args.team)
                print(f"created user {user.username} ({user.role})")
            elif args.command == "seed-demo":
                city = load_city_facts(resources_dir(settings))
                created = seed_demo(session, city)
                print(f"demo users created: {len(created)} (already present users were left alone)")
                report = seed_demo_articles(session, city, resources_dir(settings))
                print(f"demo articles: {report.added} added, {report.updated} updated, "
                      f"{report.unchanged} unchanged")
                practice = seed_practice_if_empty(session, resources_dir(settings))
                print("demo practice: " + (f"{practice.scenarios} scenarios published, {practice.assignments} "
                                           "assignments" if practice else "left alone (scenarios exist)"))
                if args.shift:
                    _seed_shift(session, settings)
            elif args.command == "kb" and args.kb_command == "embed":
                session.info[RESOURCES_KEY] = str(resources_dir(settings))  # vector_hooks reads the city there
                return _kb_embed(session, cases=args.cases, threads=args.threads)
            elif args.command == "kb":
                return _kb_import(session, settings, Path(args.file), owner=args.owner, as_json=args.json)
            elif args.command == "routing" and args.routing_command == "learn-leaves":
                city = load_city_facts(resources_dir(settings))
                learned = routing_leaves.learn_and_publish(
                    session, shipped=resources_dir(settings) / "routing", now=datetime.now(UTC),
                    departments=city.departments, min_cases=args.min_cases)
                release = learned.published.checked.release
                print(f"routing leaves learned from {learned.cases} cases ({learned.leaves} leaves with at least "
                      f"{args.min_cases}), on the {learned.base}: release {release[:16]} "
                      f"{'published' if learned.published.new else 'unchanged (published before; current again)'}")
            elif args.command == "routing":
                city = load_city_facts(resources_dir(settings))
                published = routing_models.publish(session, routing_models.read_directory(Path(args.folder)),
                                                   now=datetime.now(UTC), departments=city.departments)
                checked, state = published.checked, "published" if published.new else "published before; current again"
                directory = ", with its routing directory" if routing_models.DIRECTORY in checked.files else ""
                print(f"routing release {checked.release[:16]} (model {checked.model_version[:16]}{directory}): "
                      f"{state}")
            elif args.command == "seat":
                seat = seats.reset_seat(session, seat_code=args.code, by=f"cli:{getpass.getuser()}")
                print(f"seat {seat.seat_code} ({seat.id}) reset: its next login registers it again")
            elif args.command == "dept":
                city = load_city_facts(resources_dir(settings))
                out = dispatch.act(session, case_number=args.case, action=args.action,
                                   department_id=args.department, reason=args.reason,
                                   new_finish_by=_parse_when(args.new_finish_by), acted_by="cli",
                                   departments=city.departments, timezone=city.timezone,
                                   callback=load_callback_settings(resources_dir(settings)))
                print(f"case {out.number}: {out.kind}; status {out.status}; finish by {out.finish_by or '-'}")
            elif args.command == "calls":
                city = load_city_facts(resources_dir(settings))
                stored = calls_simulate.simulate_shift(
                    session, day=_parse_day(args.date), shift=args.shift, seed=args.seed, team=args.team,
                    timezone=city.timezone, shifts=load_lead_settings(resources_dir(settings)).shifts)
                print(f"calls of the {args.shift} of {args.date}: {stored.stored} stored, "
                      f"{stored.duplicates} already there")
        return 0
    finally:
        engine.dispose()


def _seed_shift(session: Session, settings: Settings) -> None:
    shift = seed_shift_if_empty(session, load_city_facts(resources_dir(settings)), resources_dir(settings))
    if shift is None:
        raise CliError("the database has cases already: the demo shift goes only into a database without cases")
    print(f"demo shift: {shift.cases} cases, {shift.events} events, {shift.seats} demo seats "
          f"({shift.seconds:.2f} s)")


def _kb_import(session: Session, settings: Settings, path: Path, *, owner: str, as_json: bool) -> int:
    """Exit 0 when every line was imported, 1 when some were refused (the rest are imported all the same)."""
    if not path.is_file():
        raise CliError(f"no such file: {path}", code=2)
    city = load_city_facts(resources_dir(settings))
    report = kb_import_file(session, path, timezone=city.timezone, owner=owner)
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(f"articles: {report.added} added, {report.updated} updated (new version), "
              f"{report.unchanged} unchanged, {len(report.errors)} lines refused")
        for number, reason in report.errors:
            print(f"  line {number}: {reason}", file=sys.stderr)
    return 1 if report.errors else 0


def _kb_embed(session: Session, *, cases: bool, threads: int) -> int:
    """Embed in batches, printing progress; exit 1 where the encoder cannot run (with the reason)."""
    from semantic import availability, load_encoder
    from semantic.encoder import last_failure

    if not 1 <= threads <= 64:
        raise CliError("--threads must be between 1 and 64", code=2)
    encoder = load_encoder(threads)
    if encoder is None:
        state = availability()
        reason = state.reason if not state.available else last_failure().reason
        raise CliError(f"the sentence encoder cannot run here: {reason or 'it did not load'}")
    done = 0
    while batch := vectors.articles_without_vector(session, encoder.id, EMBED_BATCH):
        records = vectors.encode_each(encoder, [a.text for a in batch])
        done += len(vectors.save_article_vectors(session, list(zip(batch, records, strict=True))))
        print(f"article vectors: {done}", file=sys.stderr, flush=True)
        if len(batch) < EMBED_BATCH:
            break
    print(f"articles embedded: {done}")
    if cases:
        count = 0
        while batch_cases := vectors.cases_without_vector(session, encoder.id, EMBED_BATCH):
            records = vectors.encode_each(encoder, [c.text for c in batch_cases])
            ids = vectors.save_case_vectors(session, list(zip(batch_cases, records, strict=True)))
            vector_hooks.cases_embedded(session, ids)
            session.commit()
            count += len(ids)
            print(f"case vectors: {count}", file=sys.stderr, flush=True)
            if len(batch_cases) < EMBED_BATCH:
                break
        print(f"cases embedded: {count}")
    return 0


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    import uvicorn

    from central_server.main import configure_logging, create_app, server_options

    if not 1 <= workers <= 64:
        raise CliError("--workers must be between 1 and 64", code=2)
    configure_logging()
    engine = make_engine(settings.database_url, sqlite_key=settings.sqlite_key)
    try:
        _require_schema(engine)
    finally:
        engine.dispose()
    options = {"host": host, "port": port, **server_options(settings)}
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return 0
    # Worker processes build the app from the environment: hand them these settings, with one secret key for all
    # (a key each would make a token from one worker invalid on the next). Environment only, never a file.
    os.environ.update(settings_environment(with_secret(settings)))
    uvicorn.run("central_server.main:create_app_from_environment", factory=True, workers=workers, **options)
    return 0


def _require_schema(engine: object) -> None:
    from sqlalchemy import Engine

    assert isinstance(engine, Engine)
    current = current_revision(engine)
    if current != head_revision():
        raise CliError(f"the database is at schema {current or 'none'}, not {head_revision()}: "
                       "run `central-server init-db --db URL` first", code=2)


def _new_password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        raise CliError(f"no password: set ${PASSWORD_ENV} or run in a terminal to be asked", code=2)
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise CliError("the two passwords differ", code=2)
    return first


def _parse_when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"--new-finish-by {text!r} is not an ISO date-time such as 2026-12-01T18:00", 2) from exc


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"--date {text!r} is not a date such as 2026-03-02", 2) from exc


if __name__ == "__main__":
    sys.exit(main())
