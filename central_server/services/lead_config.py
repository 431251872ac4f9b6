"""The team lead's workbench settings from resources/lead/: shift windows (shifts.toml) and queue thresholds
(queue.toml). A broken file is a CityConfigError naming the file and the problem."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from central_server.core.city import CityConfigError


@dataclass(frozen=True)
class ShiftWindow:
    name: str
    start: time
    end_minutes: int  # minutes after the start day's midnight; past 1440 when the shift crosses midnight

    def on(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """This shift's start and end on `day` (the day it starts), city time."""
        start = datetime.combine(day, self.start, tzinfo=tz)
        midnight = datetime.combine(day, time(0), tzinfo=tz)
        return start, midnight + timedelta(minutes=self.end_minutes)


@dataclass(frozen=True)
class QueueSettings:
    low_confidence_below: float
    due_soon_minutes: int
    repeat_days: int
    max_rows: int


@dataclass(frozen=True)
class LeadSettings:
    shifts: tuple[ShiftWindow, ...]
    queue: QueueSettings


@dataclass(frozen=True)
class CurrentShift:
    name: str
    start: datetime
    end: datetime


def _read(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CityConfigError(f"{path} cannot be read: {exc}") from exc


def _minutes(text: object, path: Path, where: str) -> int:
    try:
        hours, minutes = str(text).split(":")
        value = int(hours) * 60 + int(minutes)
        if not (0 <= int(minutes) < 60 and 0 <= value <= 24 * 60):
            raise ValueError(text)
    except ValueError:
        raise CityConfigError(f"{path}: {where} must be a time HH:MM between 00:00 and 24:00") from None
    return value


def _shifts(path: Path) -> tuple[ShiftWindow, ...]:
    raw = _read(path).get("shift")
    if not isinstance(raw, list) or not raw:
        raise CityConfigError(f"{path}: no [[shift]] tables")
    shifts = []
    for i, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not str(entry.get("name", "")).strip():
            raise CityConfigError(f"{path}: shift {i} needs a name")
        start = _minutes(entry.get("start"), path, f"shift {i} start")
        end = _minutes(entry.get("end"), path, f"shift {i} end")
        if start == 24 * 60:
            raise CityConfigError(f"{path}: shift {i} cannot start at 24:00")
        if end <= start:  # crosses midnight
            end += 24 * 60
        shifts.append(ShiftWindow(str(entry["name"]).strip(), time(start // 60, start % 60), end))
    return tuple(shifts)


def _queue(path: Path) -> QueueSettings:
    raw = _read(path)
    try:
        settings = QueueSettings(
            low_confidence_below=float(raw.get("low_confidence_below", 0.5)),  # type: ignore[arg-type]
            due_soon_minutes=int(raw.get("due_soon_minutes", 60)),  # type: ignore[call-overload]
            repeat_days=int(raw.get("repeat_days", 30)),  # type: ignore[call-overload]
            max_rows=int(raw.get("max_rows", 20000)),  # type: ignore[call-overload]
        )
    except (TypeError, ValueError) as exc:
        raise CityConfigError(f"{path}: every threshold is a number ({exc})") from exc
    if not (0 <= settings.low_confidence_below <= 1) or settings.due_soon_minutes < 1 \
            or settings.repeat_days < 1 or settings.max_rows < 1:
        raise CityConfigError(f"{path}: a threshold is out of range")
    return settings


@lru_cache(maxsize=8)
def load_lead_settings(resources: Path) -> LeadSettings:
    folder = resources / "lead"
    return LeadSettings(_shifts(folder / "shifts.toml"), _queue(folder / "queue.toml"))


def current_shift(shifts: tuple[ShiftWindow, ...], now: datetime, tz: ZoneInfo) -> CurrentShift:
    """The shift `now` falls in (a shift crossing midnight belongs to the day it starts); outside every window, the
    calendar day itself (so the queue still shows something sensible)."""
    local = now.astimezone(tz)
    for day in (local.date(), local.date() - timedelta(days=1)):
        for shift in shifts:
            start, end = shift.on(day, tz)
            if start <= local < end:
                return CurrentShift(shift.name, start, end)
    start = datetime.combine(local.date(), time(0), tzinfo=tz)
    return CurrentShift("全天", start, start + timedelta(days=1))
