"""Fused search with the real encoder: a complaint written in words no article uses still finds the article that
means it, and only through its vector."""

from __future__ import annotations

from kb_helpers import NOW, make

from knowledge_base import KnowledgeBase
from semantic import Encoder, VectorRecord, article_passage, pack, query_text

# Every distractor shares characters with the query (楼, 下, 晚, 上, 太, 不); the article about night-time noise
# shares none, so the lexical search cannot find it at all.
QUERY = "晚上楼下太吵睡不着"
ARTICLES = {
    "noise": ("夜间噪音扰民", "夜里邻居或商户噪音大、影响居民休息的，可拨打热线反映，由生态环境部门和城管依法查处。"),
    "stairs": ("楼梯间堆放杂物的清理", "楼道属于公共区域，住户不得在楼下堆放杂物，物业应定期清理。"),
    "bus": ("晚上公交线路调整", "自下月起，晚上的部分公交线路延长运营时间，方便市民出行。"),
    "solar": ("太阳能热水器安装规定", "在楼顶安装太阳能热水器须经业主大会同意。"),
    "lift": ("上下楼电梯维修时限", "电梯故障时物业应在二十四小时内修复，费用从维修资金列支。"),
    "hukou": ("晚上能否办理户口", "户籍窗口晚上不对外办公，可在工作日白天办理。"),
    "deeds": ("不动产登记材料", "办理不动产登记需提交身份证明和权属来源材料。"),
    "school": ("上学路线的交通安全", "学校周边道路设置了限速标志，接送学生的车辆不得占道停放。"),
    "tax": ("个人所得税汇算", "纳税人可在手机上办理个人所得税年度汇算，多退少补。"),
    "park": ("公园开放时间", "城区公园早上六点开放，晚上十点关闭，节假日不变。"),
    "water": ("楼顶水箱清洗", "二次供水水箱每半年清洗一次，清洗期间楼上住户可能停水。"),
}


def test_an_article_sharing_no_words_with_the_query_ranks_top5_only_with_the_vector(
    kb: KnowledgeBase, encoder: Encoder
) -> None:
    for aid, (title, body) in ARTICLES.items():
        version = kb.upsert(make(aid, title, body))
        vector = encoder.passage(article_passage(title, body))
        kb.set_vector(aid, version, VectorRecord(encoder.id, encoder.dim, pack(vector)))
    assert set(QUERY) & set("".join(ARTICLES["noise"])) == set()

    lexical = [h.id for h in kb.search(QUERY, now=NOW)]
    assert len(lexical) >= 5 and "noise" not in lexical
    fused = [h.id for h in kb.search(QUERY, now=NOW, query_vector=encoder.query(query_text(QUERY)))]
    assert "noise" in fused[:5]
    assert kb.search(QUERY, now=NOW) == kb.search(QUERY, now=NOW, query_vector=None)
