"""The screen pop's window: who is calling, their earlier cases (open first, status, deadline, last events) and the
special needs noted before, offered for confirmation.

Keys: Esc closes; Enter opens the selected earlier case; Alt+letter (shown on each button) ticks a carried-forward
need on the form; Alt+G links this contact to the selected case, Alt+U records the caller urging it on (催办) — both
only where the desk offers linking.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.enums import CaseStatus, SpecialNeed
from contract.events import EVENT_LABELS
from operator_app.services.caller_history import CallerHistory
from operator_app.services.case_queries import CallerCase
from ui.common.named import named
from ui.common.texts import label_of, tr_core
from ui.intake.category_picker import display_path

# Alt+letter per need: the pinyin initial of its label (老, 残, 方, 其).
NEED_KEYS = {SpecialNeed.ELDERLY.value: "L", SpecialNeed.DISABLED.value: "C", SpecialNeed.DIALECT.value: "F",
             SpecialNeed.OTHER.value: "Q"}
OVERDUE = QColor("#c62828")


def spaced(phone: str) -> str:
    """139 0000 1234: a mobile read out to the caller in the groups people say it in; landlines as they are."""
    return f"{phone[:3]} {phone[3:7]} {phone[7:]}" if len(phone) == 11 and phone.isdigit() else phone


def short_category(path: str) -> str:
    """The last two levels (物业管理 / 物业服务质量): the top level says little and pushes the rest out of view."""
    parts = [p for p in path.split("/") if p]
    return display_path("/".join(parts[-2:])) if parts else ""


class PopDialog(QDialog):
    """Non-modal: the operator types on the form while it is open. Emits `open_requested(number)`,
    `need_confirmed(code)`, `link_requested(number)` and `urge_requested(number)`."""

    open_requested = Signal(str)
    need_confirmed = Signal(str)
    link_requested = Signal(str)
    urge_requested = Signal(str)

    def __init__(self, parent: QWidget, *, timezone: str) -> None:
        super().__init__(parent)
        named(self, "screenPop")
        self.setWindowTitle(self.tr("来电弹屏"))
        self.setModal(False)
        self.tz = ZoneInfo(timezone)
        self.history: CallerHistory | None = None
        self.caller = named(QLabel(), "popCaller")
        font = self.caller.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.caller.setFont(font)
        self.held = named(QLabel(), "popHeld")  # the unsaved case kept as a draft, when there was one
        self.held.setWordWrap(True)
        self.held.setStyleSheet("QLabel { color: #e65100; background: #fff3e0; padding: 3px; }")
        self.held.hide()
        self.source = named(QLabel(self.tr("正在查询来电人的历史工单…")), "popSource")
        self.needs_row = QWidget()
        needs_layout = QHBoxLayout(self.needs_row)
        needs_layout.setContentsMargins(0, 0, 0, 0)
        self.needs_label = QLabel(self.tr("以前记录的特殊需求（请向来电人确认）："))
        needs_layout.addWidget(self.needs_label)
        self.need_buttons: dict[str, QPushButton] = {}
        for need in SpecialNeed:
            button = named(QPushButton(), f"popNeed_{need.value}")
            button.setAutoDefault(False)
            button.setToolTip(self.tr("勾选到工单的“特殊需求”"))
            button.clicked.connect(lambda _c=False, code=need.value: self._confirm_need(code))
            key = QShortcut(QKeySequence(f"Alt+{NEED_KEYS[need.value]}"), self)
            key.activated.connect(lambda code=need.value: self._confirm_need(code))
            needs_layout.addWidget(button)
            self.need_buttons[need.value] = button
        needs_layout.addStretch(1)
        self.needs_row.hide()
        self.table = named(QTreeWidget(), "popHistory")
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setHeaderLabels([self.tr("工单号"), self.tr("受理时间"), self.tr("问题分类"), self.tr("状态"),
                                    self.tr("办结时限"), self.tr("特殊需求"), self.tr("最近进展")])
        header = self.table.header()
        header.setStretchLastSection(True)
        for col in (0, 1, 3, 4, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(2, 200)
        self.table.itemActivated.connect(lambda _item, _col: self._open_selected())
        self.table.currentItemChanged.connect(lambda *_: self._selection_changed())
        self.open_button = named(QPushButton(self.tr("查看工单 (Enter)")), "popOpen")
        self.open_button.clicked.connect(self._open_selected)
        self.link_button = named(QPushButton(self.tr("关联到此工单(&G)")), "popLink")
        self.link_button.setToolTip(self.tr("把这次来电记为所选未办结工单的重复来电，不再重复派单"))
        self.link_button.clicked.connect(self._link_selected)
        self.link_button.hide()  # shown only where the desk offers linking (ScreenPop.set_linking)
        self.urge_button = named(QPushButton(self.tr("催办 (Alt+U)")), "popUrge")
        self.urge_button.setToolTip(self.tr("来电人催促所选未办结工单：记录催办，承办单位会看到"))
        self.urge_button.clicked.connect(self._urge_selected)
        self.urge_button.hide()
        urge_key = QShortcut(QKeySequence("Alt+U"), self)
        urge_key.activated.connect(self._urge_selected)
        close = QPushButton(self.tr("关闭 (Esc)"))
        close.clicked.connect(self.reject)
        for button in (self.open_button, self.link_button, self.urge_button, close):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.link_button)
        buttons.addWidget(self.urge_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caller)
        layout.addWidget(self.held)
        layout.addWidget(self.source)
        layout.addWidget(self.needs_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(780, 360)
        self._selection_changed()

    # -- filling ---------------------------------------------------------------------------------------------
    def start(self, *, caller: str, channel: str, held: str) -> None:
        """A new call: its number, whether an unsaved case was kept as a draft, and an empty history (asking)."""
        self.history = None
        self.caller.setText(self.tr("来电 %1").replace("%1", spaced(caller) or self.tr("（号码未显示）"))
                            + (f"  ·  {channel}" if channel and channel != "hotline" else ""))
        self.held.setText(held)
        self.held.setVisible(bool(held))
        self.source.setText(self.tr("正在查询来电人的历史工单…") if caller else self.tr("号码未显示：无法查询历史工单"))
        self.table.clear()
        self.needs_row.hide()
        self._selection_changed()

    def place(self, desk: QWidget) -> None:
        """Right of the desk, above its submit row: the caller's fields (top left), where the operator types while
        the caller talks, and the submit button stay in view."""
        frame = desk.frameGeometry()
        self.move(frame.right() - self.width() - 16, max(frame.top(), frame.bottom() - self.height() - 96))

    def show_history(self, history: CallerHistory, *, checked_needs: set[str]) -> None:
        """Fill the table (open cases first, as given) and offer the needs noted before and not yet on the form."""
        self.history = history
        open_count = sum(c.status != CaseStatus.CLOSED.value for c in history.cases)
        if not history.cases:
            text = self.tr("无历史工单") if history.from_server else self.tr("本席位无该号码的工单（未连接中心，仅查本席位）")
        else:
            where = self.tr("全市") if history.from_server else self.tr("本席位（未连接中心）")
            text = self.tr("%1历史工单 %2 件，其中未办结 %3 件").replace("%1", where) \
                .replace("%2", str(len(history.cases)) + ("+" if history.truncated else "")).replace("%3", str(open_count))
        self.source.setText(text)
        self.table.clear()
        now = datetime.now(self.tz)
        bold = QFont(self.table.font())
        bold.setBold(True)
        for case in history.cases:
            item = QTreeWidgetItem(self._row(case))
            item.setToolTip(2, display_path(case.category))
            item.setData(0, Qt.ItemDataRole.UserRole, case.number)
            if case.status != CaseStatus.CLOSED.value:
                item.setFont(3, bold)
                if case.finish_by and datetime.fromisoformat(case.finish_by) < now:
                    item.setForeground(4, QBrush(OVERDUE))
            self.table.addTopLevelItem(item)
        first = self.table.topLevelItem(0)
        if first is not None:
            self.table.setCurrentItem(first)
        noted = {n for c in history.cases for n in c.special_needs}
        offered = [code for code in self.need_buttons if code in noted and code not in checked_needs]
        for code, button in self.need_buttons.items():
            button.setVisible(code in offered)
            button.setEnabled(True)
            button.setText(f"{label_of(SpecialNeed, code)} (Alt+{NEED_KEYS[code]})")
        self.needs_row.setVisible(bool(offered))
        self.table.setFocus()
        self._selection_changed()

    def _row(self, case: CallerCase) -> list[str]:
        open_case = case.status != CaseStatus.CLOSED.value
        return [case.number, self._local(case.accepted_at), short_category(case.category),
                label_of(CaseStatus, case.status),
                self._local(case.finish_by) if open_case else "",
                "、".join(label_of(SpecialNeed, n) for n in case.special_needs),
                " ← ".join(tr_core(EVENT_LABELS.get(k, k)) for k in case.last_events)]

    def _local(self, iso: str) -> str:
        if not iso:
            return ""
        try:
            return datetime.fromisoformat(iso).astimezone(self.tz).strftime("%m-%d %H:%M")
        except ValueError:
            return ""

    # -- actions ---------------------------------------------------------------------------------------------
    def selected_number(self) -> str:
        item = self.table.currentItem()
        return str(item.data(0, Qt.ItemDataRole.UserRole)) if item is not None else ""

    def selected_is_open(self) -> bool:
        number = self.selected_number()
        return any(c.number == number and c.status != CaseStatus.CLOSED.value
                   for c in (self.history.cases if self.history else []))

    def _selection_changed(self) -> None:
        self.open_button.setEnabled(bool(self.selected_number()))
        self.link_button.setEnabled(self.selected_is_open())
        self.urge_button.setEnabled(self.selected_is_open())

    def _open_selected(self) -> None:
        if number := self.selected_number():
            self.open_requested.emit(number)

    def _link_selected(self) -> None:
        if self.selected_is_open():
            self.link_requested.emit(self.selected_number())

    def _urge_selected(self) -> None:
        if self.urge_button.isVisible() and self.selected_is_open():
            self.urge_requested.emit(self.selected_number())

    def _confirm_need(self, code: str) -> None:
        button = self.need_buttons[code]
        if button.isHidden() or not button.isEnabled():  # not offered for this caller, or ticked already
            return
        self.need_confirmed.emit(code)
        button.setEnabled(False)
        button.setText(self.tr("%1 ✓ 已勾选").replace("%1", label_of(SpecialNeed, code)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._open_selected()
            return
        super().keyPressEvent(event)
