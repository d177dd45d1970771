"""Errors a user may be shown.

Anything a user can cause (a bad file, a missing column, an unknown unit, a full disk) is raised as
AppError with a Chinese message that says what is wrong and what to do. The CLI turns it into exit
status 2 and the GUI into a message box; anything else is a bug and reaches the crash dialog.

Disk, permission and lock failures (OSError, sqlite3 errors) are turned into messages in one place:
storage_error() here, used by core.db.write, by every file writer and by the last-resort handlers.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path


class AppError(Exception):
    """A problem the user can fix. `message_zh` is shown as is; `details` is optional extra text."""

    def __init__(self, message_zh: str, details: str = "", *, problems=None):
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.details = details
        # Validation problems (list of core.xlsx.reader.Problem) when the error comes from an import.
        self.problems = list(problems or [])

    def __str__(self) -> str:
        return self.message_zh if not self.details else f"{self.message_zh}\n{self.details}"


class EditConflict(AppError):
    """Someone else saved the record after this user's form read it (a shared ledger)."""

    def __init__(self, who: str, when: str):
        by = f"{who}于 {when} " if who else ""
        super().__init__(f"这条记录已被{by}修改过，您的修改没有保存。请重新载入后再改。")
        self.who, self.when = who, when


class Cancelled(Exception):
    """Raised by long-running core functions when the caller's cancel flag is set."""


# What went wrong with the disk or the database file, as StorageError.kind.
DISK_FULL, NO_PERMISSION, READ_ONLY, IN_USE, IO_ERROR, BUSY, DAMAGED = (
    "disk_full", "no_permission", "read_only", "in_use", "io_error", "busy", "damaged")

NEARLY_FULL_BYTES = 1024 * 1024  # less than this free, and SQLite's I/O error is a full disk
RESTORE_HINT = "请用“恢复”从备份恢复：main.py restore 备份文件 --yes"
_WINDOWS_SHARING_VIOLATIONS = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_OS_KINDS = {errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL, errno.EACCES: NO_PERMISSION,
             errno.EPERM: NO_PERMISSION, errno.EROFS: READ_ONLY, errno.EIO: IO_ERROR}
# Primary SQLite result codes (extended codes carry them in the low byte).
_SQLITE_KINDS = {13: DISK_FULL, 3: NO_PERMISSION, 14: NO_PERMISSION, 8: READ_ONLY, 10: IO_ERROR, 5: BUSY,
                 6: BUSY, 11: DAMAGED, 26: DAMAGED}
_SQLITE_TEXTS = [("database or disk is full", DISK_FULL), ("disk i/o error", IO_ERROR),
                 ("readonly database", READ_ONLY), ("unable to open database file", NO_PERMISSION),
                 ("database is locked", BUSY), ("file is not a database", DAMAGED), ("malformed", DAMAGED)]


class StorageError(AppError):
    """The disk, a permission, another program's lock or a damaged database stopped the work.
    `kind` is one of the constants above (数据体检 tells a full disk from a damaged database)."""

    def __init__(self, kind: str, message_zh: str, details: str = ""):
        super().__init__(message_zh, details)
        self.kind = kind


def storage_kind(exc: BaseException) -> str | None:
    """The kind of an OSError or sqlite3 error, or None when it is not a disk/permission/lock problem."""
    if isinstance(exc, OSError):
        if getattr(exc, "winerror", None) in _WINDOWS_SHARING_VIOLATIONS:
            return IN_USE
        return _OS_KINDS.get(exc.errno)
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _SQLITE_KINDS:
            return _SQLITE_KINDS[code & 0xFF]
        text = str(exc).lower()
        return next((kind for needle, kind in _SQLITE_TEXTS if needle in text), None)
    return None


def _reason(kind: str, filename) -> tuple[str, str]:
    """(what went wrong, what to do) for a kind of storage failure: the one wording of these
    failures, whether a message is built around it here or elsewhere (core.safety)."""
    where = f"“{filename}”" if filename else ""
    name = f"“{Path(filename).name}”" if filename else ""
    return {
        DISK_FULL: ("磁盘空间不足（磁盘已满）", "已保存的数据没有改变。请清理该磁盘（删除不需要的文件、清空回收站）后重试"),
        NO_PERMISSION: (f"没有权限读写{where or '该位置'}",
                        "请确认文件夹允许写入、文件不是只读，或换一个位置后重试"),
        READ_ONLY: (f"{where or '该位置'}所在的磁盘或文件夹是只读的", "请换到可以写入的位置（如本机磁盘）后重试"),
        IN_USE: (f"文件正被其他程序打开，请关闭后重试（{name or '该文件'}可能被{_holders(filename)}占用）", ""),
        IO_ERROR: ("读写磁盘时出错（不是数据损坏）", "请检查磁盘或 U 盘是否连接正常、空间是否足够，然后重试；如反复出现，请尽快备份"),
        BUSY: ("数据库正被另一个操作占用", "请稍后重试"),
        DAMAGED: ("数据库文件已损坏或不是创城工作台的数据库", RESTORE_HINT),
    }[kind]


# Files a person opens in an office suite: while one is open there, Windows refuses to replace it.
_DOCUMENT_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv", ".docx", ".doc", ".pdf", ".wps", ".et"}


def _holders(filename) -> str:
    """Who may hold a file open: for a document, the office suite first."""
    if filename and Path(filename).suffix.lower() in _DOCUMENT_SUFFIXES:
        return " Excel、WPS、杀毒软件或同步盘"
    return "杀毒软件、同步盘或仍打开的程序窗口"


def storage_error(exc: BaseException, what: str, folder: Path | None = None) -> StorageError | None:
    """A Chinese message for a disk/permission/lock/damage failure while doing `what` (a verb
    phrase such as “保存修改”), or None when exc is something else (a bug: let it through).
    folder: where the work was writing; SQLite reports a full disk as a plain I/O error when it
    cannot even create its shared-memory file, so the free space there decides."""
    kind = storage_kind(exc)
    if kind is None:
        return None
    if kind == IO_ERROR and folder is not None and _nearly_full(folder):
        kind = DISK_FULL
    reason, todo = _reason(kind, getattr(exc, "filename", None))
    message = f"无法{what}：{reason}。" + (f"{todo}。" if kind != DAMAGED else todo) if todo else f"无法{what}：{reason}。"
    return StorageError(kind, message, str(exc))


def os_problem(exc: OSError) -> str:
    """What went wrong with a file, as a phrase to go inside a sentence (“恢复没有完成：…。”): the
    reason storage_error gives, or a missing file, or the error number of anything rarer."""
    kind = storage_kind(exc)
    if kind is not None:
        return _reason(kind, getattr(exc, "filename", None))[0]
    if exc.errno == errno.ENOENT:
        return "找不到文件或文件夹"
    return f"读写文件出错（错误号 {exc.errno}）"


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def app_error_from_os(exc: OSError, what: str) -> AppError:
    """storage_error() for a file write, with a plain message for any other OSError."""
    return storage_error(exc, what) or AppError(f"无法{what}：{os_problem(exc)}。", str(exc))


@contextmanager
def storage_errors(what: str, folder: Path | None = None):
    """Turn a disk/permission/lock/damage failure inside the block into a StorageError."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        error = storage_error(exc, what, folder)
        if error is None:
            raise
        raise error from exc
