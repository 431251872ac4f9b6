"""本地数据库需要恢复: at start-up, a damaged or missing store is shown in plain words, and the newest good backup
(or an empty store for the same seat) is put in place on request. Nothing is ever written into the damaged file."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from operator_app.errors import OperatorAppError, StoreDamaged, StoreMissing
from operator_app.seat import Seat, open_seat
from operator_app.store.identity import SeatIdentity, load_identity
from operator_app.store.recovery import BackupInfo, Restored, list_backups, restore_backup, start_empty
from ui.common.named import named

log = logging.getLogger(__name__)
StoreProblem = StoreDamaged | StoreMissing


class StoreRecoveryDialog(QDialog):
    """Accepted once a backup (or an empty store for this seat) is in place; rejected: quit the desk."""

    def __init__(self, problem: StoreProblem, backups: list[BackupInfo], identity: SeatIdentity | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problem, self.backups, self.identity = problem, backups, identity
        self.data_dir = Path(problem.path).parent
        self.restored: Restored | None = None
        self.setWindowTitle(self.tr("12345 坐席工作台 — 本地数据库需要恢复"))
        title = named(QLabel(self._title()), "recoveryTitle")
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        what = named(QLabel(self._explanation()), "recoveryWhat")
        what.setWordWrap(True)
        where = named(QLabel(self.tr("文件：%1").replace("%1", problem.path)), "recoveryPath")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setToolTip(str(problem))  # the technical words, for the administrator
        where.setWordWrap(True)
        seat = QLabel(self.tr("席位：%1").replace("%1", identity.seat_code) if identity else
                      self.tr("席位：未知（恢复备份后即可确定）"))
        self.table = self._backup_table()
        self.any_good = any(b.good for b in backups)
        note = named(QLabel(self._note()), "recoveryNote")
        note.setWordWrap(True)
        self.error = named(QLabel(), "fieldError")
        self.error.setWordWrap(True)
        self.restore_button = named(QPushButton(self.tr("恢复所选备份 (Enter)")), "restoreBackup")
        self.restore_button.setDefault(True)
        self.restore_button.clicked.connect(self._restore)
        self.empty_button = named(QPushButton(self.tr("新建空数据库…")), "startEmpty")
        self.empty_button.setAutoDefault(not self.any_good)  # Enter, when there is nothing to restore
        self.empty_button.setEnabled(identity is not None)
        self.empty_button.setToolTip(self.tr("没有可用备份时使用：为本席位新建空的本地数据库，"
                                             "已同步的工单将从中心服务器取回"))
        self.empty_button.clicked.connect(self._start_empty)
        self.quit_button = named(QPushButton(self.tr("退出 (Esc)")), "quitDesk")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)
        buttons = QDialogButtonBox()
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.empty_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(what)
        layout.addWidget(where)
        layout.addWidget(seat)
        layout.addWidget(QLabel(self.tr("可用的备份（最新的完好备份在最前，↑↓ 选择）：")))
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()
        self.resize(780, 540)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Shown before any other window of the desk: take the keyboard, on the list of backups when there is a
        good one."""
        super().showEvent(event)
        self.activateWindow()
        first = self.table if self.any_good else self.empty_button if self.empty_button.isEnabled() \
            else self.quit_button
        first.setFocus()

    def _note(self) -> str:
        if self.any_good:
            return self.tr("恢复时，原文件会改名移到一旁保留，不会删除。备份之后受理、已同步到中心服务器的工单，"
                           "登录后的同步会自动取回（请联网登录，同步完成后再受理新工单）；"
                           "尚未同步的工单无法从备份恢复。")
        return self.tr("没有可用的备份。可以为本席位新建空数据库（原文件移到一旁保留，不会删除），已同步到"
                       "中心服务器的工单会在登录后的同步中取回；也可以退出并联系管理员。")

    def _title(self) -> str:
        if isinstance(self.problem, StoreMissing):
            return self.tr("本地数据库是空的") if self.problem.empty else self.tr("找不到本地数据库")
        return self.tr("本地数据库已损坏")

    def _explanation(self) -> str:
        p = self.problem
        if isinstance(p, StoreMissing):
            lead = self.tr("本地数据库文件是空的（可能在写入时断电，或文件被截断）。") if p.empty else \
                self.tr("本席位的本地数据库文件不见了（可能被删除或移走）。")
            return lead + self.tr("为免以新席位身份顶替原有工单，程序没有自动新建数据库。")
        lead = {
            "corrupt": self.tr("本地数据库文件已损坏，没有通过完整性检查。"),
            "not_a_database": self.tr("本地数据库文件无法识别，已不是有效的数据库（可能被其他程序覆盖）。"),
            "no_schema": self.tr("本地数据库缺少必需的数据表，已损坏。"),
            "no_seat": self.tr("本地数据库缺少席位信息，已损坏。"),
            "other_seat": self.tr("本地数据库属于另一个席位，不是本机的席位。"),
        }.get(p.kind, self.tr("本地数据库已损坏。"))
        return lead + self.tr("为防止损坏扩大，程序不会向其中写入任何内容。")

    def _backup_table(self) -> QTableWidget:
        table = named(QTableWidget(max(1, len(self.backups)), 4), "backupTable")
        table.setHorizontalHeaderLabels([self.tr("备份时间"), self.tr("工单数"), self.tr("待同步"), self.tr("状态")])
        table.verticalHeader().hide()
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)  # Tab moves on to the buttons
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        if not self.backups:
            table.setSpan(0, 0, 1, 4)
            none = QTableWidgetItem(self.tr("没有找到备份文件"))
            none.setFlags(Qt.ItemFlag.NoItemFlags)
            table.setItem(0, 0, none)
            return table
        for row, backup in enumerate(self.backups):
            taken = backup.taken_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            cells = (taken, str(backup.cases) if backup.good else "—", str(backup.pending) if backup.good else "—",
                     self.tr("完好") if backup.good else self.tr("不可用（已损坏或不属于本席位）"))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if not backup.good:
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                    item.setToolTip(backup.problem)
                table.setItem(row, col, item)
        if self.backups[0].good:
            table.setCurrentCell(0, 0)
        table.doubleClicked.connect(self._restore)
        return table

    def _chosen(self) -> BackupInfo | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.backups) and self.backups[row].good:
            return self.backups[row]
        return None

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self._chosen() is not None)

    def _restore(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        self._run(lambda: restore_backup(self.data_dir, chosen.path))

    def _start_empty(self) -> None:
        if self.identity is None:
            return
        answer = QMessageBox.question(
            self, self.tr("新建空数据库"),
            self.tr("将为席位 %1 新建一个空的本地数据库，原文件移到一旁保留。\n已同步到中心服务器的工单会在登录后"
                    "的同步中取回，尚未同步的无法恢复。\n\n确定新建吗？").replace("%1", self.identity.seat_code),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda: start_empty(self.data_dir))

    def _run(self, action: object) -> None:
        """A file copy of at most a few hundred MB: done here, with a busy cursor, so nothing else can start."""
        assert callable(action)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.restored = action()
        except (OperatorAppError, OSError) as exc:
            log.error("store recovery failed: %s", exc)
            self.error.setText(self.tr("恢复没有完成，原文件保持不变：%1").replace("%1", str(exc)))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        log.info("store recovered: %s", "empty store" if self.restored is None or self.restored.backup is None
                 else self.restored.backup.path.name)
        self.accept()


def open_seat_or_recover(data_dir: str | os.PathLike[str] | None, *, seat_code: str | None,
                         parent: QWidget | None = None, opener: Callable[..., Seat] = open_seat) -> Seat | None:
    """open_seat (or `opener`), and when the store is damaged or missing the recovery dialog until it opens;
    None: the operator chose to quit."""
    while True:
        try:
            return opener(data_dir, seat_code=seat_code)
        except (StoreDamaged, StoreMissing) as exc:
            log.error("the local store cannot be used: %s", exc)
            folder = Path(exc.path).parent
            dialog = StoreRecoveryDialog(exc, list_backups(folder), load_identity(folder), parent)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
