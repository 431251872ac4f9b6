"""The caller's side of a practice call: who calls (fictitious name, special needs, a note for the trainee) and
what they have said so far. Lines come one by one: F6 (下一句) asks for the next; a line with `after_seconds` comes
by itself that long after the previous one."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from contract.enums import SpecialNeed
from contract.practice.scenario import DIFFICULTIES, Scenario
from ui.common.named import named
from ui.common.texts import label_of, tr_core


class CallerPanel(QWidget):
    """Emits `line_revealed(text)` as each line appears (for speech)."""

    line_revealed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "callerPanel")
        self.scenario: Scenario | None = None
        self.shown = 0
        self.title = named(QLabel(), "practiceTitle")
        self.title.setWordWrap(True)
        self.profile = named(QLabel(), "callerProfile")
        self.profile.setWordWrap(True)
        self.lines = named(QListWidget(), "callerLines")
        self.lines.setWordWrap(True)
        self.lines.setAlternatingRowColors(True)
        self.next_button = named(QPushButton(self.tr("下一句 (F6)")), "nextLine")
        self.next_button.setAutoDefault(False)
        self.next_button.clicked.connect(self.next_line)
        self.progress = named(QLabel(), "lineProgress")
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.next_line)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.profile)
        layout.addWidget(self.lines, 1)
        layout.addLayout(row)

    def set_scenario(self, scenario: Scenario) -> None:
        """A new call: the profile, and the caller's first line."""
        self._timer.stop()
        self.scenario, self.shown = scenario, 0
        self.lines.clear()
        self.title.setText(self.tr("%1（%2）").replace("%1", scenario.title)
                           .replace("%2", tr_core(DIFFICULTIES.get(scenario.difficulty, ""))))
        caller = scenario.caller
        needs = "、".join(label_of(SpecialNeed, n) for n in caller.special_needs) or self.tr("无")
        parts = [self.tr("来电人：%1").replace("%1", caller.name or self.tr("（未透露）")),
                 self.tr("特殊情况：%1").replace("%1", needs)]
        if caller.note:
            parts.append(self.tr("备注：%1").replace("%1", caller.note))
        self.profile.setText("\n".join(parts))
        self.next_line()

    def next_line(self) -> None:
        scenario = self.scenario
        if scenario is None or self.shown >= len(scenario.lines):
            return
        self._timer.stop()
        text = scenario.render(scenario.lines[self.shown].text)
        item = QListWidgetItem(self.tr("来电人：%1").replace("%1", text))
        self.lines.addItem(item)
        self.lines.scrollToItem(item)
        self.shown += 1
        self._update()
        if self.shown < len(scenario.lines):
            after = scenario.lines[self.shown].after_seconds
            if after > 0:
                self._timer.start(int(after * 1000))
        self.line_revealed.emit(text)

    def stop(self) -> None:
        self._timer.stop()

    def revealed(self) -> list[str]:
        return [self.lines.item(i).text() for i in range(self.lines.count())]

    def _update(self) -> None:
        total = len(self.scenario.lines) if self.scenario else 0
        self.progress.setText(self.tr("第 %1 / %2 句").replace("%1", str(self.shown)).replace("%2", str(total)))
        self.next_button.setEnabled(self.shown < total)
