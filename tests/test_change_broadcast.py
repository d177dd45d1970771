"""A committed change announces itself: the pages showing its area reload when next shown, the
others do not, and a background job's commits reach the window like its own."""

from core import units
from core.changes import areas_of


def _page(window, key):
    return next(p for p in window.pages if p.key == key)


def _fresh(window):
    for page in window.pages:
        page._stale = False


def test_tables_map_to_the_areas_that_show_them():
    assert areas_of({"findings", "notices"}) == {"supervision"}
    assert areas_of({"attachments"}) == {"materials", "supervision", "letters"}
    assert areas_of({"a_table_of_a_later_area"}) == {"*"}


def test_a_change_on_the_window_store_marks_the_pages_of_its_area(qtbot, window, demo_db):
    _fresh(window)
    uid = units.resolve_one(demo_db, "区水务局")
    units.update_unit(demo_db, uid, {"phone": "0931-1234567"})
    assert _page(window, "units")._stale
    assert _page(window, "letters")._stale  # shows units
    assert _page(window, "audit")._stale  # shows every change
    assert not _page(window, "settings")._stale  # shows settings and the framework only


def test_a_failed_change_announces_nothing(qtbot, window, demo_db):
    from core.errors import AppError

    _fresh(window)
    try:
        units.create_unit(demo_db, {"name": ""})
    except AppError:
        pass
    assert not any(p._stale for p in window.pages)


def test_a_background_jobs_commit_reaches_the_window(qtbot, window):
    from gui.jobs import run_job

    _fresh(window)
    page = _page(window, "units")

    def work(db, progress, cancel):
        units.create_unit(db, {"name": "后台新建单位"})

    run_job(page, "新建单位", work, window.ctx.open_worker_db, lambda _: None, block=True)
    qtbot.waitUntil(lambda: page._stale, timeout=3000)
    assert _page(window, "audit")._stale
