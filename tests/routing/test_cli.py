"""`route --batch`, `route eval` and error messages on the command line."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from operator_app.routing import cli_ops
from operator_app.routing.directory import load_directory, load_gazetteer

from .helpers import FIXTURES, SHIPPED_MODEL

needs_model = pytest.mark.skipif(not (SHIPPED_MODEL / "manifest.json").is_file(), reason="no shipped model")


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="operator-app")
    cli_ops.register(parser.add_subparsers())
    return parser.parse_args(["route", *argv])


@needs_model
def test_batch_reports_bad_lines_and_processes_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": 1, "title": "学校违规补课收费", "address": "A7县"}, ensure_ascii=False),
        "{not json",
        json.dumps({"title": "没有编号"}, ensure_ascii=False),
        "",
        json.dumps({"id": "x", "title": 5}),
        json.dumps(["a list"]),
        json.dumps({"id": "e", "title": "", "body": "!!!"}),
        json.dumps({"id": "b", "body": "小区物业乱收停车费", "address": None}, ensure_ascii=False),
    ]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = parse(
        "--batch",
        str(batch),
        "--directory",
        str(FIXTURES / "routing_directory.toml"),
        "--districts",
        str(FIXTURES / "districts.toml"),
    )
    assert args.func(args) == 1
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    assert [o["id"] for o in out] == [1, "e", "b"]
    first = out[0]["suggestions"]
    assert len(first) == 3 and first[0] == {
        **first[0],
        "category": "教育文体",
        "department": "jyj",
        "district": "a7",
    }
    assert out[1]["suggestions"] == [] and out[0]["elapsed_ms"] >= 0
    for number in (2, 3, 5, 6):
        assert f"line {number}:" in captured.err
    assert "line 4" not in captured.err and "4 line(s) could not be read" in captured.err


@needs_model
def test_run_batch_directly() -> None:
    model = __import__("operator_app.routing.model", fromlist=["x"]).RoutingModel.load(SHIPPED_MODEL)
    out, err = io.StringIO(), io.StringIO()
    path = FIXTURES / "batch_ok.jsonl"
    code = cli_ops.run_batch(
        path,
        model,
        load_directory(FIXTURES / "routing_directory.toml"),
        load_gazetteer(FIXTURES / "districts.toml"),
        out=out,
        err=err,
    )
    assert code == 0 and err.getvalue() == ""
    assert len(out.getvalue().splitlines()) == 2


def test_plain_errors_for_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = parse("--batch", str(tmp_path / "none.jsonl"), "--model", str(tmp_path / "no-model"))
    assert args.func(args) == 1
    assert "Error: No routing model" in capsys.readouterr().err
    args = parse("eval", "--data", str(tmp_path / "none.csv"), "--model", str(tmp_path / "no-model"))
    assert args.func(args) == 1


@needs_model
def test_missing_batch_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = parse("--batch", str(tmp_path / "none.jsonl"))
    assert args.func(args) == 1
    assert "does not exist" in capsys.readouterr().err


def test_route_without_a_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse()
    assert args.func(args) == 2
    assert "--batch" in capsys.readouterr().err


@needs_model
def test_eval_on_a_small_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "small.csv"
    data.write_text(
        "id,title,body,label\n1,学校违规补课收费,,教育文体\n2,,小区物业乱收停车费,城乡建设\n"
        "3,拖欠农民工工资,,劳动和社会保障\n",
        encoding="utf-8",
    )
    args = parse("eval", "--data", str(data), "--json")
    assert args.func(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 3 and result["top3"] == 1.0
    assert set(result["per_class"]) >= {"教育文体", "城乡建设"}
    assert len(result["confusion"]["matrix"]) == 7


@needs_model
def test_batch_and_eval_use_the_release_the_seat_received(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from operator_app.paths import resources_dir
    from operator_app.routing.installed import DIRECTORY, install
    from tests.model_variant import download, variant_model

    folder = tmp_path / "release"
    version = variant_model(folder)
    shipped = (resources_dir() / "city" / DIRECTORY).read_text(encoding="utf-8")
    moved = shipped.replace('category = "城乡建设"\nlead = "zjj"', 'category = "城乡建设"\nlead = "cgj"', 1)
    assert moved != shipped
    (folder / DIRECTORY).write_text(moved, encoding="utf-8")
    seat = tmp_path / "seat"
    install(seat, *download(folder))
    batch = tmp_path / "in.jsonl"
    batch.write_text(json.dumps({"id": 1, "body": "小区物业乱收停车费"}, ensure_ascii=False) + "\n", encoding="utf-8")

    def first_department(*extra: str) -> str:
        args = parse("--batch", str(batch), *extra)
        args.data_dir = str(seat)
        assert args.func(args) == 0
        return str(json.loads(capsys.readouterr().out)["suggestions"][0]["department"])

    assert first_department() == "cgj"  # the received directory
    assert first_department("--directory", str(resources_dir() / "city" / DIRECTORY)) == "zjj"  # as told
    data = tmp_path / "small.csv"
    data.write_text("id,title,body,label\n1,,小区物业乱收停车费,城乡建设\n", encoding="utf-8")
    args = parse("eval", "--data", str(data), "--json")
    args.data_dir = str(seat)
    assert args.func(args) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["model_version"] == version  # not the shipped model's
    assert "using the routing model the central server sent" in captured.err
