"""A text that says nothing ("测试", greetings, digits, punctuation, filler) gets no routing suggestion at all,
with or without the sentence encoder, while real complaints, however short, still get one."""

from __future__ import annotations

import csv

import pytest

from operator_app.routing.assistant import RoutingAssistant
from operator_app.routing.gate import says_something

from .helpers import DEV_CSV, SHIPPED_MODEL

NONSENSE = [
    "", "   ", "测试", "测试测试", "测试一下", "这是一个测试", "试一下", "111测试", "123", "12345", "啊啊啊",
    "。。。！", "？？", "你好", "您好，在吗", "喂喂喂", "好的", "谢谢", "哈哈哈哈", "嗯嗯", "不知道", "test",
    "hello", "asdf", "测试，谢谢！",
]
REAL = [
    "欠薪", "停水", "停电了", "小区停水", "噪音扰民", "路灯不亮", "公积金提取", "拖欠工资", "学校乱收费",
    "房屋漏水", "社保转移", "油烟扰民", "你好，我家小区停水了", "喂，我要反映工地夜间施工噪音",
]

pytestmark = pytest.mark.skipif(not (SHIPPED_MODEL / "manifest.json").is_file(), reason="no shipped model")


@pytest.fixture(scope="module")
def assistant() -> RoutingAssistant:
    return RoutingAssistant.load()


@pytest.mark.parametrize("text", NONSENSE)
def test_nonsense_gets_no_suggestion(assistant: RoutingAssistant, text: str) -> None:
    snapshot = assistant.suggest(content=text, address="")
    assert snapshot.suggestions == ()
    assert assistant.model.predict(text, "") == [] and assistant.model.predict("", text) == []


@pytest.mark.parametrize("text", REAL)
def test_real_short_complaints_still_get_suggestions(assistant: RoutingAssistant, text: str) -> None:
    snapshot = assistant.suggest(content=text, address="")
    assert len(snapshot.suggestions) == 3
    assert snapshot.suggestions[0].confidence > 0.5


@pytest.mark.skipif(not DEV_CSV.is_file(), reason="no shared routing data (../shared/data)")
def test_real_messages_pass_the_gate() -> None:
    """The gate never silences a real message: every title and every body of the labelled data says something
    (a few rows hold only a number or a placeholder; at most one in a thousand may be gated)."""
    with DEV_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = [t for r in rows for t in ((r["title"] or "").strip(), (r["body"] or "").strip()) if t]
    gated = sum(1 for t in texts if not says_something(t))
    assert gated <= len(texts) / 1000, gated
