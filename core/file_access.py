"""Windows file rules the program meets when it writes a user's files.

- A file open in WPS or Excel cannot be replaced (a sharing violation): find that out before a
  batch renders, not after minutes of work.
- Paths of 260 characters or more fail on a Windows whose long-path setting is off (the default):
  such paths are handed to Windows with the \\\\?\\ prefix, which has no such limit.
"""

from __future__ import annotations

import os
import sys

from core.errors import AppError

FILE_IN_USE = "文件正被其他程序打开，请关闭后重试"
_SHARING_VIOLATION, _LOCK_VIOLATION = 32, 33  # Windows error codes
# CreateDirectory's limit is 248 (room for an 8.3 file name): below it every call works unprefixed.
_CLASSIC_LIMIT = 248


def is_in_use(error: OSError) -> bool:
    """True when Windows refused because another program has the file open."""
    return getattr(error, "winerror", None) in (_SHARING_VIOLATION, _LOCK_VIOLATION)


def in_use_error(path, error: OSError | None = None) -> AppError:
    return AppError(f"{FILE_IN_USE}：{os.fspath(path)}", str(error) if error else "")


def check_not_in_use(path) -> None:
    """Before writing over an existing file: AppError when another program holds it open.

    Opening for writing changes nothing but is refused exactly when WPS or Excel has the file."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        return
    try:
        _open_for_writing(path)
    except OSError as error:
        if is_in_use(error):
            raise in_use_error(path, error) from None
        raise AppError(f"无法写入文件：{path}，请检查是否有写入权限，或文件是否为只读。", str(error)) from None


def _open_for_writing(path: str) -> None:
    """Open the existing file for writing and close it again.

    On Windows through CreateFile itself: Python's open() goes through the C runtime, which turns a
    sharing violation into a bare errno 13 and loses the Windows error code that tells it apart."""
    if sys.platform == "win32":
        import _winapi

        generic_write, share_all = 0x40000000, 0x7  # read, write and delete sharing for our side
        handle = _winapi.CreateFile(long_path(path), generic_write, share_all, 0, _winapi.OPEN_EXISTING, 0, 0)
        _winapi.CloseHandle(handle)
    else:
        with open(path, "ab"):
            pass


def long_path(path) -> str:
    """The path as Windows accepts it at any length: absolute with the \\\\?\\ prefix when it is
    too long for the classic limit; unchanged (as text) on other systems and for short paths."""
    text = os.fspath(path)
    if sys.platform != "win32" or text.startswith("\\\\?\\"):
        return text
    text = os.path.abspath(text)  # the prefix turns off / and .. handling: normalise first
    if len(text) < _CLASSIC_LIMIT:
        return text
    if text.startswith("\\\\"):  # \\server\share\… → \\?\UNC\server\share\…
        return "\\\\?\\UNC\\" + text[2:]
    return "\\\\?\\" + text
