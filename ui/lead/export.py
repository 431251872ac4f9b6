"""The shift queue written out: CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese) and a printable HTML
page (班次队列报表). Personal data stays masked, as on screen."""

from __future__ import annotations

import csv
import html
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any

from ui.lead.queue_text import COLUMNS, row_cells


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]], tz: tzinfo | None) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*COLUMNS, "退单原因"])
        for row in rows:
            writer.writerow([*row_cells(row, tz), row.get("returned_reason") or ""])


def write_html(path: Path, rows: Sequence[Mapping[str, Any]], tz: tzinfo | None, *, title: str, period: str,
               counts: Sequence[tuple[str, int]]) -> None:
    """A page a person prints: the title, the period, the filter counts, then every row."""
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in COLUMNS)
    body = "\n".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row_cells(r, tz)) + "</tr>" for r in rows)
    summary = "　".join(f"{e(label)} {n}" for label, n in counts)
    path.write_text(f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; font-size: 10pt; margin: 1.5cm; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 2px 4px; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
@page {{ size: A4 landscape; margin: 1cm; }}
@media print {{ body {{ margin: 0; }} tr {{ page-break-inside: avoid; }} }}
</style></head><body>
<h1>{e(title)}</h1>
<p>{e(period)}</p>
<p>{summary}</p>
<table><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table></body></html>
""", encoding="utf-8")
