"""Where a case is, as a key that the same place gets however it is written: the hot spots' place normalisation.

A case's place comes from its form (district id, street) and from free text — the address field, or, when that
names nothing, the first sentence of the content (real messages name places like "A3区学士街道裕园小区楼下").
From the text the administrative prefix (city, district, county, street office, town) is stripped, the rest is
cut before house numbers ("3栋2单元", "128号") and before the first word that starts the complaint ("楼下", "经常",
"的"), a road before a compound is dropped ("联丰路米兰春天" → 米兰春天, the road kept as the street), "小区"/"社区"
are dropped and road suffixes unified (大街/大道/街/道 → 路, "东段" dropped). The key holds the first four
characters of that core: Chinese compound and road names are rarely longer, and the tails people add or omit
("幸福家园" / "幸福家园小区" / "幸福家园三期") then fall on one key. With no core the key is the district and
street: a broad place, where grouping asks for more similar content (resources/lead/hotspots.toml).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

CORE_CHARS = 4
_CJK = "\u4e00-\u9fff"
# Leading words that are not part of a place: "投诉A市..." / "关于A6区..."
_LEAD_WORDS = re.compile(r"^(?:.{0,8}?(?:位于|坐落在|座落在|坐落于|座落于|地处)|关于|投诉|举报|反映|咨询|请问|请求处理|请求|请|问问|建议|要求|希望|坚决反对|强烈|对于|对|市民反映|市民来电反映|来电反映)+")
# One administrative unit at the start of the text: "A3区", "A市", "西地省", "东湖区", "湖滨街道", "春华镇".
_ADMIN = re.compile(
    rf"^(?:[A-Z]\d{{0,2}}[省市区县]|[{_CJK}]{{2,3}}[省市]|[{_CJK}]{{2,4}}(?:街道|镇|乡)"
    rf"|[{_CJK}]{{1,3}}(?<![小社园校景片城厂矿院])[区县](?!域))"
)
# Where the place ends: house numbers, building and unit markers, phase numbers.
_NUMBER = re.compile(
    r"(?:[A-Za-z]?\d+[A-Za-z]?|[一二三四五六七八九十]+)(?:号楼|号院|号|栋|幢|座|单元|期|组|楼|室|层|区|巷|弄)"
    r"|[A-Za-z]?\d{2,}|[A-Za-z]\d"
)
# Words that begin the complaint rather than name the place.
_STOP = re.compile(
    "的|在|和|与|及|、|楼下|楼上|楼道|附近|门口|旁边|周边|周围|对面|内部|里面|一带|路段|沿线|何时|是否|为何|为什么|怎么|"
    "如何|能否|可否|被|有人|有|一家|一个|多次|长期|经常|一直|存在|严重|违规|违法|非法|私自|噪音|扰民|停水|停电|电梯|"
    "物业|开发商|业主|居民|工地|施工|问题|没有|不|虚假|要求|请|竟然|到底|悄悄|强制|捆绑|拖欠|收取|乱|占用|无证|"
    "油烟|垃圾|污染|积水|建设|规划|改造|拆迁|安置|办理|申请|存|进行|出现|发生|修建|开设|设立"
)
_ROAD = re.compile(r"(大街|大道|路|街)(?:[东西南北中]段|[东西南北]延长线)?")
# Brands and wide areas people put before a compound's name, or leave out.
_AREA_PREFIX = re.compile("^(?:万科|恒大|保利|碧桂园|绿地|融创|中海|华润|龙湖|金地|富力|中建|鑫远|长房|"
                          f"[{_CJK}]{{2}}新城(?=[{_CJK}]{{2}}))")
# Words that end a place's name: what follows them is the complaint.
_PLACE_WORD = re.compile("小区|社区|花园|家园|公园|广场|大厦|公寓|新城|新村|山庄|公馆|中心|市场|学校|小学|中学|医院|"
                         "苑|园|院|城|村|府|阁|湾|庭|郡|里|站|馆")
_DROP_SUFFIX = re.compile(r"(?:小区|社区|片区|新区)$")
_NOT_A_PLACE = frozenset({"A市", "本市", "我市", "市里", "我们", "这里", "本人", "我家", "我们小区", "公交", "地铁"})
# A core starting with these is the complaint itself ("加快…建设", "什么时候能…"), not a place.
_NOT_A_PLACE_START = re.compile("^(?:加快|什么|何时|为何|为什么|能否|是否|有关|如何|怎样|怎么|市民|全市|全省|我|在|对|给|把|将|让|关于|"
                                "多少|哪里|哪些|可以|应该|希望|建议|要求|请|取消|恢复|增加|开通|提高|降低|调整|规范|严查|整治)")


@dataclass(frozen=True)
class Place:
    key: str  # what groups compare on
    specific: bool  # a compound or road was found (else only the district/street)
    district: str
    street: str
    label: str  # for people: the core as written (no house number), else the street or district


def place_of(*, district: str, street: str, address: str, content: str,
             admin_names: Iterable[str] = ()) -> Place:
    """The case's place: from its address, else from the first sentence of its content."""
    names = tuple(sorted({n for n in admin_names if n}, key=len, reverse=True))
    found_district, found_street, core, road = "", "", "", ""
    for text in (address, first_sentence(content)):
        found_district, found_street, core, road = extract(text, names)
        if core:
            break
    district = district or found_district
    street = street or found_street or road
    if core:
        return Place(key="p:" + core[:CORE_CHARS], specific=True, district=district, street=street, label=core)
    return Place(key=f"d:{district}|{street}"[:64], specific=False, district=district, street=street,
                 label=street or district)


def first_sentence(text: str) -> str:
    return re.split(r"[。！？!?\n；;]", text.strip(), maxsplit=1)[0][:80]


def extract(text: str, admin_names: tuple[str, ...] = ()) -> tuple[str, str, str, str]:
    """(district, street, core, road) named at the start of `text`; empty strings for what it does not name."""
    rest = _LEAD_WORDS.sub("", unicodedata.normalize("NFKC", text).strip().replace(" ", ""))
    district = street = ""
    while not _NOT_A_PLACE_START.match(rest):  # "加快全市…" is no city named 加快全
        unit = next((n for n in admin_names if rest.startswith(n)), "")
        if not unit:
            m = _ADMIN.match(rest)
            unit = m.group(0) if m else ""
        if not unit:
            break
        if unit.endswith(("街道", "镇", "乡")):
            street = unit
        elif unit.endswith(("区", "县")):
            district = unit
        rest = _LEAD_WORDS.sub("", rest[len(unit):])
    core = _cut(rest)
    road = ""
    for m in _ROAD.finditer(core):
        if m.start() >= 2:
            before, after = core[:m.start()] + "路", core[m.end():]
            if len(after) >= 2:
                road, core = before, after
            else:
                road, core = before, before
            break
    core = _DROP_SUFFIX.sub("", _name_only(core))
    if len(core) < 2 or core in _NOT_A_PLACE or _NOT_A_PLACE_START.match(core) or not re.search(f"[{_CJK}]", core):
        core = ""
    return district, street, core, road


def _name_only(core: str) -> str:
    """Drop a developer's brand or a wider area before the name ("万科魅力之城" → 魅力之城, "武广新城伊景园滨河苑" →
    伊景园滨河苑) and what follows the name's last place word ("青青家园公共消防通道" → 青青家园)."""
    m = _AREA_PREFIX.match(core)
    if m and len(core) - m.end() >= 3:
        core = core[m.end():]
    last = None
    for found in _PLACE_WORD.finditer(core):
        last = found
    if last is not None and last.start() >= 2:
        core = core[:last.end()]
    return core


def _cut(text: str) -> str:
    """The leading run of `text` that names a place: up to a number, a stop word or punctuation, at most 12 chars."""
    end = len(text)
    for pattern in (_NUMBER, _STOP):
        m = pattern.search(text, 1)  # a stop word at position 0 would leave nothing
        if m:
            end = min(end, m.start())
    m = re.search(rf"[^{_CJK}A-Za-z0-9]", text)
    if m:
        end = min(end, m.start())
    head = text[:min(end, 12)]
    m = re.search(r"小区|社区", head)
    return head[:m.end()] if m else head
