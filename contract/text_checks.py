"""Character-level checks shared by every free-text field."""

from __future__ import annotations

import unicodedata

_ALLOWED_CONTROLS = {"\n", "\t"}


def normalize_text(raw: str) -> str:
    """Unify line endings and strip surrounding white space; content inside is kept as typed."""
    return raw.replace("\r\n", "\n").replace("\r", "\n").strip()


def has_control_chars(text: str, *, multiline: bool) -> bool:
    """True when the text holds control characters (line breaks and tabs only where multiline)."""
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
    for ch in text:
        cp = ord(ch)
        if cp > 0xFFFF or 0x2600 <= cp <= 0x27BF or 0xFE00 <= cp <= 0xFE0F or cp == 0x200D:
            return True
    return False
