"""Commands that need the GUI. Qt is imported only when such a command runs."""

from __future__ import annotations

from core.commands import EXIT_OK, add_command


def register(sub):
    p = add_command(sub, "screenshots", "把主窗口的每个页面渲染为 PNG（可无显示器运行）", cmd_screenshots)
    p.add_argument("outdir", metavar="OUTDIR")


def cmd_screenshots(args, ctx) -> int:
    import os
    from pathlib import Path

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and os.name != "nt":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gui.app import create_application, open_main_window

    app = create_application()
    window = open_main_window(ctx.data, ctx.operator, ask_first_start=False)
    window.resize(1440, 900)
    window.show()
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtCore import QDeadlineTimer, QThreadPool

    for i, page in enumerate(window.pages):
        window.nav.setCurrentRow(i)
        app.processEvents()
        QThreadPool.globalInstance().waitForDone(QDeadlineTimer(10000))  # figures filled in the background
        app.processEvents()  # their results delivered to the page
        app.sendPostedEvents()  # and the layout they asked for, or a card keeps its old height
        app.processEvents()
        path = out / f"{i + 1:02d}-{page.key}.png"
        window.grab().save(str(path))
        print(path)
    window.close()
    return EXIT_OK
