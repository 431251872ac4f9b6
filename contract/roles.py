"""Roles a person holds (server accounts and the seat's roster alike), their Chinese labels, and what each may do."""

from __future__ import annotations

from contract.enums import LabeledEnum

# Permissions: what a role allows.
INTAKE = "intake"  # accept calls and create real cases (受理)
REVIEW = "review"  # the team lead's workbench: review, return for correction, redispatch, supervise
TRAINING = "training"  # author practice scenarios, assign exercises and exams, read trainees' results (培训管理)
PRACTICE = "practice"  # take practice calls (练习): scored against a key, never real cases
KB_EDIT = "kb_edit"  # edit and import knowledge-base articles
ADMINISTER = "administer"  # accounts and seats
REPORT_CALLS = "report_calls"  # the telephony system sends its call records (POST /api/v1/calls)
SUBMIT_INTAKE = "submit_intake"  # a channel gateway (WeChat, app, web) posts citizens' messages (POST /api/v1/intake)
PERMISSIONS = (INTAKE, REVIEW, TRAINING, PRACTICE, KB_EDIT, ADMINISTER, REPORT_CALLS, SUBMIT_INTAKE)


class Role(LabeledEnum):
    OPERATOR = ("operator", "话务员")
    TEAM_LEAD = ("team_lead", "班组长")
    TRAINER = ("trainer", "培训师")
    ADMIN = ("admin", "管理员")
    EDITOR = ("editor", "知识库编辑")
    TELEPHONY = ("telephony", "话务系统")  # an account for the telephony system, not a person
    CHANNEL = ("channel", "网络渠道")  # an account for a channel gateway (WeChat, app, web), not a person


ROLE_CODES: tuple[str, ...] = tuple(r.value for r in Role)

_GRANTS: dict[Role, frozenset[str]] = {
    Role.OPERATOR: frozenset({INTAKE, PRACTICE}),
    Role.TEAM_LEAD: frozenset({INTAKE, REVIEW, PRACTICE}),
    Role.TRAINER: frozenset({TRAINING}),
    Role.ADMIN: frozenset({KB_EDIT, ADMINISTER, REPORT_CALLS, SUBMIT_INTAKE}),
    Role.EDITOR: frozenset({KB_EDIT}),
    Role.TELEPHONY: frozenset({REPORT_CALLS}),
    Role.CHANNEL: frozenset({SUBMIT_INTAKE}),
}


def may(role: str, permission: str) -> bool:
    """True when the role (its code) grants the permission; unknown roles grant nothing."""
    member = Role.parse(role)
    return member is not None and permission in _GRANTS[member]  # type: ignore[index]


def roles_with(permission: str) -> tuple[str, ...]:
    """The codes of every role that grants the permission, in the order of Role."""
    return tuple(r.value for r in Role if permission in _GRANTS[r])


def role_label(role: str) -> str:
    """The Chinese label of a role code; the code itself when unknown."""
    member = Role.parse(role)
    return member.label if member is not None else role
