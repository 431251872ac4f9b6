"""The trainer's workspace in words: labels of the codes the practice API sends, and its failures in Chinese."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from contract.practice.scenario import DIFFICULTIES
from ui.common.errors import server_error_text


def _t(text: str) -> str:
    return QCoreApplication.translate("TrainingManage", text)


STATUS = {"draft": "草稿", "published": "已发布", "retired": "已停用"}
SOURCE = {"authored": "自编", "case": "真实工单", "demo": "示范"}
KIND = {"exercise": "练习", "exam": "考试"}
REPLACED = {"phone": "电话", "id_number": "身份证号", "plate": "车牌号", "name": "姓名", "house_number": "门牌号",
            "address": "地址", "email": "电子邮箱", "bank_card": "银行卡号"}

# The server's stable error codes (the plan's REST API) in plain words.
_BY_CODE = {
    "version_conflict": "别人已经保存了这个场景的新版本。请重新载入后再修改。",
    "personal_data": "场景中有像是真实个人信息的内容，请改用【姓名】【电话】等占位符或虚构信息。",
    "case_not_found": "没有找到这张工单，请核对工单编号。",
    "scenario_not_found": "没有找到这个练习场景（可能已被删除），请刷新。",
    "scenario_not_published": "所选场景中有的已不再是“已发布”状态，请刷新后重选。",
    "not_a_trainee": "所选人员中有人不存在、已停用或不能参加练习（只有话务员和班组长可以），请重选。",
    "unknown_team": "没有这个班组，请重选。",
    "no_trainees": "所选学员或班组中没有可以参加练习的人员。",
    "scenario_exists": "已有相同编号的场景，请刷新场景库。",
    "id_mismatch": "场景编号与所编辑的场景不一致，请关闭后重新打开。",
    "forbidden": "您的账号不能使用培训管理。",
    "invalid_request": "提交的内容不完整或格式不正确，请检查后重试。",
    "invalid_scenario": "场景内容有误，请检查标出的字段。",
}


def label(table: dict[str, str], code: str) -> str:
    return _t(table[code]) if code in table else code


def difficulty_label(level: int) -> str:
    return _t(DIFFICULTIES.get(level, str(level)))


def practice_error_text(exc: BaseException) -> str:
    """What the trainer reads when a call to the practice API fails."""
    return server_error_text(None, exc, by_code=_BY_CODE, context="TrainingManage")
