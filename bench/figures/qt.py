"""The program's window inside the benchmark process, for figures measured through the GUI."""

from __future__ import annotations

from bench.figures import Context


def application():
    """The QApplication as the program creates it (fonts included); QT_QPA_PLATFORM is offscreen."""
    from gui.app import create_application

    return create_application()


def settle(app, rounds: int = 3) -> None:
    """Let posted events run: layouts, then the paints they schedule."""
    for _ in range(rounds):
        app.processEvents()


def open_window(ctx: Context):
    """The main window on the run's ledger, opened the way the connect dialog hands a shared ledger
    over (the store already open): the same for the data folder's ledger and the server's."""
    from gui.app import open_main_window

    app = application()
    window = open_main_window(ctx.dataset.data, None, shared=(ctx.open_store(), ctx.password))
    window.show()
    settle(app)
    return app, window


def close_window(app, window) -> None:
    """Close the window and its store; later GUI figures start from an application without it."""
    window.close()
    window.deleteLater()
    settle(app)
    window.ctx.db.close()
