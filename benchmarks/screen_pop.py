"""The screen pop (来电弹屏): from the ringing event to the pop painted with the caller's history (target ≤ 300 ms).

The embedded central server holds 50 earlier cases of one caller from two seats (10 open) among 2,000 other cases;
operator 1001 is signed in at a desk (DeskController, as the app runs it) with the case form half filled. Each run
posts a real "ringing" event to the desk's CTI endpoint over loopback HTTP (operator_app/cti) and times, on the GUI
thread: until this seat's own cases are shown (`local_pop_ms`), and until the server's history of every seat is in
the dialog and painted (`history_painted_ms`, the figure held against the target). The first run warms up and is
not counted. Also the server's answer alone (`server_answer_ms`).

Usage: .venv/bin/python benchmarks/screen_pop.py [--earlier 50] [--others 2000] [--reps 15]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _common import emit, log, make_app, summary_ms, temp_data_dir, wait_for

TARGET_MS = 300.0
PHONE = "13900001234"


def build(url: str, earlier: int, others: int) -> None:
    from central_server.core.city import load_city_facts
    from central_server.core.config import Settings, resources_dir
    from central_server.db.engine import make_engine, session_factory
    from tests.server.lead_builder import CaseBuilder

    engine = make_engine(url)
    now = datetime.now(UTC)
    with session_factory(engine)() as session:
        b = CaseBuilder(session, load_city_facts(resources_dir(Settings())).city)
        for i in range(earlier):
            b.add(operator="1001" if i % 2 else "1002", seat_code="S101" if i % 2 else "S102",
                  accepted=now - timedelta(hours=6 * (i + 1)), phone=PHONE,
                  disposition="dispatch" if i % 5 == 0 else "direct",
                  special_needs=["elderly"] if i == 3 else [])
        for i in range(others):
            b.add(operator="1002", seat_code="S102", accepted=now - timedelta(minutes=7 * i))
        b.commit()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--earlier", type=int, default=50)
    parser.add_argument("--others", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    import os

    os.environ["OPERATOR_APP_CTI_PORT"] = "0"
    app = make_app()
    from central_server.core.config import Settings
    from central_server.embedded import start_in_thread
    from operator_app.cti.events import RINGING, CallEvent
    from operator_app.cti.simulate import post_event
    from operator_app.seat import open_seat
    from sync.embedded import DEMO_PASSWORD
    from sync.engine import SyncEngine
    from sync.http_client import ServerClient
    from sync.secrets import SecretStore
    from ui.shell.app import DeskController

    with temp_data_dir("screen-pop") as folder:
        url = f"sqlite:///{folder / 'central.sqlite'}"
        server = start_in_thread(url, settings=Settings(access_log=False))
        build(url, args.earlier, args.others)
        seat = open_seat(folder / "seat")
        ctl = DeskController(seat, SyncEngine(seat.store, ServerClient(server.url), SecretStore(None)))
        ctl.show_login()
        ctl.login("1001", DEMO_PASSWORD)
        deadline = time.monotonic() + 30
        while (ctl.desk is None or not ctl.desk.ready) and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        desk: Any = ctl.desk
        if desk is None or not desk.ready:
            raise RuntimeError("the desk did not become ready")
        pop = desk.screen_pop
        port = pop.listener.port
        engine = desk.sync.engine
        server_s = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            engine.api("POST", "/api/v1/callers/history", json_body={"phone": PHONE})
            server_s.append(time.perf_counter() - t0)

        local_s, painted_s, rows = [], [], 0
        for rep in range(args.reps + 1):
            desk.form.appeal.content.edit.setPlainText(f"上一位来电 {rep}")  # a case to hold as a draft
            times: dict[str, float] = {}

            def popped(history: Any, times: dict[str, float] = times) -> None:
                key = "server" if history.from_server else "local"
                times.setdefault(key, time.perf_counter())

            pop.popped.connect(popped)
            t0 = time.perf_counter()
            post_event(port, CallEvent(RINGING, f"bench-{rep}", PHONE, "hotline", datetime.now(UTC)))
            while "server" not in times:
                if not wait_for(pop.popped, 10_000):
                    raise RuntimeError("the pop never showed the server's history")
            pop.dialog.repaint()  # paint now, as the next frame would
            t1 = time.perf_counter()
            pop.popped.disconnect(popped)
            rows = pop.dialog.table.topLevelItemCount()
            if rep:  # the first run warms up
                local_s.append(times.get("local", times["server"]) - t0)
                painted_s.append(t1 - t0)
            pop.dialog.hide()
            app.processEvents()
        if ctl.desk is not None:
            ctl.desk.close()
        ctl.shutdown()
        seat.close()
        server.stop()
        app.processEvents()

    emit({"benchmark": "screen_pop", "earlier_cases": args.earlier, "other_cases": args.others, "rows_shown": rows,
          "server_answer_ms": summary_ms(server_s), "local_pop_ms": summary_ms(local_s),
          "history_painted_ms": summary_ms(painted_s), "target_ms": TARGET_MS})
    painted = summary_ms(painted_s)
    log(f"pop painted with {rows} earlier cases: p50 {painted['p50_ms']} ms, p95 {painted['p95_ms']} ms")


if __name__ == "__main__":
    main()
