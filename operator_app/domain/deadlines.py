"""Deadlines live in the contract (contract/deadlines.py), shared with the central server's demo shift."""

from contract.deadlines import Deadlines, compute_deadlines, pick_rule

__all__ = ["Deadlines", "compute_deadlines", "pick_rule"]
