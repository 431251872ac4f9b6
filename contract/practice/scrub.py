"""Removing personal data from a real case's text so it can become a practice scenario.

`scrub` replaces names, phones, ID numbers, bank cards, plate numbers, house numbers and e-mail addresses with
placeholders (【姓名】【电话】【身份证号】【银行卡号】【车牌号】【门牌号】【邮箱】) and lists what it replaced by kind and
place in the scrubbed text; the original values are never kept. `find_personal` reports what `scrub` would replace
(the server refuses a scenario whose lines still carry any), except the scenario profile's own fictitious values.

Citizens write numbers every way: with spaces, dashes or dots, a +86/0086 prefix, full-width digits, or in Chinese
characters (一三九…, 幺 for 1, 零/〇 for 0, mixed like 139一二三四5678). Every detector runs on a "shadow" of the text
of the same length, where each such character is mapped to its ASCII digit or letter, so a match's offsets are
the original text's.

Kept on purpose: road, compound and street names (the place a scenario is about), dates, times, amounts, counts
and case numbers. A surname before an honorific keeps the honorific ("王先生" → "【姓名】先生"), so the scenario
renders the profile's fictitious name in its place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

NAME = "name"
PHONE = "phone"
ID_NUMBER = "id_number"
BANK_CARD = "bank_card"
PLATE = "plate"
HOUSE_NUMBER = "house_number"
EMAIL = "email"
PLACEHOLDERS = {NAME: "【姓名】", PHONE: "【电话】", ID_NUMBER: "【身份证号】", BANK_CARD: "【银行卡号】",
                PLATE: "【车牌号】", HOUSE_NUMBER: "【门牌号】", EMAIL: "【邮箱】"}


@dataclass(frozen=True)
class Replacement:
    """One replaced value: its kind, the placeholder put in its place, and where that placeholder is
    ([start, end) in the scrubbed text; for a `find_personal` finding, where the value is in the examined text)."""

    kind: str
    placeholder: str
    start: int
    end: int


@dataclass(frozen=True)
class Scrubbed:
    text: str
    replacements: tuple[Replacement, ...]


# ---------- the shadow: one ASCII-like character for each character of the text ----------

_WIDTH = {ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")}
_WIDTH.update({0xFF21 + i: ord("A") + i for i in range(26)})
_WIDTH.update({0xFF41 + i: ord("a") + i for i in range(26)})
_WIDTH.update({ord("\u3000"): ord(" "), ord("－"): ord("-"), ord("—"): ord("-"), ord("–"): ord("-"),
                ord("（"): ord("("), ord("）"): ord(")"), ord("＋"): ord("+"), ord("．"): ord("."),
                ord("＠"): ord("@"), ord("＿"): ord("_")})
# Digits spoken as characters count for numbers (not for plates and e-mails: "粤B12345两辆车").
_SHADOW = dict(_WIDTH)
_SHADOW.update({ord(c): ord("0") + i for i, c in enumerate("零一二三四五六七八九")})
_SHADOW.update({ord("〇"): ord("0"), ord("○"): ord("0"), ord("幺"): ord("1"), ord("两"): ord("2")})
# 十 only has to read as a digit ("十八号", "三十栋" are numbers), not as its value.
_SHADOW[ord("十")] = ord("1")


def _shadow(text: str) -> str:
    return text.translate(_SHADOW)


# ---------- numbers ----------

_S = r"[ \t\-.·•_]{0,2}"  # what people put between the digits of a phone
_SG = r"[ \t\-]{0,2}"  # between the groups of an ID or card number (not dots: "80.3032.1276" is a table of scores)
_D = r"[0-9]"
_NOT_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_AFTER = r"(?![0-9A-Za-z])"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_MOBILE = re.compile(
    _NOT_BEFORE + r"(?:(?:\+|00)\s*86" + _S + r"|\(\s*\+?86\s*\)\s*|86-)?"
    + r"1" + _S + r"[3-9]" + f"(?:{_S}{_D}){{9}}" + r"(?![0-9])")
# A mobile read out in its 3-4-4 groups may be written with pauses: "一三九，一二三四，五六七八".
_PAUSE = r"\s?[，,、]\s?"
_MOBILE_PAUSED = re.compile(_NOT_BEFORE + r"1[3-9][0-9]" + _PAUSE + r"[0-9]{4}" + _PAUSE + r"[0-9]{4}(?![0-9])")
# 0731-84561234, (0731)84561234, 0731 8456 1234, 010-12345678 转 808
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z\-])(?:\(\s*0[1-9][0-9]{1,2}\s*\)\s*|0[1-9][0-9]{1,2}" + _S + r")"
    + r"[2-9]" + f"(?:{_S}{_D}){{6,7}}" + r"(?:\s*(?:转|分机|-)\s*[0-9]{1,5})?(?![0-9])")
# An eight-digit local number (84561234, 8456-1234): only where it is not a date, an amount or a count; split in
# two ("2013-2020", "2000-3000" are ranges), only after a word that announces a phone.
_LOCAL = re.compile(r"(?<![0-9A-Za-z\-.:/])[2-8][0-9]{3}([ \-]?)[0-9]{4}(?![0-9\-.:/])")
_PHONE_WORDS = ("电话", "座机", "手机", "号码", "联系", "打", "拨", "致电", "热线", "call", "Tel", "tel")
_ID_18 = re.compile(_NOT_BEFORE + r"[1-9]" + f"(?:{_SG}{_D}){{16}}" + _SG + r"[0-9Xx]" + _NOT_AFTER)
_ID_15 = re.compile(_NOT_BEFORE + r"[1-9]" + f"(?:{_SG}{_D}){{14}}" + r"(?![0-9A-Za-z])")
_CARD = re.compile(_NOT_BEFORE + r"[3-6]" + f"(?:{_SG}{_D}){{15,18}}" + r"(?![0-9])")
_UNITS_AFTER = ("元", "块", "万", "亿", "天", "年", "月", "日", "号", "个", "次", "人", "户", "米", "平", "岁", "%",
                "斤", "公里", "千", "百", "分", "秒", "小时", "件", "台", "辆", "吨")

# ---------- plates ----------

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(f"[{_PROVINCES}]" + r"[ ·•.\-]?[A-Za-z][ ·•.\-]?[A-Za-z0-9]"
                    + r"(?:(?:[ \-]?[A-Za-z0-9]){4,5}(?:挂|学|警)?|(?:[ \-]?[A-Za-z0-9]){3}(?:挂|学|警))(?![A-Za-z0-9])")

# ---------- house numbers ----------

_UNIT = r"(?:号楼|号院|号房|栋|幢|座|单元|楼|层|室|户|号)"
_STRONG = re.compile(r"号楼|号院|栋|幢|座|单元|室")
_COUNTED = "楼房厅间"  # "两栋楼", "三室一厅": a count, not an address
_PART = r"(?:[0-9]{1,4}[A-Za-z]?|[A-Za-z])\s*" + _UNIT
_HOUSE = re.compile(
    r"(?<![0-9A-Za-z])(?:" + _PART + r"\s*){1,4}(?:(?<=栋|幢|座|元|楼)\s*[0-9]{2,4}(?![0-9]|套|户|个|人|平|元|万|米))?")
_DASHED_HOUSE = re.compile(r"(?<![0-9\-./:])[0-9]{1,2}-[0-9]{1,2}-[0-9]{3,4}(?![0-9\-./:])")
_ROAD_NUMBER = re.compile(r"(?<=[路街巷弄道里村组])[0-9]{1,4}(?:-[0-9]{1,4})?号(?!线|窗|门|口)")
_DOOR_NUMBER = re.compile(r"(?<=门牌)(?:号码?)?(?:是|为|:|：)?\s*([0-9]{1,5}(?:-[0-9]{1,5})?\s*号?)")

# ---------- protected: case numbers, dates and times are never personal data ----------

_PROTECTED = re.compile(
    r"(?:练-)?[A-Z][A-Z0-9]{1,7}-\d{8}-\d{4,}"  # case numbers
    r"|(?:19|20)\d{2}\s*[-./年]\s*\d{1,2}(?:\s*[-./月]\s*\d{1,2}\s*[日号]?)?"  # dates
    r"|(?:19|20)\d{2}\s*[-–~至到]\s*(?:19|20)\d{2}"  # year ranges
    r"|\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?"  # times
    r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?![0-9])")  # 20261201

# ---------- names ----------

_SURNAMES_2 = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "长孙", "宇文", "夏侯", "尉迟",
               "公孙", "端木")
# Common single surnames, without those that are also everyday words before an honorific (和, 向, 于, 与 …).
_SURNAMES_1 = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕丁任卢姚沈钟姜"
               "崔谭陆范汪廖石金韦贾夏付方邹熊孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔汤易常乔赖文"
               "施洪牛庞樊兰殷颜倪柳翟詹聂鲁葛伍童骆苗岳齐包关俞阮柴甘邢蒲尚单欧艾左华卓凌谷宁游盛祝梅池何高傅")
# A "name" ending in one of these after 我是 is a place or an organisation (我是高新区的, 我是王府井店的); one
# holding a function word is a sentence (我是高是矮, 本人曾在).
_NOT_NAME_END = tuple("区县市镇村街路局院校司店楼组队部厂委会站所园号栋室门")
_NOT_IN_NAME = set("是的在不了要想有个这那和与就也都还很曾从对把被给向上")
# Words that start with a surname and follow 市民/业主/患者… as often as a name does (业主单位, 市民关心, 家长施压).
_NOT_NAMES = {"单位", "关心", "关注", "施压", "游说", "钱财", "曾经", "方面", "方式", "高度", "高兴", "严重", "严格",
              "常常", "经常", "万一", "白天", "文明", "安全", "平安", "金额", "包括", "管理", "明白", "宁愿", "毛病",
              "江湖", "何时", "任何", "何况", "时间", "时候", "甘心", "余额", "于是", "谢谢", "齐心", "石头", "龙头",
              "黄金", "方便", "方法", "方案", "方向", "钟点", "房屋", "包装", "柴油", "牛奶", "鲁莽", "夏天", "秦朝",
              "任务"}
# Words whose second character is a surname before an honorific by accident (感谢老师, 班主任老师, 语文老师).
_NOT_A_SURNAME = ("感谢", "答谢", "致谢", "多谢", "道谢", "酬谢", "凋谢", "代谢", "主任", "相关", "有关", "机关", "海关",
                  "语文", "中文", "英文", "人文", "天文", "历史", "文史", "远程", "过程", "课程", "工程", "流程")
_SURNAME = "(?:" + "|".join(_SURNAMES_2) + f"|[{_SURNAMES_1}])"
_HONORIFICS = ("先生", "女士", "小姐", "师傅", "阿姨", "老师", "大爷", "奶奶", "大妈", "大姐", "大哥", "叔叔", "伯伯",
               "爷爷", "婆婆", "经理", "医生", "律师", "同学")
_HONORIFIC = re.compile(_SURNAME + r"(?=" + "|".join(_HONORIFICS) + ")")
_END = (r"(?=[，,。.！!？?；;：:、\s（(）)]|$|电话|手机|号码|联系|住|在|家|今年|是|的|来|打|反映|投诉|举报|致电|咨询|称|说"
        r"|表示|要求)")
_SELF_NAME = re.compile(
    r"(?:我叫|我的名字是|我的名字叫|名字叫|名叫|我是|本人是|本人|姓名[是为:：]?|叫做"
    r"|(?:联系人|来电人|市民|业主|户主|租户|患者|家长|申请人|当事人|反映人|投诉人|举报人)[是为:：]?)\s*"
    r"(" + _SURNAME + r"[一-龥]{1,2}?)" + _END)
_SURNAME_ONLY = re.compile(r"(?:我姓|免贵姓|本人姓)\s*(" + _SURNAME + ")")


@dataclass(frozen=True)
class _Hit:
    kind: str
    start: int
    end: int


def _digits(text: str) -> str:
    return "".join(c for c in _shadow(text) if c.isdigit() or c in "Xx")


def _valid_birth(y: str, m: str, d: str) -> bool:
    return 1 <= int(m) <= 12 and 1 <= int(d) <= 31 and (len(y) == 2 or y[:2] in ("19", "20"))


def _unit_follows(shadow: str, end: int) -> bool:
    rest = shadow[end:end + 3].lstrip()
    return rest.startswith(_UNITS_AFTER)


def _number_hits(shadow: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for m in _ID_18.finditer(shadow):
        d = _digits(m.group())
        if _valid_birth(d[6:10], d[10:12], d[12:14]):
            hits.append(_Hit(ID_NUMBER, m.start(), m.end()))
    for m in _ID_15.finditer(shadow):
        d = _digits(m.group())
        if _valid_birth(d[6:8], d[8:10], d[10:12]):
            hits.append(_Hit(ID_NUMBER, m.start(), m.end()))
    for m in _CARD.finditer(shadow):
        hits.append(_Hit(BANK_CARD, m.start(), m.end()))
    for pattern in (_MOBILE, _MOBILE_PAUSED):
        for m in pattern.finditer(shadow):
            hits.append(_Hit(PHONE, m.start(), m.end()))
    for m in _LANDLINE.finditer(shadow):
        hits.append(_Hit(PHONE, m.start(), m.end()))
    for m in _LOCAL.finditer(shadow):
        announced = any(w in shadow[max(0, m.start() - 8):m.start()] for w in _PHONE_WORDS)
        if not _unit_follows(shadow, m.end()) and (not m.group(1) or announced):
            hits.append(_Hit(PHONE, m.start(), m.end()))
    return hits


def _a_count(text: str, shadow: str, m: re.Match[str]) -> bool:
    """A lone "3栋"/"2室" followed by 楼/房/厅 counts buildings or rooms, so does a lone "一座"/"两幢"; a lone
    "12室" is too short for a room."""
    parts = re.findall(_UNIT, m.group())
    if len(parts) != 1:
        return False
    digits = sum(c.isdigit() for c in m.group())
    return (shadow[m.end():m.end() + 1] in tuple(_COUNTED) or (parts[0] == "室" and digits < 3)
            or text[m.start()] in "一两")


def _written_hits(wide: str) -> list[_Hit]:
    """Plates and e-mails, found where only the width of the characters is folded."""
    hits = [_Hit(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(wide)]
    for m in _PLATE.finditer(wide):
        if sum(c.isdigit() for c in m.group()) >= 3:
            hits.append(_Hit(PLATE, m.start(), m.end()))
    return hits


def _place_hits(text: str, shadow: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for m in _HOUSE.finditer(shadow):
        if _STRONG.search(m.group()) and not _a_count(text, shadow, m):
            end = m.end()
            while end > m.start() and shadow[end - 1].isspace():
                end -= 1
            hits.append(_Hit(HOUSE_NUMBER, m.start(), end))
    for pattern in (_DASHED_HOUSE, _ROAD_NUMBER):
        for m in pattern.finditer(shadow):
            hits.append(_Hit(HOUSE_NUMBER, m.start(), m.end()))
    for m in _DOOR_NUMBER.finditer(shadow):
        hits.append(_Hit(HOUSE_NUMBER, m.start(1), m.end(1)))
    return hits


def _name_hits(text: str, names: Iterable[str]) -> list[_Hit]:
    hits: list[_Hit] = []
    known = sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True)
    for name in known:
        start = text.find(name)
        while start >= 0:
            hits.append(_Hit(NAME, start, start + len(name)))
            start = text.find(name, start + len(name))
    # "老王", "小王" for a known 王建国: the surname goes, as before an honorific.
    for surname in {n[:2] if n[:2] in _SURNAMES_2 else n[0] for n in known}:
        for m in re.finditer(f"(?<=[老小]){re.escape(surname)}", text):
            hits.append(_Hit(NAME, m.start(), m.end()))
    for pattern in (_SELF_NAME, _SURNAME_ONLY):
        for m in pattern.finditer(text):
            name = m.group(1)
            if (not name.endswith(_NOT_NAME_END) and not _NOT_IN_NAME & set(name[1:]) and name[:2] not in _NOT_NAMES
                    and not text[max(0, m.start(1) - 2):m.start(1) + 1].endswith("主方")):
                # "我是周女士": only the surname goes, the honorific stays as everywhere else.
                end = m.start(1) + (len(name) - 2 if name[-2:] in _HONORIFICS else len(name))
                hits.append(_Hit(NAME, m.start(1), end))
    for m in _HONORIFIC.finditer(text):
        if text[max(0, m.start() - 1):m.start() + 1] not in _NOT_A_SURNAME:
            hits.append(_Hit(NAME, m.start(), m.end()))
    return hits


# Where two detectors claim overlapping text, the longer match wins (a bank card over the phone-like digits inside
# it), then the more specific kind (an ID number over a bank card, a phone over a house number).
_RANK = {EMAIL: 0, ID_NUMBER: 1, PHONE: 2, BANK_CARD: 3, PLATE: 4, NAME: 5, HOUSE_NUMBER: 6}


def _known_phone_hits(shadow: str, phones: Iterable[str]) -> list[_Hit]:
    """A known phone's digits however they are spaced or punctuated ("139  1234   5678")."""
    hits: list[_Hit] = []
    for digits in {d for d in (_digits(p).rstrip("Xx") for p in phones) if len(d) >= 7 and d.isdigit()}:
        pattern = r"(?<![0-9])" + r"[\s\-.·•_，,、()]{0,4}".join(digits) + r"(?![0-9])"
        hits += [_Hit(PHONE, m.start(), m.end()) for m in re.finditer(pattern, shadow)]
    return hits


def _detect(text: str, names: Iterable[str], phones: Iterable[str] = ()) -> list[_Hit]:
    shadow = _shadow(text)
    protected = [(m.start(), m.end()) for m in _PROTECTED.finditer(shadow)]
    candidates = (_number_hits(shadow) + _known_phone_hits(shadow, phones) + _written_hits(text.translate(_WIDTH))
                  + _place_hits(text, shadow) + _name_hits(text, names))
    # A candidate touching a date or case number is not personal, unless it holds it and more (the birth date
    # inside an ID number written in groups).
    candidates = [h for h in candidates if h.end > h.start and not any(
        h.start < pe and ps < h.end and not (h.start <= ps and pe <= h.end and pe - ps < h.end - h.start)
        for ps, pe in protected)]
    candidates.sort(key=lambda h: (-(h.end - h.start), _RANK[h.kind], h.start))
    chosen: list[_Hit] = []
    for hit in candidates:
        if not any(hit.start < c.end and c.start < hit.end for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def scrub(text: str, *, names: Iterable[str] = (), phones: Iterable[str] = ()) -> Scrubbed:
    """The text with every personal value replaced by its kind's placeholder. `names`: people's names known to be
    in the text (the case's caller_name), replaced wherever they appear; `phones`: numbers known to be personal
    (the case's phone and callback phone), replaced however their digits are spaced."""
    out: list[str] = []
    replacements: list[Replacement] = []
    pos = 0
    length = 0
    for hit in _detect(text, names, phones):
        kept = text[pos:hit.start]
        out.append(kept)
        length += len(kept)
        placeholder = PLACEHOLDERS[hit.kind]
        out.append(placeholder)
        replacements.append(Replacement(hit.kind, placeholder, length, length + len(placeholder)))
        length += len(placeholder)
        pos = hit.end
    out.append(text[pos:])
    return Scrubbed("".join(out), tuple(replacements))


def find_personal(text: str, *, allow: Iterable[str] = ()) -> list[Replacement]:
    """What `scrub` would replace in `text` (offsets into `text`), leaving out the values in `allow`: a scenario
    profile's fictitious phone and name (a phone matches by its digits; a name, or its surname before an
    honorific, by its characters)."""
    allowed = [a.strip() for a in allow if a.strip()]
    allowed_digits = {_digits(a) for a in allowed if len(_digits(a)) >= 7}
    findings: list[Replacement] = []
    for hit in _detect(text, ()):
        value = text[hit.start:hit.end]
        if hit.kind == PHONE and _digits(value)[-11:] in allowed_digits | {d[-11:] for d in allowed_digits}:
            continue
        if hit.kind == NAME and any(a == value or a.startswith(value) for a in allowed):
            continue
        findings.append(Replacement(hit.kind, PLACEHOLDERS[hit.kind], hit.start, hit.end))
    return findings
