"""Closed vocabularies of a case, each with its Chinese label (translated by the UI through tr())."""

from __future__ import annotations

import enum


class LabeledEnum(enum.Enum):
    """An enum whose value is the stable code stored and synced; `label` is the Chinese source text."""

    label: str

    def __new__(cls, code: str, label: str) -> LabeledEnum:
        obj = object.__new__(cls)
        obj._value_ = code
        obj.label = label
        return obj

    @classmethod
    def parse(cls, raw: object) -> LabeledEnum | None:
        """Accept the code or the Chinese label; None when neither matches."""
        for member in cls:
            if raw in (member.value, member.label):
                return member
        return None


class Channel(LabeledEnum):
    PHONE = ("phone", "电话")
    WECHAT = ("wechat", "微信")
    APP = ("app", "APP")
    WEB = ("web", "网站")


class AppealType(LabeledEnum):
    CONSULT = ("consult", "咨询")
    HELP = ("help", "求助")
    COMPLAINT = ("complaint", "投诉")
    REPORT = ("report", "举报")
    SUGGESTION = ("suggestion", "建议")
    PRAISE = ("praise", "表扬")


class Urgency(LabeledEnum):
    NORMAL = ("normal", "普通")
    URGENT = ("urgent", "紧急")


class Disposition(LabeledEnum):
    DIRECT = ("direct", "直接办结")
    DISPATCH = ("dispatch", "派单")


class SpecialNeed(LabeledEnum):
    ELDERLY = ("elderly", "老年人")
    DISABLED = ("disabled", "残障")
    DIALECT = ("dialect", "方言/外语")
    OTHER = ("other", "其他")


class PhoneKind(LabeledEnum):
    NUMBER = ("number", "有号码")
    NONE = ("none", "无号码")


class CaseStatus(LabeledEnum):
    DISPATCHED = ("dispatched", "已派单")
    SIGNED = ("signed", "已签收")
    RETURNED = ("returned", "已退单")
    EXTENDED = ("extended", "已延期")
    CLOSED = ("closed", "已办结")
    CORRECTING = ("correcting", "退回修改")  # a team lead sent it back to its operator; a correction dispatches it again


class CallbackResult(LabeledEnum):
    """What the citizen said on the return visit (回访): the `callback` event's `result`; 满意率 counts these."""

    SATISFIED = ("satisfied", "满意")
    BASICALLY_SATISFIED = ("basically_satisfied", "基本满意")
    DISSATISFIED = ("dissatisfied", "不满意")
    UNREACHABLE = ("unreachable", "无法联系")
