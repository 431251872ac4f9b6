"""Scrubbing a real case's text for a practice scenario: phones, ID numbers, bank cards, plates, names, house numbers
and e-mails in the ways citizens write them are replaced; dates, amounts, counts, case numbers and place names
are not."""

from __future__ import annotations

import pytest

from contract.practice.scrub import PLACEHOLDERS, find_personal, scrub

PHONES = [
    "13912345678",
    "139 1234 5678",
    "139-1234-5678",
    "139.1234.5678",
    "1 3 9 1 2 3 4 5 6 7 8",
    "+86 139 1234 5678",
    "+8613912345678",
    "0086-13912345678",
    "(+86)13912345678",
    "１３９１２３４５６７８",
    "１３９ １２３４ ５６７８",
    "一三九一二三四五六七八",
    "幺三九幺二三四五六七八",
    "一三九零零零零一二三四",
    "一三九〇〇〇〇一二三四",
    "139一二三四5678",
    "幺39 12三4 五678",
    "0731-84561234",
    "0731 8456 1234",
    "(0731)84561234",
    "（0731）84561234",
    "010-62345678转808",
    "84561234",
    "8456-1234",
    "零七三一八四五六一二三四",
    "一三九，一二三四，五六七八",
    "139、1234、5678",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phones_in_every_writing_are_replaced(phone: str) -> None:
    result = scrub(f"我的电话是{phone}，白天都能打通。")
    assert result.text == "我的电话是【电话】，白天都能打通。"
    assert [r.kind for r in result.replacements] == ["phone"]


IDS = [
    "430102199001011234",
    "43010219900101123X",
    "43010219900101123x",
    "430102 19900101 123X",
    "430102 1990 0101 1234",
    "430102-19900101-1234",
    "４３０１０２１９９００１０１１２３Ｘ",
    "四三零一零二一九九零零一零一一二三四",
    "430102900101123",  # the old 15-digit number
]


@pytest.mark.parametrize("number", IDS)
def test_id_numbers_are_replaced(number: str) -> None:
    result = scrub(f"身份证号{number}，是我本人的。")
    assert result.text == "身份证号【身份证号】，是我本人的。"
    assert [r.kind for r in result.replacements] == ["id_number"]


@pytest.mark.parametrize("card", ["6222021234567890123", "6222 0212 3456 7890 123", "6217-0012-3456-7890"])
def test_bank_cards_are_replaced(card: str) -> None:
    assert scrub(f"钱打到卡号{card}上了").text == "钱打到卡号【银行卡号】上了"


PLATES = ["湘A12345", "湘A·D12345", "湘AD12345", "湘A12345D", "湘 A 12345", "湘A 12345", "湘a12345",
          "粤B-12345", "粤B·1234学", "京Ｎ１２３４５", "湘A·F1234X"]


@pytest.mark.parametrize("plate", PLATES)
def test_plates_are_replaced(plate: str) -> None:
    result = scrub(f"那辆车牌是{plate}的车天天停在消防通道")
    assert result.text == "那辆车牌是【车牌号】的车天天停在消防通道"
    assert [r.kind for r in result.replacements] == ["plate"]


HOUSES = [
    ("我住幸福小区3栋2单元501室", "我住幸福小区【门牌号】"),
    ("在滨江花园12号楼3单元", "在滨江花园【门牌号】"),
    ("地址是枫林新村5-2-301", "地址是枫林新村【门牌号】"),
    ("就在501室对面", "就在【门牌号】对面"),
    ("门牌号是28号，在路口", "门牌号是【门牌号】，在路口"),
    ("门牌号：1502", "门牌号：【门牌号】"),
    ("住在桃源里18号院", "住在桃源里【门牌号】"),
    ("住三栋二单元五零一", "住【门牌号】"),
    ("住在建设路18号的二楼", "住在建设路【门牌号】的二楼"),
    ("住在A座1203", "住在【门牌号】"),
    ("住在建设路十八号", "住在建设路【门牌号】"),
    ("幸福小区二十三栋一单元", "幸福小区【门牌号】"),
    ("东湖区湖滨街道滨江花园7幢1单元702", "东湖区湖滨街道滨江花园【门牌号】"),
]


@pytest.mark.parametrize(("text", "expected"), HOUSES)
def test_house_numbers_go_and_road_compound_and_street_names_stay(text: str, expected: str) -> None:
    result = scrub(text)
    assert result.text == expected
    assert {r.kind for r in result.replacements} == {"house_number"}


NAMES = [
    ("我叫王建国，住在这附近", "我叫【姓名】，住在这附近"),
    ("我叫李明住在东湖区", "我叫【姓名】住在东湖区"),
    ("我是刘芳，想问一下", "我是【姓名】，想问一下"),
    ("本人张伟，反映一个问题", "本人【姓名】，反映一个问题"),
    ("联系人：欧阳娜娜", "联系人：【姓名】"),
    ("姓名：赵小红", "姓名：【姓名】"),
    ("我姓周，电话打不通再说", "我姓【姓名】，电话打不通再说"),
    ("物业的王经理说不管", "物业的【姓名】经理说不管"),
    ("楼下的陈阿姨和何大爷都听到了", "楼下的【姓名】阿姨和【姓名】大爷都听到了"),
    ("您好王先生", "您好【姓名】先生"),
    ("市民孙建华反映小区停水", "市民【姓名】反映小区停水"),
    ("业主：钱多多，要求退费", "业主：【姓名】，要求退费"),
    ("来电人邵一鸣称物业不作为", "来电人【姓名】称物业不作为"),
    ("我是周女士，业主贺先生在场", "我是【姓名】女士，业主【姓名】先生在场"),
]


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_names_are_replaced_and_honorifics_kept(text: str, expected: str) -> None:
    result = scrub(text)
    assert result.text == expected
    assert {r.kind for r in result.replacements} == {"name"}


def test_the_cases_caller_name_is_replaced_wherever_it_appears() -> None:
    text = "黄丽君反映楼上漏水，黄丽君说已经找过物业。来电人黄丽君"
    result = scrub(text, names=["黄丽君", " "])
    assert result.text == "【姓名】反映楼上漏水，【姓名】说已经找过物业。来电人【姓名】"
    assert len(result.replacements) == 3


def test_the_cases_caller_is_also_found_by_surname_as_neighbours_call_them() -> None:
    result = scrub("邻居都叫他老黄，小黄是他儿子，黄先生本人", names=["黄丽君"])
    assert result.text == "邻居都叫他老【姓名】，小【姓名】是他儿子，【姓名】先生本人"
    assert scrub("老黄牛精神", names=["王建国"]).text == "老黄牛精神"


def test_the_cases_own_phones_are_replaced_however_their_digits_are_spaced() -> None:
    text = "我手机是139   1234    5678，座机0731 - 8456 - 1234，回电打139，1234，5678"
    result = scrub(text, phones=["13912345678", "0731-84561234", "", "12"])
    assert result.text == "我手机是【电话】，座机【电话】，回电打【电话】"
    assert [r.kind for r in result.replacements] == ["phone"] * 3


def test_emails_are_replaced() -> None:
    assert scrub("发到wang.jg_1990@example.com.cn就行").text == "发到【邮箱】就行"
    assert scrub("邮箱ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ").text == "邮箱【邮箱】"


KEPT = [
    "2026年11月3日下午3点来的",
    "2026-11-30 14:30停的水",
    "11月5号到现在已经7天了",
    "押金300元，退了150元，还差1500元没退",
    "工单号S001-20261201-0007还没处理",
    "练习单号练-S001-20261205-0003",
    "小区有200户居民，三栋楼在施工，两室一厅的房子",
    "坐3号线到1号口，去2号窗口排队",
    "一个多星期了，十二点多还在打桩",
    "我住在5楼，楼上就是6楼",
    "东湖区湖滨街道滨江花园小区北门",
    "我是高新区的，我是王府井店的店员",
    "打了12345好多次，拨110也没用",
    "共计12000000元的项目，20261201开工",
    "体温38.5度，血压140/90",
    "老师说今天放学早",
    "温度只有16度，供暖季是11月15日到次年3月15日",
    "十二点多才停，十几个人都听见了，十分吵，有十栋楼",
    "市民反映，业主们投诉，患者家属说，家长希望",
    "业主单位是区政府，市民关心的问题，家长施压。当事人曾经来过，业主方不同意，全体业主谢谢您。",
    "第1、3、5、7、9、11、13、15条都写了",
    # Seen on the public messages of ../shared/data (measured there, written anew here):
    "按照2013-2020年的规划，2016–2018年建设，评价在2000-3000条左右",
    "感谢老师们的付出，班主任老师和语文老师都很负责，副主任医生也来了",
    "本人曾在这家店打工，我是高是矮他都不知道",
    "成绩80.3032.1276.1245.6777，排名靠前",
    "厂里有两幢仓库，还有一座花园",
    "启用远程律师会见，工程师傅在忙，救治患者任务等很重",
]


@pytest.mark.parametrize("text", KEPT)
def test_dates_amounts_counts_case_numbers_and_places_survive(text: str) -> None:
    result = scrub(text)
    assert result.text == text
    assert result.replacements == ()
    assert find_personal(text) == []


TRICKY = (
    "喂你好，我叫孙海燕，手机幺三九 一二三四 五六七八，座机0731-84561234也行。"
    "我住东湖区湖滨街道滨江花园三栋二单元五零一，楼下湘A·D12345和粤B-12345两辆车天天堵消防通道。"
    "物业的吴经理说不归他管。我身份证430102 1990 0101 123x，以前登记过。邮箱sun_hy@example.com。"
    "从11月3号到现在7天了，物业费交了2400元，工单S001-20261201-0007也没人回。"
)


def test_after_scrubbing_nothing_personal_survives_and_the_rest_does() -> None:
    result = scrub(TRICKY, names=["孙海燕"])
    assert find_personal(result.text) == []
    for kept in ("东湖区湖滨街道滨江花园", "消防通道", "11月3号", "7天", "2400元", "S001-20261201-0007",
                 "两辆车", "物业的"):
        assert kept in result.text, kept
    for gone in ("孙海燕", "五六七八", "84561234", "五零一", "D12345", "12345两", "123x", "sun_hy", "吴经理"):
        assert gone not in result.text, gone
    kinds = [r.kind for r in result.replacements]
    assert kinds == ["name", "phone", "phone", "house_number", "plate", "plate", "name", "id_number", "email"]


def test_replacements_point_at_their_placeholders_in_the_scrubbed_text() -> None:
    result = scrub(TRICKY, names=["孙海燕"])
    for r in result.replacements:
        assert result.text[r.start:r.end] == r.placeholder == PLACEHOLDERS[r.kind]


def test_replacements_never_carry_the_original_values() -> None:
    result = scrub("我叫孙海燕，电话13912345678", names=["孙海燕"])
    assert "孙海燕" not in repr(result.replacements)
    assert "13912345678" not in repr(result.replacements)


def test_find_personal_reports_values_at_their_place_in_the_text() -> None:
    text = "我叫孙海燕，电话139-1234-5678，车牌湘A12345"
    found = find_personal(text)
    assert [(f.kind, text[f.start:f.end]) for f in found] == [
        ("name", "孙海燕"), ("phone", "139-1234-5678"), ("plate", "湘A12345")]


def test_find_personal_allows_the_profiles_own_fictitious_name_and_phone() -> None:
    text = "我是周女士，我姓周，电话就是139 0000 0101，打这个就行。"
    assert find_personal(text, allow=["周女士", "13900000101"]) == []
    found = find_personal(text, allow=["周女士", "13900000102"])
    assert [f.kind for f in found] == ["phone"]
    found = find_personal("我是王女士，电话13900000101", allow=["周女士", "13900000101"])
    assert [f.kind for f in found] == ["name"]


def test_a_scrubbed_text_scrubs_to_itself() -> None:
    once = scrub(TRICKY, names=["孙海燕"]).text
    again = scrub(once)
    assert again.text == once
    assert again.replacements == ()
