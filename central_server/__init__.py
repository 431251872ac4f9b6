"""The reference central server for 12345 Operator Desk seats (FastAPI + SQLAlchemy). Never imports Qt."""

__version__ = "0.1.0"
