"""Deadlines from the city's per-category rules (接诉即办: respond in 1 hour, finish in 24 by default), the same for
the seat that accepts a case and the central server that builds demo cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from contract.city.model import DeadlineRule, DeadlineRules


@dataclass(frozen=True)
class Deadlines:
    respond_by: datetime
    finish_by: datetime
    rule: DeadlineRule


def pick_rule(rules: DeadlineRules, *, category: str, urgency: str) -> DeadlineRule:
    """The most specific rule whose category is a prefix of the case's; exact urgency beats 'any'."""
    best: DeadlineRule | None = None
    best_key = (-1, -1)
    for rule in rules.rules:
        if category != rule.category and not category.startswith(rule.category + "/"):
            continue
        if rule.urgency not in (urgency, "any"):
            continue
        key = (rule.category.count("/") + 1, 1 if rule.urgency == urgency else 0)
        if key > best_key:
            best, best_key = rule, key
    if best is not None:
        return best
    return rules.urgent_default if urgency == "urgent" else rules.default


def compute_deadlines(rules: DeadlineRules, *, category: str, urgency: str, accepted_at: datetime) -> Deadlines:
    """Respond-by and finish-by times counted from the moment the case was accepted."""
    rule = pick_rule(rules, category=category, urgency=urgency)
    return Deadlines(
        respond_by=accepted_at + timedelta(hours=rule.respond_hours),
        finish_by=accepted_at + timedelta(hours=rule.finish_hours),
        rule=rule,
    )
