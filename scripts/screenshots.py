"""Grab the desk's screens as PNG files (run under xvfb-run with a CJK font), against the embedded server.

Usage: xvfb-run -a .venv/bin/python scripts/screenshots.py OUT_DIR
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import insert, select

from contract.case_fields import CaseInput
from operator_app.seat import open_seat
from operator_app.services.intake import submit_case
from operator_app.store import schema
from operator_app.store.database import utc_now
from sync.embedded import DEMO_PASSWORD, start_embedded_server
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.secrets import SecretStore
from ui.cases.detail_dialog import CaseDetailDialog
from ui.cases.rejected_dialog import RejectedDialog
from ui.shell.app import DeskController, make_application


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(predicate, timeout_ms: int = 10000) -> None:  # type: ignore[no-untyped-def]
    waited = 0
    while not predicate() and waited < timeout_ms:
        settle(50)
        waited += 50


def seed_cases(seat, city) -> None:  # type: ignore[no-untyped-def]
    dist = next(iter(city.districts.values()))
    for i in range(30):
        submit_case(seat.store, city, operator_id="1001", form=CaseInput(
            caller_name="张建国" if i % 3 else "", phone=f"1380013{8000 + i:04d}", appeal_type="complaint",
            category=city.categories.leaves[i * 7 % len(city.categories.leaves)], district=dist.name,
            content=f"示例诉求{i}：小区夜间施工噪音扰民", disposition="dispatch" if i % 4 else "direct",
            answer="" if i % 4 else "已告知市民办理流程", special_needs=("elderly",) if i % 5 == 0 else (),
            urgency="urgent" if i % 6 == 0 else "normal", urgency_reason="涉及老人安全" if i % 6 == 0 else "",
            lead_department="" if i % 4 == 0 else next(iter(city.departments.values())).name))
    submit_case(seat.store, city, operator_id="1001", form=CaseInput(  # personal data for 从真实工单生成 to scrub
        caller_name="张建国", phone="13800138123", appeal_type="complaint", category="政法/交通管理/违法停车",
        district=dist.name, address="幸福小区3栋2单元501室", disposition="dispatch",
        content="我叫张建国，住幸福小区3栋2单元501室。楼下总有一辆车牌湘A12345的车堵住消防通道。"
                "物业说管不了，你们打我电话138 0013 8123回复。",
        request="要求清理占道车辆", lead_department=next(iter(city.departments.values())).name))
    with seat.store.write() as conn:  # one change the server will refuse, to show the rejected list
        conn.execute(insert(schema.outbox).values(
            mutation_id="00000000-0000-4000-8000-0000000000aa", name="case.created",
            args_json=json.dumps({"case_id": "broken"}), operator_id="1002", entity_id="broken",
            created_at=utc_now(), state="pending", attempts=0, last_error=""))


def personal_case_number(seat) -> str:  # type: ignore[no-untyped-def]
    with seat.store.read() as conn:
        return str(conn.execute(select(schema.cases.c.number).where(
            schema.cases.c.content.like("我叫张建国%"))).scalar_one())


def shoot_routing_leaves(desk, out: Path) -> None:  # type: ignore[no-untyped-def]
    """The routing panel once the case content's vector came: the leaf categories with their path. The vector is
    made here (one text) if the desk's encoder has not sent one yet; skipped where no encoder runs."""
    from semantic import case_passage, load_encoder

    encoder = load_encoder(1)
    if encoder is None:
        return
    if not (desk.routing.snapshot is not None and desk.routing.snapshot.leaves):
        content = desk.form.appeal.values()["content"]
        desk.routing.case_vector_ready(content, encoder.passage(case_passage(content)))
    settle()
    desk.grab().save(str(out / "3a-routing-leaves.png"))


def give_vectors(kb) -> None:  # type: ignore[no-untyped-def]
    """The vectors the server's worker would send some seconds after its start (made by the server's own function),
    so the screens show the fused search where an encoder runs."""
    from central_server.services.vectors import article_record

    rows = kb._conn.execute("SELECT id, version, title, body FROM articles WHERE retired = 0").fetchall()
    for article_id, version, title, body in rows:
        record = article_record(title, body)
        if record is not None:
            kb.set_vector(article_id, version, record)


def shoot_knowledge_base(desk, out: Path) -> None:  # type: ignore[no-untyped-def]
    """Search panel with results, suggestions for the case content, and the article viewer."""
    from knowledge_base import KnowledgeBase
    from ui.kb.viewer import ArticleViewer

    kb_file = desk.seat.data_dir / "kb.sqlite"
    with KnowledgeBase.open(kb_file) as kb:
        if kb.count() == 0:  # the pull has not filled it (yet): load the demo articles the server would send
            kb.import_jsonl(Path(__file__).resolve().parent.parent / "resources" / "kb" / "demo_articles.jsonl")
        give_vectors(kb)
    desk.kb.count_vectors()
    desk.kb.content_changed()
    wait_for(lambda: desk.kb.suggestions.model.rowCount() > 0)
    desk.focus_kb_search()
    desk.kb.search.search.setText("供暖")
    wait_for(lambda: desk.kb.search.model.rowCount() > 0)
    settle(600)
    desk.grab().save(str(out / "3b-kb-search.png"))
    desk.kb.search.current_only.setChecked(False)
    desk.kb.search.parentWidget().grab().save(str(out / "3c-kb-assist-column.png"))
    desk.kb.open_article("demo-001")
    wait_for(lambda: desk.kb.viewer is not None)
    settle(400)
    desk.findChildren(ArticleViewer)[0].grab().save(str(out / "3d-kb-viewer.png"))
    desk.kb.viewer.reject()
    desk.kb.open_article("demo-024")
    wait_for(lambda: desk.kb.viewer is not None and desk.kb.viewer.article.id == "demo-024")
    settle(400)
    desk.kb.viewer.grab().save(str(out / "3e-kb-viewer-expired.png"))
    desk.kb.viewer.reject()
    settle()
    desk.kb.cite_selected()
    wait_for(lambda: bool(desk.form.disposition.answer.toPlainText()))
    settle(300)
    desk.grab().save(str(out / "3f-kb-cited.png"))
    desk.kb.search.search.clear()



def shoot_other_roles(ctl: DeskController, out: Path, case_number: str) -> None:
    """A team lead's desk before the central server is connected, with the workbench when this build has it, and
    a trainer's desk (no case form) before and after the server is connected."""
    from operator_app.services.shift import login, logout
    from ui.shell.desk_window import DeskWindow

    ctl.logout()
    session = login(ctl.seat.store, ctl.seat.city, operator_id="2001")
    waiting = DeskWindow(ctl.seat, session, ctl.tasks, ctl.sync, api=None)  # as before the engine is set up
    waiting.show()
    wait_for(lambda: waiting.ready)
    settle(600)
    waiting.grab().save(str(out / "10-lead-not-connected.png"))
    waiting.close()
    logout(ctl.seat.store, session)
    if importlib.util.find_spec("ui.lead") is not None and importlib.util.find_spec("ui.lead.workbench"):
        ctl.login("2001", DEMO_PASSWORD)
        wait_for(lambda: ctl.desk is not None and ctl.desk.ready)
        settle(2000)
        assert ctl.desk is not None
        ctl.desk.grab().save(str(out / "11-lead-workbench.png"))
        shoot_workbench(ctl.desk, out)
        ctl.logout()
    session = login(ctl.seat.store, ctl.seat.city, operator_id="3001")
    waiting = DeskWindow(ctl.seat, session, ctl.tasks, ctl.sync, api=None)  # before the engine is set up
    waiting.show()
    wait_for(lambda: waiting.ready)
    settle(600)
    waiting.grab().save(str(out / "12-trainer-not-connected.png"))
    waiting.close()
    logout(ctl.seat.store, session)
    ctl.login("3001", DEMO_PASSWORD)
    wait_for(lambda: ctl.desk is not None and ctl.desk.ready)
    assert ctl.desk is not None
    shoot_trainer(ctl.desk, out, case_number)


def shoot_trainer(desk, out: Path, case_number: str) -> None:  # type: ignore[no-untyped-def]
    """The trainer's 培训管理: library, editor (and its errors at fields), a scenario from a real case under review,
    a preview in the practice window, the assignments and a new exam being assembled."""
    from ui.shell.workspace_pages import TrainingSlot
    from ui.training.manage.assign_dialog import AssignDialog
    from ui.training.manage.assign_page import AssignPage
    from ui.training.manage.from_case_dialog import FromCaseDialog
    from ui.training.manage.scenario_editor import ScenarioEditor

    slot = desk.tabs.currentWidget()
    assert isinstance(slot, TrainingSlot)
    wait_for(lambda: slot.page is not None, 20000)
    page = slot.page
    library = page.library
    wait_for(lambda: library.table.rowCount() > 0, 20000)
    settle(600)
    desk.grab().save(str(out / "12a-trainer-library.png"))
    library.select(str(library.visible_rows()[1]["id"]))
    library.edit_selected()
    editor = library.editor
    assert isinstance(editor, ScenarioEditor)
    settle(800)
    editor.grab().save(str(out / "12b-trainer-editor.png"))
    editor.title_edit.clear()
    editor.key.street.setCurrentText("不存在的街道")
    editor.lines.table.item(0, 0).setText(editor.lines.table.item(0, 0).text() + "我电话139 1234 5678")
    editor.save()
    settle(500)
    editor.grab().save(str(out / "12c-trainer-editor-errors.png"))
    editor.discard()
    library.preview_selected()
    wait_for(lambda: slot.preview is not None and slot.preview.isVisible())
    settle(1500)
    assert slot.preview is not None
    for _ in range(2):
        slot.preview.caller.next_line()
    settle(300)
    slot.preview.grab().save(str(out / "12d-trainer-preview.png"))
    slot.preview.close()
    library.from_case()
    dialog = library.editor
    assert isinstance(dialog, FromCaseDialog)
    dialog.number.setText(case_number)
    dialog.generate()
    wait_for(lambda: dialog.replaced.count() > 0 or "没有" in dialog.message.text(), 20000)
    settle(500)
    dialog.grab().save(str(out / "12e-trainer-from-case.png"))
    dialog.open_in_editor()
    settle(800)
    if isinstance(library.editor, ScenarioEditor):
        library.editor.grab().save(str(out / "12f-trainer-from-case-editor.png"))
        library.editor.reject()
    page.show_tab(page.tabs.indexOf(page.page(AssignPage)))
    assign = page.page(AssignPage)
    wait_for(lambda: assign.table.rowCount() > 0, 20000)
    settle(600)
    desk.grab().save(str(out / "12g-trainer-assignments.png"))
    assign.new_assignment()
    made = assign.dialog
    assert isinstance(made, AssignDialog)
    wait_for(lambda: made.scenarios.count() > 0, 20000)
    made.title_edit.setText("十二月 派单考试")
    made.kind.setCurrentIndex(made.kind.findData("exam"))
    for i in (2, 0, 5):
        if i < made.scenarios.count():
            made.scenarios.item(i).setCheckState(Qt.CheckState.Checked)
    made.trainees.item(0).setCheckState(Qt.CheckState.Checked)
    made.teams[sorted(made.teams)[-1]].setChecked(True)
    made.has_due.setChecked(True)
    settle(500)
    made.grab().save(str(out / "12h-trainer-new-exam.png"))
    made.reject()
    results = page.pages[-1]
    page.show_tab(len(page.pages) - 1)
    wait_for(lambda: len(results.trainees.rows) > 0 and results.answer is not None, 20000)
    settle(1500)
    desk.grab().save(str(out / "12i-trainer-results.png"))


def shoot_practice(desk, out: Path) -> None:  # type: ignore[no-untyped-def]
    """The operator's 练习: the page with the demo assignments, the practice window mid-call (an exercise), its
    result screen after a half-right answer, and a timed exam without routing suggestions."""
    page = desk.pages["practice"]
    desk.tabs.setCurrentWidget(page)
    wait_for(lambda: page.pstore is not None and page.assignment_table.rowCount() > 0, 20000)
    settle(800)
    desk.grab().save(str(out / "13-practice-page.png"))
    kinds = [a.is_exam for a in page.assignments]
    page.assignment_table.setCurrentCell(kinds.index(False), 0)
    page._start_from(page.assignment_table)
    window = page.window_
    assert window is not None
    wait_for(lambda: window.isVisible())
    for _ in range(3):
        window.caller.next_line()
    scenario = window.played.scenario if window.played is not None else None
    assert scenario is not None
    key = scenario.key
    district = desk.seat.city.districts.get(key.district)
    window.form.load(CaseInput(
        caller_name=scenario.caller.name, phone=scenario.caller.phone, appeal_type=key.appeal_type,
        category=key.category if key.category.count("/") == 2 else "", district=district.name if district else "",
        content="来电人反映的问题（练习中填写）", disposition=key.disposition))
    window.assembly.routing_inputs_changed()
    settle(1500)
    window.grab().save(str(out / "13a-practice-call.png"))
    window.submit(validate=False)
    wait_for(lambda: window.stack.currentWidget() is window.result, 20000)
    settle(600)
    window.grab().save(str(out / "13b-practice-result.png"))
    window.close()
    page.assignment_table.setCurrentCell(kinds.index(True), 0)
    page._start_from(page.assignment_table)
    exam = page.window_
    assert exam is not None
    wait_for(lambda: exam.isVisible())
    exam.caller.next_line()
    settle(1500)
    exam.grab().save(str(out / "13c-practice-exam.png"))
    exam.abandon()
    page.window_ = None


def shoot_after_submit(desk, out: Path) -> None:  # type: ignore[no-untyped-def]
    """What happens after submit: the 回访 queue of the demo (special needs first), a claimed callback, and the
    screen pop of a call from a caller the seat already knows (a ringing event sent to the desk's CTI port)."""
    from datetime import UTC, datetime

    from operator_app.cti.events import RINGING, CallEvent
    from operator_app.cti.simulate import post_event
    from ui.callbacks.page import CallbackPage

    desk.show_workspace("callbacks")
    wait_for(lambda: desk.findChild(CallbackPage) is not None, 20000)
    page = desk.findChild(CallbackPage)
    wait_for(lambda: len(page.rows) > 0, 20000)
    settle(600)
    desk.grab().save(str(out / "14-callbacks.png"))
    page.table.selectRow(0)
    page.claim()
    wait_for(lambda: page.claimed is not None, 20000)
    settle(600)
    desk.grab().save(str(out / "14a-callback-claimed.png"))
    pop = desk.screen_pop
    if pop.listener is None:  # the CTI port is taken on this machine (or switched off)
        return
    desk.show_workspace("intake")
    post_event(pop.listener.port, CallEvent(RINGING, "shot-1", "13800138000", "hotline", datetime.now(UTC)))
    wait_for(lambda: pop.dialog.isVisible() and pop.dialog.history is not None, 20000)
    settle(1500)
    desk.grab().save(str(out / "15-screen-pop.png"))
    pop.dialog.grab().save(str(out / "15a-screen-pop-dialog.png"))
    pop.dialog.reject()


def shoot_workbench(desk, out: Path) -> None:  # type: ignore[no-untyped-def]
    """Every page of the team lead's workbench, and a case opened from the queue."""
    from ui.lead.queue_page import QueuePage
    from ui.lead.workbench import Workbench

    wait_for(lambda: desk.findChild(Workbench) is not None, 20000)
    bench = desk.findChild(Workbench)
    for i in range(bench.tabs.count()):
        bench.tabs.setCurrentIndex(i)
        settle(2500)
        desk.grab().save(str(out / f"11{'abcdefg'[i]}-lead-{bench.tabs.tabText(i)}.png"))
    bench.tabs.setCurrentIndex(0)
    queue = bench.page(QueuePage)
    wait_for(lambda: queue.answer is not None and queue.model.rowCount() > 0, 20000)
    dialog = queue.open_case(str(queue.model.visible_rows()[0]["number"]))
    wait_for(lambda: dialog.detail is not None)
    settle(800)
    dialog.grab().save(str(out / "11z-lead-case.png"))
    dialog.close()


def _days_ahead(days: int) -> str:
    """A deadline `days` from now: the server refuses an extension into the past, whatever day this runs."""
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()

def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    make_application()
    data_dir = Path(tempfile.mkdtemp(prefix="shots-"))
    seat = open_seat(data_dir)
    city = seat.city
    seed_cases(seat, city)
    server = start_embedded_server(data_dir)
    engine = SyncEngine(seat.store, ServerClient(server.url), SecretStore(None))
    ctl = DeskController(seat, engine, server_label="本机内置（演示）", demo_password=DEMO_PASSWORD)
    ctl.show_login()
    settle()
    assert ctl.login_window is not None
    ctl.login_window.work_number.setText("1001 李晓梅")
    ctl.login_window.password.setText(DEMO_PASSWORD)
    settle()
    ctl.login_window.grab().save(str(out / "1-login.png"))
    ctl.login("1001", DEMO_PASSWORD)
    wait_for(lambda: ctl.desk is not None and ctl.desk.ready)
    desk = ctl.desk
    assert desk is not None
    wait_for(lambda: "已同步" in desk.sync_indicator.text() or "退回" in desk.sync_indicator.text())
    desk.grab().save(str(out / "2-empty-form.png"))
    dist = next(iter(city.districts.values()))
    desk.form.load(CaseInput(
        caller_name="王秀英", phone="0731-84561234", special_needs=("elderly", "dialect"), appeal_type="complaint",
        category="环境保护/噪音扰民/施工噪音", district=dist.name, street=dist.streets[1], address="幸福小区3栋",
        content="小区对面工地每天夜里十一点以后还在施工，噪音很大，老人睡不着觉，已经持续一个星期。",
        request="要求夜间停止施工", disposition="dispatch", lead_department="市城市管理综合执法局"))
    desk.form.refresh_deadline()
    desk._routing_inputs_changed()
    wait_for(lambda: desk.routing.rows[0].isVisible())
    settle()
    desk.grab().save(str(out / "3-filled-form.png"))
    shoot_routing_leaves(desk, out)
    shoot_knowledge_base(desk, out)
    desk.form.load(CaseInput(phone="12345", content="你好", disposition="dispatch", urgency="urgent"))
    desk._routing_inputs_changed()
    desk.submit()
    settle(1200)
    desk.grab().save(str(out / "4-validation-error.png"))
    desk.form.load(CaseInput(content="我想问一下那个事情怎么弄，上次说的还没有结果，能不能帮忙看看"))
    desk._routing_inputs_changed()
    settle(1200)
    desk.routing.grab().save(str(out / "4b-routing-low-confidence.png"))
    # A department acts on a synced case; the seat pulls it.
    desk.cases.scope.setCurrentIndex(2)
    wait_for(lambda: len(desk.model.rows) > 5)
    number = next(r.number for r in desk.model.rows if r.status == "dispatched")
    admin = requests.post(f"{server.url}/api/v1/auth/login", json={"username": "admin", "password": DEMO_PASSWORD},
                          timeout=10).json()["access_token"]
    for action, extra in (("sign", {}), ("extend", {"reason": "需现场勘查，协调施工单位",
                                                    "new_finish_by": _days_ahead(2)})):
        resp = requests.post(f"{server.url}/api/v1/cases/{number}/actions", timeout=10, headers={
            "Authorization": f"Bearer {admin}"}, json={"action": action, "department_id": "zjj", **extra})
        assert resp.ok, resp.text
    ctl.sync.run_now()
    wait_for(lambda: any(r.number == number and r.status == "signed" for r in desk.model.rows))
    desk.tabs.setCurrentWidget(desk.cases)
    desk.cases.scope.setCurrentIndex(2)
    settle(800)
    desk.grab().save(str(out / "5-my-cases.png"))
    case_id = next(r.id for r in desk.model.rows if r.number == number)
    desk.open_case(case_id)
    wait_for(lambda: bool(desk.findChildren(CaseDetailDialog)))
    settle()
    desk.findChildren(CaseDetailDialog)[0].grab().save(str(out / "6-case-detail-department.png"))
    desk.show_rejected()
    wait_for(lambda: bool(desk.findChildren(RejectedDialog)))
    settle()
    desk.findChildren(RejectedDialog)[0].grab().save(str(out / "8-rejected.png"))
    desk.statusBar().grab().save(str(out / "9-status-bar.png"))
    for dialog in desk.findChildren(RejectedDialog) + desk.findChildren(CaseDetailDialog):
        dialog.close()
    desk.tabs.setCurrentIndex(0)
    desk.form.load(CaseInput(phone="13800138000", appeal_type="consult", category=city.categories.leaves[3],
                             content="咨询医保报销比例", disposition="direct", answer="已按政策答复"))
    desk.submit()
    wait_for(lambda: desk.number_dialog is not None and desk.number_dialog.isVisible())
    settle()
    if desk.number_dialog is not None:
        desk.number_dialog.grab().save(str(out / "7-case-number.png"))
        desk.number_dialog.accept()
    shoot_practice(desk, out)
    shoot_after_submit(desk, out)
    shoot_other_roles(ctl, out, personal_case_number(seat))
    ctl.shutdown()
    server.stop()
    QApplication.processEvents()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"))
