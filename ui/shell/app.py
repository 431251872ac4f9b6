"""Start the desk: Qt application, login → desk → logout → login, backups, and a clean shutdown."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from operator_app.errors import OperatorAppError, StoreError, SyncError, SyncErrorKind
from operator_app.logs import setup_logging
from operator_app.seat import Seat, open_seat
from operator_app.services.case_queries import outbox_summary
from operator_app.services.shift import ShiftSession, find_operator, login, logout
from operator_app.store.backup import take_backup
from operator_app.store.keys import KeyLocation, key_dir
from sync.embedded import DEMO_PASSWORD
from ui.common.errors import error_text, show_error
from ui.common.gui_gc import collect_on_gui_thread
from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.shell.desk_window import DeskWindow
from ui.shell.login_window import LoginWindow
from ui.shell.store_recovery_dialog import open_seat_or_recover
from ui.shell.sync_controller import SyncController

if TYPE_CHECKING:
    from sync.connect import Connection
    from sync.engine import SyncEngine

log = logging.getLogger(__name__)
BACKUP_EVERY_MS = 30 * 60 * 1000
ENGINE_START_DELAY_MS = 500
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Source Han Sans SC")
GIL_SWITCH_INTERVAL_S = 0.001


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the desk's font and style (reuses one that exists, as tests do)."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    collect_on_gui_thread()  # a collection on a worker thread can deadlock PySide (see ui/common/gui_gc.py)
    # Qt calls into Python (models, delegates, slots) many times a frame, taking the interpreter lock each time;
    # while a worker runs Python the GUI thread waits up to the switch interval for it. 1 ms instead of 5 ms:
    # gui_stall.py, three interleaved pairs of runs, longest stall typing 35-37 ms (was 36-49), browsing "my
    # cases" 41-46 ms (was 48-54).
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
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


def MEMORY_ONLY_NOTE() -> str:  # noqa: N802 - a translated constant
    return QApplication.translate(
        "app", "本机没有安全的密钥存储：登录凭据只保存在内存中，不写入磁盘；重启程序后需重新输入密码。")


def PRIVATE_FILE_NOTE() -> str:  # noqa: N802 - a translated constant
    return QApplication.translate(
        "app", "本机没有系统密钥存储：座席凭据保存在仅本系统账户可读的文件中（不在数据目录里）；"
               "登录令牌只在内存中，重启程序后需重新输入密码。")


def NO_KEYRING_NOTE() -> str:  # noqa: N802 - a translated constant
    return QApplication.translate("app", "无系统密钥环")


def no_keyring_tooltip(credential_file: Path | None, credential_secure: bool | None, key_in_file: bool) -> str:
    """Where the seat credential and the database key are kept (`credential_secure` None: not known yet)."""
    lines = [QApplication.translate("app", "本机没有安全的系统密钥环。")]
    if credential_secure is False and credential_file is not None:
        lines.append(QApplication.translate(
            "app", "座席凭据：保存在仅本系统账户可读的文件 %1 中（不在数据目录里）；"
                   "登录令牌只在内存中，重启程序后需重新输入密码。").replace("%1", str(credential_file)))
    elif credential_secure is False:
        lines.append(QApplication.translate(
            "app", "座席凭据：只保存在内存中，不写入磁盘；重启程序后需重新输入密码。"))
    elif credential_secure:
        lines.append(QApplication.translate("app", "座席凭据：保存在系统密钥环中。"))
    if key_in_file:
        lines.append(QApplication.translate(
            "app", "数据库密钥：保存在仅本系统账户可读的文件夹 %1 中（不在数据目录里）。").replace("%1", str(key_dir())))
    else:
        lines.append(QApplication.translate("app", "数据库密钥：保存在系统密钥环中。"))
    return "\n".join(lines)


class DeskController:
    """Owns the seat, the task threads, the sync worker and whichever window is showing."""

    def __init__(self, seat: Seat, engine: SyncEngine | Callable[[], SyncEngine], *, server_label: str = "",
                 demo_password: str = "") -> None:
        """`engine` may be a factory: it then runs first on the sync thread (server start, imports)."""
        self.seat = seat
        self.server_label, self.demo_password = server_label, demo_password
        self.tasks = TaskManager()
        self.sync = SyncController(seat.store, self.tasks)
        self.engine: SyncEngine | None = None
        self.desk: DeskWindow | None = None
        self.login_window: LoginWindow | None = None
        self.session: ShiftSession | None = None
        self.secrets_in_memory = False
        self._engine_factory: Callable[[], SyncEngine] | None = None
        if callable(engine):
            # Imports and server start-up wait until the login window is idle (the operator is typing), unless
            # a password login comes first: the GUI thread then has the CPU to itself while the desk appears.
            self._engine_factory = engine
            QTimer.singleShot(ENGINE_START_DELAY_MS, self._start_engine)
        else:
            self._engine_ready(self._set_engine(engine))
        self.backup_timer = QTimer(interval=BACKUP_EVERY_MS)
        self.backup_timer.timeout.connect(self.backup)
        self.backup_timer.start()

    def _start_engine(self) -> None:
        """Queue the engine factory on the sync thread, once; later network tasks run after it."""
        factory, self._engine_factory = self._engine_factory, None
        if factory is not None:
            self.tasks.network(lambda: self._set_engine(factory()), self._engine_ready, self._engine_failed)

    def _set_engine(self, engine: SyncEngine) -> SyncEngine:
        """Runs on the sync thread (or at construction); later network tasks see it, being on the same thread."""
        self.engine = engine
        self.sync.engine = engine
        return engine

    def _engine_ready(self, engine: SyncEngine) -> None:
        """On the GUI thread: say so when this machine has no secure keyring (secrets then live in memory only)."""
        self.secrets_in_memory = not engine.secrets.secure
        if self.secrets_in_memory and self.login_window is not None:
            self.login_window.show_note(self._secrets_note(engine))
        if self.desk is not None:  # the desk was entered before the engine was ready
            self.desk.engine_ready(engine.api)
            self._show_keyring_note()

    @staticmethod
    def _secrets_note(engine: SyncEngine) -> str:
        return PRIVATE_FILE_NOTE() if engine.secrets.file is not None else MEMORY_ONLY_NOTE()

    def _engine_failed(self, exc: BaseException) -> None:
        log.error("central server connection could not be set up: %s", exc)
        if self.login_window is not None:
            self.login_window.show_error(QApplication.translate(
                "login", "中心服务器无法启动，只能离线登录：%1").replace("%1", str(exc)))

    def show_login(self) -> None:
        self.login_window = LoginWindow(self.seat.city, seat_code=self.seat.store.seat.seat_code,
                                        server=self.server_label, demo_password=self.demo_password)
        self.login_window.login_requested.connect(self.login)
        self.login_window.show()
        window = self.login_window
        self.tasks.read(lambda: outbox_summary(self.seat.store).pending, window.show_pending)

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
        self._start_engine()
        self.tasks.network(lambda: self._server_login(operator_id, password),
                           lambda offline: self._enter(operator_id, offline=bool(offline)),
                           lambda exc: self._server_login_failed(operator_id, exc))

    def _server_login(self, operator_id: str, password: str) -> bool:
        """On the sync thread: log in at the server, or — unreachable — offline (True), the password checked
        against the verifier of this operator's last online login here when there is one (~0.1 s of argon2)."""
        if self.engine is None:
            raise SyncError(SyncErrorKind.NETWORK, "no connection to the central server")
        try:
            self.engine.login(operator_id, password)
            return False
        except SyncError as exc:
            if exc.kind is not SyncErrorKind.NETWORK:
                raise
        log.info("central server unreachable at login; working offline")
        self.engine.defer_login(operator_id, password)
        return True

    def _server_login_failed(self, operator_id: str, exc: BaseException) -> None:
        if isinstance(exc, SyncError) and exc.kind is SyncErrorKind.NETWORK:  # no engine: the server never started
            log.info("central server unreachable at login; working offline")
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
        # The engine is set on the sync thread before `_engine_ready` reaches this one; either way the desk gets
        # its `api` once (DeskWindow.engine_ready is idempotent).
        api = self.engine.api if self.engine is not None else None
        self.desk = DeskWindow(self.seat, self.session, self.tasks, self.sync, api=api)
        self.desk.logout_requested.connect(self.logout)
        self.desk.form_ready.connect(collect_on_gui_thread().freeze)
        self.desk.warmed_up.connect(collect_on_gui_thread().freeze)  # the models and dictionaries loaded after it
        self._show_keyring_note()
        self.desk.show()
        if offline:
            self.desk.statusBar().showMessage(QApplication.translate(
                "login", "中心服务器暂时无法连接：已离线登录，工单照常受理，恢复后自动同步") if self.desk.intake
                else QApplication.translate("login", "中心服务器暂时无法连接：已离线登录，恢复后自动连接"), 15000)
        self.sync.run_now()

    def _show_keyring_note(self) -> None:
        """One note in the desk's status bar when the credential or the database key is not in a secure keyring;
        its tooltip says where each is kept."""
        if self.desk is None:
            return
        key_in_file = self.seat.store.key_location is KeyLocation.FILE
        if not (self.secrets_in_memory or key_in_file):
            return
        secrets = self.engine.secrets if self.engine is not None else None
        tooltip = no_keyring_tooltip(secrets.file if secrets is not None else None,
                                     secrets.secure if secrets is not None else None, key_in_file)
        note = self.desk.statusBar().findChild(QLabel, "noKeyring")
        if note is None:
            note = named(QLabel(NO_KEYRING_NOTE()), "noKeyring")
            self.desk.statusBar().addPermanentWidget(note)
        note.setToolTip(tooltip)

    def logout(self) -> None:
        """Hand over the seat: the draft is saved, the queue stays, a backup is taken, the login returns."""
        if self.desk is None or self.session is None:
            return
        desk, session = self.desk, self.session
        desk.save_draft_now()
        self.tasks.write(lambda: logout(self.seat.store, session))
        self.sync.run_now()  # last push with this operator's login, then forget it
        self.tasks.network(lambda: self.engine.logout() if self.engine is not None else None)
        self.backup()
        log.info("logout operator=%s", session.operator.id)
        desk.close()
        desk.deleteLater()
        self.desk, self.session = None, None
        self.show_login()
        QTimer.singleShot(0, collect_on_gui_thread().settle)  # the old desk's cycles, while nobody types

    def backup(self) -> None:
        if self.seat.store.damage is not None:  # a copy of a damaged store would rotate a good backup out
            log.warning("no backup taken: the local store reported damage")
            return
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
    try:
        # A damaged or missing store: the recovery dialog. (benchmarks/startup.py times ui.shell.app.open_seat.)
        opened = open_seat_or_recover(data_dir, seat_code=seat_code, opener=open_seat)
    except StoreError as exc:  # e.g. a store from a newer version, a locked file: not something to restore
        log.error("the local store cannot be opened: %s", exc)
        QMessageBox.critical(None, QApplication.translate("app", "无法启动"), QApplication.translate(
            "app", "本地数据库无法打开，请联系管理员。\n（%1）").replace("%1", str(exc)))
        return 1
    except OperatorAppError as exc:
        show_error(None, exc, fatal=True)
        return 1
    if opened is None:
        return 1  # the operator chose to quit rather than restore
    seat = opened
    setup_logging(seat.data_dir)
    log.info("desk started seat=%s data_dir=%s embedded=%s", seat.store.seat.seat_code, seat.data_dir,
             server is None)
    connections: list[Connection] = []

    def make_engine() -> SyncEngine:
        from sync.connect import connect  # requests, pydantic, the server: imported off the GUI thread

        connections.append(connect(seat.store, seat.data_dir, server))
        return connections[0].engine

    controller = DeskController(seat, make_engine, demo_password=DEMO_PASSWORD if server is None else "",
                                server_label=QApplication.translate("app", "本机内置（演示）") if server is None
                                else server)
    controller.show_login()
    code = app.exec()
    controller.shutdown()
    for connection in connections:
        connection.close()
    return code
