"""Error reports a user can send: one small text file per unexpected error in the data folder's
logs/, plus a native-crash log (faulthandler) for failures Python cannot catch (a crash inside Qt).

run_gui calls configure(); the error dialog shows the report's path and opens its folder.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import logging
import os
import platform
import sys
from pathlib import Path

from core import APP_NAME, __version__

NATIVE_CRASH_LOG = "crash-native.log"

_logs_dir: Path | None = None
_native_log = None  # kept open for the life of the process: faulthandler writes to it on a crash
_native_log_start = 0  # its size before this session


def configure(logs_dir: Path) -> None:
    """Reports go to logs_dir, or to a temporary folder when the data folder cannot be written."""
    global _logs_dir, _native_log, _native_log_start
    from core.paths import fallback_log_dir

    for folder in (Path(logs_dir), fallback_log_dir()):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if _native_log is None:
                _native_log = open(folder / NATIVE_CRASH_LOG, "a", encoding="utf-8")  # noqa: SIM115
                _native_log_start = os.fstat(_native_log.fileno()).st_size
                faulthandler.enable(_native_log, all_threads=True)
        except OSError:
            continue
        _logs_dir = folder
        return


def session_ended_normally() -> None:
    """The window closed and the program is ending by itself: take back what faulthandler wrote.

    On Windows it also writes up exceptions raised and handled inside Qt or COM (such as
    0x8001010d around the clipboard or a file dialog), which are no crash. Only a session that
    does not end this way leaves its entry, so the log holds real crashes only."""
    global _native_log
    if _native_log is None:
        return
    faulthandler.disable()
    os.ftruncate(_native_log.fileno(), _native_log_start)
    _native_log.close()
    _native_log = None


def logs_dir() -> Path | None:
    return _logs_dir


def write_report(details: str) -> Path | None:
    """Write one report (program version, system, the traceback); None when not configured or
    when the disk refuses — the error dialog still shows the details to copy."""
    if _logs_dir is None:
        return None
    now = dt.datetime.now()
    path = _logs_dir / f"错误报告-{now:%Y%m%d-%H%M%S-%f}.txt"
    try:
        from PySide6 import __version__ as pyside_version
    except ImportError:  # the report must never fail on what it describes
        pyside_version = "?"
    header = [
        f"{APP_NAME} {__version__}",
        f"时间：{now:%Y-%m-%d %H:%M:%S}",
        f"系统：{platform.platform()}",
        f"Python {platform.python_version()}，PySide6 {pyside_version}，"
        f"{'安装版' if getattr(sys, 'frozen', False) else '源代码运行'}",
        "",
    ]
    try:
        path.write_text("\n".join(header) + details, encoding="utf-8")
    except OSError:
        logging.getLogger("gui").exception("无法写入错误报告 %s", path)
        return None
    return path
