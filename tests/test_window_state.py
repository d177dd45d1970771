"""The window comes back as the user left it: size and last page (lists and fonts: test_ui_state)."""

from __future__ import annotations

from gui.main_window import MainWindow


def test_size_and_last_page_survive_a_restart(qtbot, demo_db, data_dir):
    first = MainWindow(demo_db, data_dir, "测试员")
    qtbot.addWidget(first)
    first.show()
    assert first.current_page().key == "home"  # 首页 on the very first start
    first.resize(1200, 760)
    qtbot.waitUntil(lambda: first.width() == 1200)
    first.show_page("supervision")
    first.close()

    second = MainWindow(demo_db, data_dir, "测试员")
    qtbot.addWidget(second)
    second.show()
    assert second.current_page().key == "supervision"
    # The offscreen test screen is 800 px wide, narrower than the window's minimum, so Qt keeps
    # the width on screen; the height (which fits) shows the size came back.
    assert second.height() == 760


def test_daily_backup_runs_in_the_background_without_a_dialog(qtbot, window, data_dir):
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from core import safety

    window.run_auto_backup(background=True)
    assert not any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    qtbot.waitUntil(lambda: bool(list((data_dir.backups / "auto" / "snapshots").glob("*.db"))), timeout=10000)
    qtbot.waitUntil(lambda: safety.last_good_backup(data_dir) is not None, timeout=10000)


def test_two_background_jobs_on_one_window_both_deliver(qtbot, window):
    from gui.jobs import run_job

    got = []
    for n in (1, 2):
        run_job(window, "任务", lambda db, progress, cancel, n=n: n, None, got.append, quiet=True)
    qtbot.waitUntil(lambda: sorted(got) == [1, 2], timeout=5000)
    assert not window.__dict__["_running_jobs"]  # forgotten once done
