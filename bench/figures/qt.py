"""The program's window inside the benchmark process, for figures measured through the GUI."""

from __future__ import annotations

from bench.figures import Context
from bench.generate import OPERATOR


def application():
    """The QApplication as the program creates it (fonts included); QT_QPA_PLATFORM is offscreen."""
    from gui.app import create_application

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
