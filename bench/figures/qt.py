"""The program's window inside the benchmark process, for figures measured through the GUI."""

from __future__ import annotations

import ctypes
import sys

from bench.figures import Context
from bench.generate import OPERATOR

# PySide6 6.12.0 on CPython 3.11 drops a reference to None on every call of a void method
# (QFont.setBold, QLabel.setText …), and the process aborts ("none_dealloc") once None's count
# reaches zero, after a few hundred repaints of the tree (see bench/README.md). Raising the count
# once keeps a long measurement (and the interpreter's exit) alive without changing its timings;
# from Python 3.12 None is immortal and its count is left alone.
NONE_PADDING = 10**9
_padded = False


def _pad_none_refcount() -> None:
    global _padded
    if sys.version_info < (3, 12) and not _padded:
        ctypes.c_ssize_t.from_address(id(None)).value += NONE_PADDING  # ob_refcnt is the first field
        _padded = True


def application():
    """The QApplication as the program creates it (fonts included); QT_QPA_PLATFORM is offscreen."""
    from gui.app import create_application

    _pad_none_refcount()
    return create_application()


def settle(app, rounds: int = 3) -> None:
    """Let posted events run: layouts, then the paints they schedule."""
    for _ in range(rounds):
        app.processEvents()


def open_window(ctx: Context):
    from gui.app import open_main_window

    app = application()
    window = open_main_window(ctx.dataset.data, OPERATOR, ask_first_start=False)
    window.show()
    settle(app)
    return app, window
