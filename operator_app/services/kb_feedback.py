"""Feedback on a knowledge-base article (有用 / 已过时 / 有错误, with a comment), queued for the server's editors."""

from __future__ import annotations

from contract.names import KB_FEEDBACK, KB_VERDICTS
from contract.text_checks import has_control_chars, normalize_text
from operator_app.errors import ValidationError
from operator_app.ids import new_uuid
from operator_app.services.changes import Changes
from operator_app.services.intake import enqueue
from operator_app.store.database import Store, utc_now

MAX_COMMENT = 500
MAX_ARTICLE_ID = 200
VERDICT_LABELS = {"helpful": "有用", "outdated": "已过时", "wrong": "有错误"}


def record_feedback(store: Store, *, article_id: str, version: int, verdict: str, comment: str,
                    operator_id: str) -> Changes:
    """Validate and enqueue one "kb.feedback" mutation in one transaction; raises ValidationError (Chinese).

    Write path: call from the write worker, like every store write.
    """
    if not isinstance(article_id, str) or not article_id.strip() or len(article_id) > MAX_ARTICLE_ID \
            or has_control_chars(article_id, multiline=False):
        raise ValidationError("article_id", "没有选中有效的知识库文章", code="invalid_article")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**31:
        raise ValidationError("version", "文章版本号无效", code="invalid_version")
    if verdict not in KB_VERDICTS:
        choices = "、".join(VERDICT_LABELS[v] for v in KB_VERDICTS)
        raise ValidationError("verdict", f"请选择评价：{choices}", code="invalid_verdict")
    if not isinstance(comment, str):
        raise ValidationError("comment", "意见必须是文字", code="invalid_comment")
    comment = normalize_text(comment)
    if len(comment) > MAX_COMMENT:
        raise ValidationError("comment", f"意见不能超过{MAX_COMMENT}个字（现有{len(comment)}个字）", code="too_long")
    if has_control_chars(comment, multiline=True):
        raise ValidationError("comment", "意见中含有无法识别的控制字符，请删除后再提交", code="control_chars")
    if not isinstance(operator_id, str) or not operator_id.strip():
        raise ValidationError("operator_id", "请先登录再提交反馈", code="no_operator")
    feedback_id = new_uuid()
    args: dict[str, object] = {"feedback_id": feedback_id, "article_id": article_id.strip(), "version": version,
                               "verdict": verdict, "comment": comment}
    with store.write() as conn:
        enqueue(conn, name=KB_FEEDBACK, entity_id=feedback_id, operator_id=operator_id, created_at=utc_now(),
                args=args)
    return Changes(outbox=True)
