from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contract.city.model import City
from operator_app.domain.deadlines import compute_deadlines, pick_rule

AT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_default_follows_jiesu_jiban(city: City) -> None:
    ruled = {r.category for r in city.deadline_rules.rules}
    leaf = next(leaf for leaf in city.categories.leaves if not any(leaf.startswith(r) for r in ruled))
    dl = compute_deadlines(city.deadline_rules, category=leaf, urgency="normal", accepted_at=AT)
    assert dl.respond_by - AT == timedelta(hours=1)
    assert dl.finish_by - AT == timedelta(hours=24)
    urgent = compute_deadlines(city.deadline_rules, category=leaf, urgency="urgent", accepted_at=AT)
    assert urgent.rule == city.deadline_rules.urgent_default


def test_most_specific_rule_wins(city: City) -> None:
    for rule in city.deadline_rules.rules:
        leaf = next(leaf for leaf in city.categories.leaves if leaf == rule.category or
                    leaf.startswith(rule.category + "/"))
        urgency = "urgent" if rule.urgency == "urgent" else "normal"
        chosen = pick_rule(city.deadline_rules, category=leaf, urgency=urgency)
        assert chosen.category.count("/") >= rule.category.count("/") or chosen == rule
        dl = compute_deadlines(city.deadline_rules, category=leaf, urgency=urgency, accepted_at=AT)
        assert dl.finish_by - AT == timedelta(hours=chosen.finish_hours)
