"""`operator-app route ...`: train, eval and batch suggestions. `register(subparsers)` adds the commands.

Each parser sets `func(args) -> int` (the exit code) as its default; the main CLI calls `args.func(args)`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import RoutingError

if TYPE_CHECKING:  # the model pulls in numpy: imported when a route command runs, not when the CLI starts
    from .directory import Gazetteer, RoutingDirectory
    from .model import RoutingModel

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = REPO_ROOT / "resources" / "routing"
DEFAULT_DIRECTORY = REPO_ROOT / "resources" / "city" / "routing_directory.toml"
DEFAULT_DISTRICTS = REPO_ROOT / "resources" / "city" / "districts.toml"
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "routing" / "dev.csv"


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `route` (with `train`, `eval` and `--batch`) to an argparse subparsers object."""
    route = subparsers.add_parser("route", help="routing suggestions: train, evaluate, batch-suggest")
    route.add_argument(
        "--batch", metavar="FILE.jsonl", help="suggest for each JSON line {id, title?, body?, address?}"
    )
    route.add_argument(
        "--model", metavar="DIR", help="model directory (default: the one the seat in --data-dir uses)"
    )
    route.add_argument(
        "--directory", metavar="TOML", help="routing directory (default: the one the seat in --data-dir uses)"
    )
    route.add_argument(
        "--districts", metavar="TOML", default=str(DEFAULT_DISTRICTS), help="district gazetteer"
    )
    route.add_argument("--out", metavar="FILE", help="write batch results here instead of standard output")
    route.set_defaults(func=_run_route, route_parser=route)
    sub = route.add_subparsers(dest="route_command")
    train = sub.add_parser("train", help="train on a labelled CSV and export a model (needs scikit-learn)")
    train.add_argument("--data", metavar="CSV", default=str(DEFAULT_DATA), help="id,title,body,label CSV")
    train.add_argument("--out", metavar="DIR", required=True, help="where to write the model")
    train.set_defaults(func=_run_train)
    ev = sub.add_parser("eval", help="measure a model on a labelled CSV")
    ev.add_argument("--data", metavar="CSV", default=str(DEFAULT_DATA), help="id,title,body,label CSV")
    ev.add_argument(
        "--model", metavar="DIR", help="model directory (default: the one the seat in --data-dir uses)"
    )
    ev.add_argument("--json", action="store_true", help="print JSON only")
    ev.set_defaults(func=_run_eval)
    return route


def _run_route(args: argparse.Namespace) -> int:
    if not args.batch:
        args.route_parser.print_help(sys.stderr)
        return 2
    try:
        model = _model(args)
        directory, gazetteer = _directory(args), _gazetteer(args.districts)
        with _open_out(args.out) as out:
            return run_batch(Path(args.batch), model, directory, gazetteer, out=out, err=sys.stderr)
    except (RoutingError, OSError) as exc:
        return _fail(exc)


def _run_train(args: argparse.Namespace) -> int:
    try:
        from .train import train
    except ImportError:
        return _fail("Training needs scikit-learn (install the dev extra: pip install -e '.[dev]').")
    try:
        result = train(args.data, args.out, log=lambda line: print(line, file=sys.stderr))
    except (RoutingError, OSError) as exc:
        return _fail(exc)
    print(json.dumps(_summary(result), ensure_ascii=False, indent=2))
    return 0


def _run_eval(args: argparse.Namespace) -> int:
    from .dataset import read_examples
    from .evaluate import format_table, metrics, predict_all

    try:
        model = _model(args)
        examples = read_examples(args.data)
    except (RoutingError, OSError) as exc:
        return _fail(exc)
    result = metrics(examples, predict_all(model, examples), model.labels)
    result["model_version"] = model.version
    if not args.json:
        print(format_table(result))
        print(
            "\nNote: figures on rows the model was trained on are optimistic; the held-out figures "
            "recorded at training time are in the model's manifest.json.\n"
        )
    print(json.dumps(result, ensure_ascii=False, indent=None if not args.json else 2))
    return 0


def run_batch(
    path: Path,
    model: RoutingModel,
    directory: RoutingDirectory,
    gazetteer: Gazetteer,
    *,
    out: TextIO,
    err: TextIO,
) -> int:
    """Suggest for each JSON line of `path`; bad lines are reported on `err` and skipped. Exit code 1 if any."""
    from .suggest import suggest

    if not path.is_file():
        raise RoutingError(f"The batch file {path} does not exist.")
    bad = 0
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = _parse_line(line)
            except ValueError as exc:
                bad += 1
                print(f"line {number}: {exc}; skipped.", file=err)
                continue
            started = time.perf_counter()
            found = suggest(
                model, directory, gazetteer, title=item["title"], body=item["body"], address=item["address"]
            )
            elapsed = (time.perf_counter() - started) * 1000
            rows = []
            for s in found:
                row: dict[str, Any] = {
                    "category": s.category,
                    "department": s.lead_department_id,
                    "confidence": s.confidence,
                }
                if s.district_id:
                    row["district"] = s.district_id
                rows.append(row)
            print(
                json.dumps(
                    {"id": item["id"], "suggestions": rows, "elapsed_ms": round(elapsed, 3)},
                    ensure_ascii=False,
                ),
                file=out,
            )
    if bad:
        print(f"{bad} line(s) could not be read; the others were processed.", file=err)
    return 1 if bad else 0


def _parse_line(line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise ValueError(f"not valid JSON ({exc.args[0] if exc.args else exc})") from None
    if not isinstance(item, dict):
        raise ValueError('expected a JSON object like {"id": ..., "title": ...}')
    if "id" not in item or not isinstance(item["id"], str | int) or isinstance(item["id"], bool):
        raise ValueError('the "id" field is missing or is not a string or a number')
    fields = {}
    for name in ("title", "body", "address"):
        value = item.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValueError(f'the "{name}" field must be text')
        fields[name] = value
    return {"id": item["id"], **fields}


def _seat_dir(args: argparse.Namespace) -> Path:
    from operator_app.paths import data_dir

    return data_dir(getattr(args, "data_dir", None), create=False)


def _say(message: str) -> None:
    print(f"Note: {message}.", file=sys.stderr)


def _model(args: argparse.Namespace) -> RoutingModel:
    """--model, else what the seat in --data-dir uses: the release the central server sent when it checks, else
    the shipped model."""
    from .assistant import prefer_received
    from .installed import installed_model_dir
    from .model import RoutingModel

    if args.model:
        return RoutingModel.load(args.model)
    return prefer_received(RoutingModel.load, installed_model_dir(_seat_dir(args)), DEFAULT_MODEL, "model", say=_say)


def _directory(args: argparse.Namespace) -> RoutingDirectory:
    """--directory, else the routing directory the seat uses (as _model); a missing file leaves every category to
    the district government, with a warning."""
    from .assistant import prefer_received
    from .directory import RoutingDirectory, load_directory
    from .installed import installed_directory

    path = Path(args.directory) if args.directory else DEFAULT_DIRECTORY
    if not args.directory and (received := installed_directory(_seat_dir(args))) is not None:
        return prefer_received(load_directory, received, path, "directory", say=_say)
    if not path.is_file():
        print(f"Warning: no routing directory at {path}; every category falls back to the district government.",
              file=sys.stderr)
        return RoutingDirectory()
    return load_directory(path)


def _gazetteer(districts_path: str) -> Gazetteer:
    from .directory import Gazetteer, load_gazetteer

    if Path(districts_path).is_file():
        return load_gazetteer(districts_path)
    print(f"Warning: no district list at {districts_path}; districts will not be detected.", file=sys.stderr)
    return Gazetteer.of([])


class _open_out:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self.handle: TextIO = sys.stdout

    def __enter__(self) -> TextIO:
        if self.path:
            self.handle = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
        return self.handle

    def __exit__(self, *exc: object) -> None:
        if self.path:
            self.handle.close()


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k not in ("per_class", "confusion")}


def _fail(problem: object) -> int:
    print(f"Error: {problem}", file=sys.stderr)
    return 1
