"""The KPI answer (GET /api/v1/lead/kpis) as the texts a person reads: tiles, the CSV and the printable report
share these, so every place shows a figure the same way. A rate the server sends as null reads 无数据."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from ui.common.times import duration_text, shown_time


def tr(text: str) -> str:
    return QCoreApplication.translate("Kpi", text)


def percent(rate: float | None) -> str:
    return tr("无数据") if rate is None else f"{rate * 100:.1f}%"


duration = duration_text  # the one wording of a length of time (ui/common/times.py)


def city_time(text: str) -> str:
    """'2026-03-02 08:00' from the ISO time the server sends (its own offset: the city's clock)."""
    return shown_time(text, fmt="%Y-%m-%d %H:%M")


def tiles(k: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(key, title, value, detail) of each tile, in the order shown."""
    resp, comp, sat, ans, rt = (k["response_on_time"], k["completion_on_time"], k["satisfaction"],
                                k["answer_rate"], k["routing"])
    return [
        ("cases", tr("受理量"), str(k["cases"]), tr("件")),
        ("answer_rate", tr("接通率"), percent(ans["rate"]),
         tr("呼入 %1 · 接通 %2 · 放弃 %3").replace("%1", str(ans["offered"])).replace("%2", str(ans["answered"]))
         .replace("%3", str(ans["abandoned"]))),
        ("avg_wait", tr("平均等待"), duration(k["avg_wait_seconds"]), tr("含放弃呼叫")),
        ("response_on_time", tr("按时响应率"), percent(resp["rate"]),
         tr("按时 %1 / 应响应 %2").replace("%1", str(resp["on_time"])).replace("%2", str(resp["due"]))),
        ("completion_on_time", tr("按时办结率"), percent(comp["rate"]),
         tr("按时 %1 / 应办结 %2").replace("%1", str(comp["on_time"])).replace("%2", str(comp["due"]))),
        ("satisfaction", tr("满意率"), percent(sat["rate"]),
         tr("满意 %1 · 基本满意 %2 · 不满意 %3 · 无法联系 %4").replace("%1", str(sat["satisfied"]))
         .replace("%2", str(sat["basically_satisfied"])).replace("%3", str(sat["dissatisfied"]))
         .replace("%4", str(sat["unreachable"]))),
        ("avg_handling", tr("平均处理时长"), duration(k["avg_handling_seconds"]), tr("打开表单至提交")),
        ("routing", tr("推荐采纳率"), percent(rt["acceptance_rate"]),
         tr("推荐 %1 · 采纳 %2 · 改选 %3（改选率 %4）").replace("%1", str(rt["suggested"]))
         .replace("%2", str(rt["accepted"])).replace("%3", str(rt["overridden"]))
         .replace("%4", percent(rt["override_rate"]))),
    ]


def report_rows(k: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every figure as (section, item, value): the CSV's rows and the printable report's tables."""
    rows: list[tuple[str, str, str]] = [
        (tr("概要"), tr("班组"), str(k.get("team", ""))),
        (tr("概要"), tr("起"), city_time(k["from"])),
        (tr("概要"), tr("止（不含）"), city_time(k["to"])),
        (tr("概要"), tr("受理量"), str(k["cases"])),
    ]
    for key, title in (("response_on_time", tr("按时响应")), ("completion_on_time", tr("按时办结"))):
        f = k[key]
        rows += [(title, tr("比率"), percent(f["rate"])), (title, tr("按时"), str(f["on_time"])),
                 (title, tr("应计"), str(f["due"]))]
    sat = k["satisfaction"]
    rows += [(tr("满意度"), tr("满意率"), percent(sat["rate"]))]
    rows += [(tr("满意度"), label, str(sat[code])) for code, label in (
        ("satisfied", tr("满意")), ("basically_satisfied", tr("基本满意")), ("dissatisfied", tr("不满意")),
        ("unreachable", tr("无法联系")))]
    ans = k["answer_rate"]
    rows += [(tr("呼叫"), tr("接通率"), percent(ans["rate"])), (tr("呼叫"), tr("呼入"), str(ans["offered"])),
             (tr("呼叫"), tr("接通"), str(ans["answered"])), (tr("呼叫"), tr("放弃"), str(ans["abandoned"])),
             (tr("呼叫"), tr("平均等待"), duration(k["avg_wait_seconds"])),
             (tr("处理"), tr("平均处理时长"), duration(k["avg_handling_seconds"]))]
    rt = k["routing"]
    rows += [(tr("分派推荐"), tr("有推荐"), str(rt["suggested"])), (tr("分派推荐"), tr("采纳"), str(rt["accepted"])),
             (tr("分派推荐"), tr("改选"), str(rt["overridden"])),
             (tr("分派推荐"), tr("采纳率"), percent(rt["acceptance_rate"])),
             (tr("分派推荐"), tr("改选率"), percent(rt["override_rate"]))]
    rows += [(tr("每小时受理"), f"{h['hour']:02d}:00-{(h['hour'] + 1) % 24:02d}:00", str(h["count"]))
             for h in k["cases_per_hour"]]
    rows += [(tr("每位话务员受理"), f"{o['name']}（{o['operator_id']}）", str(o["count"]))
             for o in k["cases_per_operator"]]
    for d in k["returns_by_department"]:
        rows.append((tr("退单"), d["name"], tr("派单 %1 · 退单 %2 · 退单率 %3").replace("%1", str(d["dispatched"]))
                     .replace("%2", str(d["returned"])).replace("%3", percent(d["rate"]))))
    return rows
