"""Phone numbers as citizens give them: mobile, landline with area code, or none."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EXT = re.compile(r"^(.*?)(?:转|#|ext\.?|分机)(\d{1,6})$", re.IGNORECASE)


class PhoneFormatError(ValueError):
    """The text is not a phone number we can call back; the message is Chinese."""


def normalize_phone(raw: str) -> str:
    """Canonical form: 13800138000, 0731-84561234 or 0731-84561234-808; raises PhoneFormatError."""
    text = raw.strip().replace("＋", "+")
    text = text.translate({ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")})
    if not text:
        raise PhoneFormatError("请填写电话号码，或选择“无号码”")
    ext = ""
    m = _EXT.match(text)
    if m:
        text, ext = m.group(1), m.group(2)
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits.isdigit():
        raise PhoneFormatError("电话号码只能包含数字，可用“-”分隔区号")
    if _MOBILE.match(digits):
        if ext:
            raise PhoneFormatError("手机号码不能带分机号")
        return digits
    if digits.startswith("1"):
        raise PhoneFormatError("手机号码应为以1开头的11位数字")
    split = _split_landline(digits)
    if split:
        out = f"{split[0]}-{split[1]}"
        return f"{out}-{ext}" if ext else out
    if len(digits) in (7, 8) and not digits.startswith("0"):
        raise PhoneFormatError("固定电话请加区号，如 0731-84561234")
    raise PhoneFormatError("电话号码格式不正确：手机为11位，固话为区号加7-8位号码")


def _split_landline(digits: str) -> tuple[str, str] | None:
    """(area code, local number) or None: 010 and 02x take 8 digits, other 0xxx codes 7 or 8."""
    if not digits.startswith("0") or digits.startswith("00"):
        return None
    if digits.startswith(("010", "02")):
        area, local = digits[:3], digits[3:]
        return (area, local) if len(local) == 8 and local[0] != "0" else None
    area, local = digits[:4], digits[4:]
    return (area, local) if len(local) in (7, 8) and local[0] != "0" else None


def mask_phone(phone: str) -> str:
    """138****8000 for mobiles, 0731-****1234 for landlines; empty stays empty."""
    if not phone:
        return ""
    if _MOBILE.match(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    parts = phone.split("-")
    if len(parts) >= 2 and len(parts[1]) >= 4:
        return f"{parts[0]}-****{parts[1][-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_name(name: str) -> str:
    """张* for two characters, 张*明 for three or more; empty (anonymous) stays empty."""
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
