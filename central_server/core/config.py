"""Server settings from CENTRAL_SERVER_* environment variables and an optional dotenv-style settings file."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SETTINGS_FILE_ENV = "CENTRAL_SERVER_SETTINGS_FILE"
DEFAULT_DATABASE_URL = "sqlite:///central_server.sqlite"


class Settings(BaseSettings):
    """Everything the server reads at start; tests build one directly with keyword arguments."""

    model_config = SettingsConfigDict(env_prefix="CENTRAL_SERVER_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # SQLite only: 64 hex digits (a raw 32-byte key) make the database an SQLCipher file encrypted with it (the
    # seat's embedded server passes its key from the seat's keyring). PostgreSQL ignores it.
    sqlite_key: SecretStr | None = None
    # None: a random key is made in memory at start (tokens then die with the process). Never written to disk.
    secret_key: SecretStr | None = None
    access_token_minutes: float = Field(default=15, ge=0)
    refresh_token_hours: float = Field(default=12, ge=0)
    max_body_bytes: int = Field(default=2_000_000, ge=1024)
    resources_dir: Path | None = None  # the city's resources/ folder; default: the one beside the packages
    access_log: bool = True
    # Sync calls trust a user's and a seat's database check this long (central_server/core/recent_checks.py).
    # Longer than the seats' sync interval (5 s), or the check would be redone on nearly every call.
    auth_recheck_seconds: float = Field(default=30.0, ge=0, le=300)
    # PostgreSQL connections each server process keeps; the sync endpoints run on as many worker threads, so
    # they never wait for a connection nor open and close overflow connections under load.
    db_pool_size: int = Field(default=16, ge=1, le=200)
    # An idle HTTP connection is kept this long. Seats sync every few seconds on one connection: a timeout near
    # their interval closes connections just as a seat sends on them (the seat sees a reset and retries).
    keep_alive_seconds: float = Field(default=75.0, ge=1, le=3600)
    # Password guessing (services/throttle.py): this many failed logins for one user name, or from one client
    # address (several operators may share one), lock that name or address out for `login_lockout_seconds`,
    # doubled at each further failure up to `login_lockout_max_seconds`.
    login_max_failures: int = Field(default=5, ge=1, le=1000)
    login_address_max_failures: int = Field(default=20, ge=1, le=100_000)
    login_lockout_seconds: float = Field(default=30.0, ge=0.1, le=3600)
    login_lockout_max_seconds: float = Field(default=900.0, ge=0.1, le=86_400)
    # A claim on a channel message (网络渠道) lapses after this long, so a seat that died does not hold it.
    intake_claim_minutes: float = Field(default=15.0, gt=0, le=24 * 60)
    # The background embedder (services/vector_worker.py): sentence vectors for new cases and for article versions
    # that have none. It runs only where the encoder can (semantic/; OPERATOR_DESK_ENCODER=off turns the encoder
    # off altogether); false turns the worker off while articles are still embedded when they are saved.
    vector_worker: bool = True
    # How often the idle worker looks at the change counter (one row) for new cases or articles to embed.
    vector_poll_seconds: float = Field(default=2.0, ge=0.05, le=3600)
    # Texts the worker encodes between two writes (each ~0.1-0.5 s on one core).
    vector_batch: int = Field(default=8, ge=1, le=500)
    # The worker loads the encoder and starts embedding this long after the server started, so it does not compete
    # with the start of the process (the seat's desk, when the server is its embedded default).
    vector_start_delay_seconds: float = Field(default=10.0, ge=0, le=3600)


def load_settings(settings_file: str | os.PathLike[str] | None = None, **overrides: object) -> Settings:
    """Settings from the environment, then the file (--settings or $CENTRAL_SERVER_SETTINGS_FILE), then overrides."""
    path = settings_file or os.environ.get(SETTINGS_FILE_ENV)
    if path and not Path(path).is_file():
        raise FileNotFoundError(f"settings file not found: {path}")
    clean: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    return Settings(_env_file=path, **clean) if path else Settings(**clean)  # type: ignore[call-arg]


def settings_environment(settings: Settings) -> dict[str, str]:
    """The CENTRAL_SERVER_* variables that make `load_settings()` in another process give these settings."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"CENTRAL_SERVER_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def with_secret(settings: Settings) -> Settings:
    """A copy that surely has a secret key: a random one, held only in memory, when none is configured."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings
    return settings.model_copy(update={"secret_key": SecretStr(secrets.token_urlsafe(48))})


def resources_dir(settings: Settings) -> Path:
    """The resources/ folder holding city/*.toml."""
    if settings.resources_dir is not None:
        return settings.resources_dir
    override = os.environ.get("OPERATOR_APP_RESOURCES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"
