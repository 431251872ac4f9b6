"""The routing suggestions panel: updates while typing, F4 takes the first suggestion, low confidence is shown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from operator_app.routing.installed import install
from tests.model_variant import download, variant_model
from tests.ui.conftest import type_chinese
from ui.shell.desk_window import DeskWindow


def test_suggestions_follow_the_content_and_f4_accepts(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    type_chinese(desk.form.appeal.content.edit, "小区楼下烧烤店油烟很大，晚上还有噪音，影响休息")
    first = desk.routing.rows[0]
    qtbot.waitUntil(first.isVisible, timeout=10000)
    assert first.title.text().startswith("1. 环境保护")
    assert first.bar.value() >= 60 and "关键词" in first.why.text()
    snapshot = desk.routing.snapshot
    assert snapshot is not None and len(snapshot.suggestions) == 3
    QTest.keyClick(desk, Qt.Key.Key_F4)
    form = desk.form
    assert form.disposition.disposition() == "dispatch"
    lead = desk.seat.city.departments[snapshot.suggestions[0].lead_department_id or ""]
    assert form.disposition.lead.currentText() == lead.name
    assert form.appeal.category.text().startswith("环境保护 / ")
    assert QApplication.focusWidget() is form.appeal.category


def test_too_little_text_gives_no_suggestion(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    type_chinese(desk.form.appeal.content.edit, "喂")
    qtbot.waitUntil(lambda: "内容不足" in desk.routing.hint.text() or "置信度低" in desk.routing.hint.text(),
                    timeout=10000)
    QTest.keyClick(desk, Qt.Key.Key_F4)  # nothing to accept: the form is untouched
    assert desk.form.disposition.disposition() == ""


def test_a_model_sync_installs_is_used_from_the_next_suggestion(  # type: ignore[no-untyped-def]
    qtbot, desk: DeskWindow, tmp_path: Path
) -> None:
    qtbot.waitUntil(lambda: desk.routing.loaded, timeout=20000)  # the shipped model, loaded after login
    shipped = desk.routing.model_version
    folder = tmp_path / "model"
    version = variant_model(folder)
    release, files, hashes = download(folder)
    install(desk.seat.data_dir, release, files, hashes)
    desk.sync.routing_model_changed.emit(release)  # what the sync controller says after such a pass
    qtbot.waitUntil(lambda: desk.routing.model_version == version, timeout=20000)
    assert version != shipped
    assert "派单建议已更新" in desk.statusBar().currentMessage()  # the operator is told
    type_chinese(desk.form.appeal.content.edit, "小区楼下烧烤店油烟很大，晚上还有噪音，影响休息")
    qtbot.waitUntil(lambda: desk.routing.snapshot is not None, timeout=10000)
    assert desk.routing.snapshot is not None and desk.routing.snapshot.model_version == version
