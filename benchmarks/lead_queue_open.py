"""Opening the team lead's shift queue with 2,000 cases of the team in the shift (target: click to painted rows
≤ 500 ms; the server's answer well under 300 ms).

An embedded server (SQLite, in this process, as on the desk's embedded default) is seeded with the demo city; the
cases are built by the server's own case-building function (`services/cases.plan_case_from_seat`, through
tests/server/lead_builder.py) and bulk-inserted: 2,000 cases of 一班 accepted in the current shift (a third signed,
a tenth returned, special needs, urgent cases, routing records, phones that repeat) and, as background, 20,000
cases of the other teams over the 30 days before (the repeat-caller lookup is city-wide). Lead 2001 signs in at a
seat through SyncEngine, as the desk does.

Timed, each several times: the queue service alone (`services/lead_queue.team_queue`, no HTTP), the server's
answer (`GET /api/v1/lead/queue` through SyncEngine.api, JSON decoded), the table's formatting of the rows
(`QueueTableModel.set_rows`), and in the workbench: from a click on 刷新 to the queue page's rows painted (`QueuePage.painted` fires
after the table's viewport has repainted with the new rows).

The machine's load inflates every wall-clock figure (other processes take the two cores), so each is given with
the CPU time the work took as well: the server's own thread for the service, the whole process (desk and
embedded server, which share it) for the answer and the click — about what the wall clock shows on an idle
machine, the work being mostly serial under the interpreter lock.

Usage: .venv/bin/python benchmarks/lead_queue_open.py [--cases 2000] [--background 20000] [--reps 7]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _common import emit, log, make_app, refcount_ballast, summary_ms, temp_data_dir, wait_for

TARGET_MS = 500.0
SERVER_TARGET_MS = 300.0
TEAM = ("1001", "1002", "1003", "1004", "1005")


def build(url: str, cases: int, background: int, shift_start: datetime) -> None:
    """The team's shift and the city's last 30 days, straight into the server's database."""
    from central_server.core.city import load_city_facts
    from central_server.core.config import Settings, resources_dir
    from central_server.db.engine import make_engine, session_factory
    from central_server.services import dispatch
    from tests.server.lead_builder import CaseBuilder, routing_record

    facts = load_city_facts(resources_dir(Settings()))
    rng = random.Random(15)
    engine = make_engine(url)
    session = session_factory(engine)()
    now = datetime.now(UTC)
    frequent = [f"139{n:08d}" for n in range(400)]  # callers who call again and again

    def phone() -> str:  # about one case in five from a frequent caller, the rest from anyone
        return rng.choice(frequent) if rng.random() < 0.2 else f"13{rng.randrange(5, 10)}{rng.randrange(10**8):08d}"

    others = [p.id for p in facts.roster if p.role == "operator" and p.id not in TEAM]
    b = CaseBuilder(session, facts.city)
    t0 = time.perf_counter()
    for i in range(background):
        accepted = now - timedelta(days=30) * rng.random()
        b.add(operator=others[i % len(others)], seat_code=f"S{10 + i % 20:03d}", accepted=accepted,
              phone=phone())
    span = max((now - shift_start).total_seconds(), 1.0)
    numbers = []
    for i in range(cases):
        accepted = shift_start + timedelta(seconds=span * rng.random())
        extra: dict[str, Any] = {"phone": phone()}
        if i % 25 == 0:
            extra["special_needs"] = ["elderly"]
        if i % 30 == 0:
            extra.update(urgency="urgent", urgency_reason="情况紧急")
        numbers.append(b.add(operator=TEAM[i % len(TEAM)], seat_code=f"S{1 + i % len(TEAM):03d}",
                             accepted=accepted, respond_in=timedelta(hours=rng.choice((0.5, 1, 2, 4))),
                             routing=routing_record(rng.random(), overridden=rng.random() < 0.1), **extra))
    b.commit()
    log(f"inserted {background + cases} cases in {time.perf_counter() - t0:.1f} s")
    for i, number in enumerate(numbers):
        if i % 3 == 0 or i % 10 == 1:
            action = "sign" if i % 3 == 0 else "return"
            dispatch.act(session, case_number=number, action=action, department_id=None,
                         reason="不属于本单位职责" if action == "return" else None, new_finish_by=None,
                         acted_by="admin", departments=facts.departments, timezone=facts.timezone)
    session.close()
    engine.dispose()
    log(f"department events added ({time.perf_counter() - t0:.1f} s in all)")


def service_times(url: str, start: datetime, end: datetime, reps: int) -> tuple[list[float], list[float]]:
    """The queue service alone (services/lead_queue.team_queue), a fresh session each time: no HTTP, no JSON.
    Wall-clock seconds, and the CPU seconds of this thread (what it costs on an idle machine)."""
    from central_server.core.city import load_city_facts
    from central_server.core.config import Settings, resources_dir
    from central_server.db.engine import make_engine, session_factory
    from central_server.services.lead_config import load_lead_settings
    from central_server.services.lead_queue import team_queue

    resources = resources_dir(Settings())
    city, queue_settings = load_city_facts(resources).city, load_lead_settings(resources).queue
    engine = make_engine(url)
    times, cpu = [], []
    for _ in range(reps):
        with session_factory(engine)() as session:
            t0, c0 = time.perf_counter(), time.thread_time()
            team_queue(session, team="一班", start=start, end=end, city=city, settings=queue_settings)
            times.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
    engine.dispose()
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--background", type=int, default=20000)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    refcount_ballast()
    app = make_app()
    from central_server.embedded import start_in_thread
    from operator_app.seat import open_seat
    from sync.embedded import DEMO_PASSWORD
    from sync.engine import SyncEngine
    from sync.http_client import ServerClient
    from sync.secrets import SecretStore
    from ui.common.tasks import TaskManager
    from ui.lead.queue_page import QueuePage
    from ui.lead.workbench import Workbench

    with temp_data_dir("lead-queue") as folder:
        url = f"sqlite:///{folder / 'central.sqlite'}"
        server = start_in_thread(url)
        seat = open_seat(folder / "seat")
        engine = SyncEngine(seat.store, ServerClient(server.url), SecretStore(None))
        engine.login("2001", DEMO_PASSWORD)
        shift = engine.api("GET", "/api/v1/lead/shift")["shift"]
        start, end = datetime.fromisoformat(shift["start"]), datetime.fromisoformat(shift["end"])
        build(url, args.cases, args.background, start)
        params = {"from": start.isoformat(), "to": end.isoformat()}

        server_s, server_cpu = [], []
        for _ in range(args.reps + 1):
            t0, c0 = time.perf_counter(), time.process_time()
            answer = engine.api("GET", "/api/v1/lead/queue", params=params)
            server_s.append(time.perf_counter() - t0)
            server_cpu.append(time.process_time() - c0)
        server_s, server_cpu = server_s[1:], server_cpu[1:]  # the first warms the server's caches (city, settings, statements)
        service_s, service_cpu = service_times(url, start, end, args.reps)
        log(f"queue answer: {len(answer['rows'])} rows, counts {answer['counts']}")

        tasks = TaskManager()
        workbench = Workbench(api=engine.api, tasks=tasks, me=seat.city.roster["2001"])
        workbench.resize(1280, 720)
        workbench.show()
        page = workbench.page(QueuePage)
        if not wait_for(page.painted):
            raise RuntimeError("the queue never painted")
        first_rows = page.model.rowCount()
        open_s, open_cpu = [], []
        for _ in range(args.reps):
            t0, c0 = time.perf_counter(), time.process_time()
            workbench.refresh_button.click()
            if not wait_for(page.painted):
                raise RuntimeError("the queue did not repaint")
            open_s.append(time.perf_counter() - t0)
            open_cpu.append(time.process_time() - c0)
        format_s = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            page.model.set_rows(list(answer["rows"]), page.tz)
            format_s.append(time.perf_counter() - t0)
        filter_s = []
        for key in ("overdue", "special_needs", "all") * 2:
            t0 = time.perf_counter()
            page.set_filter(key)
            page.table.viewport().repaint()
            filter_s.append(time.perf_counter() - t0)
        tasks.shutdown()
        workbench.close()
        seat.close()
        server.stop()
        app.processEvents()

    result = {
        "benchmark": "lead_queue_open", "cases_in_shift": args.cases, "background_cases": args.background,
        "rows_shown": first_rows, "counts": answer["counts"],
        "service_ms": summary_ms(service_s), "service_cpu_ms": summary_ms(service_cpu),
        "server_answer_ms": summary_ms(server_s), "server_answer_cpu_ms": summary_ms(server_cpu),
        "server_target_ms": SERVER_TARGET_MS,
        "table_format_ms": summary_ms(format_s),
        "click_to_painted_ms": summary_ms(open_s), "click_to_painted_cpu_ms": summary_ms(open_cpu),
        "target_ms": TARGET_MS,
        "filter_switch_ms": summary_ms(filter_s),
    }
    emit(result)


if __name__ == "__main__":
    main()
