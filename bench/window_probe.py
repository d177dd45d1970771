"""Opens the program the way `python main.py --data DIR` does, in this fresh process, and reports as
one JSON line on stdout: when the first page had painted, each other page's first switch and paint,
and the peak resident memory. Run once per sample by bench.figures.window:

    python -m bench.window_probe DATA_DIR

main.main runs unchanged; only QApplication.exec is replaced, by a probe that waits for the first
paint, visits the pages and returns instead of running the event loop.
"""

import time

STARTED = time.time()  # first thing: the parent times the interpreter's own start up to here

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402

PAINT_TIMEOUT_S = 60


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, where there is /proc: ru_maxrss survives exec, so
    in a process spawned by a large one (the bench, after generating 10x data) it reports the
    parent's size at the fork instead of the program's."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)  # kB
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # ru_maxrss is KiB on Linux


def _wait_for_paint(app, widget) -> None:
    """Process events until `widget` (or anything inside it) has been painted."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget

    class PaintWatch(QObject):
        painted = False

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Paint and isinstance(obj, QWidget) and (
                    obj is widget or widget.isAncestorOf(obj)):
                PaintWatch.painted = True
            return False

    watch = PaintWatch()
    app.installEventFilter(watch)
    deadline = time.time() + PAINT_TIMEOUT_S
    while not PaintWatch.painted:
        if time.time() > deadline:
            raise RuntimeError("the first page was never painted")
        app.processEvents()
    app.removeEventFilter(watch)


def main(data_dir: str) -> int:
    import gui.app
    import main as program
    from PySide6.QtWidgets import QApplication

    report = {"started": STARTED, "checkpoints": {}}
    marks = report["checkpoints"]

    def timed(name, func):
        def wrapper(*args, **kwargs):
            marks[name] = time.time()
            value = func(*args, **kwargs)
            marks[name + "_done"] = time.time()
            return value
        return wrapper

    # run_gui looks these up in gui.app when it runs, so wrapping them there times its steps.
    gui.app.create_application = timed("create_application", gui.app.create_application)
    gui.app.open_main_window = timed("open_main_window", gui.app.open_main_window)

    def probe_exec(app) -> int:
        from gui.main_window import MainWindow

        window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        _wait_for_paint(app, window.current_page())
        marks["painted"] = time.time()
        report["cpu_ms"] = time.process_time() * 1000  # all of this process's CPU time so far
        report["rss_start_mb"] = _peak_rss_mb()
        pages = {}
        start_row = window.stack.currentIndex()
        for row, page in enumerate(window.pages):
            if row == start_row:
                continue  # its first paint is the window's
            started = time.perf_counter()
            window.nav.setCurrentRow(row)
            page.grab()
            pages[page.key] = (time.perf_counter() - started) * 1000
            app.processEvents()
        report["pages"] = pages
        report["start_page"] = window.pages[start_row].key
        report["rss_peak_mb"] = _peak_rss_mb()
        return 0

    QApplication.exec = probe_exec
    code = program.main(["--data", data_dir, "--operator", "基准测试"])
    print(json.dumps(report))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
