"""Filtering the 测评体系 tree through the page, as a user does: type or pick, and the tree shows
the result. Timed from the change to the end of the event processing that repaints the tree."""

from __future__ import annotations

import sys

from bench.figures import Context, QueryLimit, Timer, group, median, repeats, result
from bench.figures.qt import close_window, open_window, settle
from bench.figures.tree_filter import cases


def _combo(page, key: str):
    return {"unit_id": page.unit, "method": page.method, "working_group": page.group}[key]


def _pick(combo, index: int) -> None:
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # the page listens to activated (a user's pick), not to index changes


def _apply(page, kwargs: dict) -> None:
    ((key, value),) = kwargs.items()
    if key == "text":
        page.text.setText(value)
    elif key == "no_lead":
        page.no_lead.setChecked(value)
    else:
        combo = _combo(page, key)
        _pick(combo, combo.findData(value))


def _clear(page, kwargs: dict) -> None:
    ((key, _value),) = kwargs.items()
    if key == "text":
        page.text.setText("")
    elif key == "no_lead":
        page.no_lead.setChecked(False)
    else:
        _pick(_combo(page, key), 0)


def _ignore_interrupts(previous, limit: QueryLimit):
    """A query stopped by the QueryLimit fails inside the page's slot; Qt hands that to sys.excepthook."""
    def hook(kind, exc, tb):
        if not limit.stopped(exc):
            previous(kind, exc, tb)
    return hook


@group("gui_tree_filter", reads_only=True)
def gui_tree_filter(ctx: Context, wanted: set[str]):
    app, window = open_window(ctx)
    page = window.show_page("framework")
    settle(app)
    limit = QueryLimit(page.db)
    previous_hook, sys.excepthook = sys.excepthook, _ignore_interrupts(sys.excepthook, limit)
    try:
        for case in cases(page.db, ctx.dataset.edition_id):
            timer, fired = Timer(), limit.fired
            for _label, kwargs in case.values:
                for _ in repeats(ctx.samples(10)):
                    _clear(page, kwargs)
                    settle(app)
                    before = limit.fired
                    with timer.sample(), limit.armed():
                        _apply(page, kwargs)
                        app.processEvents()
                    if limit.fired > before:
                        break
            _clear(page, case.values[0][1])
            yield result("gui_tree_filter", timer.wall, case.budget_ms, ctx, case=case.name,
                         cpu_median_ms=median(timer.cpu), timed_out=limit.fired - fired,
                         values=[label for label, _ in case.values])
    finally:
        sys.excepthook = previous_hook
        close_window(app, window)
