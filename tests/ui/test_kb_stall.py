"""The GUI thread never stalls while the operator types into the knowledge-base search box (target ≤ 50 ms).

A 5 ms precise heartbeat timer on the GUI thread records the gaps between its ticks while queries are typed
character by character (input-method commits), with pauses long enough for the debounced searches to run on the
read pool, first use included (knowledge_base and numpy are imported then, on the worker), and while case content
is typed (suggestions). Prints the longest gaps; `-s` shows them.

The assertion allows twice the target: this machine often runs other suites beside this one, and a busy CPU
delays timers without any fault of the desk. A search done on the GUI thread (or rows laid out all at once) shows
up far above it. The figure to report is the printed one, measured on a quiet machine.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer

from tests.ui.conftest import type_chinese
from tests.ui.test_kb_panels import kb_desk, kb_template  # noqa: F401 - fixtures
from ui.shell.desk_window import DeskWindow

TARGET_MS = 50.0
CEILING_MS = 2 * TARGET_MS
QUERIES = ["医保报销比例", "噪音扰民夜间施工", "yb", "公积金提取", "物业 维修资金", "供暖不热", "拖欠工资",
           "灵活就业养老保险", "社保卡丢失补办", "孩子上学 入学"]
CONTENT = "您好，我家小区楼下的烧烤店每天晚上油烟很大，还有噪音，已经影响休息好几个月了，希望有关部门管一管。"


def test_typing_in_the_search_box_never_stalls_the_gui(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk = kb_desk
    panel = desk.kb.search
    ticks: list[float] = []
    beat = QTimer(interval=5)
    beat.setTimerType(Qt.TimerType.PreciseTimer)
    beat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    qtbot.waitUntil(lambda: desk.kb.warmed_up, timeout=5000)  # as after a second or two at the seat
    qtbot.wait(100)
    ticks.append(time.perf_counter())
    beat.start()
    searches = [0]
    panel.searched.connect(lambda: searches.__setitem__(0, searches[0] + 1))
    for i, query in enumerate(QUERIES):
        desk.focus_kb_search()
        panel.search.clear()
        before = searches[0]
        for ch in query:
            type_chinese(panel.search, ch)
            qtbot.wait(40 if i % 2 else 170)  # fast typing restarts the debounce; slower lets searches run
        qtbot.waitUntil(lambda b=before: searches[0] > b and not panel._debounce.isActive(), timeout=10000)
        qtbot.wait(100)
    for ch in CONTENT:  # suggestions while the case content is typed
        type_chinese(desk.form.appeal.content.edit, ch)
        qtbot.wait(25)
    qtbot.wait(800)
    beat.stop()
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]
    worst = max(gaps)
    longest = ", ".join(f"{g:.0f}" for g in sorted(gaps, reverse=True)[:5])
    print(f"\nkb search stall: {len(gaps)} heartbeats, longest gaps {longest} ms, "
          f"p99 {sorted(gaps)[int(len(gaps) * 0.99)]:.1f} ms, {searches[0]} searches shown (target {TARGET_MS:g} ms)")
    assert desk.kb.suggestions.model.rowCount() > 0
    assert worst <= CEILING_MS, f"GUI thread stalled {worst:.1f} ms"
