"""Start the desk: Qt application, login → desk → logout → login, backups, and a clean shutdown."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from operator_app.errors import OperatorAppError, SyncError, SyncErrorKind
from operator_app.logs import setup_logging
from operator_app.seat import Seat, open_seat
from operator_app.services.case_queries import outbox_summary
from operator_app.services.shift import find_operator, login, logout
from operator_app.store.backup import take_backup
from sync.embedded import DEMO_PASSWORD, start_embedded_server
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.secrets import open_secret_store
from ui.desk_window import DeskWindow
from ui.errors import error_text, show_error
from ui.login_window import LoginWindow
from ui.sync_controller import SyncController
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
    """Owns the seat, the task threads, the sync worker and whichever window is showing."""

    def __init__(self, seat: Seat, engine: SyncEngine, *, server_label: str = "", demo_password: str = "") -> None:
        self.seat = seat
        self.engine = engine
        self.server_label, self.demo_password = server_label, demo_password
        self.tasks = TaskManager()
        self.sync = SyncController(engine, seat.store, self.tasks)
        self.desk: DeskWindow | None = None
        self.login_window: LoginWindow | None = None
        self.session = None
        self.backup_timer = QTimer(interval=BACKUP_EVERY_MS)
        self.backup_timer.timeout.connect(self.backup)
        self.backup_timer.start()

    def show_login(self) -> None:
        pending = outbox_summary(self.seat.store).pending
        self.login_window = LoginWindow(self.seat.city, seat_code=self.seat.store.seat.seat_code, pending=pending,
                                        server=self.server_label, demo_password=self.demo_password)
        self.login_window.login_requested.connect(self.login)
        self.login_window.show()

    def login(self, operator_id: str, password: str = "") -> None:
        """Check the roster, then the central server; when the server is unreachable, work offline."""
        try:
            find_operator(self.seat.city, operator_id)
        except OperatorAppError as exc:
            if self.login_window is not None:
                self.login_window.show_error(str(exc))
            return
        if not password:
            self._enter(operator_id, offline=True)
            return
        self.tasks.network(lambda: self.engine.login(operator_id, password),
                           lambda _tokens: self._enter(operator_id, offline=False),
                           lambda exc: self._server_login_failed(operator_id, password, exc))

    def _server_login_failed(self, operator_id: str, password: str, exc: BaseException) -> None:
        if isinstance(exc, SyncError) and exc.kind is SyncErrorKind.NETWORK:
            log.info("central server unreachable at login; working offline")
            self.engine.defer_login(operator_id, password)
            self._enter(operator_id, offline=True)
            return
        if self.login_window is not None:
            message = QApplication.translate("login", "工号或密码错误") if isinstance(exc, SyncError) \
                and exc.kind is SyncErrorKind.AUTH else error_text(self.login_window, exc)
            self.login_window.show_error(message, field="password")

    def _enter(self, operator_id: str, *, offline: bool) -> None:
        try:
            self.session = login(self.seat.store, self.seat.city, operator_id=operator_id)
        except OperatorAppError as exc:
            if self.login_window is not None:
                self.login_window.show_error(str(exc))
            return
        log.info("login operator=%s seat=%s offline=%s", operator_id, self.seat.store.seat.seat_code, offline)
        if self.login_window is not None:
            self.login_window.close()
            self.login_window = None
        self.desk = DeskWindow(self.seat, self.session, self.tasks, self.sync)
        self.desk.logout_requested.connect(self.logout)
        self.desk.show()
        if offline:
            self.desk.statusBar().showMessage(QApplication.translate(
                "login", "中心服务器暂时无法连接：已离线登录，工单照常受理，恢复后自动同步"), 15000)
        self.sync.run_now()

    def logout(self) -> None:
        """Hand over the seat: the draft is saved, the queue stays, a backup is taken, the login returns."""
        if self.desk is None or self.session is None:
            return
        desk, session = self.desk, self.session
        desk.save_draft_now()
        self.tasks.write(lambda: logout(self.seat.store, session))
        self.sync.run_now()  # last push with this operator's login, then forget it
        self.tasks.network(self.engine.logout)
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
        self.sync.stop()
        if self.desk is not None:
            self.desk.save_draft_now()
        self.tasks.shutdown()
        self.seat.close()


def run_desk(*, data_dir: str | None = None, seat_code: str | None = None, server: str | None = None) -> int:
    """The `operator-app` entry point with no command: the embedded central server unless --server is given."""
    app = make_application()
    embedded = None
    try:
        seat = open_seat(data_dir, seat_code=seat_code)
        setup_logging(seat.data_dir)
        if server is None:
            embedded = start_embedded_server(seat.data_dir)
            server = embedded.url
    except OperatorAppError as exc:
        show_error(None, exc, fatal=True)
        return 1
    log.info("desk started seat=%s data_dir=%s embedded=%s", seat.store.seat.seat_code, seat.data_dir,
             embedded is not None)
    engine = SyncEngine(seat.store, ServerClient(server), open_secret_store())
    controller = DeskController(seat, engine, server_label=QApplication.translate("app", "本机内置（演示）")
                                if embedded else server, demo_password=DEMO_PASSWORD if embedded else "")
    controller.show_login()
    code = app.exec()
    controller.shutdown()
    if embedded is not None:
        embedded.stop()
    return code
