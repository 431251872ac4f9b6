"""The workbench's quality tab (质检): sample N cases per operator of the team in the range (at random or from a
filter), a list of the reviews (pending first), the scoring panel, and the per-operator weekly trend.

Every server call runs on the task manager's network thread (`tasks.network`); answers come back on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import Operator
from operator_app.errors import SyncError, SyncErrorKind
from ui.common.errors import error_text
from ui.common.tasks import TaskManager
from ui.common.times import shown_time
from ui.lead.quality_score_panel import ScorePanel, named, wrapped
from ui.lead.quality_trend import TrendView

SAVE_KEY = "Ctrl+S"
TREND_WEEKS = 8
REVIEW_ROLE = Qt.ItemDataRole.UserRole


class QualityPage(QWidget):
    def __init__(self, *, api: Callable[..., Any], tasks: TaskManager, me: Operator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.me = api, tasks, me
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.reviews: list[dict[str, Any]] = []
        self.busy = 0
        self.per_operator = named(QSpinBox(), "qualityPerOperator")
        self.per_operator.setRange(1, 50)
        self.per_operator.setValue(3)
        self.per_operator.setSuffix(self.tr(" 件/人"))
        self.how = named(QComboBox(), "qualityHow")
        for text, code in ((self.tr("随机抽取"), ""), (self.tr("仅紧急工单"), "urgent"),
                           (self.tr("仅特殊需求来电"), "special_needs"), (self.tr("仅直接办结"), "direct"),
                           (self.tr("仅派单工单"), "dispatched")):
            self.how.addItem(text, code)
        self.sample_button = named(QPushButton(self.tr("抽取")), "qualitySample")
        self.sample_button.clicked.connect(self.sample)
        self.status = wrapped(named(QLabel(), "qualityStatus"))
        bar = QHBoxLayout()
        for widget in (QLabel(self.tr("每名话务员抽取")), self.per_operator, self.how, self.sample_button):
            bar.addWidget(widget)
        bar.addWidget(self.status, 1)
        self.list = named(QListWidget(), "qualityReviews")
        self.list.currentItemChanged.connect(self._picked)
        self.panel = ScorePanel()
        self.panel.save_requested.connect(self.save)
        self.trend = TrendView()
        self.trend.operators.currentIndexChanged.connect(lambda _i: self.load_trend())
        left = named(QSplitter(Qt.Orientation.Vertical), "qualityLeft")
        left.addWidget(self.list)
        left.addWidget(self.trend)
        left.setSizes([330, 300])
        split = named(QSplitter(), "qualitySplitter")
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        split.setSizes([380, 900])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        save = QShortcut(QKeySequence(SAVE_KEY), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.panel.save)
        self._call(lambda: self.api("GET", "/api/v1/quality/scoresheet"),
                   lambda sheet: self.panel.set_sheet(sheet, self.me.id))

    # --- server calls ---------------------------------------------------------------------------------------------

    def _call(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
              on_fail: Callable[[], None] | None = None) -> None:
        """`busy` counts the calls under way (tests wait for it to drop to 0)."""
        self.busy += 1

        def done(result: Any) -> None:
            self.busy -= 1
            on_done(result)

        def failed(exc: BaseException) -> None:
            self.busy -= 1
            self.status.setText(self._problem(exc))
            if on_fail is not None:
                on_fail()

        self.tasks.network(fn, done, failed)

    def _problem(self, exc: BaseException) -> str:
        if isinstance(exc, SyncError):
            if exc.kind is SyncErrorKind.NETWORK:
                return self.tr("无法连接中心服务器，请稍后再试")
            if exc.kind is SyncErrorKind.AUTH:
                return self.tr("登录已过期，请重新登录")
            known = {
                "not_your_review": self.tr("此记录由其他班组长评分，只有评分人可以修改"),
                "review_not_found": self.tr("找不到这条质检记录（可能不属于本班组）"),
                "points_out_of_range": self.tr("得分超出该项的分值范围"),
                "scores_incomplete": self.tr("评分表已更新，请刷新后为每一项打分"),
                "unknown_item": self.tr("评分表已更新，请刷新后重新评分"),
                "range_too_large": self.tr("时间范围过长（最多 92 天）"),
                "invalid_range": self.tr("时间范围无效"),
                "sample_conflict": self.tr("其他班组长同时在抽取，请再抽一次"),
                "scoresheet_invalid": self.tr("质检评分表配置有误，请联系管理员"),
                "forbidden": self.tr("您的角色不能进行质检"),
            }
            if exc.code in known:
                return known[exc.code]
        return error_text(self, exc)

    def _range_params(self) -> dict[str, str]:
        assert self.start is not None and self.end is not None
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def set_range(self, start: datetime, end: datetime) -> None:
        """The workbench's date range: the reviews of cases accepted in [start, end) and the pool to sample from."""
        self.start, self.end = start, end
        self.panel.timezone = start.tzinfo  # the workbench's range is in city time: show times in it
        self.reload()

    def reload(self, select_id: str | None = None) -> None:
        if self.start is None:
            return
        params = self._range_params()
        self._call(lambda: self.api("GET", "/api/v1/lead/quality/reviews", params=params),
                   lambda reviews: self._show(reviews, select_id))

    def sample(self) -> None:
        if self.start is None:
            self.status.setText(self.tr("请先选择时间范围"))
            return
        body: dict[str, Any] = {**self._range_params(), "per_operator": self.per_operator.value()}
        if self.how.currentData():
            body["filter"] = self.how.currentData()
        self.sample_button.setEnabled(False)

        def done(result: dict[str, Any]) -> None:
            self.sample_button.setEnabled(True)
            people = "，".join(f"{p['name']} {p['sampled']}/{p['available']}" for p in result["per_operator"])
            self.status.setText(self.tr("已抽取 %1 件（%2）").replace("%1", str(len(result["reviews"])))
                                .replace("%2", people or self.tr("本班组无话务员")))
            self.reload()

        self._call(lambda: self.api("POST", "/api/v1/lead/quality/sample", json_body=body), done,
                   lambda: self.sample_button.setEnabled(True))

    def save(self, review_id: str, scores: dict[str, int], comment: str) -> None:
        body = {"scores": scores, "comment": comment}

        def saved(review: dict[str, Any]) -> None:
            self.status.setText(self.tr("已保存：%1 总分 %2").replace("%1", review["case"]["number"])
                                .replace("%2", f"{review['total']:g}"))
            self._replace(review)

        self._call(lambda: self.api("PUT", f"/api/v1/lead/quality/reviews/{review_id}", json_body=body), saved)

    def load_trend(self) -> None:
        operator_id = self.trend.current_operator()
        if operator_id is None:
            self.trend.show_trend(None)
            return
        params: dict[str, Any] = {"operator_id": operator_id, "weeks": TREND_WEEKS}
        if self.end is not None:
            params["to"] = self.end.isoformat()
        self._call(lambda: self.api("GET", "/api/v1/lead/quality/trend", params=params), self.trend.show_trend)

    # --- the list -------------------------------------------------------------------------------------------------

    def _show(self, reviews: list[dict[str, Any]], select_id: str | None) -> None:
        current = select_id or self._current_id()
        self.reviews = reviews
        self.list.blockSignals(True)
        self.list.clear()
        for review in reviews:
            item = QListWidgetItem(self._line(review))
            item.setData(REVIEW_ROLE, review["id"])
            self.list.addItem(item)
        self.list.blockSignals(False)
        ids = [r["id"] for r in reviews]
        self.list.setCurrentRow(ids.index(current) if current in ids else (0 if ids else -1))
        if not ids:
            self.panel.show_review(None)
        people = sorted({(r["operator_id"], r["operator_name"]) for r in reviews})
        self.trend.set_operators(people)
        self.load_trend()

    def _line(self, review: dict[str, Any]) -> str:
        state = self.tr("待评") if review["status"] == "pending" else self.tr("%1 分").replace(
            "%1", f"{review['total']:g}")
        return f"{state}  {review['case']['number']}  {review['operator_name']}  " \
               f"{shown_time(review['case']['accepted_at'], self.panel.timezone)}"

    def _current_id(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(REVIEW_ROLE)) if item is not None else None

    def _picked(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        review = next((r for r in self.reviews if item is not None and r["id"] == item.data(REVIEW_ROLE)), None)
        self.panel.show_review(review)
        if review is not None:
            index = self.trend.operators.findData(review["operator_id"])
            if index >= 0 and index != self.trend.operators.currentIndex():
                self.trend.operators.setCurrentIndex(index)

    def _replace(self, review: dict[str, Any]) -> None:
        """A saved review takes its place in the list; the selection moves on to the next pending one."""
        for index, old in enumerate(self.reviews):
            if old["id"] == review["id"]:
                self.reviews[index] = review
                self.list.item(index).setText(self._line(review))
        pending = [i for i, r in enumerate(self.reviews) if r["status"] == "pending"]
        if pending:
            self.list.setCurrentRow(pending[0])
        else:
            self.panel.show_review(review)
        self.load_trend()
