"""Pinyin initials of titles from the generated table: the readings people expect, the same as pypinyin gives, and a
table that matches what the generator makes from the installed pypinyin."""

from __future__ import annotations

import importlib.util
import json

import pytest
from kb_helpers import DEMO, ROOT

from knowledge_base.pinyin_keys import TABLE, title_initials
from knowledge_base.text import normalize


@pytest.mark.parametrize("title, initials", [
    ("医保报销", "ybbx"), ("银行卡挂失", "yhkgs"), ("重庆", "cq"), ("长期护理保险", "cqhlbx"), ("行长", "hz"),
    ("人行道占用", "rxdzy"), ("12345热线", "12345rx"), ("Wi-Fi 覆盖", "wififg"), ("", ""),
])
def test_titles_get_the_initials_people_type(title: str, initials: str) -> None:
    assert title_initials(normalize(title)) == initials


def test_the_table_gives_what_pypinyin_gives_for_the_demo_titles() -> None:
    pypinyin = pytest.importorskip("pypinyin")

    def reference(norm: str) -> str:
        syllables = pypinyin.lazy_pinyin(norm, style=pypinyin.Style.FIRST_LETTER, errors=lambda s: s)
        return "".join(ch.lower() for s in syllables for ch in s if ch.isascii() and ch.isalnum())

    titles = [json.loads(line)["title"] for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(titles) >= 50
    assert [title_initials(normalize(t)) for t in titles] == [reference(normalize(t)) for t in titles]


def test_the_table_is_what_the_generator_makes_from_the_installed_pypinyin() -> None:
    pytest.importorskip("pypinyin")
    spec = importlib.util.spec_from_file_location("build_pinyin_initials", ROOT / "scripts" / "build_pinyin_initials.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert TABLE.read_text(encoding="utf-8") == module.build(), "run scripts/build_pinyin_initials.py"
