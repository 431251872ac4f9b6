"""A whole practice session in the practice window, knowledge-base feedback and a trainer's preview included,
leaves the real store exactly as it was: cases, case events, outbox (where kb feedback would go), drafts, day
counters; the desk's own draft is untouched and the desk's form keeps what the operator typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from knowledge_base import KnowledgeBase
from operator_app.practice import history
from operator_app.services.drafts import load_draft
from tests.ui.conftest import type_ascii, type_chinese
from tests.ui.practice_steps import NOISE, fill_noise_case, start_scenario, submit_with_keys
from ui.kb.viewer import ArticleViewer
from ui.shell.desk_window import DeskWindow
from ui.training.practice.window import PracticeWindow, open_preview

TABLES = ("cases", "case_events", "outbox", "drafts", "day_counters")
DRAFT = "真实来电：路灯不亮，还没说完"


def load_demo_kb(data_dir: Path) -> None:
    with KnowledgeBase.open(data_dir / "kb.sqlite") as kb:
        kb.import_jsonl(Path(__file__).resolve().parents[2] / "resources" / "kb" / "demo_articles.jsonl")


def dump(desk: DeskWindow) -> dict[str, list[tuple[Any, ...]]]:
    with desk.seat.store.read() as conn:
        return {name: sorted(tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{name}"'))  # noqa: S608
                for name in TABLES}


def feedback_in_viewer(qtbot: Any, window: PracticeWindow, article_id: str) -> None:
    window.assembly.kb.open_article(article_id)
    qtbot.waitUntil(lambda: window.assembly.kb.viewer is not None and window.assembly.kb.viewer.isVisible(),
                    timeout=5000)
    viewer = window.assembly.kb.viewer
    assert isinstance(viewer, ArticleViewer)
    viewer.comment.setText("练习中的反馈")
    QTest.mouseClick(viewer.feedback_buttons["outdated"], Qt.MouseButton.LeftButton)
    assert "练习模式" in viewer.feedback_status.text() and "不会保存" in viewer.feedback_status.text()
    viewer.reject()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def test_a_practice_session_leaves_the_real_store_and_draft_untouched(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    load_demo_kb(desk.seat.data_dir)
    type_ascii(desk.form.caller.phone, "13700137000")
    type_chinese(desk.form.appeal.content.edit, DRAFT)
    desk.save_draft_now()
    store, op = desk.seat.store, desk.session.operator.id
    qtbot.waitUntil(lambda: (d := load_draft(store, operator_id=op)) is not None and d.content == DRAFT,
                    timeout=5000)
    before = dump(desk)
    assert before["drafts"]

    window = start_scenario(qtbot, desk, NOISE)
    scenario = window.scenarios[0]
    feedback_in_viewer(qtbot, window, "demo-001")
    fill_noise_case(qtbot, window, scenario, cooperating=False)
    submit_with_keys(window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)
    QTest.keyClick(window.result.table, Qt.Key.Key_Return)  # again, this time invalid, then right
    type_ascii(window.form.caller.phone, "12")
    submit_with_keys(window)
    assert window.form.fields["phone"].error_text()
    window.form.clear()
    fill_noise_case(qtbot, window, scenario, cooperating=True)
    qtbot.wait(600)  # longer than the desk's draft delay: a practice form saves no draft
    submit_with_keys(window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)
    assert window.pstore is not None
    attempts = history(window.pstore, op)
    assert len(attempts) == 2 and all(a.number.startswith("练-") for a in attempts)
    QTest.keyClick(window.result.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)

    preview = open_preview(scenario, city=desk.seat.city, data_dir=desk.seat.data_dir, tasks=desk.tasks,
                           parent=desk)
    qtbot.addWidget(preview)
    qtbot.waitExposed(preview)
    preview.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is preview, timeout=3000)
    assert preview.pstore is None and "预览" in preview.banner.text()
    fill_noise_case(qtbot, preview, scenario, cooperating=True)
    preview.submit()
    qtbot.waitUntil(lambda: preview.stack.currentWidget() is preview.result, timeout=5000)
    assert preview.result.total.text() == "总分 100" and "不保存" in preview.result.heading.text()
    preview.close()
    assert len(history(window.pstore, op)) == 2  # the preview kept nothing

    for _ in range(3):  # let every queued write land
        QApplication.processEvents()
        qtbot.wait(100)
    assert dump(desk) == before
    draft = load_draft(store, operator_id=op)
    assert draft is not None and draft.content == DRAFT and draft.phone == "13700137000"
    assert desk.form.appeal.content.edit.toPlainText() == DRAFT  # the desk's own form is its own
