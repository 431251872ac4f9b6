"""Run Alembic migrations on the seat store (imported lazily: Alembic costs start-up time)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from operator_app.errors import StoreError
from operator_app.store.encryption import keyed_engine, unlock
from operator_app.store.keys import DbKey, Purpose

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The head revision according to the migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade_to_head(path: Path, current: str | None, key: DbKey | None = None) -> None:
    """Upgrade the file at path (made, and its key, when it does not exist); refuse a store made by a newer
    version of the app. Alembic runs on a keyed SQLCipher connection."""
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(f"the local store {path} was made by a newer version of the app (schema {current})")
    engine = keyed_engine(path, key or unlock(path, Purpose.SEAT_STORE))
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
