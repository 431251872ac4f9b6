"""Grab the desk's screens as PNG files (run under xvfb-run with a CJK font): login, forms, errors, my cases.

Usage: xvfb-run -a .venv/bin/python scripts/screenshots.py OUT_DIR
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from operator_app.domain.case_input import CaseInput
from operator_app.seat import open_seat
from operator_app.services.intake import submit_case
from ui.app import DeskController, make_application


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    make_application()
    seat = open_seat(tempfile.mkdtemp(prefix="shots-"))
    city = seat.city
    dist = next(iter(city.districts.values()))
    for i in range(30):
        submit_case(seat.store, city, operator_id="1001", form=CaseInput(
            caller_name="张建国" if i % 3 else "", phone=f"1380013{8000 + i:04d}", appeal_type="complaint",
            category=city.categories.leaves[i * 7 % len(city.categories.leaves)], district=dist.name,
            content=f"示例诉求{i}：小区夜间施工噪音扰民", disposition="dispatch" if i % 4 else "direct",
            answer="" if i % 4 else "已告知市民办理流程", special_needs=("elderly",) if i % 5 == 0 else (),
            urgency="urgent" if i % 6 == 0 else "normal", urgency_reason="涉及老人安全" if i % 6 == 0 else "",
            lead_department="" if i % 4 == 0 else next(iter(city.departments.values())).name))
    ctl = DeskController(seat)
    ctl.show_login()
    settle()
    assert ctl.login_window is not None
    ctl.login_window.work_number.setText("1001")
    settle()
    ctl.login_window.grab().save(str(out / "1-login.png"))
    ctl.login("1001")
    desk = ctl.desk
    assert desk is not None
    settle(600)
    desk.grab().save(str(out / "2-empty-form.png"))
    desk.form.load(CaseInput(
        caller_name="王秀英", phone="0731-84561234", special_needs=("elderly", "dialect"), appeal_type="complaint",
        category="环境保护/噪音扰民/施工噪音" if city.categories.is_leaf("环境保护/噪音扰民/施工噪音")
        else city.categories.leaves[0], district=dist.name, street=dist.streets[1], address="幸福小区3栋",
        content="小区对面工地每天夜里十一点以后还在施工，噪音很大，老人睡不着觉，已经持续一个星期。",
        request="要求夜间停止施工", disposition="dispatch", lead_department="市城市管理综合执法局"))
    desk.form.refresh_deadline()
    settle()
    desk.grab().save(str(out / "3-filled-form.png"))
    desk.form.load(CaseInput(phone="12345", content="楼道灯坏了😀", disposition="dispatch", urgency="urgent"))
    desk.submit()
    settle()
    desk.grab().save(str(out / "4-validation-error.png"))
    desk.tabs.setCurrentWidget(desk.cases)
    desk.cases.scope.setCurrentIndex(2)
    settle(800)
    desk.grab().save(str(out / "5-my-cases.png"))
    desk.open_case(desk.model.rows[0].id)
    settle()
    from ui.case_detail_dialog import CaseDetailDialog
    dialogs = desk.findChildren(CaseDetailDialog)
    if dialogs:
        dialogs[0].grab().save(str(out / "6-case-detail.png"))
    desk.form.load(CaseInput())
    desk.tabs.setCurrentWidget(desk.form)
    desk.form.load(CaseInput(phone="13800138000", appeal_type="consult", category=city.categories.leaves[3],
                             content="咨询医保报销比例", disposition="direct", answer="已按政策答复"))
    desk.submit()
    settle(800)
    if desk.number_dialog is not None:
        desk.number_dialog.grab().save(str(out / "7-case-number.png"))
    ctl.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"))
