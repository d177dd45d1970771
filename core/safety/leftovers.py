"""Temporary files of backups and restores, and what killed runs left of them.

A file being written carries a hidden temporary name holding its process's id and gets its real
name only when it is whole, so the next backup, restore or check can tell the leftovers of a
killed run from the files of one still running, and remove them.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

from core.paths import DataDir
from core.safety.archive import SUFFIX, is_hash_name

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".partial"


def temp_name(base: str) -> str:
    """A hidden temporary name carrying this process's id."""
    return f".{base}.{os.getpid()}{TEMP_SUFFIX}"


def _set_hidden(path: Path, hidden: bool) -> None:
    """Windows only (elsewhere the leading dot hides the file): FILE_ATTRIBUTE_HIDDEN on or off."""
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        attributes = kernel32.GetFileAttributesW(str(path))
        if attributes != 0xFFFFFFFF:  # INVALID_FILE_ATTRIBUTES
            kernel32.SetFileAttributesW(str(path), attributes | 0x2 if hidden else attributes & ~0x2)


def hide(path: Path) -> None:
    """Keep a temporary file or folder out of sight in Explorer."""
    _set_hidden(path, True)


def publish(temp: Path, final: Path) -> None:
    """Give a finished temporary file its real name, visible again."""
    _set_hidden(temp, False)
    os.replace(temp, final)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_pid(name: str) -> int | None:
    """The process id in a temporary name; None for names from older versions (no owner)."""
    if name.startswith(".incoming-"):  # attachments being added: .incoming-<pid>-<time>
        owner = name.split("-")[1]
    else:
        owner = name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1]
    return int(owner) if owner.isdigit() else None


def _is_leftover(path: Path) -> bool:
    """A temporary file or folder of ours whose process has ended. Older versions named them
    without a process id (.<name>.partial, <sha256>.partial, .<backup>.ccbak.db)."""
    name = path.name
    ours = (name.startswith(".") and name.endswith(TEMP_SUFFIX)) or name.startswith(".incoming-") \
        or (name.endswith(TEMP_SUFFIX) and is_hash_name(name[: -len(TEMP_SUFFIX)])) \
        or (name.startswith(".创城工作台备份-") and name.endswith(SUFFIX + ".db"))
    if not ours:
        return False
    pid = _owner_pid(name)
    return pid is None or not _process_alive(pid)


def _remove(path: Path) -> int:
    """Delete a file or folder; its size in bytes, 0 when it could not be removed (still in use)."""
    try:
        if path.is_dir() and not path.is_symlink():
            size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path)
        else:
            size = path.stat().st_size
            path.unlink()
    except OSError:
        return 0
    return size


def clean_leftovers(data: DataDir, out_dir: str | os.PathLike | None = None,
                    auto_folder: str | os.PathLike | None = None) -> tuple[int, int]:
    """Remove what killed backups and restores left behind: temporary files in backups/ (and in a
    backup's out_dir, or an automatic backup's second folder), staging folders in the data folder,
    half-added attachments. Files of a process still running are left alone. Returns (count, bytes)."""
    candidates = [p for p in data.root.glob(".restore-staging*") if p.name == ".restore-staging" or _is_leftover(p)]
    for folder in (data.backups, auto_folder):  # folders the program owns
        if folder is not None:
            candidates += [p for p in Path(folder).rglob("*") if _is_leftover(p)]
    candidates += [p for p in data.attachments.glob(".incoming-*") if _is_leftover(p)]
    if out_dir is not None:  # somebody else's folder (a USB disk, the desktop): only our backups' names
        candidates += [p for p in Path(out_dir).glob(".创城工作台备份-*") if _is_leftover(p)]
    removed = size = 0
    for path in dict.fromkeys(candidates):
        if not path.exists():  # inside a leftover folder already removed
            continue
        freed = _remove(path)
        if not path.exists():
            removed += 1
            size += freed
    if removed:
        log.info("清理了 %d 个中断的备份或恢复留下的临时文件（%d 字节）", removed, size)
    return removed, size
