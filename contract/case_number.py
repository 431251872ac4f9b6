"""Case numbers issued offline: seat code + local date + the seat's sequence for that day."""

from __future__ import annotations

import re
from datetime import date

CASE_NUMBER = re.compile(r"^[A-Z][A-Z0-9]{1,7}-\d{8}-\d{4,}$")
# Practice cases (练习) are numbered in their own namespace: a practice number can never be read to a citizen as a
# case number, and the server refuses it on every real endpoint.
PRACTICE_PREFIX = "练-"
PRACTICE_NUMBER = re.compile(r"^练-[A-Z][A-Z0-9]{1,7}-\d{8}-\d{4,}$")


def format_case_number(seat_code: str, day: date, seq: int) -> str:
    """S001-20261128-0042: unique by construction as long as seat codes are unique."""
    if seq < 1:
        raise ValueError("case sequence starts at 1")
    return f"{seat_code}-{day:%Y%m%d}-{seq:04d}"


def day_and_seq(number: str) -> tuple[str, int] | None:
    """("20261128", 42) of S001-20261128-0042; None for text that is not a case number."""
    if not CASE_NUMBER.match(number):
        return None
    _, day, seq = number.split("-")
    return day, int(seq)


def format_practice_number(seat_code: str, day: date, seq: int) -> str:
    """练-S001-20261205-0003: the seat's practice sequence for that day, apart from its real one."""
    return PRACTICE_PREFIX + format_case_number(seat_code, day, seq)


def is_practice_number(text: str) -> bool:
    """True for anything that claims the practice namespace (also malformed: "练-" is never a real number)."""
    return text.strip().startswith(PRACTICE_PREFIX.rstrip("-"))
