"""Times the central server sends (ISO-8601 text), as a person at the desk reads them."""

from __future__ import annotations

from datetime import datetime, tzinfo


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
