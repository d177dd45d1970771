"""Background jobs and the pages that started them: a result that arrives after its page was
closed (the window shut while 首页 still counted) touches nothing."""

import threading

import pytest

pytest.importorskip("PySide6")

import shiboken6  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402


def test_a_result_arriving_after_its_page_closed_is_dropped(qtbot, data_dir):
    from core.store import open_store
    from gui import jobs

    page = QLabel("首页")
    release, shown = threading.Event(), []

    def work(db, progress, cancel):
        release.wait(10)
        return "最近一轮"

    job = jobs.run_job(page, "统计", work, lambda: open_store(data_dir, "测试"), shown.append, quiet=True)
    page.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(page), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: job not in jobs._ACTIVE, timeout=10000)
    qtbot.wait(50)  # the finished signal has been delivered by now
    assert shown == []
