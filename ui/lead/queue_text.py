"""The shift queue's words: filter buttons (label, shortcut), columns, and a row's cells as text — shared by the
table, the CSV and the printable report, so all three say the same."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QCoreApplication

from contract.city.loader import load_city
from contract.city.model import City
from contract.enums import SpecialNeed
from operator_app.paths import resources_dir
from ui.common.category_text import short_category
from ui.common.texts import label_of
from ui.common.times import shown_time


def _t(text: str) -> str:
    return QCoreApplication.translate("LeadQueue", text)


# (count key, label, Alt+letter): the order of the buttons. "unsynced_seats" shows only when the answer has it.
FILTERS: tuple[tuple[str, str, str], ...] = (
    ("all", "全部", "A"), ("overdue", "超时", "O"), ("due_within_hour", "1小时内到期", "H"),
    ("low_confidence", "低置信派单", "L"), ("overridden", "改选派单", "V"), ("urgent", "紧急", "U"),
    ("special_needs", "特殊群体", "S"), ("repeat_caller", "重复来电", "R"), ("returned", "退单", "B"),
    ("correcting", "退回修改", "C"), ("supervised", "督办", "D"), ("unsynced_seats", "未同步座席", "Y"),
)

COLUMNS = ("工单编号", "状态", "受理时间", "话务员", "座席", "问题分类", "地点", "主办单位", "来电人", "来电号码",
           "提示", "诉求摘要")


@lru_cache(maxsize=1)
def lead_city() -> City:
    """The demo city (names of departments and districts, the time zone); loaded once, off the GUI thread."""
    return load_city(resources_dir())


def flag_text(row: Mapping[str, Any]) -> str:
    """The row's warnings in a few words: 超时(响应), 将到期, 紧急, 特殊群体, 重复来电×2, 退单, 退回修改, 督办, 低置信, 改选."""
    parts = []
    if row.get("overdue") == "respond":
        parts.append(_t("响应超时"))
    elif row.get("overdue") == "finish":
        parts.append(_t("办结超时"))
    elif row.get("due_within_hour"):
        parts.append(_t("1小时内到期"))
    if row.get("urgency") == "urgent":
        parts.append(_t("紧急"))
    if row.get("special_needs"):
        parts.append("、".join(label_of(SpecialNeed, c) for c in row["special_needs"]))
    if row.get("repeat_count"):
        parts.append(_t("重复来电×%1").replace("%1", str(row["repeat_count"])))
    if row.get("returned_reason") is not None:
        parts.append(_t("退单"))
    if row.get("correcting"):
        parts.append(_t("退回修改"))
    if row.get("supervised"):
        parts.append(_t("督办"))
    if "low_confidence" in row.get("filters", ()):
        parts.append(_t("低置信"))
    if row.get("routing_overridden"):
        parts.append(_t("改选"))
    return " ".join(parts)


def row_cells(row: Mapping[str, Any], tz: tzinfo | None) -> tuple[str, ...]:
    """The row's cells in COLUMNS order."""
    place = " ".join(x for x in (row.get("district") or "", row.get("street") or "") if x)
    return (
        row["number"], row.get("status_label") or row.get("status", ""), shown_time(row.get("accepted_at"), tz),
        f"{row.get('operator_name') or ''}（{row.get('created_by', '')}）", row.get("seat_code") or "",
        short_category(row.get("category") or ""), place, row.get("lead_department_name") or "",
        row.get("caller_masked") or _t("匿名"), row.get("phone_masked") or "—", flag_text(row),
        row.get("content_preview") or "",
    )


def search_text(row: Mapping[str, Any]) -> str:
    """What the search box looks in: number, content, place, operator (name and id), department."""
    return " ".join(str(row.get(k) or "") for k in (
        "number", "content_preview", "district", "street", "operator_name", "created_by", "lead_department_name",
        "seat_code")).casefold()
