"""12345 Operator Desk core: domain, local store and services. Never imports Qt."""

__version__ = "0.1.0"
