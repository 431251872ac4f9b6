"""The desk's workspaces in one table: which permission opens each, its tab title, its key and how it is made.

After sign-in the desk shows, in this order, every workspace the person's role allows (contract/roles.py `may`),
the first one current: an operator gets intake, "my cases", practice (练习) and callbacks (回访), a team lead the
workbench first and intake, practice and callbacks too (leads take calls at peaks), a trainer only 培训管理 (never
the case form). A new workspace is one more row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from contract.roles import INTAKE, PRACTICE, REVIEW, TRAINING, may
from ui.common import shortcuts as keys
from ui.shell.workspace_pages import TrainingSlot, WorkbenchSlot

if TYPE_CHECKING:
    from ui.shell.desk_window import DeskWindow


def _t(text: str) -> str:
    return QCoreApplication.translate("workspaces", text)


@dataclass(frozen=True)
class Workspace:
    key: str  # the page's object name is "workspace_<key>"
    permission: str
    title: Callable[[], str]
    shortcut: str
    build: Callable[[DeskWindow], QWidget]


def _workbench(desk: DeskWindow) -> QWidget:
    return WorkbenchSlot(tasks=desk.tasks, me=desk.session.operator, api=desk.api)


def _training(desk: DeskWindow) -> QWidget:
    return TrainingSlot(tasks=desk.tasks, me=desk.session.operator, city=desk.seat.city, data_dir=desk.seat.data_dir,
                        api=desk.api)


def _channels(desk: DeskWindow) -> QWidget:
    from ui.channels.slot import ChannelSlot

    return ChannelSlot(desk)


def _practice(desk: DeskWindow) -> QWidget:
    from ui.training.practice.page import PracticePage

    seat = desk.seat
    return PracticePage(city=seat.city, data_dir=seat.data_dir, seat_code=seat.store.seat.seat_code, tasks=desk.tasks,
                        me=desk.session.operator, api=desk.api)


def _callbacks(desk: DeskWindow) -> QWidget:
    from zoneinfo import ZoneInfo

    from ui.callbacks.slot import CallbackSlot

    return CallbackSlot(tasks=desk.tasks, tz=ZoneInfo(desk.seat.city.timezone), api=desk.api)


WORKSPACES: tuple[Workspace, ...] = (
    Workspace("workbench", REVIEW, lambda: _t("班组长工作台"), keys.SHOW_WORKBENCH, _workbench),
    Workspace("intake", INTAKE, lambda: _t("工单受理"), keys.SHOW_FORM, lambda desk: desk.intake_page()),
    Workspace("cases", INTAKE, lambda: _t("我的工单"), keys.SHOW_CASES, lambda desk: desk.cases_page()),
    Workspace("practice", PRACTICE, lambda: _t("练习"), keys.SHOW_PRACTICE, _practice),
    Workspace("callbacks", INTAKE, lambda: _t("回访"), keys.SHOW_CALLBACKS, _callbacks),
    Workspace("training", TRAINING, lambda: _t("培训管理"), keys.SHOW_TRAINING, _training),
    Workspace("channels", INTAKE, lambda: _t("网络渠道"), keys.SHOW_CHANNELS, _channels),
)


def workspaces_for(role: str) -> list[Workspace]:
    """The workspaces a role opens, in the order of the table; none for a role the desk has nothing for."""
    return [w for w in WORKSPACES if may(role, w.permission)]
