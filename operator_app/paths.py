"""Where the app keeps its data and finds its resources."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "operator-desk"
DATA_DIR_ENV = "OPERATOR_APP_DATA_DIR"
RESOURCES_ENV = "OPERATOR_APP_RESOURCES"


def resources_dir() -> Path:
    """The resources/ folder: $OPERATOR_APP_RESOURCES, else the one beside the packages."""
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "resources"


def data_dir(explicit: str | os.PathLike[str] | None = None, *, create: bool = True) -> Path:
    """The seat's data directory: --data-dir, else $OPERATOR_APP_DATA_DIR, else the platform's user data dir
    (made unless `create` is False, for a command that only reads what a seat may have there)."""
    if explicit:
        path = Path(explicit)
    elif os.environ.get(DATA_DIR_ENV):
        path = Path(os.environ[DATA_DIR_ENV])
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path
