"""工作包 for every unit (`unit-package --all`): the return workbooks, the open 督办通知单 and the
task lists as PDFs, one folder per unit, with its unit_packages and audit rows.

DESIGN.md sets no budget for it (it runs off the GUI thread with a progress dialog); its PDFs are
given in pages per second beside the budget of PDFs into one file (≥ 50 pages/s), which a package
of many small files cannot be held to, and units per second.
"""

from __future__ import annotations

import os
import shutil

from bench.figures import Context, Timer, group, median, result
from bench.generate import OPERATOR
from core import unit_packages
from core.store import open_store

PDF_PAGES_PER_S = 50


@group("unit_package_all")
def unit_package_all(ctx: Context, wanted: set[str]):
    """Into a copy of the dataset (the export writes a row per package); the copy reads the
    dataset's stored files, so the notices carry their photos."""
    timer, last = Timer(), None
    for i in range(ctx.samples(3 if ctx.scale == "1x" else 1)):
        data = ctx.copy_data(f"packages-{i}")
        os.rmdir(data.attachments)
        os.symlink(ctx.dataset.data.attachments, data.attachments, target_is_directory=True)
        db = open_store(data, OPERATOR)
        with timer.sample():
            last = unit_packages.export_all(db, ctx.scratch / f"packages-{i}-out")
        db.close()
        shutil.rmtree(data.root)
        shutil.rmtree(ctx.scratch / f"packages-{i}-out")
    seconds = median(timer.wall) / 1000
    yield result("unit_package_all", timer.wall, None, ctx, cpu_median_ms=median(timer.cpu),
                 units=len(last.packages), units_per_s=round(len(last.packages) / seconds, 1), pages=last.pages,
                 pages_per_s=round(last.pages / seconds, 1), budget_pages_per_s=PDF_PAGES_PER_S,
                 findings=sum(p.findings for p in last.packages), materials=sum(p.materials for p in last.packages),
                 notices=sum(p.notices for p in last.packages))
