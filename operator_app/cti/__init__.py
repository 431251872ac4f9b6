"""The telephony adapter (CTI): call events from the switch reach the desk as plain JSON over local HTTP.

docs/ARCHITECTURE.md "Telephony adapter (CTI)" documents the interface. No Qt here: the desk passes a callback
that hands each event to its own thread.
"""
