"""PySide6 widgets, item models and workers: the only package that imports Qt."""
