"""Logging to a rotating file in the data directory. Log ids and numbers, never names, phones or addresses."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path


def setup_logging(data_dir: Path, *, level: int = logging.INFO) -> Path:
    """Send the app's log records to data_dir/logs/operator-app.log (5 files × 2 MB)."""
    folder = data_dir / "logs"
    folder.mkdir(mode=0o700, exist_ok=True)
    folder.chmod(0o700)  # only this OS account reads the logs (ids and numbers, but still the seat's activity)
    path = folder / "operator-app.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(level)
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    return path
