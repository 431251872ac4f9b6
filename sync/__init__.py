"""Seat ↔ central server sync: wire protocol, outbox push and pull (issue 3). Never imports Qt."""
