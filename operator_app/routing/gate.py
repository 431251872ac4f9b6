"""Whether a text says anything a routing suggestion could be based on (no model, no encoder, pure string work).

An operator types "测试" to try the desk, a greeting while the citizen starts talking, digits, punctuation or
filler; the linear model still spreads its probability over the labels and shows, say, 56 % for a category the
text does not name. Such text gets no suggestion at all: after the filler words and the sounds and particles that
carry no topic are taken out, at least two different CJK characters must be left. Real complaints of two
characters ("欠薪", "停水") pass; the test over the labelled messages keeps the gate from silencing real text.
"""

from __future__ import annotations

import re
import unicodedata

#: Words that say nothing about a complaint's topic when they stand alone: tests, greetings, thanks, assent,
#: leave-taking. Longest first, so "测试一下" goes before "测试" could leave "一下" behind.
FILLER_WORDS = tuple(sorted((
    "测试", "试一下", "试试", "一下", "你好", "您好", "喂", "在吗", "在不在", "请问", "谢谢", "多谢", "好的",
    "好吧", "收到", "知道了", "不知道", "没什么", "没事", "随便", "再见", "拜拜", "打错了", "是的", "对的",
    "什么", "哈", "嗯", "哦", "噢", "呃", "额", "啊", "呀", "嘿", "唉", "哎", "嘻", "呵",
), key=len, reverse=True))
#: Particles and pronouns: they never name a topic, so they do not count as content (they are not removed from
#: the text the model reads).
NO_TOPIC = frozenset("的了是吗呢吧么这那个一我你他她它们也就都和与及或")
MIN_CONTENT_CHARS = 2

_FILLER = re.compile("|".join(map(re.escape, FILLER_WORDS)))


def content_chars(text: str) -> str:
    """The CJK characters of `text` that can name a topic, in order (filler words and particles taken out)."""
    if not isinstance(text, str) or not text:
        return ""
    text = _FILLER.sub(" ", unicodedata.normalize("NFKC", text).lower())
    return "".join(ch for ch in text if _is_cjk(ch) and ch not in NO_TOPIC)


def says_something(text: str) -> bool:
    """True when the text holds at least MIN_CONTENT_CHARS different topic-bearing CJK characters."""
    return len(set(content_chars(text))) >= MIN_CONTENT_CHARS


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"
