"""Start the desk: Qt application, login → desk → logout → login, backups, and a clean shutdown."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from operator_app.errors import OperatorAppError
from operator_app.logs import setup_logging
from operator_app.seat import Seat, open_seat
from operator_app.services.case_queries import outbox_summary
from operator_app.services.shift import login, logout
from operator_app.store.backup import take_backup
from ui.desk_window import DeskWindow
from ui.errors import show_error
from ui.login_window import LoginWindow
from ui.tasks import TaskManager

log = logging.getLogger(__name__)
BACKUP_EVERY_MS = 30 * 60 * 1000
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Source Han Sans SC")


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the desk's font and style (reuses one that exists, as tests do)."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("12345 坐席工作台")
    _install_qt_translations(app)
    families = set(QFontDatabase.families())
    for family in CJK_FAMILIES:
        if family in families:
            app.setFont(QFont(family, 10))
            break
    app.setStyleSheet((Path(__file__).with_name("style.qss")).read_text(encoding="utf-8"))
    return app


def _install_qt_translations(app: QApplication) -> None:
    """Qt's own dialogs and buttons (Close, OK, context menus) in Chinese; the desk's sources already are."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        app.installTranslator(translator)


class DeskController:
    """Owns the seat, the task threads and whichever window is showing."""

    def __init__(self, seat: Seat) -> None:
        self.seat = seat
        self.tasks = TaskManager()
        self.desk: DeskWindow | None = None
        self.login_window: LoginWindow | None = None
        self.session = None
        self.backup_timer = QTimer(interval=BACKUP_EVERY_MS)
        self.backup_timer.timeout.connect(self.backup)
        self.backup_timer.start()

    def show_login(self) -> None:
        pending = outbox_summary(self.seat.store).pending
        self.login_window = LoginWindow(self.seat.city, seat_code=self.seat.store.seat.seat_code, pending=pending)
        self.login_window.login_requested.connect(self.login)
        self.login_window.show()

    def login(self, operator_id: str) -> None:
        try:
            self.session = login(self.seat.store, self.seat.city, operator_id=operator_id)
        except OperatorAppError as exc:
            assert self.login_window is not None
            self.login_window.show_error(str(exc))
            return
        log.info("login operator=%s seat=%s", operator_id, self.seat.store.seat.seat_code)
        if self.login_window is not None:
            self.login_window.close()
            self.login_window = None
        self.desk = DeskWindow(self.seat, self.session, self.tasks)
        self.desk.logout_requested.connect(self.logout)
        self.desk.show()

    def logout(self) -> None:
        """Hand over the seat: the draft is saved, the queue stays, a backup is taken, the login returns."""
        if self.desk is None or self.session is None:
            return
        desk, session = self.desk, self.session
        desk.save_draft_now()
        self.tasks.write(lambda: logout(self.seat.store, session))
        self.backup()
        log.info("logout operator=%s", session.operator.id)
        desk.close()
        desk.deleteLater()
        self.desk, self.session = None, None
        self.show_login()

    def backup(self) -> None:
        path = self.seat.store.path
        self.tasks.read(lambda: take_backup(path), on_error=lambda exc: log.warning("backup failed: %s", exc))

    def shutdown(self) -> None:
        if self.desk is not None:
            self.desk.save_draft_now()
        self.tasks.shutdown()
        self.seat.close()


def run_desk(*, data_dir: str | None = None, seat_code: str | None = None) -> int:
    """The `operator-app` entry point with no command."""
    app = make_application()
    try:
        seat = open_seat(data_dir, seat_code=seat_code)
    except OperatorAppError as exc:
        show_error(None, exc, fatal=True)
        return 1
    setup_logging(seat.data_dir)
    log.info("desk started seat=%s data_dir=%s", seat.store.seat.seat_code, seat.data_dir)
    controller = DeskController(seat)
    controller.show_login()
    code = app.exec()
    controller.shutdown()
    return code
