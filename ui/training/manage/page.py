"""培训管理, the trainer's workspace: a tab per page, built from TABS as `Page(*, api, tasks, me, city, parent)`.
Alt+letter opens a tab, Ctrl+PgUp / Ctrl+PgDn step through them. 预览 of a scenario is passed on as
`preview_requested(Scenario)` to whoever plays it (the practice window's preview mode)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from contract.city.model import City, Operator
from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.training.manage import keys
from ui.training.manage.assign_page import AssignPage
from ui.training.manage.results_page import ResultsPage
from ui.training.manage.scenario_list import ArticleTitle, ScenarioLibrary

Api = Callable[..., Any]
PageFactory = Callable[..., QWidget]

# (tab title, Alt+letter, factory), in tab order; a new page is one more row.
TABS: list[tuple[str, str, PageFactory]] = [
    ("场景库", "K", ScenarioLibrary),
    ("布置练习", "A", AssignPage),
    ("练习成绩", "J", ResultsPage),  # Alt+J (成绩 chengji): the results page uses R, Q, G, T, S, C, F, L, X itself
]


class TrainingManagePage(QWidget):
    preview_requested = Signal(object)  # Scenario

    def __init__(self, *, api: Api, tasks: TaskManager, me: Operator, city: City, parent: QWidget | None = None,
                 article_title: ArticleTitle | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.me, self.city = api, tasks, me, city
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.tabs = named(QTabWidget(), "trainingTabs")
        layout.addWidget(self.tabs, 1)
        self.pages: list[QWidget] = []
        for title, letter, factory in TABS:
            page = factory(api=api, tasks=tasks, me=me, city=city, parent=self.tabs)
            index = self.tabs.addTab(page, f"{self.tr(title)}（Alt+{letter}）")
            self.tabs.setTabToolTip(index, self.tr("Alt+%1；Ctrl+PgUp / Ctrl+PgDn 切换").replace("%1", letter))
            keys.shortcut(f"Alt+{letter}", self, partial(self.show_tab, index))
            self.pages.append(page)
        keys.shortcut(keys.NEXT_TAB, self, lambda: self.step(1))
        keys.shortcut(keys.PREVIOUS_TAB, self, lambda: self.step(-1))
        self.library.article_title = article_title
        self.library.preview_requested.connect(self.preview_requested)
        self.who = named(QLabel(self.tr("%1 · 培训师 %2").replace("%1", me.team or "—").replace("%2", me.name)),
                         "trainerLabel")
        self.tabs.setCornerWidget(self.who)

    @property
    def library(self) -> ScenarioLibrary:
        return self.page(ScenarioLibrary)

    def page(self, kind: type) -> Any:
        return next(p for p in self.pages if isinstance(p, kind))

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        self.tabs.currentWidget().setFocus()

    def step(self, delta: int) -> None:
        self.show_tab((self.tabs.currentIndex() + delta) % self.tabs.count())
