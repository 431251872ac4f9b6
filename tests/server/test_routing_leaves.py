"""`central-server routing learn-leaves`: the leaves learn from the categories operators chose (the cases' vectors)
and reach the seats as a new routing release with the same model; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from central_server.cli import main
from central_server.db.engine import make_engine
from central_server.db.models import CaseVector
from contract.routing_leaves import LEAVES_FILE, parse
from operator_app.paths import resources_dir
from operator_app.routing.installed import install, installed_leaves
from operator_app.routing.leaves import LeafIndex
from operator_app.routing.model import RoutingModel
from semantic.codec import pack, unpack
from tests.server.api_client import Api, SeatClient
from tests.server.conftest import ServerFactory

LEAF = "城乡建设/物业管理/物业收费"
FEW = "城乡建设/物业管理/电梯运行维护"
SHIPPED = parse((resources_dir() / "routing" / LEAVES_FILE).read_bytes())


def text_vector(path: str):  # type: ignore[no-untyped-def]
    return unpack(next(leaf.text for leaf in SHIPPED.leaves if leaf.path == path))


def push_cases(seat: SeatClient, categories: list[str]) -> list[str]:
    mutations = []
    for n, category in enumerate(categories, start=1):
        mutation = seat.case_created(n)
        mutation["args"]["event"]["payload"]["fields"]["category"] = category
        mutations.append(mutation)
    resp = seat.push(mutations)
    assert resp.status_code == 200 and {r["status"] for r in resp.json()["results"]} == {"applied"}, resp.text
    return [m["args"]["case_id"] for m in mutations]


def test_leaves_learned_from_operators_choices_reach_the_seats(
    server_factory: ServerFactory, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    # Operators filed 4 cases under 物业收费 whose vectors say something its path text does not (they are the
    # text vector of 拖欠工资, nearest 公积金缴存 among 城乡建设's leaves by path text), 1 under 电梯运行维护 (too few to learn from), 1 not embedded yet.
    odd = text_vector("劳动和社会保障/劳动关系/拖欠工资")
    ids = push_cases(seat, [LEAF] * 4 + [FEW, "城乡建设/供水/停水"])
    with Session(make_engine(database_url)) as session:
        now = datetime.now(UTC)
        session.add_all(CaseVector(case_id=case_id, encoder=SHIPPED.encoder, dim=SHIPPED.dim, data=pack(odd),
                                   created_at=now) for case_id in ids[:5])
        session.commit()
    extra = push_cases(SeatClient.register(Api(seat.api.url), seat_code="S002"), [LEAF] * 3)
    with Session(make_engine(database_url)) as session:  # vectors of another encoder teach nothing
        session.add_all(CaseVector(case_id=case_id, encoder="another-encoder", dim=SHIPPED.dim,
                                   data=pack(text_vector(FEW)), created_at=now) for case_id in extra)
        session.commit()

    assert main(["routing", "learn-leaves", "--db", database_url]) == 0
    out = capsys.readouterr().out
    assert "learned from 5 cases (1 leaves with at least 3)" in out and "shipped model" in out

    body = seat.api.get("/routing/model", headers=seat.headers()).json()
    assert body["model_version"] == RoutingModel.load(resources_dir() / "routing").version  # the same model
    files = {name: seat.api.get(f"/routing/model/{body['version']}/{name}", headers=seat.headers()).content
             for name in body["files"]}
    learned_file = parse(files[LEAVES_FILE])
    assert learned_file.center == SHIPPED.center  # 5 case vectors are too few to move the mean case vector
    learned = {leaf.path: leaf for leaf in learned_file.leaves}
    assert learned[LEAF].cases == 4 and learned[LEAF].centroid is not None
    assert float(unpack(learned[LEAF].centroid) @ odd) == pytest.approx(1.0, abs=0.01)
    assert learned[FEW].cases == 0 and learned[FEW].centroid is None

    data_dir = tmp_path / "seat"
    install(data_dir, body["version"], files, body["files"])
    leaves_path = installed_leaves(data_dir)
    assert leaves_path is not None
    before, after = LeafIndex.from_file(SHIPPED), LeafIndex.load(leaves_path)
    assert before.rank(odd, {"城乡建设"}, k=1)[0].path == "城乡建设/住房公积金/公积金缴存"
    assert after.rank(odd, {"城乡建设"}, k=1)[0].path == LEAF  # learned: such cases go to 物业收费

    assert main(["routing", "learn-leaves", "--db", database_url, "--min-cases", "1"]) == 0
    assert "learned from 5 cases (2 leaves with at least 1), on the current release" in capsys.readouterr().out
    assert main(["routing", "learn-leaves", "--db", database_url, "--min-cases", "0"]) == 1
