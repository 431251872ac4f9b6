"""`operator-app case new/list` and `outbox` use the same services as the form."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contract.city.model import City
from contract.roles import Role
from operator_app.cli import main
from tests.conftest import fresh_seat_dir
from tests.core.helpers import dispatch_form


@pytest.fixture
def data_dir(tmp_path: Path, migrated_db: Path) -> str:
    return str(fresh_seat_dir(migrated_db, tmp_path / "d"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_case_new_prints_number_then_list_and_outbox(tmp_path: Path, data_dir: str, city: City,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(dispatch_form(city).to_dict(), ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(case), "--operator", "1001")
    assert code == 0 and out.strip().endswith("-0001")
    number = out.strip()
    code, out, _ = run(capsys, "--data-dir", data_dir, "case", "list", "--json")
    rows = json.loads(out)
    assert [r["number"] for r in rows] == [number] and rows[0]["phone"] == "138****8000"
    code, out, _ = run(capsys, "--data-dir", data_dir, "outbox", "--json")
    summary = json.loads(out)
    assert summary["pending"] == 1 and summary["rejected"] == 0 and summary["oldest_pending_at"]


def test_case_new_validation_errors_exit_2_and_save_nothing(tmp_path: Path, data_dir: str, city: City,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "bad.json"
    case.write_text(json.dumps(dispatch_form(city, phone="12", content="").to_dict()), encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(case), "--operator", "1001")
    assert code == 2 and out == ""
    assert "error: phone (来电号码): not a phone number" in err and "error: content (诉求内容): required" in err
    assert json.loads(run(capsys, "--data-dir", data_dir, "outbox", "--json")[1])["pending"] == 0


@pytest.mark.parametrize(("content", "expected"), [
    ("{not json", "is not valid JSON (line 1"),
    ("[1, 2]", "error: form (工单): the case must be one JSON object"),
])
def test_case_new_bad_files(tmp_path: Path, data_dir: str, content: str, expected: str,
                            capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "c.json"
    case.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(case), "--operator", "1001")
    assert code != 0 and expected in err


def test_case_new_missing_file_and_unknown_operator(tmp_path: Path, data_dir: str, city: City,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(tmp_path / "nope.json"),
                       "--operator", "1001")
    assert code == 1 and "cannot read" in err
    case = tmp_path / "case.json"
    case.write_text(json.dumps(dispatch_form(city).to_dict()), encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(case), "--operator", "0000")
    assert code == 1 and "roster" in err


def test_data_dir_from_environment(tmp_path: Path, migrated_db: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = fresh_seat_dir(migrated_db, tmp_path / "env")
    monkeypatch.setenv("OPERATOR_APP_DATA_DIR", str(folder))
    code, out, _ = run(capsys, "outbox", "--json")
    assert code == 0 and json.loads(out)["pending"] == 0
    assert (folder / "seat.sqlite").exists()


@pytest.mark.parametrize(("content", "expected"), [
    ("{not json", "is not valid JSON (line 1"),
    ("[" * 100_000, "nested too deeply"),
    ('{"content": ' + "[" * 5_000 + "]" * 5_000 + "}", "nested too deeply"),
    (b"\xff\xfe{}", "is not UTF-8 text"),
])
def test_case_new_broken_json_exits_2_in_plain_words(tmp_path: Path, data_dir: str, content: str | bytes,
                                                     expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "c.json"
    case.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, out, err = run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(case), "--operator", "1001")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and expected in err and "Error" not in err
    assert json.loads(run(capsys, "--data-dir", data_dir, "outbox", "--json")[1])["pending"] == 0


def test_outbox_prints_city_time_and_json_keeps_the_offset(tmp_path: Path, data_dir: str, city: City,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(dispatch_form(city).to_dict(), ensure_ascii=False), encoding="utf-8")
    assert run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(case), "--operator", "1001")[0] == 0
    code, out, _ = run(capsys, "--data-dir", data_dir, "outbox", "--json")
    oldest = datetime.fromisoformat(json.loads(out)["oldest_pending_at"])
    assert oldest.utcoffset() is not None
    local = oldest.astimezone(ZoneInfo(city.timezone))
    code, out, _ = run(capsys, "--data-dir", data_dir, "outbox")
    assert code == 0
    assert f"oldest pending: {local.isoformat(sep=' ', timespec='seconds')} ({city.timezone})" in out


SUBJECT = re.compile(r"^error: [ -~]+?: ")  # every error line: an English subject, then the reason


def test_an_operator_who_may_not_take_calls_is_told_in_english(tmp_path: Path, data_dir: str, city: City,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    trainer = next(op for op in city.roster.values() if op.role == Role.TRAINER.value)
    case = tmp_path / "case.json"
    case.write_text(json.dumps(dispatch_form(city).to_dict(), ensure_ascii=False), encoding="utf-8")
    for operator, words in ((trainer.id, "may not take calls"), ("0000", "not in the city's roster")):
        code, out, err = run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(case), "--operator",
                             operator)
        assert code == 1 and out == ""
        assert err.isascii() and err.startswith("error: operator: ") and words in err, err
    assert json.loads(run(capsys, "--data-dir", data_dir, "outbox", "--json")[1])["pending"] == 0


def test_validation_errors_are_plain_english_naming_each_field_and_its_label(
        tmp_path: Path, data_dir: str, city: City, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "bad.json"
    form = dispatch_form(city, phone="", content="", urgency="urgent", caller_name="x" * 31).to_dict()
    form["channel"] = "fax"
    case.write_text(json.dumps(form), encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(case), "--operator", "1001")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "error: caller_name (来电人姓名): too long: at most 30 characters",
        'error: phone (来电号码): required: give the caller\'s number, or set phone_kind to "none"',
        "error: channel (来源渠道): not one of: phone, wechat, app, web (or their Chinese labels)",
        "error: content (诉求内容): required",
        "error: urgency_reason (紧急原因): required",
    ]
    assert json.loads(run(capsys, "--data-dir", data_dir, "outbox", "--json")[1])["pending"] == 0


def test_wrong_types_and_unknown_fields_are_named_in_english(tmp_path: Path, data_dir: str, city: City,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "bad.json"
    form = dispatch_form(city).to_dict()
    form.update(anonymous="yes", special_needs="elderly", colour="red", phone_kind="mobile")
    case.write_text(json.dumps(form), encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(case), "--operator", "1001")
    assert code == 2 and sorted(err.splitlines()) == [
        "error: anonymous (匿名): wrong type: must be true or false",
        "error: colour: unknown field",
        "error: special_needs (特殊需求): wrong type: must be a list of text",
    ]
    form = {k: v for k, v in form.items() if k not in ("anonymous", "special_needs", "colour")}
    case.write_text(json.dumps(form), encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", data_dir, "case", "new", "--json", str(case), "--operator", "1001")
    assert code == 2 and err == "error: phone_kind (号码类型): not one of: number, none (or their Chinese labels)\n"


def test_a_store_whose_key_is_lost_is_named_in_english(tmp_path: Path, data_dir: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from operator_app.store.keys import KEY_REF_FILE

    (Path(data_dir) / KEY_REF_FILE).write_text("not a key reference", encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", data_dir, "outbox")
    assert code != 0 and out == ""
    assert SUBJECT.match(err) and err.startswith("error: local store: "), err


@pytest.mark.parametrize(("error", "expected"), [
    (("auth", "工号或密码错误", "invalid_credentials"), "error: central server: wrong work number or password"),
    (("auth", "登录已过期：请重新登录", ""), "error: central server: not logged in, or the login has expired"),
    (("rejected", "登录失败次数过多，请 30 秒后再试", "too_many_attempts"), "error: central server: too many failed"),
    (("network", "cannot reach the central server: ConnectionError", ""),
     "error: central server: cannot reach the central server: ConnectionError"),
])
def test_sync_errors_worded_for_the_desk_are_printed_in_english(
        data_dir: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        error: tuple[str, str, str], expected: str) -> None:
    import operator_app.cli_sync
    from operator_app.errors import SyncError, SyncErrorKind

    kind, message, code_ = error

    def failing_sync(seat: object, args: object) -> int:  # what the sync engine raises for these server answers
        raise SyncError(SyncErrorKind(kind), message, code=code_)

    monkeypatch.setattr(operator_app.cli_sync, "sync_once", failing_sync)
    code, out, err = run(capsys, "--data-dir", data_dir, "sync", "--once", "--operator", "1001")
    assert code == 1 and out == "" and err.isascii() and err.startswith(expected), err
