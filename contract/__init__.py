"""What the seat and the central server must agree on: the wire protocol, the case fields and their validation,
the city's configuration, statuses, event kinds and roles.

A leaf package: it imports nothing of ours (tests/layers enforces it), so both sides can use it unchanged.
"""
