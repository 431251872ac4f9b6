"""The routing panel: nothing for text that says nothing; the city's leaf categories when a case vector comes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import type_chinese
from ui.shell.desk_window import DeskWindow


def test_test_text_gives_no_suggestion(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: desk.routing.loaded, timeout=20000)
    type_chinese(desk.form.appeal.content.edit, "测试")
    qtbot.waitUntil(lambda: "内容不足" in desk.routing.hint.text(), timeout=10000)
    assert desk.routing.snapshot is None and not any(row.isVisible() for row in desk.routing.rows)
    QTest.keyClick(desk, Qt.Key.Key_F4)  # nothing to take: the form is untouched
    assert desk.form.disposition.disposition() == ""
    assert desk.form.appeal.category.text() == ""


NOISE = "小区对面工地每天夜里十一点以后还在施工，噪音很大，老人睡不着觉"
LEAF = "环境保护/噪音扰民/施工噪音"


def leaf_vector(path: str):  # type: ignore[no-untyped-def]
    """The shipped prototype of a leaf: a case vector with a known answer, no encoder needed."""
    from contract.routing_leaves import LEAVES_FILE, parse
    from operator_app.paths import resources_dir
    from semantic.codec import unpack

    leaves = parse((resources_dir() / "routing" / LEAVES_FILE).read_bytes()).leaves
    return unpack(next(leaf.text for leaf in leaves if leaf.path == path))


def test_leaves_replace_the_rows_when_the_case_vector_comes(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    routing = desk.routing
    type_chinese(desk.form.appeal.content.edit, NOISE)
    qtbot.waitUntil(lambda: routing.rows[0].isVisible(), timeout=20000)
    assert routing.rows[0].plain.startswith("1. 环境保护 →") and not routing.others.isVisible()
    routing.case_vector_ready("一段别的内容，与表单里的诉求无关", leaf_vector(LEAF))  # not this content's: ignored
    assert routing.snapshot is not None and routing.snapshot.leaves == ()
    routing.case_vector_ready(NOISE, leaf_vector(LEAF))
    qtbot.waitUntil(lambda: "›" in routing.rows[0].plain, timeout=5000)
    assert routing.rows[0].plain.startswith("1. 环境保护 › 噪音扰民 › 施工噪音 → 市城市管理综合执法局")
    assert all(row.isVisible() and "›" in row.plain for row in routing.rows)
    assert "color:#757575" in routing.rows[0].title.text() and "</span>施工噪音 → " in routing.rows[0].title.text()
    assert routing.rows[0].bar.isVisible() and "环境保护" in routing.rows[0].bar.format()
    assert not routing.rows[1].bar.isVisible()  # a second leaf of the same branch is one line
    if routing.others.isVisible():  # the other top levels stay one click away
        assert "其他一级分类" in routing.others.text()
    QTest.keyClick(desk, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    form = desk.form
    assert form.appeal.category.path() == LEAF  # the whole path: no leaf left to pick
    assert form.disposition.disposition() == "dispatch"
    assert form.disposition.lead.currentText() == desk.seat.city.departments["cgj"].name


def test_a_vector_of_the_text_it_grew_from_serves_until_the_next(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    """While typing on, the leaves from the vector of the shorter text stay (no flicker back to top level)."""
    routing = desk.routing
    type_chinese(desk.form.appeal.content.edit, NOISE)
    qtbot.waitUntil(lambda: routing.rows[0].isVisible(), timeout=20000)
    routing.case_vector_ready(NOISE, leaf_vector(LEAF))
    qtbot.waitUntil(lambda: "›" in routing.rows[0].plain, timeout=5000)
    type_chinese(desk.form.appeal.content.edit, "，要求停工")
    qtbot.waitUntil(lambda: routing._shown_inputs is not None and routing._shown_inputs[0].endswith("要求停工"),
                    timeout=10000)
    assert routing.snapshot is not None and routing.snapshot.leaves
    assert routing.rows[0].plain.startswith("1. 环境保护 › 噪音扰民 › 施工噪音")
    desk.form.clear()
    routing.reset()
    assert routing.snapshot is None and not routing.others.isVisible()


def test_a_vector_of_another_shape_leaves_the_top_level(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    routing = desk.routing
    type_chinese(desk.form.appeal.content.edit, NOISE)
    qtbot.waitUntil(lambda: routing.rows[0].isVisible(), timeout=20000)
    for wrong in (np.ones(12, dtype=np.float32), None, "not a vector"):
        routing.case_vector_ready(NOISE, wrong)
        assert routing.snapshot is not None and routing.snapshot.leaves == ()
        assert routing.rows[0].plain.startswith("1. 环境保护 →")


def test_the_desks_encoder_brings_the_leaves(qtbot, encoder, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    """End to end: the desk's SemanticBridge encodes the content and the routing panel shows the leaves."""
    bridge = desk._intake_page.semantic
    qtbot.waitUntil(lambda: bridge.ready, timeout=20000)
    type_chinese(desk.form.appeal.content.edit, "家里停水两天了也没人来修")
    qtbot.waitUntil(lambda: "›" in desk.routing.rows[0].plain, timeout=20000)
    assert desk.routing.rows[0].plain.startswith("1. 城乡建设 › 供水 › 停水 → ")
    QTest.keyClick(desk, Qt.Key.Key_F4)
    assert desk.form.appeal.category.path() == "城乡建设/供水/停水"


def test_without_the_encoder_the_panel_stays_top_level(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    bridge = desk._intake_page.semantic  # conftest switched the encoder off
    type_chinese(desk.form.appeal.content.edit, NOISE)
    qtbot.waitUntil(lambda: bridge.state == "unavailable" and desk.routing.rows[0].isVisible(), timeout=20000)
    qtbot.wait(800)  # longer than the bridge's debounce: no vector comes
    assert desk.routing.snapshot is not None and desk.routing.snapshot.leaves == ()
    assert desk.routing.rows[0].plain.startswith("1. 环境保护 →") and "›" not in desk.routing.rows[1].plain


def test_a_restored_draft_brings_the_leaves(qtbot, encoder, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    """A draft restored at sign-in (form.load sets the content without the typing signals) asks for its vector too."""
    from operator_app.services.drafts import load_draft

    bridge = desk._intake_page.semantic
    qtbot.waitUntil(lambda: bridge.ready, timeout=20000)
    type_chinese(desk.form.appeal.content.edit, "家里停水两天了也没人来修")
    desk.save_draft_now()
    store, op = desk.seat.store, desk.session.operator.id
    qtbot.waitUntil(lambda: (d := load_draft(store, operator_id=op)) is not None and "停水" in d.content, timeout=5000)
    draft = load_draft(store, operator_id=op)
    desk.form.clear()
    type_chinese(desk.form.appeal.content.edit, "晚上工地施工噪音太大吵得睡不着")
    qtbot.waitUntil(lambda: "噪音" in desk.routing.rows[0].plain and "›" in desk.routing.rows[0].plain, timeout=20000)
    desk._restore_draft(draft)
    qtbot.waitUntil(lambda: "停水" in desk.routing.rows[0].plain, timeout=20000)
    assert desk.routing.rows[0].plain.startswith("1. 城乡建设 › 供水 › 停水 → ")
