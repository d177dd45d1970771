"""首页: core.home.overview, everything the start page shows (days to the next 测评, archive
coverage per 测评项目, findings owed, letters unsigned, the last round, the last backup), with the
time of each part it reads (parts_ms, one run each) to show where the time goes.

DESIGN.md sets no budget of its own for it; the start page is inside the window's 1.5 s
(window_start), so the figure is reported without one.
"""

from __future__ import annotations

from bench.figures import Context, Timer, group, median, result, time_each
from core import framework, home, letters, supervision


def _parts_ms(db) -> dict[str, float]:
    edition_id = framework.current_edition_id(db)
    parts = {
        "findings_counts": lambda: supervision.counts(db),
        "unit_owes": lambda: supervision.unit_owes(db),
        "coverage_by_category": lambda: home.coverage_by_category(db, edition_id) if edition_id else None,
        "letters_unsigned": lambda: letters.unsigned_count(db),
        "last_round": lambda: home.last_round(db),
    }
    return time_each(parts)


@group("home", reads_only=True)
def home_figure(ctx: Context, wanted: set[str]):
    db = ctx.open_store()
    try:
        timer = Timer()
        for _ in range(ctx.samples(10 if ctx.scale == "1x" else 5)):
            with timer.sample():
                overview = home.overview(db, ctx.dataset.data)
        yield result("home", timer.wall, None, ctx, cpu_median_ms=median(timer.cpu), parts_ms=_parts_ms(db),
                     findings_open=overview["findings_open"], letters_unsigned=overview["letters_unsigned"])
    finally:
        db.close()
