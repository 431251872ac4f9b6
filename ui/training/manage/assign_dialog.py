"""新建练习或考试: title, kind (an exam starts with routing suggestions off and a time limit), the published
scenarios to play (a checkable list with a filter; the order they are ticked in is the order they are played), a
time limit per scenario, a due date, and who takes it: trainees from the city's roster and whole teams."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City
from contract.roles import PRACTICE, may
from ui.common.category_text import short_category
from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.training.manage import keys
from ui.training.manage.texts import KIND, difficulty_label, practice_error_text

Api = Callable[..., Any]
BASE = "/api/v1/practice"
CREATE = "Ctrl+S"
EXAM_LIMIT = 300


def checkable(text: str, data: object) -> QListWidgetItem:
    item = QListWidgetItem(text)
    item.setData(Qt.ItemDataRole.UserRole, data)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Unchecked)
    return item


def filter_list(widget: QListWidget, text: str) -> None:
    needle = text.strip().lower()
    for i in range(widget.count()):
        item = widget.item(i)
        item.setHidden(bool(needle) and needle not in item.text().lower())


class AssignDialog(QDialog):
    """`created(answer)` with the server's assignment once it is saved."""

    created = Signal(object)

    def __init__(self, *, api: Api, tasks: TaskManager, city: City, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.city = api, tasks, city
        self.order: list[str] = []  # scenario ids in the order they were ticked
        self.scenarios: QListWidget = named(QListWidget(), "scenarioPick")
        self.trainees: QListWidget = named(QListWidget(), "traineePick")
        self.titles: dict[str, str] = {}
        self.setWindowTitle(self.tr("新建练习或考试"))
        layout = QVBoxLayout(self)

        top = QFormLayout()
        top.setVerticalSpacing(4)
        self.title_edit = named(QLineEdit(), "assignTitle")
        self.title_edit.setMaxLength(60)
        self.title_edit.setPlaceholderText(self.tr("如：第一周 环境保护类来电练习"))
        top.addRow(self.tr("标题"), self.title_edit)
        settings = QHBoxLayout()
        self.kind = QComboBox()
        for code, text in KIND.items():
            self.kind.addItem(self.tr(text), code)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        settings.addWidget(self.kind)
        settings.addWidget(QLabel(self.tr("每题限时")))
        self.limit = QSpinBox()
        self.limit.setRange(0, 3600)
        self.limit.setSingleStep(30)
        self.limit.setSpecialValueText(self.tr("按场景设定"))
        self.limit.setSuffix(self.tr(" 秒"))
        settings.addWidget(self.limit)
        self.suggestions_off = named(QCheckBox(self.tr("关闭派单建议")), "suggestionsOff")
        settings.addWidget(self.suggestions_off)
        self.has_due = QCheckBox(self.tr("截止时间"))
        self.due = QDateTimeEdit()
        self.due.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.due.setCalendarPopup(True)
        self.due.setDateTime(QDateTime.currentDateTime().addDays(7))
        self.due.setEnabled(False)
        self.has_due.toggled.connect(self.due.setEnabled)
        settings.addWidget(self.has_due)
        settings.addWidget(self.due)
        settings.addStretch(1)
        top.addRow(self.tr("类型"), settings)
        layout.addLayout(top)

        lists = QHBoxLayout()
        scenarios = QGroupBox(self.tr("练习场景（已发布；按勾选顺序出题）"))
        s_layout = QVBoxLayout(scenarios)
        self.scenario_filter = named(QLineEdit(), "scenarioPickFilter")
        self.scenario_filter.setPlaceholderText(self.tr("筛选标题或分类"))
        self.scenario_filter.textChanged.connect(lambda text: filter_list(self.scenarios, text))
        s_layout.addWidget(self.scenario_filter)
        self.scenarios.itemChanged.connect(self._scenario_ticked)
        s_layout.addWidget(self.scenarios, 1)
        self.order_label = named(QLabel(), "scenarioOrder")
        self.order_label.setWordWrap(True)
        s_layout.addWidget(self.order_label)
        lists.addWidget(scenarios, 3)

        people = QGroupBox(self.tr("参加人员"))
        p_layout = QVBoxLayout(people)
        self.trainee_filter = named(QLineEdit(), "traineeFilter")
        self.trainee_filter.setPlaceholderText(self.tr("筛选姓名、工号或班组"))
        self.trainee_filter.textChanged.connect(lambda text: filter_list(self.trainees, text))
        p_layout.addWidget(self.trainee_filter)
        for op in sorted(city.roster.values(), key=lambda o: (o.team, o.id)):
            if may(op.role, PRACTICE):
                self.trainees.addItem(checkable(f"{op.name}（{op.id}）· {op.team}", op.id))
        p_layout.addWidget(self.trainees, 1)
        p_layout.addWidget(QLabel(self.tr("整个班组（含以后加入的成员由服务器按当时名单展开）")))
        teams_row = QHBoxLayout()
        self.teams: dict[str, QCheckBox] = {}
        for team in sorted({op.team for op in city.roster.values() if may(op.role, PRACTICE) and op.team}):
            box = QCheckBox(team)
            self.teams[team] = box
            teams_row.addWidget(box)
        teams_row.addStretch(1)
        p_layout.addLayout(teams_row)
        lists.addWidget(people, 2)
        layout.addLayout(lists, 1)

        bottom = QHBoxLayout()
        self.message = named(QLabel(), "assignDialogMessage")
        self.message.setWordWrap(True)
        bottom.addWidget(self.message, 1)
        self.create_button = keys.action_button(self, self.tr("布置"), CREATE, self.submit)
        self.create_button.setAutoDefault(False)
        close = QPushButton(self.tr("取消（Esc）"))
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        bottom.addWidget(self.create_button)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.resize(1100, 620)
        self._show_order()
        self.load_scenarios()

    # --- scenarios --------------------------------------------------------------------------------------------
    def load_scenarios(self) -> None:
        api = self.api
        self.message.setText(self.tr("正在读取已发布的场景……"))
        self.tasks.network(lambda: api("GET", f"{BASE}/scenarios", params={"status": "all"}), self._scenarios_loaded,
                           lambda exc: self.message.setText(practice_error_text(exc)))

    def _scenarios_loaded(self, answer: dict[str, Any]) -> None:
        rows = [r for r in (answer.get("scenarios", []) if isinstance(answer, dict) else [])
                if isinstance(r, dict) and r.get("status", "published") == "published"]
        self.scenarios.blockSignals(True)
        self.scenarios.clear()
        for row in rows:
            scenario_id, title = str(row.get("id", "")), str(row.get("title", ""))
            key = row.get("key") if isinstance(row.get("key"), dict) else {}
            assert isinstance(key, dict)
            self.titles[scenario_id] = title
            self.scenarios.addItem(checkable(
                f"{title} · {short_category(str(key.get('category', '')))} · "
                f"{difficulty_label(int(row.get('difficulty', 1) or 1))}", scenario_id))
        self.scenarios.blockSignals(False)
        self.message.setText("" if rows else self.tr("还没有已发布的场景：先在场景库中发布。"))

    def _scenario_ticked(self, item: QListWidgetItem) -> None:
        scenario_id = str(item.data(Qt.ItemDataRole.UserRole))
        if item.checkState() == Qt.CheckState.Checked and scenario_id not in self.order:
            self.order.append(scenario_id)
        elif item.checkState() != Qt.CheckState.Checked and scenario_id in self.order:
            self.order.remove(scenario_id)
        self._show_order()

    def _show_order(self) -> None:
        if not self.order:
            self.order_label.setText(self.tr("尚未选择场景（空格勾选）。"))
            return
        names = "；".join(f"{i}. {self.titles.get(s, s)}" for i, s in enumerate(self.order, start=1))
        self.order_label.setText(self.tr("出题顺序：%1").replace("%1", names))

    def _kind_changed(self) -> None:
        if self.kind.currentData() == "exam":  # an exam is taken without help and against the clock
            self.suggestions_off.setChecked(True)
            if self.limit.value() == 0:
                self.limit.setValue(EXAM_LIMIT)

    # --- saving ------------------------------------------------------------------------------------------------
    def body(self) -> dict[str, Any]:
        trainees = [str(self.trainees.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.trainees.count())
                    if self.trainees.item(i).checkState() == Qt.CheckState.Checked]
        due: str | None = None
        if self.has_due.isChecked():
            local = self.due.dateTime().toPython()
            assert isinstance(local, datetime)
            due = local.replace(second=0, microsecond=0, tzinfo=ZoneInfo(self.city.timezone)).isoformat()
        return {
            "title": self.title_edit.text().strip(), "kind": self.kind.currentData(),
            "scenario_ids": list(self.order), "time_limit_seconds": self.limit.value() or None,
            "suggestions_off": self.suggestions_off.isChecked(), "due_at": due, "trainees": trainees,
            "teams": [team for team, box in self.teams.items() if box.isChecked()],
        }

    def problem(self, body: dict[str, Any]) -> tuple[str, QWidget | None]:
        if not body["title"]:
            return self.tr("请填写标题。"), self.title_edit
        if not body["scenario_ids"]:
            return self.tr("请至少勾选一个场景。"), self.scenarios
        if not body["trainees"] and not body["teams"]:
            return self.tr("请勾选参加的学员或班组。"), self.trainees
        if body["due_at"] is not None:
            due = datetime.fromisoformat(body["due_at"])
            if due < datetime.now(due.tzinfo) + timedelta(minutes=5):
                return self.tr("截止时间应晚于现在。"), self.due
        return "", None

    def submit(self) -> None:
        if not self.create_button.isEnabled():
            return
        body = self.body()
        text, where = self.problem(body)
        if text:
            self.message.setText(text)
            if where is not None:
                where.setFocus()
            return
        api = self.api
        self.create_button.setEnabled(False)
        self.message.setText(self.tr("正在布置……"))
        self.tasks.network(lambda: api("POST", f"{BASE}/assignments", json_body=body), self._created, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.create_button.setEnabled(True)
        self.message.setText(practice_error_text(exc))

    def _created(self, answer: Any) -> None:
        self.create_button.setEnabled(True)
        result = answer if isinstance(answer, dict) else {}
        self.created.emit({"title": self.title_edit.text().strip(), **result})
        self.accept()
