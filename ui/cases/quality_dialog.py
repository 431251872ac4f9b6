"""我的质检: the signed-in operator's own scored quality reviews, each with its points per item (on the scoresheet
it was scored on), the total and the lead's comment. Read from the central server on the network thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from operator_app.errors import SyncError, SyncErrorKind
from ui.common.errors import error_text
from ui.common.tasks import TaskManager
from ui.common.times import shown_time


class QualityDialog(QDialog):
    def __init__(self, *, api: Callable[..., Any], tasks: TaskManager, timezone: tzinfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timezone = timezone
        self.setWindowTitle(self.tr("我的质检"))
        self.reviews: list[dict[str, Any]] = []
        self.loading = True
        self.list = QListWidget()
        self.list.setObjectName("myQualityList")
        self.list.currentRowChanged.connect(self._show)
        self.header = QLabel()
        self.header.setObjectName("myQualityHeader")
        self.header.setWordWrap(True)
        self.items = QTableWidget(0, 3)
        self.items.setObjectName("myQualityItems")
        self.items.setHorizontalHeaderLabels([self.tr("评分项"), self.tr("得分"), self.tr("满分")])
        self.items.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.items.verticalHeader().hide()
        self.items.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.comment = QLabel()
        self.comment.setObjectName("myQualityComment")
        self.comment.setWordWrap(True)
        self.comment.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        detail = QVBoxLayout()
        detail.addWidget(self.header)
        detail.addWidget(self.items, 1)
        detail.addWidget(self.comment)
        body = QHBoxLayout()
        body.addWidget(self.list, 2)
        body.addLayout(detail, 3)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)
        self.resize(900, 560)
        self.header.setText(self.tr("正在读取……"))
        tasks.network(lambda: api("GET", "/api/v1/quality/mine"), self._loaded, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        if isinstance(exc, SyncError) and exc.kind is SyncErrorKind.NETWORK:
            self.header.setText(self.tr("无法连接中心服务器，请稍后再试"))
        elif isinstance(exc, SyncError) and exc.kind is SyncErrorKind.AUTH:
            self.header.setText(self.tr("尚未登录中心服务器，请联网后重新登录"))
        else:
            self.header.setText(error_text(self, exc))

    def _loaded(self, reviews: list[dict[str, Any]]) -> None:
        self.loading = False
        self.reviews = reviews
        for review in reviews:
            self.list.addItem(self.tr("%1  %2  %3 分").replace("%1", shown_time(review["scored_at"], self.timezone, "%Y-%m-%d"))
                              .replace("%2", review["case"]["number"]).replace("%3", f"{review['total']:g}"))
        if reviews:
            self.list.setCurrentRow(0)
        else:
            self.header.setText(self.tr("暂无质检记录"))

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.reviews):
            return
        review = self.reviews[row]
        case = review["case"]
        self.header.setText(self.tr("工单 %1（受理 %2）\n总分 %3 — %4 评于 %5\n诉求内容：%6")
                            .replace("%1", case["number"]).replace("%2", shown_time(case["accepted_at"], self.timezone, "%Y-%m-%d %H:%M"))
                            .replace("%3", f"{review['total']:g}").replace("%4", review["scored_by_name"] or "")
                            .replace("%5", shown_time(review["scored_at"], self.timezone, "%Y-%m-%d %H:%M")).replace("%6", case["content"]))
        sheet_items = (review.get("sheet") or {}).get("items", [])
        self.items.setRowCount(len(sheet_items))
        for index, item in enumerate(sheet_items):
            title = QTableWidgetItem(item["title"])
            title.setToolTip(item["description"])
            points = QTableWidgetItem(str(review["scores"].get(item["id"], "—")))
            full = QTableWidgetItem(str(item["max_points"]))
            for column, cell in enumerate((title, points, full)):
                self.items.setItem(index, column, cell)
        self.comment.setText(self.tr("评语：%1").replace("%1", review["comment"] or self.tr("（无）")))
