"""An operator's override of the routing suggestion reaches the real server with the model version."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text

from contract.city.model import City
from operator_app.routing.assistant import RoutingAssistant
from operator_app.seat import Seat
from operator_app.services.intake import submit_case
from sync.embedded import DEMO_PASSWORD
from tests.core.helpers import dispatch_form
from tests.integration.conftest import engine_for, start_server


def test_override_is_recorded_and_synced(seat: Seat, city: City, tmp_path: Path) -> None:
    db = tmp_path / "central.sqlite"
    server = start_server(f"sqlite:///{db}")
    try:
        assistant = RoutingAssistant.load()
        content = "小区楼下烧烤店油烟很大，晚上还有噪音，影响休息"
        snapshot = assistant.suggest(content=content, address="")
        suggested = snapshot.suggestions[0]
        other_top = next(t for t in city.categories.top_level() if t != suggested.category)
        leaf = next(x for x in city.categories.leaves if x.startswith(other_top + "/"))
        overridden = submit_case(seat.store, city, operator_id="1001", routing=snapshot,
                                 form=dispatch_form(city, content=content, category=leaf))
        lead = city.departments[suggested.lead_department_id or ""].name
        same_leaf = next(x for x in city.categories.leaves if x.startswith(suggested.category + "/"))
        accepted = submit_case(seat.store, city, operator_id="1001", routing=snapshot,
                               form=dispatch_form(city, content=content, category=same_leaf, lead_department=lead))
        engine = engine_for(seat, server.url)
        engine.login("1001", DEMO_PASSWORD)
        assert engine.run_once().acked == 2
    finally:
        server.stop()
    engine_db = create_engine(f"sqlite:///{db}")
    with engine_db.connect() as conn:
        rows = conn.execute(text("SELECT c.number, e.payload FROM case_events e JOIN cases c ON c.id = e.case_id "
                                 "WHERE e.kind = 'created'")).all()
    engine_db.dispose()
    routing = {number: json.loads(payload)["routing"] for number, payload in rows}
    assert routing[overridden.number]["overridden"] is True
    assert routing[overridden.number]["chosen"]["category"] == leaf
    assert routing[overridden.number]["suggestions"][0]["category"] == suggested.category
    assert routing[accepted.number]["overridden"] is False
    assert {r["model_version"] for r in routing.values()} == {assistant.model.version}
