"""A routing model (with a routing directory) published on the real server reaches a seat through sync and is used
only once its hashes check; a model damaged on the way or on disk is never used, and the one in use stays."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from central_server.cli import main
from operator_app.paths import resources_dir
from operator_app.routing.assistant import RoutingAssistant
from operator_app.routing.installed import DIRECTORY, installed_model_dir, installed_version
from operator_app.routing.model import RoutingModel
from operator_app.seat import Seat
from sync.embedded import DEMO_PASSWORD
from tests.integration.conftest import engine_for, start_server
from tests.model_variant import download, variant_model

CONTENT = "小区楼下烧烤店油烟很大，晚上还有噪音，影响休息"


def test_a_published_model_reaches_the_seat_and_is_used(seat: Seat, tmp_path: Path) -> None:
    db = tmp_path / "central.sqlite"
    server = start_server(f"sqlite:///{db}")
    try:
        engine = engine_for(seat, server.url)
        engine.login("1001", DEMO_PASSWORD)
        assert engine.run_once().routing_model is None  # nothing published: the shipped model stays
        model_version = variant_model(tmp_path / "model")
        shipped_directory = (resources_dir() / "city" / DIRECTORY).read_text(encoding="utf-8")
        (tmp_path / "model" / DIRECTORY).write_text(shipped_directory.replace('lead = "gjj"', 'lead = "zjj"', 1),
                                                    encoding="utf-8")  # 住房公积金 moves to another department
        version = download(tmp_path / "model")[0]
        assert main(["routing", "publish", str(tmp_path / "model"), "--db", f"sqlite:///{db}"]) == 0
        assert engine.run_once().routing_model is None  # asked less than CHECK_EVERY_S ago
        engine.routing_checked_at = None  # ten minutes later
        assert engine.run_once().routing_model == version
        engine.routing_checked_at = None
        assert engine.run_once().routing_model is None  # already current: nothing downloaded
    finally:
        server.stop()
    assert installed_version(seat.data_dir) == version
    assistant = RoutingAssistant.load(data_dir=seat.data_dir)
    assert assistant.model.version == model_version
    assert assistant.suggest(content=CONTENT, address="").model_version == model_version  # recorded with the case
    route = assistant.directory.lookup("城乡建设/住房公积金")
    assert route is not None and route.lead == "zjj"

    folder = installed_model_dir(seat.data_dir)
    assert folder is not None
    weights = sorted(folder.glob("weights_*.npy"))[0]
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))  # changed on disk after it was installed
    shipped = RoutingModel.load(resources_dir() / "routing").version
    assert RoutingAssistant.load(data_dir=seat.data_dir).model.version == shipped


def test_a_model_damaged_on_the_way_is_refused(seat: Seat, tmp_path: Path, caplog: pytest.LogCaptureFixture
                                               ) -> None:
    db = tmp_path / "central.sqlite"
    server = start_server(f"sqlite:///{db}")
    try:
        variant_model(tmp_path / "model")
        assert main(["routing", "publish", str(tmp_path / "model"), "--db", f"sqlite:///{db}"]) == 0
        with sqlite3.connect(db) as conn:  # what a broken disk or proxy would hand the seat
            name, data = conn.execute("SELECT name, data FROM routing_model_files WHERE name LIKE 'weights_%'"
                                      ).fetchone()
            conn.execute("UPDATE routing_model_files SET data = ? WHERE name = ?", (data[:-1] + b"\0", name))
        engine = engine_for(seat, server.url)
        engine.login("1001", DEMO_PASSWORD)
        with caplog.at_level(logging.WARNING, logger="sync.routing_update"):
            report = engine.run_once()
    finally:
        server.stop()
    assert report.routing_model is None
    assert "damaged on the way" in caplog.text
    assert installed_version(seat.data_dir) is None
    assert not (seat.data_dir / "routing_models").exists()  # refused before anything was written
    shipped = RoutingModel.load(resources_dir() / "routing").version
    assert RoutingAssistant.load(data_dir=seat.data_dir).model.version == shipped
