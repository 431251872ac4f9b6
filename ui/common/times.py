"""Times the central server sends (ISO-8601 text), as a person at the desk reads them."""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import QCoreApplication


def shown_time(text: str | None, tz: tzinfo | None = None, fmt: str = "%m-%d %H:%M") -> str:
    """In `tz` (the city's zone) when given, else on the clock of the offset the time carries; '—' for none, and a
    text that is not a time as it came (it is shown, never hidden)."""
    if not text:
        return "—"
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    return (when.astimezone(tz) if tz is not None and when.tzinfo else when).strftime(fmt)


def duration_text(seconds: float | None) -> str:
    """A length of time as people say it: "45 秒", "2 分 05 秒"; 无数据 for none."""
    def tr(text: str) -> str:
        return QCoreApplication.translate("times", text)

    if seconds is None:
        return tr("无数据")
    whole = round(seconds)
    if whole < 60:
        return tr("%1 秒").replace("%1", str(whole))
    return tr("%1 分 %2 秒").replace("%1", str(whole // 60)).replace("%2", f"{whole % 60:02d}")
