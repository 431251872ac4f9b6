"""The scenario editor (a dialog that fits 1280×720): title, difficulty and time limit, the caller's fictitious
profile, the lines, and the answer key. Checked here first (Scenario.from_dict, then contract/practice/check.py
when this build has it), problems shown at their fields in Chinese; saved through the central server (POST a new
scenario, PUT a new version of an existing one; someone else's newer version is never overwritten)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City
from contract.errors import ValidationError, ValidationErrors
from contract.practice.check import check_scenario
from contract.practice.scenario import DEFAULT_TIME_LIMIT, DIFFICULTIES, MAX_TITLE_CHARS, Scenario
from contract.practice.scrub import find_personal
from operator_app.errors import SyncError
from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.intake.field_box import FieldBox
from ui.training.manage import keys
from ui.training.manage.editor_key import AnswerKeyBox, ArticleTitle, need_boxes
from ui.training.manage.editor_lines import LinesEditor
from ui.training.manage.texts import REPLACED, SOURCE, label, practice_error_text

Api = Callable[..., Any]
BASE = "/api/v1/practice"
SAVE = "Ctrl+S"
PLACE = re.compile(r"lines\[(\d+)\]\.text|caller\.note")  # where the server's personal_data refusal points


def personal_data(body: dict[str, Any]) -> list[ValidationError]:
    """The server's rule (central_server/services/practice_checks.py), met here first: no line or caller note may
    carry a real-looking name, phone, ID, plate or address other than the profile's own fictitious ones."""
    caller = body["caller"]
    allow = tuple(v for v in (caller["name"], caller["phone"]) if v)
    places = [(f"lines[{i}].text", str(line["text"])) for i, line in enumerate(body["lines"])]
    places.append(("caller.note", caller["note"]))
    problems = []
    for field, text in places:
        found = find_personal(text, allow=allow) if text else []
        if found:
            kinds = "、".join(dict.fromkeys(label(REPLACED, f.kind) for f in found))
            problems.append(ValidationError(field, QCoreApplication.translate(
                "ScenarioEditor", "像是真实的%1，请改用【姓名】【电话】等占位符或虚构内容").replace("%1", kinds),
                code="personal_data"))
    return problems


class ScenarioEditor(QDialog):
    """`saved(body)` with the server's answer; `reload_requested(id)` when the trainer chose to reload a newer
    version someone else saved; `preview_requested(Scenario)` for 预览 of what is typed."""

    saved = Signal(object)
    reload_requested = Signal(str)
    preview_requested = Signal(object)

    def __init__(self, *, api: Api, tasks: TaskManager, city: City, body: dict[str, Any] | None,
                 parent: QWidget | None = None, article_title: ArticleTitle | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.city = api, tasks, city
        self.original: dict[str, Any] = dict(body or {})
        self.scenario_id = str(self.original.get("id", "") or "")
        self.version = int(self.original.get("version", 1) or 1)
        self.source = str(self.original.get("source", "") or "authored")
        self.saving = False
        title = self.tr("编辑场景：%1").replace("%1", str(self.original.get("title", ""))) if self.scenario_id \
            else self.tr("新建场景")
        self.setWindowTitle(title)
        self.boxes: dict[str, FieldBox] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        columns = QHBoxLayout()
        outer.addLayout(columns, 1)
        left = QVBoxLayout()
        columns.addLayout(left, 1)

        basics = QGroupBox(self.tr("基本信息"))
        form = QFormLayout(basics)
        form.setContentsMargins(8, 6, 8, 6)
        form.setVerticalSpacing(4)
        self.title_edit = named(QLineEdit(), "scenarioTitle")
        self.title_edit.setMaxLength(MAX_TITLE_CHARS)
        self.title_edit.setPlaceholderText(self.tr("如：夜间工地施工噪音"))
        self._row(form, "标题", "title", self.title_edit)
        self.difficulty = QComboBox()
        for level, text in DIFFICULTIES.items():
            self.difficulty.addItem(self.tr(text), level)
        self.time_limit = QSpinBox()
        self.time_limit.setRange(30, 3600)
        self.time_limit.setSingleStep(30)
        self.time_limit.setSuffix(self.tr(" 秒"))
        pair = QHBoxLayout()
        pair.setContentsMargins(0, 0, 0, 0)
        pair.addWidget(self.difficulty, 1)
        pair.addWidget(QLabel(self.tr("限时")))
        pair.addWidget(self.time_limit, 1)
        self.source_label = QLabel()
        pair.addWidget(self.source_label)
        holder = QWidget()
        holder.setLayout(pair)
        self._row(form, "难度", "difficulty", holder, self.difficulty)
        self.boxes["time_limit_seconds"] = self.boxes["difficulty"]
        left.addWidget(basics)

        caller = QGroupBox(self.tr("来电人资料（虚构）"))
        cform = QFormLayout(caller)
        cform.setContentsMargins(8, 6, 8, 6)
        cform.setVerticalSpacing(4)
        self.caller_name, self.caller_phone = named(QLineEdit(), "callerName"), named(QLineEdit(), "callerPhone")
        self.caller_name.setPlaceholderText(self.tr("如：周女士"))
        self.caller_phone.setPlaceholderText(self.tr("如：13900000101（虚构）"))
        who = QHBoxLayout()
        who.setContentsMargins(0, 0, 0, 0)
        who.addWidget(self.caller_name, 1)
        who.addWidget(QLabel(self.tr("电话")))
        who.addWidget(self.caller_phone, 1)
        who_holder = QWidget()
        who_holder.setLayout(who)
        self._row(cform, "姓名", "caller.name", who_holder, self.caller_name)
        self.boxes["caller.phone"] = self.boxes["caller.name"]
        needs = QHBoxLayout()
        needs.setContentsMargins(0, 0, 0, 0)
        self.caller_needs = need_boxes(needs)
        needs_holder = QWidget()
        needs_holder.setLayout(needs)
        self._row(cform, "特殊需求", "caller.special_needs", needs_holder)
        self.caller_note = named(QLineEdit(), "callerNote")
        self.caller_note.setPlaceholderText(self.tr("给学员看的说明，如：说话较慢，需要耐心"))
        self._row(cform, "说明", "caller.note", self.caller_note)
        left.addWidget(caller)

        lines_group = QGroupBox(self.tr("来电人的话（按顺序）"))
        lines_layout = QVBoxLayout(lines_group)
        lines_layout.setContentsMargins(8, 6, 8, 6)
        self.lines = LinesEditor()
        self.boxes["lines"] = FieldBox(self.lines, self.lines.table)
        lines_layout.addWidget(self.boxes["lines"])
        left.addWidget(lines_group, 1)

        self.key = AnswerKeyBox(city=city, tasks=tasks, article_title=article_title)
        self.boxes.update(self.key.boxes)
        columns.addWidget(self.key, 1)
        for code, box in self.caller_needs.items():  # a caller's need is usually one the key expects to be marked
            box.toggled.connect(lambda on, c=code: self.key.needs[c].setChecked(on))

        bottom = QHBoxLayout()
        self.message = named(QLabel(), "editorMessage")
        self.message.setWordWrap(True)
        bottom.addWidget(self.message, 1)
        self.preview_button = keys.action_button(self, self.tr("预览"), keys.PREVIEW, self.preview)
        self.save_button = keys.action_button(self, self.tr("保存"), SAVE, self.save)
        self.cancel_button = QPushButton(self.tr("关闭（Esc）"))
        self.cancel_button.clicked.connect(self.reject)
        for button in (self.preview_button, self.save_button, self.cancel_button):
            button.setAutoDefault(False)
            bottom.addWidget(button)
        outer.addLayout(bottom)
        self.load(self.original)
        self.loaded_body = self.body()[0]  # what "unchanged" means when the trainer closes the dialog
        self._fit()

    def _row(self, form: QFormLayout, text: str, name: str, field: QWidget, focus: QWidget | None = None) -> None:
        box = FieldBox(field, focus)
        self.boxes[name] = box
        form.addRow(self.tr(text), box)

    def _fit(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width, height = 1220, 680
        if screen is not None:
            width, height = min(width, screen.width() - 20), min(height, screen.height() - 40)
        self.resize(width, height)

    # --- the form as data ---------------------------------------------------------------------------------------
    def load(self, body: dict[str, Any]) -> None:
        self.title_edit.setText(str(body.get("title", "")))
        self.difficulty.setCurrentIndex(max(self.difficulty.findData(int(body.get("difficulty", 1) or 1)), 0))
        self.time_limit.setValue(int(body.get("time_limit_seconds", DEFAULT_TIME_LIMIT) or DEFAULT_TIME_LIMIT))
        self.source_label.setText(self.tr("来源：%1").replace("%1", label(SOURCE, self.source)))
        caller = body.get("caller") if isinstance(body.get("caller"), dict) else {}
        assert isinstance(caller, dict)
        self.caller_name.setText(str(caller.get("name", "")))
        self.caller_phone.setText(str(caller.get("phone", "")))
        self.caller_note.setText(str(caller.get("note", "")))
        key = body.get("key") if isinstance(body.get("key"), dict) else {}
        assert isinstance(key, dict)
        self.key.load(key)
        for code, box in self.caller_needs.items():
            box.blockSignals(True)
            box.setChecked(code in caller.get("special_needs", []))
            box.blockSignals(False)
        self.lines.load(list(body.get("lines", [])) or [{"text": "", "after_seconds": 0}])

    def body(self) -> tuple[dict[str, Any], list[ValidationError]]:
        lines, problems = self.lines.lines()
        body = {
            "id": self.scenario_id, "version": self.version, "title": self.title_edit.text().strip(),
            "difficulty": self.difficulty.currentData(), "time_limit_seconds": self.time_limit.value(),
            "source": self.source, "tags": list(self.original.get("tags", []) or []),
            "caller": {"name": self.caller_name.text().strip(), "phone": self.caller_phone.text().strip(),
                       "special_needs": [c for c, box in self.caller_needs.items() if box.isChecked()],
                       "note": self.caller_note.text().strip()},
            "lines": lines,
            "key": self.key.body(),
        }
        return body, problems

    def checked(self) -> tuple[dict[str, Any], Scenario | None]:
        """The body, and the scenario when it passes every local check (else the errors are shown)."""
        body, problems = self.body()
        scenario: Scenario | None = None
        try:
            scenario = Scenario.from_dict(body)
        except ValidationErrors as exc:
            problems.extend(exc.errors)
            if problem := self.key.category_problem():  # the city's checks need a whole scenario: this one now
                problems.append(ValidationError("key.category", problem, code="choice"))
        if scenario is not None:
            problems.extend(check_scenario(scenario, self.city))
        problems.extend(personal_data(body))
        self.show_errors(problems)
        return body, scenario if not problems else None

    def show_errors(self, problems: list[ValidationError]) -> None:
        for box in self.boxes.values():
            box.set_error("")
        shown: dict[str, list[str]] = {}
        for problem in problems:
            shown.setdefault(self._box_name(problem.field), []).append(self._say(problem))
        for name, texts in shown.items():
            self.boxes[name].set_error("；".join(dict.fromkeys(texts)))
        if problems:
            first = self._box_name(problems[0].field)
            self.boxes[first].focus_target.setFocus()
            if first == "lines":
                self._point_at_line(problems[0].field)
            self.message.setText(self.tr("有 %1 处需要修改，已在对应位置标出。").replace("%1", str(len(problems))))
        else:
            self.message.setText("")

    def _box_name(self, field: str) -> str:
        if field.startswith("lines"):
            return "lines"
        return field if field in self.boxes else field.split(".")[0] if field.split(".")[0] in self.boxes \
            else "title"

    def _say(self, problem: ValidationError) -> str:
        if problem.field.startswith("lines[") and "]" in problem.field:
            number = int(problem.field[6:problem.field.index("]")]) + 1
            return self.tr("第 %1 句：%2").replace("%1", str(number)).replace("%2", problem.message)
        if problem.field == "caller.note":
            return self.tr("说明：%1").replace("%1", problem.message)
        return problem.message

    def _point_at_line(self, field: str) -> None:
        if field.startswith("lines[") and "]" in field:
            self.lines.point_at(int(field[6:field.index("]")]))

    # --- actions ---------------------------------------------------------------------------------------------
    def preview(self) -> None:
        _body, scenario = self.checked()
        if scenario is not None:
            self.message.setText(self.tr("预览：按学员所见播放，不保存、不上传。"))
            self.preview_requested.emit(scenario)

    def save(self) -> None:
        if self.saving:
            return
        body, scenario = self.checked()
        if scenario is None:
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self.message.setText(self.tr("正在保存……"))
        api, scenario_id = self.api, self.scenario_id
        if scenario_id:
            self.tasks.network(lambda: api("PUT", f"{BASE}/scenarios/{scenario_id}", json_body=body),
                               lambda answer: self._saved(answer, body), self._failed)
        else:
            self.tasks.network(lambda: api("POST", f"{BASE}/scenarios", json_body=body),
                               lambda answer: self._saved(answer, body), self._failed)

    def _saved(self, answer: Any, body: dict[str, Any]) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        result = answer if isinstance(answer, dict) and answer.get("id") else {**body}
        self.scenario_id = str(result.get("id", ""))
        self.version = int(result.get("version", self.version) or self.version)
        self.original = result
        self.saved.emit(result)
        self.discard()

    def _failed(self, exc: BaseException) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        code = exc.code if isinstance(exc, SyncError) else ""
        self.message.setText(practice_error_text(exc))
        if code == "version_conflict":
            self._offer_reload()
        elif code == "personal_data":
            self._show_personal_data(exc)

    def _offer_reload(self) -> None:
        answer = QMessageBox.question(
            self, self.tr("别人已保存新版本"),
            self.tr("在您编辑期间，别人已经保存了这个场景的新版本。\n"
                    "重新载入最新版本吗？（您在此处的修改不会保存；选“否”可继续查看或复制您的修改。）"))
        if answer == QMessageBox.StandardButton.Yes:
            self.reload_requested.emit(self.scenario_id)
            self.discard()

    def _show_personal_data(self, exc: BaseException) -> None:
        """Say where the server found what looks like personal data (it names the lines and the note)."""
        found = [ValidationError(m.group(0), self.tr("像是真实的个人信息，请改用【姓名】【电话】等占位符或虚构内容"),
                                 code="personal_data") for m in PLACE.finditer(str(exc))]
        self.show_errors(found or [ValidationError("lines", practice_error_text(exc), code="personal_data")])
        self.message.setText(practice_error_text(exc))

    def reject(self) -> None:
        """Esc or 关闭: typed changes are never dropped without asking."""
        if self.body()[0] != self.loaded_body and QMessageBox.question(
                self, self.tr("放弃修改"), self.tr("这个场景有未保存的修改。放弃这些修改并关闭吗？"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return
        self.discard()

    def discard(self) -> None:
        """Close without asking (saved, or replaced by a reloaded version)."""
        super().reject()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            return  # Enter edits a line or picks from a list here; saving is Ctrl+S, never a stray Enter
        super().keyPressEvent(event)
