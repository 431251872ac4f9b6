"""Character-level checks shared by every free-text field."""

from __future__ import annotations

import re
import unicodedata

_ALLOWED_CONTROLS = {"\n", "\t"}
# Outside the Basic Multilingual Plane, the BMP's emoji/dingbat blocks, variation selectors, zero-width joiner.
_EMOJI = re.compile("[\U00010000-\U0010FFFF\u2600-\u27BF\uFE00-\uFE0F\u200D]")


def normalize_text(raw: str) -> str:
    """Unify line endings and strip surrounding white space; content inside is kept as typed."""
    return raw.replace("\r\n", "\n").replace("\r", "\n").strip()


def has_control_chars(text: str, *, multiline: bool) -> bool:
    """True when the text holds control characters (line breaks and tabs only where multiline)."""
    # Fast path (this runs on every text field of every case the server receives): a printable text has no
    # character of the categories below; isprintable() is also False for spaces other than " ", so look closer.
    if (text.replace("\n", "").replace("\t", "") if multiline else text).isprintable():
        return False
    allowed = _ALLOWED_CONTROLS if multiline else set()
    for ch in text:
        if ch in allowed:
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn") and ch != "\u200d":
            return True
    return False


def has_emoji(text: str) -> bool:
    """True for characters outside the Basic Multilingual Plane and the BMP emoji/dingbat blocks.

    Downstream department systems store GBK or 3-byte UTF-8 text, so these would be lost after dispatch.
    """
    return _EMOJI.search(text) is not None
