"""Background work: a core function runs on a worker thread with its own database connection,
reports progress to a dialog with a cancel button, and hands its result back to the GUI thread."""

from __future__ import annotations

import logging
import threading
import traceback

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog

from core.errors import AppError, Cancelled, storage_error

log = logging.getLogger(__name__)


# Every job not yet finished, whichever window started it (a restore must stop them all).
_ACTIVE: set = set()
STOP_TIMEOUT_MS = 30000


class _Signals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object, str)  # exception, traceback text
    cancelled = Signal()


class _Job(QRunnable):
    def __init__(self, func, open_db):
        super().__init__()
        self.func = func
        self.open_db = open_db
        self.signals = _Signals()
        self.cancel_event = threading.Event()

    def run(self):
        db = None
        try:
            db = self.open_db() if self.open_db else None
            result = self.func(db, lambda d, t, text="": self.signals.progress.emit(d, t, text),
                               self.cancel_event.is_set)
            self.signals.finished.emit(result)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # handed to the GUI thread, shown there
            self.signals.failed.emit(exc, traceback.format_exc())
        finally:
            if db is not None:
                db.close()
            _ACTIVE.discard(self)


def run_job(parent, title: str, func, open_db, on_done, on_error=None, *, block: bool = False,
            quiet: bool = False):
    """Run func(db, progress, cancel) off the GUI thread. on_done(result) runs on the GUI thread;
    errors go to on_error(exc) or the standard dialogs. With block=True wait for the end (tests,
    screenshots). quiet: no progress dialog (work the user did not ask for, like the daily backup)."""
    from gui.dialogs import show_error, show_unexpected

    dialog = None
    if not quiet:
        dialog = QProgressDialog(title, "取消", 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
    job = _Job(func, open_db)
    done = threading.Event()

    def progress(d, t, text):
        if dialog is None:
            return
        dialog.setMaximum(max(t, 1))
        dialog.setValue(d)
        if text:
            dialog.setLabelText(f"{title}：{text}")

    def finish():
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        done.set()

    def succeeded(result):
        finish()
        if shiboken6.isValid(parent):  # a page closed meanwhile (the window was shut) shows nothing
            on_done(result)

    def failed(exc, tb):
        finish()
        if not shiboken6.isValid(parent):
            log.warning("后台任务“%s”在它的页面关闭后失败：%r", title, exc)
            return
        if on_error and on_error(exc):
            return
        exc = storage_error(exc, title) or exc  # a full disk or a locked file is the user's to fix
        if isinstance(exc, AppError):
            show_error(parent, title, exc)
        else:
            show_unexpected(parent, exc, tb)

    job.signals.progress.connect(progress)
    job.signals.finished.connect(succeeded)
    job.signals.failed.connect(failed)
    job.signals.cancelled.connect(finish)
    if dialog is not None:
        dialog.canceled.connect(job.cancel_event.set)
    # Keep every running job (and so its signals) alive until it ends: a job whose last reference
    # is dropped never delivers its result, so a second job must not replace the first.
    running = parent.__dict__.setdefault("_running_jobs", set())
    running.add(job)
    done_signal = job.signals
    for signal in (done_signal.finished, done_signal.failed, done_signal.cancelled):
        signal.connect(lambda *_: running.discard(job))
    _ACTIVE.add(job)
    QThreadPool.globalInstance().start(job)
    if block:
        while not done.is_set():
            QApplication.processEvents()
            done.wait(0.01)
    return job


def stop_background_jobs(timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
    """Ask every running job to cancel and wait until all have ended and closed their connections
    (their results are delivered first). False when one is still running after timeout_ms."""
    for job in list(_ACTIVE):
        job.cancel_event.set()
    if not QThreadPool.globalInstance().waitForDone(timeout_ms):
        return False
    QApplication.processEvents()  # results and failures reach the window while its store is open
    return True
