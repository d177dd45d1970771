"""The encoding of the program's text output, so that whoever reads it sees Chinese, not 乱码.

- A Windows console window: Python writes characters to it directly (any encoding works).
- Redirected on Windows (`> 结果.txt`, `| findstr 逾期`, an office IT script): the reader is a console
  tool that decodes with the console's code page, 936 (GBK) on Chinese Windows, so that is what is
  written (as GB18030, which is GBK for every character GBK has and keeps the rare names GBK lacks);
  `chcp 65001` (UTF-8) is honoured.
- PYTHONIOENCODING, when set, always wins (scripts that want UTF-8, the tests).
- Elsewhere: UTF-8.
"""

from __future__ import annotations

import os
import sys

_CODE_PAGE_ENCODINGS = {936: "gb18030", 65001: "utf-8"}


def output_encoding(stream) -> str:
    chosen = os.environ.get("PYTHONIOENCODING", "").partition(":")[0].strip()
    if chosen:
        return chosen
    if sys.platform != "win32" or _is_console(stream):
        return "utf-8"
    import ctypes

    kernel32 = ctypes.windll.kernel32
    code_page = kernel32.GetConsoleOutputCP() or kernel32.GetACP()  # no console at all: the ANSI code page
    return _CODE_PAGE_ENCODINGS.get(code_page, f"cp{code_page}")


def configure_output() -> None:
    """stdout and stderr in the reader's encoding; a character it lacks becomes ? rather than an error."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):  # None in the windowed program
            stream.reconfigure(encoding=output_encoding(stream), errors="replace")


def _is_console(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
