"""今日催办: the day's list of units and items (what `remind` prints and the page shows), the list
as .xlsx (rows per second against the 5,000 rows/s export budget) and every unit's 催办单 as one
PDF (pages per second; DESIGN.md's 50 pages/s for documents into one file).

The list itself has no budget of its own in DESIGN.md: it is reported without one, with the time
of each kind of item it reads (parts_ms, one run each).
"""

from __future__ import annotations

from bench.figures import Context, Timer, group, median, result, time_each
from bench.generate import OPERATOR
from core import remind
from core.remind import items
from core.store import open_store

EXPORT_ROWS_PER_S = 5000
PDF_PAGES_PER_S = 50


def _parts_ms(db) -> dict[str, float]:
    day = remind.day_of(db)
    return time_each({"findings": lambda: items._findings(db, day, None),
                      "materials": lambda: items._materials(db, day, None),
                      "letters": lambda: items._letters(db, day, None),
                      "packages": lambda: items._packages(db, day, None)})


@group("remind", "remind_xlsx", "remind_pdf")
def remind_figures(ctx: Context, wanted: set[str]):
    db = open_store(ctx.dataset.data, OPERATOR)
    try:
        timer, entries = Timer(), []
        for _ in range(ctx.samples(10 if ctx.scale == "1x" else 5)):
            with timer.sample():
                entries = remind.collect(db)
        found = sum(len(e["items"]) for e in entries)
        if "remind" in wanted:
            yield result("remind", timer.wall, None, ctx, cpu_median_ms=median(timer.cpu), parts_ms=_parts_ms(db),
                         units=len(entries), items=found)
        if "remind_xlsx" in wanted:
            timer = Timer()
            for i in range(ctx.samples(3)):
                with timer.sample():
                    rows = remind.export_xlsx(db, ctx.scratch / f"remind-{i}.xlsx", entries=entries)
            yield result("remind_xlsx", timer.wall, rows / EXPORT_ROWS_PER_S * 1000, ctx,
                         cpu_median_ms=median(timer.cpu), rows=rows, rows_per_s=round(rows / (median(timer.wall) / 1000)))
        if "remind_pdf" in wanted and entries:
            timer, pages = Timer(), 0
            for i in range(ctx.samples(2 if ctx.scale == "1x" else 1)):
                with timer.sample():
                    pages = remind.render_pdf(db, ctx.scratch / f"remind-{i}.pdf", entries=entries).page_count
            yield result("remind_pdf", timer.wall, pages / PDF_PAGES_PER_S * 1000, ctx, cpu_median_ms=median(timer.cpu),
                         units=len(entries), pages=pages, pages_per_s=round(pages / (median(timer.wall) / 1000), 1))
    finally:
        db.close()
