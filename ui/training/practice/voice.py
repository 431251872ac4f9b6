"""Speaking the caller's lines where this machine can: QtTextToSpeech (PySide6-Addons) when it imports and has an
engine, else an espeak-ng (or espeak) program on PATH. Without either, `Voice.available` is False, the 朗读 toggle
is not shown, and the lines are read on screen as always."""

from __future__ import annotations

import logging
import shutil
import subprocess
from typing import Any

from PySide6.QtCore import QObject

log = logging.getLogger(__name__)


def _qt_speech(parent: QObject) -> Any | None:
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech
    except ImportError as exc:  # e.g. libpulse missing: the module is there but cannot load
        log.info("speech: QtTextToSpeech unavailable (%s)", exc)
        return None
    if not QTextToSpeech.availableEngines():
        return None
    speech = QTextToSpeech(parent)
    for locale in speech.availableLocales():
        if locale.name().startswith("zh"):
            speech.setLocale(locale)
            break
    return speech


def espeak_program() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


class Voice(QObject):
    """`speak(text)` says one line (the previous one stops); does nothing while `enabled` is False."""

    def __init__(self, parent: QObject | None = None, *, use_qt: bool = True) -> None:
        super().__init__(parent)
        self.enabled = False
        self._qt = _qt_speech(self) if use_qt else None
        self._program = None if self._qt is not None else espeak_program()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def available(self) -> bool:
        return self._qt is not None or self._program is not None

    def speak(self, text: str) -> None:
        if not self.enabled or not text or not self.available:
            return
        if self._qt is not None:
            self._qt.say(text)
            return
        self.stop()
        try:
            assert self._program is not None
            self._process = subprocess.Popen([self._program, "-v", "cmn", text], stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL)
        except OSError as exc:
            log.warning("speech: %s failed: %s", self._program, type(exc).__name__)

    def stop(self) -> None:
        if self._qt is not None:
            self._qt.stop()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
        self._process = None
