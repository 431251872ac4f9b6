"""Leaf-level routing: the leaves file's format, ranking inside the predicted branch, the blend with learned cases,
the assistant's leaf suggestions routed by their whole path, and a release with damaged leaves refused."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from contract.routing_leaves import LEAVES_FILE, Leaf, LeafFile, dump, parse
from operator_app.paths import resources_dir
from operator_app.routing.assistant import RoutingAssistant, _load_leaves
from operator_app.routing.errors import RoutingModelError
from operator_app.routing.installed import install, installed_leaves
from operator_app.routing.leaves import LEXICAL_WEIGHT, LeafIndex, branches
from operator_app.routing.record import routing_record
from semantic.codec import pack, unpack
from tests.model_variant import download

SHIPPED_LEAVES = resources_dir() / "routing" / LEAVES_FILE
DIM = 8


def unit(*weights: float) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(weights)] = weights
    return v / np.linalg.norm(v)


def small_file(**learned: tuple[int, np.ndarray]) -> LeafFile:
    paths = {"甲/一/a": unit(1), "甲/一/b": unit(0, 1), "甲/二/c": unit(0, 0, 1), "乙/三/d": unit(0, 0, 0, 1)}
    return LeafFile("enc-x", DIM, 5.0, tuple(
        Leaf(p, pack(v), learned[p][0] if p in learned else 0, pack(learned[p][1]) if p in learned else None)
        for p, v in paths.items()))


def test_the_leaves_file_round_trips_and_refuses_what_is_malformed() -> None:
    original = replace(small_file(**{"甲/一/a": (7, unit(0, 0, 0, 0, 1))}), center=pack(0.9 * unit(1, 1)))
    raw = dump(original)
    assert parse(raw) == original and dump(parse(raw)) == raw
    data = json.loads(raw)

    def broken(change) -> bytes:  # type: ignore[no-untyped-def]
        copy = json.loads(raw)
        change(copy)
        return json.dumps(copy).encode()

    short = base64.b64encode(pack(unit(1))[:-1]).decode()
    for bad in (
        b"not json", broken(lambda d: d.update(format=2)), broken(lambda d: d.update(dim=0)),
        broken(lambda d: d.update(leaves=[])), broken(lambda d: d["leaves"].append(d["leaves"][1])),
        broken(lambda d: d["leaves"][0].update(path="甲/一")), broken(lambda d: d["leaves"][1].update(text=short)),
        broken(lambda d: d["leaves"][1].update(text="***")), broken(lambda d: d["leaves"][1].update(cases=3)),
        broken(lambda d: d["leaves"][0].pop("centroid")), broken(lambda d: d["leaves"][0].update(cases=-1)),
        broken(lambda d: d.update(prior=0)), broken(lambda d: d.update(center=short)),
    ):
        with pytest.raises(ValueError):
            parse(bad)
    assert data["leaves"][0]["cases"] == 7 and "center" in data
    assert np.allclose(LeafIndex.from_file(original).center, 0.9 * unit(1, 1), atol=0.01)  # kept unnormalised


def test_leaves_are_ranked_inside_the_branches_only() -> None:
    index = LeafIndex.from_file(small_file())
    case = unit(0.2, 0.1, 0.3, 1.0)  # nearest 乙/三/d, then 甲/二/c
    assert [m.path for m in index.rank(case, {"乙"})] == ["乙/三/d"]
    assert [m.path for m in index.rank(case, {"甲"})] == ["甲/二/c", "甲/一/a", "甲/一/b"]
    assert [m.path for m in index.rank(case, {"甲", "乙"}, k=2)] == ["乙/三/d", "甲/二/c"]
    assert [m.path for m in index.rank(case, {"甲"}, known={"甲/一/a", "甲/一/b"})] == ["甲/一/a", "甲/一/b"]
    assert index.rank(case, {"丙"}) == [] and index.rank(unit(1)[:4], {"甲"}) == []
    assert index.rank(case, {"甲"})[0].score == pytest.approx(float(unit(0, 0, 1) @ case), abs=0.02)


def test_a_leaf_the_content_names_is_lifted() -> None:
    """Two leaves as near the vector as each other: the one whose name the content says comes first."""
    leaf_file = LeafFile("enc-x", DIM, 5.0, (Leaf("甲/供水/水压不足", pack(unit(1, 0.02))),
                                             Leaf("甲/供水/停水", pack(unit(1)))))
    index = LeafIndex.from_file(leaf_file)
    case = unit(1, 0.05)
    assert [m.path for m in index.rank(case, {"甲"})] == ["甲/供水/水压不足", "甲/供水/停水"]
    assert [m.path for m in index.rank(case, {"甲"}, content="家里停水两天了")] == ["甲/供水/停水", "甲/供水/水压不足"]


def test_a_learned_leaf_does_not_win_for_every_case() -> None:
    """Case vectors share a large common part; a centroid of them would be nearer every case than a path text is.
    Measured from the mean case vector (the file's center), a leaf that learned only that common part does not."""
    common = unit(0, 0, 0, 0, 0, 1)  # what every case vector has
    cases = [unit(0.6, 0, 0, 0, 0, 1), unit(0, 0.6, 0, 0, 0, 1), unit(0, 0, 0.6, 0, 0, 1)]
    mean = np.mean(cases, axis=0)
    learned = small_file(**{"甲/一/b": (30, common)})
    centred = LeafIndex.from_file(LeafFile(learned.encoder, DIM, learned.prior, learned.leaves, pack(mean)))
    assert [LeafIndex.from_file(learned).rank(v, {"甲"}, k=1)[0].path for v in cases] == ["甲/一/b"] * 3
    assert [centred.rank(v, {"甲"}, k=1)[0].path for v in cases] == ["甲/一/a", "甲/一/b", "甲/二/c"]


def test_learned_cases_pull_a_leaf_towards_what_operators_filed_under_it() -> None:
    """Cases about something the path text does not say (dimension 5) were filed under 甲/一/b: after learning, a
    new case like them ranks b first; with only the path texts it ranked a first."""
    case = unit(0.3, 0.0, 0.0, 0.0, 1.0)
    before = LeafIndex.from_file(small_file())
    after = LeafIndex.from_file(small_file(**{"甲/一/b": (20, unit(0, 0.3, 0, 0, 1))}))
    assert before.rank(case, {"甲"})[0].path == "甲/一/a"
    assert after.rank(case, {"甲"})[0].path == "甲/一/b" and after.learned_cases == 20
    few = LeafIndex.from_file(small_file(**{"甲/一/b": (1, unit(0, 0.3, 0, 0, 1))}))  # the prior outweighs one case
    assert few.rank(case, {"甲"})[0].path == "甲/一/a"


def test_the_second_branch_counts_only_when_close() -> None:
    assert branches([("甲", 0.55), ("乙", 0.30), ("丙", 0.15)]) == ["甲", "乙"]
    assert branches([("甲", 0.80), ("乙", 0.15), ("丙", 0.05)]) == ["甲"]
    assert branches([]) == []


@pytest.fixture(scope="module")
def assistant() -> RoutingAssistant:
    return RoutingAssistant.load()


def shipped_vector(path: str) -> np.ndarray:
    leaf = next(leaf for leaf in parse(SHIPPED_LEAVES.read_bytes()).leaves if leaf.path == path)
    return unpack(leaf.text)


def test_leaf_suggestions_take_the_route_of_their_whole_path(assistant: RoutingAssistant) -> None:
    """No encoder needed: the case vector is the shipped vector of 施工噪音's path. The leaf is routed by the
    directory's leaf route (城管 with 住建 helping), not the branch's (生态环境局); the record keeps what was shown."""
    assert assistant.leaves is not None and len(assistant.leaves.paths) >= 200
    content = "小区对面工地每天夜里十一点以后还在施工，噪音很大，老人睡不着觉"
    snapshot = assistant.suggest(content=content, address="东湖区幸福小区")
    assert snapshot.suggestions[0].category == "环境保护" and snapshot.leaves == ()
    assert snapshot.suggestions[0].lead_department_id == "sthjj"
    leafy = assistant.with_leaves(snapshot, shipped_vector("环境保护/噪音扰民/施工噪音"), content=content,
                                  address="东湖区幸福小区")
    first = leafy.leaves[0]
    assert first.category == "环境保护/噪音扰民/施工噪音"  # cosine 1, plus the lexical cue: the content says 施工
    vector = shipped_vector("环境保护/噪音扰民/施工噪音")  # measured from the mean case vector, + 施工 and 噪音 (not 工噪)
    assert assistant.leaves.center is not None
    expected = 1.0 - float(vector @ assistant.leaves.center) + 2 / 3 * LEXICAL_WEIGHT
    assert first.similarity == pytest.approx(expected, abs=0.01)
    assert first.similarity > leafy.leaves[1].similarity  # type: ignore[operator]
    assert first.lead_department_id == "cgj" and first.cooperating_ids == ("zjj",)
    assert first.district_id == "donghu" and first.confidence == snapshot.suggestions[0].confidence
    assert len(leafy.leaves) == 3 and all(s.category.startswith("环境保护/") for s in leafy.leaves)
    assert leafy.suggestions == snapshot.suggestions
    record = routing_record(leafy, category=first.category, lead_department="cgj", district="donghu")
    assert [x["category"] for x in record["leaves"]] == [s.category for s in leafy.leaves]
    assert record["suggestions"][0]["category"] == "环境保护" and record["overridden"] is False
    only_known = assistant.with_leaves(snapshot, shipped_vector("环境保护/噪音扰民/施工噪音"), content=content,
                                       address="", known=frozenset({"环境保护/噪音扰民/邻里噪音"}))
    assert [s.category for s in only_known.leaves] == ["环境保护/噪音扰民/邻里噪音"]


def test_nonsense_has_no_leaves_either(assistant: RoutingAssistant) -> None:
    snapshot = assistant.suggest(content="测试", address="")
    leafy = assistant.with_leaves(snapshot, shipped_vector("城乡建设/供水/停水"), content="测试", address="")
    assert leafy.suggestions == () and leafy.leaves == ()


def test_leaves_of_another_encoder_are_not_used(tmp_path: Path) -> None:
    other = tmp_path / LEAVES_FILE
    other.write_bytes(dump(small_file()))  # made by "enc-x"
    assert _load_leaves(other, tmp_path / "missing.json") is None
    shipped = _load_leaves(other, SHIPPED_LEAVES)  # the shipped ones are this desk's encoder's
    assert shipped is not None and "城乡建设/供水/停水" in shipped.paths
    broken = tmp_path / "broken.json"
    broken.write_text("{}", encoding="utf-8")
    with pytest.raises(RoutingModelError):
        LeafIndex.load(broken)


def test_a_release_with_damaged_leaves_is_refused_and_a_good_one_installs(tmp_path: Path) -> None:
    folder = tmp_path / "release"
    folder.mkdir()
    for path in (resources_dir() / "routing").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    data_dir = tmp_path / "data"
    release, files, hashes = download(folder)
    install(data_dir, release, files, hashes)
    assert installed_leaves(data_dir) is not None
    (folder / LEAVES_FILE).write_text('{"format": 1}', encoding="utf-8")
    release2, files2, hashes2 = download(folder)
    with pytest.raises(RoutingModelError, match="routing_leaves.json"):
        install(data_dir, release2, files2, hashes2)
    assert installed_leaves(data_dir) == data_dir / "routing_models" / release / LEAVES_FILE  # the good one stays


def test_real_complaints_find_their_leaf(encoder) -> None:  # type: ignore[no-untyped-def]
    """With the real encoder: the shipped leaves put the obvious leaf first for short real complaints."""
    from semantic import case_passage

    assistant = RoutingAssistant.load()
    for content, leaf in (("家里停水两天了也没人来修", "城乡建设/供水/停水"),
                          ("公司拖欠我们三个月工资一直不发", "劳动和社会保障/劳动关系/拖欠工资"),
                          ("想提取住房公积金付首付，要怎么办理", "城乡建设/住房公积金/公积金提取")):
        snapshot = assistant.suggest(content=content, address="")
        leafy = assistant.with_leaves(snapshot, encoder.passage(case_passage(content)), content=content, address="")
        assert leafy.leaves and leafy.leaves[0].category == leaf, (content, [s.category for s in leafy.leaves])
