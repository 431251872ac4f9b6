"""The callback settings from resources/callbacks.toml; a broken file is a CityConfigError naming the problem."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from central_server.core.city import CityConfigError


@dataclass(frozen=True)
class CallbackSettings:
    delay: timedelta  # from 办结 to the callback being due
    attempts: int  # unreachable attempts before the result is final
    retry_after: timedelta  # an unreachable case's wait before it is due again
    claim_for: timedelta  # how long one operator's claim holds


@lru_cache(maxsize=8)
def load_callback_settings(resources: Path) -> CallbackSettings:
    path = resources / "callbacks.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        settings = CallbackSettings(
            delay=timedelta(hours=float(raw.get("delay_hours", 2))),
            attempts=int(raw.get("attempts", 3)),
            retry_after=timedelta(minutes=float(raw.get("retry_after_minutes", 60))),
            claim_for=timedelta(minutes=float(raw.get("claim_minutes", 10))),
        )
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CityConfigError(f"{path} cannot be read: {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise CityConfigError(f"{path}: every setting is a number ({exc})") from exc
    if settings.delay < timedelta(0) or settings.attempts < 1 or settings.retry_after < timedelta(0) \
            or settings.claim_for <= timedelta(0):
        raise CityConfigError(f"{path}: a setting is out of range (attempts ≥ 1, claim_minutes > 0, none negative)")
    return settings


def packaged_settings() -> CallbackSettings:
    """The settings beside the packages (resources/callbacks.toml), for callers without a server's Settings."""
    return load_callback_settings(Path(__file__).resolve().parents[2] / "resources")
