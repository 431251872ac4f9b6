"""Shared helpers for the benchmark scripts: headless Qt, temp data dirs, percentiles, JSON output, sample forms.

Import this module before anything that imports Qt: importing it sets QT_QPA_PLATFORM=offscreen.
Only the standard library and the core (never Qt) are imported at module level.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The benchmarks' seats keep their private files (database keys when there is no keyring, seat identities, the
# secrets file) in the temp dir, next to populate.py's cache of stores, not in the user's config folder.
os.environ.setdefault("OPERATOR_APP_PRIVATE_DIR", os.path.join(tempfile.gettempdir(), "operator-desk-bench-private"))

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as `python benchmarks/x.py` from anywhere, with or without the editable install
    sys.path.insert(0, str(REPO))

if TYPE_CHECKING:
    from contract.case_fields import CaseInput
    from contract.city.model import City


def log(*parts: object) -> None:
    """A human-readable line on stderr (stdout is reserved for the one JSON object)."""
    print(*parts, file=sys.stderr, flush=True)


def emit(result: dict[str, Any]) -> None:
    """Print the figures as one JSON object on stdout, with the machine's state (other load skews them)."""
    result["machine"] = machine()
    print(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=False), flush=True)


def machine() -> dict[str, Any]:
    """CPU count, load average now, and versions that matter for the figures."""
    import platform
    import sqlite3

    info: dict[str, Any] = {"cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2),
                            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    if "PySide6" in sys.modules:
        info["pyside6"] = sys.modules["PySide6"].__version__
    return info


@contextmanager
def temp_data_dir(prefix: str) -> Iterator[Path]:
    """A fresh --data-dir for one benchmark run, removed afterwards (set BENCH_KEEP=1 to keep it)."""
    path = Path(tempfile.mkdtemp(prefix=f"bench-{prefix}-"))
    try:
        yield path
    finally:
        if os.environ.get("BENCH_KEEP"):
            log(f"kept data dir {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank style percentile with linear interpolation (q in 0..100)."""
    if not values:
        return float("nan")
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def summary_ms(seconds: Sequence[float], *, digits: int = 2) -> dict[str, float | int]:
    """p50/p95/p99/max/min/mean in milliseconds of a list of durations in seconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), digits),
        "p95_ms": round(percentile(ms, 95), digits),
        "p99_ms": round(percentile(ms, 99), digits),
        "max_ms": round(max(ms), digits),
        "min_ms": round(min(ms), digits),
        "mean_ms": round(statistics.fmean(ms), digits),
    }


def median_ms(seconds: Sequence[float], *, digits: int = 1) -> float:
    return round(statistics.median(seconds) * 1000.0, digits)


# --- sample content -----------------------------------------------------------------------------------------

# Sentence fragments in the voice of 12345 calls; joined at random into content of any length.
FRAGMENTS = (
    "市民来电反映，", "小区对面工地每天夜里十一点以后还在施工，", "噪音很大，老人和孩子睡不着觉，", "已经持续一个星期。",
    "楼道灯坏了半个月没人修，", "物业说要等业委会开会决定，", "晚上上下楼很不安全。", "来电人称其在单位工作三年，",
    "单位一直没有为其缴纳社会保险，", "要求相关部门核实并督促单位补缴。", "家门口的下水道堵塞，污水漫到路面，",
    "气味难闻，蚊虫很多，", "多次向社区反映未果。", "咨询医保异地就医备案需要哪些材料，", "报销比例是多少，",
    "办理时限多长。", "反映某超市销售过期食品，", "购买的牛奶已过保质期两天，", "要求商家退一赔十并查处。",
    "公交车司机不等乘客坐稳就起步，", "一名老人险些摔倒，", "希望公交公司加强管理。", "小区停车位被占用，",
    "有车辆长期停放在消防通道上，", "存在安全隐患，", "要求尽快清理。", "来电人是低保户，", "咨询低保年审的时间和流程，",
    "以及需要携带的证件。", "自来水水质发黄，有异味，", "已影响正常生活，", "要求供水公司上门检测。",
    "路口红绿灯时间设置不合理，", "早晚高峰经常拥堵，", "建议交警部门调整配时。", "表扬社区网格员热心帮助独居老人，",
    "帮忙买菜送药，", "希望给予表彰。", "反映餐馆油烟直排居民楼，", "窗户都不敢打开，", "要求环保部门处理。",
    "来电人情绪激动，", "表示如果得不到解决将继续投诉。", "经核实，该问题属于属地管理范围，", "请属地街道协调处理并答复市民。",
)
RARE_WORD = "鹦鹉螺"  # appears in about one case in a thousand: the search benchmark looks for it
PHONES = ("13800138000", "13912345678", "0731-84561234", "15011112222", "18673310001", "0731-88889999", "17700001111")
NAMES = ("", "张建国", "王秀英", "李明", "赵", "刘德华", "陈小红", "杨", "黄志强")


def chinese_text(rng: random.Random, length: int) -> str:
    """Chinese call content of exactly `length` characters (≥ 1)."""
    parts: list[str] = []
    total = 0
    while total < length:
        frag = rng.choice(FRAGMENTS)
        parts.append(frag)
        total += len(frag)
    return "".join(parts)[:length]


def sample_forms(city: City, count: int, *, seed: int = 12345, min_len: int = 20,
                 max_len: int = 2000) -> list[CaseInput]:
    """`count` valid, varied forms: about 3/4 dispatched, 1/4 answered directly; content min_len..max_len chars."""
    from contract.case_fields import CaseInput

    rng = random.Random(seed)
    leaves = city.categories.leaves
    districts = list(city.districts.values())
    departments = list(city.departments.values())
    forms: list[CaseInput] = []
    for i in range(count):
        dist = rng.choice(districts)
        dispatch = i % 4 != 3
        urgent = rng.random() < 0.1
        lead = rng.choice(departments)
        coop = tuple(d.name for d in rng.sample(departments, 2) if d.id != lead.id) if rng.random() < 0.2 else ()
        # Log-uniform length: many short calls, a few very long ones, as on a real hotline.
        length = int(round(min_len * (max_len / min_len) ** rng.random()))
        forms.append(CaseInput(
            caller_name=rng.choice(NAMES), phone=rng.choice(PHONES), confidential=rng.random() < 0.05,
            special_needs=("elderly",) if rng.random() < 0.1 else (),
            channel=rng.choice(("phone", "phone", "phone", "wechat", "app", "web")),
            appeal_type=rng.choice(("consult", "help", "complaint", "report", "suggestion", "praise")),
            category=rng.choice(leaves), district=dist.name, street=rng.choice(("", *dist.streets)),
            address="幸福小区3栋" if rng.random() < 0.5 else "", content=chinese_text(rng, length),
            request="要求尽快处理" if rng.random() < 0.5 else "",
            urgency="urgent" if urgent else "normal", urgency_reason="涉及老人安全" if urgent else "",
            disposition="dispatch" if dispatch else "direct",
            answer="" if dispatch else "已按政策答复市民，市民表示认可",
            lead_department=lead.name if dispatch else "",
            cooperating_departments=coop if dispatch else (),
        ))
    return forms


# --- Qt helpers (import Qt lazily: QT_QPA_PLATFORM must be set first, which importing this module does) -----

_NOISE = ("propagateSizeHints", "does not support raise()", "does not support grabbing the keyboard")


def quiet_qt() -> None:
    """Drop the offscreen plugin's "does not support …" lines; other Qt messages pass."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode: Any, _context: Any, message: str) -> None:
        if not any(noise in message for noise in _NOISE):
            print(message, file=sys.stderr, flush=True)

    qInstallMessageHandler(handler)


def make_app() -> Any:
    """The desk's QApplication (font, style sheet, translations) as the app makes it, quietly."""
    quiet_qt()
    from ui.shell.app import make_application

    return make_application()


def wait_for(signal: Any, timeout_ms: int = 30_000) -> bool:
    """Run the event loop until `signal` fires (True) or the timeout passes (False)."""
    from PySide6.QtCore import QEventLoop, QTimer

    fired: list[bool] = []
    loop = QEventLoop()

    def done(*_args: object) -> None:
        fired.append(True)
        loop.quit()

    signal.connect(done)
    timer = QTimer(singleShot=True, interval=timeout_ms)
    timer.timeout.connect(loop.quit)
    timer.start()
    loop.exec()
    timer.stop()
    signal.disconnect(done)
    return bool(fired)


def spin(ms: int) -> None:
    """Let the event loop run for `ms` milliseconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def offline_controller(seat: Any) -> Any:
    """A DeskController whose central server is down (nothing listens on 127.0.0.1:9): the seat works offline,
    as the tests' `offline_engine` does; the sync worker keeps retrying in the background."""
    import inspect

    from ui.shell.app import DeskController

    if "engine" not in inspect.signature(DeskController.__init__).parameters:
        return DeskController(seat)
    from sync.engine import SyncEngine
    from sync.http_client import ServerClient
    from sync.secrets import SecretStore

    return DeskController(seat, SyncEngine(seat.store, ServerClient("http://127.0.0.1:9"), SecretStore(None)))


_BALLAST: list[object] = []


def refcount_ballast() -> dict[str, int]:
    """Hold a million extra references to None, True and False; returns their refcounts before.

    PySide6 6.12.0 on Python 3.11 drops one reference to None on every call of a void Qt method (setText,
    setEnabled, …) and, more rarely, to True/False; when a count reaches zero the process aborts ("none_dealloc"/
    "bool_dealloc"), mid-run or at exit. The ballast keeps long benchmark runs alive.
    """
    import sys as _sys

    before = {"None": _sys.getrefcount(None), "True": _sys.getrefcount(True), "False": _sys.getrefcount(False)}
    _BALLAST.extend([None, True, False] * 1_000_000)
    return before
