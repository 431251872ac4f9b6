"""GUI-thread stalls while typing and submitting (target: no stall over 50 ms).

With a store of 100,000 cases (populate.py), operator 1001 logs in through DeskController on a seat whose central
server is down (the issue's offline case; the sync worker retries in the background). A heartbeat QTimer
(5 ms, precise) on the GUI thread records the gap between consecutive ticks while a script drives the desk like an
operator, all on the GUI thread's event loop: the phone number typed digit by digit with QTest.keyClick, the appeal
type and district chosen, a category picked by typing a keyword (QInputMethodEvent commit strings: QTest cannot
type Chinese) and taking the first completion, the content typed character by character as IME commits with a
pause now and then (long enough for the 400 ms draft save to fire), a knowledge-base query typed into the search
box (Ctrl+K) the same way, waiting for its list (the fused list when the sentence encoder is on), dispatch with a
lead department picked the same way (or a direct answer for every fourth case), then DeskWindow.submit() (validates, queues the write on the
writer thread) and Enter on the case-number dialog; 30 cases. Then "my cases": switch tab, scope "all", scroll to
fetch more pages, type a Chinese search and a phone fragment. A gap over 5 ms means the GUI thread was busy (or
waited for the GIL) that long; the longest gaps are reported with what the script or a callback was doing then.
Typing is faster than a person's (about 12 ms per character) so the run stays short; each keystroke costs the
same whatever the pace.

The seat has the demo knowledge base (imported in a child process, so this one starts without the knowledge base's
code loaded, as a seat does after an earlier sync) with the articles' vectors, as the server would send them
(encoded here through benchmarks/_vectors.py's cache when the encoder can run); the script starts typing once the
desk has loaded its assist panels (`DeskWindow.warmed_up`; the seconds that took are reported as warm_up_s) and,
with the encoder on, once the encoder has loaded on its thread (encoder_ready_s). `--encoder off` runs the same
script on a seat without it (OPERATOR_DESK_ENCODER=off).

The fused list's latency: for each knowledge-base query, the time from the last character typed to the fused list
on screen (`KbSearchPanel.reranked`; target p95 ≤ 60 ms). The fused search starts when the vector of the text in
the box arrives, without waiting for the search box's pause in typing (DEBOUNCE_MS, which the lexical list waits
for); `after_pause` is the time beyond that pause when the pause ended first, and `lexical_first` counts the
queries whose lexical list showed before the fused one.

Usage: .venv/bin/python benchmarks/gui_stall.py [--cases 30] [--store 100000] [--char-ms 12] [--no-kb]
       [--encoder on|off]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

from _common import (
    PHONES,
    REPO,
    chinese_text,
    emit,
    log,
    make_app,
    offline_controller,
    percentile,
    refcount_ballast,
    spin,
    temp_data_dir,
    wait_for,
)

TARGET_MS = 50.0
HEARTBEAT_MS = 5
OPERATOR = "1001"
DRAFT_PAUSE_MS = 450  # longer than DeskWindow.DRAFT_DELAY_MS, so the draft is saved during the pause
FUSED_TARGET_MS = 60.0
KB_QUERIES = ["医保报销比例", "夜间施工噪音", "公积金提取", "暖气不热怎么办", "老板拖欠工资", "社保卡丢了",
              "孩子上小学报名", "灵活就业交养老", "楼上漏水", "小区停车收费"]


class Heartbeat:
    """Records the time between consecutive ticks of a 5 ms timer on the GUI thread."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer(interval=HEARTBEAT_MS)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.ticks: list[float] = []

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())

    def gaps(self) -> list[tuple[float, float, float]]:
        """(gap seconds, start, end) for each pair of consecutive ticks."""
        return [(b - a, a, b) for a, b in zip(self.ticks, self.ticks[1:], strict=False)]


class Operator:
    """Drives the desk from a generator: each `yield ms` hands the event loop back for that long."""

    def __init__(self, app: Any, ctl: Any, rng: random.Random, *, cases: int, char_ms: int) -> None:
        self.app, self.ctl, self.rng = app, ctl, rng
        self.desk = ctl.desk
        self.cases, self.char_ms = cases, char_ms
        self.marks: list[tuple[float, str]] = []
        self.fallbacks: dict[str, int] = {}
        self.submitted: list[str] = []
        self.done = False
        self.browsing_from = float("inf")  # when the script leaves the form for "my cases"
        self.kb_latency: list[dict[str, float | bool]] = []  # per knowledge-base query typed
        self.error: Exception | None = None
        self._gen: Iterator[int] | None = None
        desk = self.desk
        self.handler_times: dict[str, list[float]] = {}
        # GUI-thread handlers looked up at call time, so wrapping the instance attribute times every call.
        for owner, name, label in ((desk, "submit", "DeskWindow.submit (validate, queue)"),
                                   (desk, "_submitted", "DeskWindow._submitted (clear form, refresh, dialog)"),
                                   (desk.model, "_first_page", "CaseTableModel._first_page (model reset)"),
                                   (desk.model, "_more", "CaseTableModel._more (rows inserted)")):
            if hasattr(owner, name):
                setattr(owner, name, self._timed(label, getattr(owner, name)))
        desk.case_submitted.connect(lambda r: self.submitted.append(r.number))
        desk.case_submitted.connect(lambda _r: self.mark("callback: submitted (form cleared, my cases refresh, "
                                                         "number dialog built)"))
        desk.model.loaded.connect(lambda _n: self.mark("callback: my cases first page (model reset)"))
        desk.model.rowsInserted.connect(lambda *_: self.mark("callback: my cases fetchMore page inserted"))
        desk._draft_timer.timeout.connect(lambda: self.mark("draft timer: form read, draft save queued"))
        desk.cases._debounce.timeout.connect(lambda: self.mark("search debounce: apply_filter"))

    def _timed(self, label: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.handler_times.setdefault(label, []).append(time.perf_counter() - t)
        return wrapper

    def mark(self, what: str) -> None:
        self.marks.append((time.perf_counter(), what))

    def run(self) -> None:
        self._gen = self.script()
        self._step()

    def _step(self) -> None:
        from PySide6.QtCore import QTimer

        assert self._gen is not None
        try:
            delay = next(self._gen)
        except StopIteration:
            self.done = True
            return
        except Exception as exc:  # surfaced by main() after the loop ends
            self.error, self.done = exc, True
            return
        QTimer.singleShot(delay, self._step)

    # -- input helpers ---------------------------------------------------------------------------------------
    def commit(self, widget: Any, text: str) -> None:
        """What an input method does when the operator picks a character: a commit string, no key event."""
        from PySide6.QtGui import QInputMethodEvent
        from PySide6.QtWidgets import QApplication

        event = QInputMethodEvent("", [])
        event.setCommitString(text)
        QApplication.sendEvent(widget, event)

    def type_chinese(self, widget: Any, text: str, *, pause_every: int = 0) -> Iterator[int]:
        for i, ch in enumerate(text, 1):
            self.commit(widget, ch)
            yield self.char_ms
            if pause_every and i % pause_every == 0:
                self.mark("pause while typing (draft save due)")
                yield DRAFT_PAUSE_MS

    def type_keys(self, widget: Any, text: str) -> Iterator[int]:
        from PySide6.QtTest import QTest

        for ch in text:
            QTest.keyClick(widget, ch)
            yield self.char_ms

    def pick_completion(self, line_edit: Any, keyword: str, accept: Any) -> Iterator[int]:
        """Type a keyword, then Down + Enter in the completer's popup; `accept()` says whether it took."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        line_edit.setFocus()
        line_edit.clear()
        yield from self.type_chinese(line_edit, keyword)
        completer = line_edit.completer()
        if not completer.popup().isVisible():  # an IME commit is not a key press: ask as a key press would
            completer.setCompletionPrefix(line_edit.text())
            completer.complete()
            yield self.char_ms
        popup = completer.popup()
        if popup.isVisible():
            QTest.keyClick(popup, Qt.Key.Key_Down)
            yield self.char_ms
            QTest.keyClick(popup, Qt.Key.Key_Return)
            yield self.char_ms
        if not accept():
            self.fallbacks[keyword] = self.fallbacks.get(keyword, 0) + 1

    def press_radio(self, button: Any) -> Iterator[int]:
        """Tab to a radio button and press Space, as the keyboard-only operator does."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        button.setFocus()
        QTest.keyClick(button, Qt.Key.Key_Space)
        yield 30
        if not button.isChecked():
            self.fallbacks["radio Space"] = self.fallbacks.get("radio Space", 0) + 1
            button.setChecked(True)

    def wait_until(self, predicate: Any, timeout_s: float = 10.0) -> Iterator[int]:
        deadline = time.perf_counter() + timeout_s
        while not predicate():
            if time.perf_counter() > deadline:
                raise RuntimeError("timed out waiting in the operator script")
            yield 5

    # -- the script ------------------------------------------------------------------------------------------
    def script(self) -> Iterator[int]:
        for i in range(self.cases):
            yield from self.one_case(i)
        yield from self.my_cases()

    def one_case(self, i: int) -> Iterator[int]:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        desk, rng = self.desk, self.rng
        form, city = desk.form, desk.seat.city
        caller, appeal, disp = form.caller, form.appeal, form.disposition
        self.mark(f"case {i + 1}: typing the phone number")
        caller.phone.setFocus()
        yield from self.type_keys(caller.phone, rng.choice(PHONES))
        self.mark(f"case {i + 1}: choosing appeal type and district")
        appeal.appeal_type.setCurrentIndex(rng.randrange(1, appeal.appeal_type.count()))
        yield 30
        appeal.district.setCurrentIndex(rng.randrange(1, appeal.district.count()))
        yield 30
        self.mark(f"case {i + 1}: picking a category by keyword")
        leaf = rng.choice(city.categories.leaves)
        keyword = leaf.split("/")[2][:2]
        yield from self.pick_completion(appeal.category, keyword, lambda: city.categories.is_leaf(appeal.category.path()))
        if not city.categories.is_leaf(appeal.category.path()):
            appeal.category.set_path(leaf)
        self.mark(f"case {i + 1}: typing the content (IME commits)")
        appeal.content.edit.setFocus()
        yield from self.type_chinese(appeal.content.edit, chinese_text(rng, rng.randint(30, 80)), pause_every=40)
        if self.desk.kb.search.synced is not False:
            yield from self.kb_search(i)
        if i % 4 == 3:
            self.mark(f"case {i + 1}: direct answer")
            yield from self.press_radio(disp.buttons["direct"])
            disp.answer.setFocus()
            yield from self.type_chinese(disp.answer, "已按政策答复市民")
        else:
            self.mark(f"case {i + 1}: dispatch and lead department")
            yield from self.press_radio(disp.buttons["dispatch"])
            dept = rng.choice(list(city.departments.values()))
            keyword = dept.name[1:4] if dept.name.startswith("市") else dept.name[:3]
            yield from self.pick_completion(disp.lead.lineEdit(), keyword,
                                            lambda: city.department_by_name(disp.lead.currentText()) is not None)
            if city.department_by_name(disp.lead.currentText()) is None:
                disp.lead.setCurrentText(dept.name)
        self.mark(f"case {i + 1}: submit (validate, queue the write)")
        before = len(self.submitted)
        desk.submit()
        if desk.form.summary.isVisible():
            errors = {name: box.error_text() for name, box in form.fields.items() if box.error_text()}
            raise RuntimeError(f"the form did not validate: {errors} {form.form_input()}")
        yield from self.wait_until(lambda: len(self.submitted) > before and desk.number_dialog is not None
                                   and desk.number_dialog.isVisible())
        yield 60  # the operator reads the number to the citizen
        self.mark(f"case {i + 1}: Enter closes the case-number dialog")
        QTest.keyClick(desk.number_dialog, Qt.Key.Key_Return)
        yield 20
        if desk.number_dialog.isVisible():
            self.fallbacks["number dialog Enter"] = self.fallbacks.get("number dialog Enter", 0) + 1
            desk.number_dialog.accept()
        yield 80

    def kb_search(self, i: int) -> Iterator[int]:
        """Ctrl+K, a query typed as IME commits, wait for its list (the fused one when semantic search is in use),
        Esc clears it; then back to the form."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        desk = self.desk
        panel = desk.kb.search
        self.mark(f"case {i + 1}: knowledge-base search as you type")
        desk.focus_kb_search()
        seen: dict[str, float] = {}
        first: list[str] = []
        query = KB_QUERIES[i % len(KB_QUERIES)]

        def whole_query() -> bool:  # a list for a prefix typed earlier does not count
            return panel._request is not None and panel._request.query == query

        hooks = [(panel.searched, lambda: whole_query() and first.append(panel.ranking)),
                 (panel.reranked, lambda: whole_query() and seen.setdefault("reranked", time.perf_counter())),
                 (panel._debounce.timeout, lambda: seen.__setitem__("pause_end", time.perf_counter()))]
        for signal, slot in hooks:
            signal.connect(slot)
        fused = panel.semantic_in_use
        last_key = time.perf_counter()
        for n, ch in enumerate(query):
            self.commit(panel.search, ch)
            last_key = time.perf_counter()
            if n < len(query) - 1:
                yield self.char_ms
        if not fused:
            hooks.append((panel.searched, lambda: seen.setdefault("searched", time.perf_counter())))
            panel.searched.connect(hooks[-1][1])
        waited = "reranked" if fused else "searched"
        yield from self.wait_until(lambda: waited in seen, timeout_s=5.0)
        done = seen[waited]
        self.kb_latency.append({"after_last_key_ms": (done - last_key) * 1000,
                                "after_pause_ms": (done - seen.get("pause_end", last_key)) * 1000,
                                "lexical_first": fused and first[:1] != ["fused"], "fused": fused})
        yield 200  # the operator reads the list
        for signal, slot in hooks:
            signal.disconnect(slot)
        QTest.keyClick(panel.search, Qt.Key.Key_Escape)
        yield self.char_ms

    def my_cases(self) -> Iterator[int]:
        desk = self.desk
        cases = desk.cases
        self.browsing_from = time.perf_counter()
        self.mark("my cases: switching tab")
        desk.tabs.setCurrentWidget(cases)
        yield 300
        self.mark("my cases: scope → all")
        loads = []
        desk.model.loaded.connect(loads.append)
        cases.scope.setCurrentIndex(cases.scope.findData("all"))
        yield from self.wait_until(lambda: bool(loads))
        yield 200
        for n in range(3):
            self.mark(f"my cases: scroll to the bottom ({n + 1})")
            cases.table.scrollToBottom()
            yield 300
        self.mark("my cases: typing a Chinese search")
        cases.search.setFocus()
        loads.clear()
        yield from self.type_chinese(cases.search, "噪音扰民")
        yield from self.wait_until(lambda: bool(loads))
        yield 300
        self.mark("my cases: typing a phone fragment")
        cases.search.clear()
        loads.clear()
        yield from self.type_keys(cases.search, "8000")
        yield from self.wait_until(lambda: bool(loads))
        yield 300
        self.mark("my cases: scope → today")
        loads.clear()
        cases.scope.setCurrentIndex(cases.scope.findData("today"))
        yield from self.wait_until(lambda: bool(loads))
        yield 300
        desk.model.loaded.disconnect(loads.append)

    def during(self, start: float, end: float) -> str:
        """What was going on in (start, end]: the activity under way and anything that began inside."""
        before = [w for t, w in self.marks if t <= start]
        inside = [w for t, w in self.marks if start < t <= end]
        parts = ([before[-1]] if before else []) + inside
        return " → ".join(dict.fromkeys(parts)) or "(idle)"


class GcTimes:
    """How long each cyclic collection took, by generation and thread (gc.callbacks)."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        thread = "gui" if threading.current_thread() is threading.main_thread() else "worker"
        self.times.setdefault(f"gen{info['generation']} on {thread} thread", []).append(
            time.perf_counter() - self._started)

    def summary(self) -> dict[str, dict[str, float]]:
        return {k: {"collections": len(t), "max_ms": round(max(t) * 1000, 1),
                    "total_ms": round(sum(t) * 1000, 1)} for k, t in sorted(self.times.items())}


DEMO_ARTICLES = REPO / "resources" / "kb" / "demo_articles.jsonl"


def import_kb(folder: Any, articles: Any = DEMO_ARTICLES) -> int:
    """Give the seat the demo knowledge base (or `articles`), as a sync would, in a child process: this one starts
    without knowledge_base imported, like a seat that synced its articles in an earlier run."""
    import subprocess

    demo = articles
    cli = "from ui.shell.main import main; raise SystemExit(main())"
    out = subprocess.run([sys.executable, "-c", cli, "--data-dir", str(folder), "kb", "import", "--json",
                          str(demo)], check=True, capture_output=True, text=True).stdout
    return int(json.loads(out)["imported"])


ADD_VECTORS = """
import sys
from pathlib import Path
sys.path.insert(0, {bench!r})
from _vectors import vectors
from knowledge_base import KnowledgeBase
from semantic import VectorRecord, article_passage, encoder_id, pack
import json
ids = [json.loads(line)["id"] for line in Path({demo!r}).read_text(encoding="utf-8").splitlines() if line.strip()]
with KnowledgeBase.open(Path({kb!r})) as kb:
    articles = [a for a in map(kb.get, ids) if a is not None and not a.retired]
    vecs = vectors([article_passage(a.title, a.body) for a in articles], "passage")
    for a, v in zip(articles, vecs):
        kb.set_vector(a.id, int(a.version or 1), VectorRecord(encoder_id(), int(v.size), pack(v)))
print(len(articles))
"""


def add_vectors(folder: Any, articles: Any = DEMO_ARTICLES) -> int:
    """The articles' vectors, as the server's pull brings them (from the benchmark cache; encoded once per machine),
    set in a child process for the same reason as import_kb."""
    import subprocess
    from pathlib import Path

    bench = Path(__file__).resolve().parent
    code = ADD_VECTORS.format(bench=str(bench), kb=str(Path(folder) / "kb.sqlite"), demo=str(articles))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return int(out.strip().splitlines()[-1])


def kb_latency_summary(rows: list[dict[str, float | bool]]) -> dict[str, Any]:
    """The knowledge-base queries' list latencies: after the last keystroke, and beyond the search box's pause."""
    if not rows:
        return {"queries": 0}
    last = [float(r["after_last_key_ms"]) for r in rows]
    beyond = [float(r["after_pause_ms"]) for r in rows]
    fused = bool(rows[0]["fused"])
    out: dict[str, Any] = {
        "list": "fused" if fused else "lexical", "queries": len(rows),
        "after_last_key_ms": {"p50": round(percentile(last, 50), 1), "p95": round(percentile(last, 95), 1)},
        "after_pause_ms": {"p50": round(percentile(beyond, 50), 1), "p95": round(percentile(beyond, 95), 1)},
    }
    if fused:
        out["lexical_first"] = sum(bool(r["lexical_first"]) for r in rows)
        out["target_after_last_key_p95_ms"] = FUSED_TARGET_MS
        out["meets_target"] = percentile(last, 95) <= FUSED_TARGET_MS
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--store", type=int, default=100_000, help="cases in the store before the run")
    parser.add_argument("--char-ms", type=int, default=12, help="time between typed characters")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-kb", dest="kb", action="store_false",
                        help="run without a knowledge base on the seat (its panels stay idle)")
    parser.add_argument("--kb-articles", default=str(DEMO_ARTICLES),
                        help="the seat's articles (JSONL), e.g. ../shared/data/kb/replies_articles.jsonl")
    parser.add_argument("--encoder", choices=("on", "off"), default="on",
                        help="off: a seat without the sentence encoder (lexical search only)")
    args = parser.parse_args()
    if args.encoder == "off":
        os.environ["OPERATOR_DESK_ENCODER"] = "off"

    from populate import populated_seat

    result: dict[str, Any] = {"benchmark": "gui_stall", "target_max_stall_ms": TARGET_MS,
                              "heartbeat_ms": HEARTBEAT_MS, "cases": args.cases}
    with temp_data_dir("guistall") as folder:
        if args.store:
            seat, info = populated_seat(folder, total=args.store)  # before Qt exists
            result["store"] = {"cases": info["cases"], "db_mb": info["db_mb"]}
        else:
            from operator_app.seat import open_seat

            seat = open_seat(folder)
        if args.kb:
            result["kb_articles"] = import_kb(folder, args.kb_articles)
            from semantic import availability

            if availability().available:
                result["kb_vectors"] = add_vectors(folder, args.kb_articles)
        result["encoder"] = args.encoder
        refcount_ballast()  # PySide6 6.12 + Python 3.11 drops references to None; see _common.py
        app = make_app()
        ctl = offline_controller(seat)
        ctl.show_login()
        ctl.login(OPERATOR)
        desk = ctl.desk
        assert desk is not None
        desk.show()
        desk.activateWindow()
        if not wait_for(desk.form_ready, 30_000):
            raise RuntimeError("the form never became ready")
        warm = time.perf_counter()
        if hasattr(desk, "warmed_up") and not wait_for(desk.warmed_up, 30_000):
            raise RuntimeError("the desk never finished loading its assist panels")
        result["warm_up_s"] = round(time.perf_counter() - warm, 2)
        bridge = getattr(getattr(desk, "_intake_page", None), "semantic", None)
        if bridge is not None:
            for _ in range(3000):  # the encoder loads on its thread; then the panel counts the articles' vectors
                if bridge.state == "unavailable" or (bridge.ready and desk.kb.search.vectors_in_kb is not None):
                    break
                spin(10)
            result["encoder_ready_s"] = round(time.perf_counter() - warm, 2)
            result["search_mode"] = bridge.status()
        spin(300)  # start-up work is measured by startup.py, not here
        driver = Operator(app, ctl, random.Random(args.seed), cases=args.cases, char_ms=args.char_ms)
        beat = Heartbeat()
        gc_times = GcTimes()
        gc.callbacks.append(gc_times)
        log(f"gui_stall: driving {args.cases} cases and my cases …")
        started = time.perf_counter()
        beat.start()
        driver.run()
        deadline = time.perf_counter() + 600
        while not driver.done and time.perf_counter() < deadline:
            spin(100)
        spin(300)
        beat.stop()
        gc.callbacks.remove(gc_times)
        seconds = time.perf_counter() - started
        if driver.error is not None:
            raise RuntimeError("the operator script failed") from driver.error
        if not driver.done:
            raise RuntimeError("the operator script did not finish")
        ctl.shutdown()

    gaps = beat.gaps()
    ms = [g * 1000 for g, _, _ in gaps]
    worst = sorted(gaps, reverse=True)[:8]
    typing = [g * 1000 for g, _a, b in gaps if b < driver.browsing_from]
    browsing = [g * 1000 for g, _a, b in gaps if b >= driver.browsing_from]
    by_activity: dict[str, dict[str, float]] = {}  # gaps over 20 ms, by activity (case numbers dropped)
    for g, a, b in gaps:
        if g * 1000 > 20:
            what = re.sub(r"case \d+: ", "", driver.during(a, b))
            entry = by_activity.setdefault(what, {"gaps_over_20ms": 0, "max_ms": 0.0})
            entry["gaps_over_20ms"] += 1
            entry["max_ms"] = max(entry["max_ms"], round(g * 1000, 1))
    result.update({
        "seconds": round(seconds, 1), "submitted": len(driver.submitted), "ticks": len(gaps),
        "max_stall_ms": round(max(ms), 1),
        "max_stall_typing_and_submitting_ms": round(max(typing) if typing else 0.0, 1),
        "max_stall_browsing_my_cases_ms": round(max(browsing) if browsing else 0.0, 1),
        "p99_gap_ms": round(percentile(ms, 99), 1),
        "p50_gap_ms": round(percentile(ms, 50), 1),
        "gaps_over_50ms": sum(m > TARGET_MS for m in ms), "gaps_over_20ms": sum(m > 20 for m in ms),
        "longest": [{"ms": round(g * 1000, 1), "at_s": round(a - started, 2), "during": driver.during(a, b)}
                    for g, a, b in worst],
        "stalls_by_activity": dict(sorted(by_activity.items(), key=lambda kv: -kv[1]["max_ms"])[:12]),
        "gui_handlers_ms": {name: {"calls": len(t), "p50": round(percentile(t, 50) * 1000, 1),
                                   "max": round(max(t) * 1000, 1)} for name, t in driver.handler_times.items()},
        "kb_search": kb_latency_summary(driver.kb_latency),
        "completion_fallbacks": driver.fallbacks,
        "garbage_collections": gc_times.summary(),
        "meets_target": max(typing, default=0.0) <= TARGET_MS,  # the target: typing and submitting
    })
    log(f"  longest stall {result['max_stall_ms']} ms during: {result['longest'][0]['during']}")
    log(f"  typing and submitting: longest {result['max_stall_typing_and_submitting_ms']} ms; browsing my cases: "
        f"{result['max_stall_browsing_my_cases_ms']} ms")
    log(f"  p99 gap {result['p99_gap_ms']} ms; {result['gaps_over_50ms']} gaps over 50 ms")
    log(f"  knowledge-base search: {result['kb_search']}")
    emit(result)
    # Skip interpreter finalisation: with PySide6 6.12 on Python 3.11 it can abort in the garbage collector
    # (see refcount_ballast in _common.py); the figures are out.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
