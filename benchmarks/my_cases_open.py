"""Opening "my cases" with 100,000 cases in the store (target ≤ 300 ms).

The store is populated first (populate.py: 100,000 cases over 60 days and 10 operators, 3,000 of them by
operator 1001 today). Then, in one QApplication, each scenario is timed 5 times, each time on a freshly opened
Store (SQLite's page cache cold, the OS file cache warm): from constructing CaseTableModel + CaseListView as
DeskWindow does and calling apply_filter(), until the model's `loaded` signal fires ("loaded_ms") and until the
visible rows have been painted ("displayed_ms", the figure held against the target). Scopes shift/today/all
for operator 1001 (the shift started 4 hours ago) and for the whole seat (operator_id=None); a text search
(content LIKE) on an open list; a fetchMore page; and the bare core queries, to show where the time goes.

Usage: .venv/bin/python benchmarks/my_cases_open.py [--cases 100000] [--reps 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import RARE_WORD, emit, log, make_app, median_ms, refcount_ballast, spin, temp_data_dir, wait_for

TARGET_MS = 300.0
OPERATOR = "1001"
SCENARIOS = (  # name, operator_id, scope
    ("shift_1001", OPERATOR, "shift"),
    ("today_1001", OPERATOR, "today"),
    ("all_1001", OPERATOR, "all"),
    ("shift_seat", None, "shift"),
    ("today_seat", None, "today"),
    ("all_seat", None, "all"),
)


class Bench:
    """One QApplication and task threads; each measurement opens its own Store on the populated file."""

    def __init__(self, folder: Path, seat_code: str, shift_start: str) -> None:
        from contract.city.loader import load_city
        from operator_app.paths import resources_dir
        from ui.common.tasks import TaskManager

        self.app = make_app()
        self.city = load_city(resources_dir())
        self.tasks = TaskManager()
        self.folder, self.seat_code, self.shift_start = folder, seat_code, shift_start

    def open_store(self) -> Any:
        from operator_app.store.database import Store

        return Store.open(self.folder, seat_code=self.seat_code)

    def open_list(self, store: Any, operator_id: str | None, scope: str) -> tuple[float, float, int, Any]:
        """Seconds to `loaded` and to the painted first rows, the match count, and the view (for follow-ups)."""
        from PySide6.QtCore import QSignalBlocker

        from ui.cases.list_view import CaseListView
        from ui.cases.table_model import CaseTableModel

        t0 = time.perf_counter()
        model = CaseTableModel(store, self.city, self.tasks)
        view = CaseListView(model, operator_id=operator_id, shift_start=self.shift_start)  # type: ignore[arg-type]
        with QSignalBlocker(view.scope):  # choose the scope without the combo's own apply_filter
            view.scope.setCurrentIndex(view.scope.findData(scope))
        view.resize(1280, 760)
        view.show()
        totals: list[int] = []
        model.loaded.connect(totals.append)
        view.apply_filter()
        if not wait_for(model.loaded):
            raise RuntimeError(f"my cases did not load ({operator_id}, {scope})")
        t_loaded = time.perf_counter()
        view.table.viewport().grab()  # lays out and paints the visible rows (calls model.data for each cell)
        t_shown = time.perf_counter()
        if totals[0] and model.data(model.index(0, 0)) is None:
            raise RuntimeError("first row has no case number")
        return t_loaded - t0, t_shown - t0, totals[0], view

    def refresh_time(self, view: Any, **changes: Any) -> tuple[float, int]:
        """Seconds from a new filter (as typing in the search box ends up doing) to `loaded`, and the count."""
        from dataclasses import replace

        spin(150)  # let the previous repaint finish, so it is not counted here
        totals: list[int] = []
        view.model.loaded.connect(totals.append)
        t0 = time.perf_counter()
        view.model.refresh(replace(view.current_filter(), **changes))
        if not wait_for(view.model.loaded):
            raise RuntimeError(f"search did not finish: {changes}")
        elapsed = time.perf_counter() - t0
        view.table.viewport().grab()
        view.model.loaded.disconnect(totals.append)
        return elapsed, totals[0]

    def fetch_more_time(self, view: Any) -> tuple[float, int]:
        """Seconds for one fetchMore page to arrive (rowsInserted) after the first page."""
        model = view.model
        spin(150)
        before = model.rowCount()
        t0 = time.perf_counter()
        model.fetchMore()
        if not wait_for(model.rowsInserted):
            raise RuntimeError("fetchMore brought nothing")
        return time.perf_counter() - t0, model.rowCount() - before

    def close(self) -> None:
        self.tasks.shutdown()


def core_query_times(store: Any, city: Any, shift_start: str) -> dict[str, float]:
    """The bare core queries on the GUI-less side (median of 5, ms): where the open time goes."""
    from operator_app.services.case_queries import CaseFilter, count_cases, list_cases

    cases = {
        "count_all_seat": lambda: count_cases(store, CaseFilter(timezone=city.timezone)),
        "page1_all_seat": lambda: list_cases(store, CaseFilter(timezone=city.timezone)),
        "count_all_1001": lambda: count_cases(store, CaseFilter(operator_id=OPERATOR, timezone=city.timezone)),
        "page1_all_1001": lambda: list_cases(store, CaseFilter(operator_id=OPERATOR, timezone=city.timezone)),
        "page_at_offset_50000_seat": lambda: list_cases(store, CaseFilter(timezone=city.timezone), offset=50_000),
        "count_search_rare_seat": lambda: count_cases(store, CaseFilter(text=RARE_WORD, timezone=city.timezone)),
        "page1_search_rare_seat": lambda: list_cases(store, CaseFilter(text=RARE_WORD, timezone=city.timezone)),
    }
    out = {}
    for name, fn in cases.items():
        times = []
        for _ in range(5):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        out[name] = median_ms(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()

    from populate import populated_seat

    result: dict[str, Any] = {"benchmark": "my_cases_open", "target_ms": TARGET_MS, "reps": args.reps}
    with temp_data_dir("mycases") as folder:
        seat, info = populated_seat(folder, total=args.cases)  # before Qt exists
        seat_code = seat.store.seat.seat_code
        seat.close()
        result["store"] = info
        shift_start = (datetime.now(UTC) - timedelta(hours=4)).isoformat(timespec="milliseconds")
        refcount_ballast()  # PySide6 6.12 + Python 3.11 drops references to None; see _common.py
        bench = Bench(folder, seat_code, shift_start)
        try:
            scenarios: dict[str, Any] = {}
            for name, operator_id, scope in SCENARIOS:
                loaded, shown, total = [], [], 0
                for _ in range(args.reps):
                    store = bench.open_store()
                    try:
                        t_loaded, t_shown, total, view = bench.open_list(store, operator_id, scope)
                        view.close()
                        view.deleteLater()
                    finally:
                        store.close()
                    loaded.append(t_loaded)
                    shown.append(t_shown)
                    spin(100)  # the closed view's leftovers run here, not in the next measurement
                scenarios[name] = {"matches": total, "loaded_ms": median_ms(loaded), "displayed_ms": median_ms(shown),
                                   "first_displayed_ms": round(shown[0] * 1000, 1),
                                   "max_displayed_ms": round(max(shown) * 1000, 1)}
                log(f"  open {name:<11} {total:>7,} matches: loaded {scenarios[name]['loaded_ms']} ms, "
                    f"displayed {scenarios[name]['displayed_ms']} ms")
            result["open"] = scenarios

            # Search and paging on an open list of the whole seat (100k) and of operator 1001 ("all").
            follow: dict[str, Any] = {}
            for who, operator_id in (("seat", None), ("1001", OPERATOR)):
                store = bench.open_store()
                try:
                    *_, view = bench.open_list(store, operator_id, "all")
                    one_number = view.model.rows[min(150, len(view.model.rows) - 1)].number
                    for label, text in (("search_rare", RARE_WORD), ("search_common", "噪音"),
                                        ("search_number", one_number)):
                        times, total = [], 0
                        for _ in range(args.reps):
                            t, total = bench.refresh_time(view, text=text)
                            times.append(t)
                            bench.refresh_time(view, text="")  # back to the unfiltered list between runs
                        follow[f"{label}_{who}"] = {"query": text, "matches": total, "ms": median_ms(times)}
                    pages = []
                    for _ in range(args.reps):
                        t, added = bench.fetch_more_time(view)
                        pages.append(t)
                    follow[f"fetch_more_page_{who}"] = {"rows": added, "ms": median_ms(pages),
                                                        "last_offset": view.model.rowCount() - added}
                    view.close()
                    view.deleteLater()
                finally:
                    store.close()
            for name, item in follow.items():
                log(f"  {name:<22} {item['ms']} ms")
            result["follow_ups"] = follow

            store = bench.open_store()
            try:
                result["core_queries_ms"] = core_query_times(store, bench.city, shift_start)
            finally:
                store.close()
        finally:
            bench.close()

    worst = max(s["displayed_ms"] for s in result["open"].values())
    result["worst_open_displayed_ms"] = worst
    result["median_open_displayed_ms"] = round(statistics.median(s["displayed_ms"] for s in result["open"].values()), 1)
    result["meets_target"] = worst <= TARGET_MS
    emit(result)


if __name__ == "__main__":
    main()
