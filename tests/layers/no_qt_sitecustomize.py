"""Installed as sitecustomize in a child interpreter: any import of PySide6 or shiboken6 fails."""

import sys
from importlib.abc import MetaPathFinder


class _NoQt(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name.split(".")[0] in ("PySide6", "shiboken6"):
            raise ImportError(f"{name} is blocked: core packages must not import Qt")
        return None


sys.meta_path.insert(0, _NoQt())
