from __future__ import annotations

import pytest

from contract.phone import PhoneFormatError, mask_name, mask_phone, normalize_phone


@pytest.mark.parametrize(("raw", "expected"), [
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("008613800138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),
    ("0731-84561234", "0731-84561234"),
    ("073184561234", "0731-84561234"),
    ("(0731)8456123", "0731-8456123"),
    ("010-12345678", "010-12345678"),
    ("02112345678", "021-12345678"),
    ("0731-84561234转808", "0731-84561234-808"),
])
def test_accepts_mobile_and_landline_forms(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(("raw", "fragment"), [
    ("", "请填写电话号码"),
    ("12345", "手机号码应为以1开头的11位数字"),
    ("1380013800", "手机号码"),
    ("23800138000", "格式不正确"),
    ("84561234", "固定电话请加区号"),
    ("0731-845", "格式不正确"),
    ("010-1234567", "格式不正确"),
    ("138001380ab", "只能包含数字"),
    ("13800138000转8", "手机号码不能带分机号"),
    ("0731-0456123", "格式不正确"),
])
def test_rejects_bad_numbers_with_chinese_messages(raw: str, fragment: str) -> None:
    with pytest.raises(PhoneFormatError) as info:
        normalize_phone(raw)
    assert fragment in str(info.value)


def test_masks_phone_and_name() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("0731-84561234") == "0731-****1234"
    assert mask_phone("") == ""
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("") == ""
