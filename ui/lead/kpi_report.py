"""The shift report (班次看板报表): a CSV with every figure, and a printable HTML page (the browser prints it)."""

from __future__ import annotations

import csv
import html
from itertools import groupby
from pathlib import Path
from typing import Any

from ui.lead.kpi_format import city_time, report_rows, tr


def write_csv(k: dict[str, Any], path: Path) -> None:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese right."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([tr("类别"), tr("项目"), tr("数值")])
        writer.writerows(report_rows(k))


def html_report(k: dict[str, Any]) -> str:
    title = tr("班次看板报表")
    period = f"{html.escape(str(k.get('team', '')))} · {city_time(k['from'])} — {city_time(k['to'])}"
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">', f"<title>{title}</title>",
        "<style>body{font-family:sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:15px;"
        "margin:14px 0 4px}table{border-collapse:collapse;min-width:360px}td{border:1px solid #999;"
        "padding:3px 8px;font-size:13px}td.v{text-align:right}section{break-inside:avoid}"
        "@media print{body{margin:0}}</style></head><body>",
        f"<h1>{title}</h1><p>{period}</p>",
    ]
    for section, rows in groupby(report_rows(k), key=lambda r: r[0]):
        parts.append(f"<section><h2>{html.escape(section)}</h2><table>")
        parts += [f"<tr><td>{html.escape(item)}</td><td class=v>{html.escape(value)}</td></tr>"
                  for _, item, value in rows]
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(k: dict[str, Any], path: Path) -> None:
    path.write_text(html_report(k), encoding="utf-8")
