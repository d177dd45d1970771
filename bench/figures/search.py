"""Global search: core.search.search (figure `search`) and the same through the search dialog of the
main window (`gui_search`), for queries of 1, 2, 3 and 5+ Chinese characters drawn from the data.

Per length three queries: the most common n-gram of the indexed texts, a rare one (found in a few
records) and one found nowhere — each a different case for the index: trigram phrases of three or
more characters go to FTS5, one or two characters fall back to LIKE over every indexed row, and a
miss reads as much as the longest hit list. Budgets (DESIGN.md): 50 ms for three or more
characters, 100 ms for one or two.
"""

from __future__ import annotations

import re
import sys
from collections import Counter

from bench.figures import Context, Timer, group, median, ms_since, now, p95, repeats, result, slowest, time_each
from core import framework, search
from core.store.search import KINDS as INDEXED_KINDS

LENGTHS = (1, 2, 3, 5)
BUDGET_MS = {1: 100, 2: 100, 3: 50, 5: 50}
SAMPLE_ROWS = 20_000  # per search table, for finding common and rare n-grams
ABSENT = {1: ["鑫", "龘", "犇", "淼"], 2: ["火星", "潜艇", "冰川"], 3: ["量子计算", "火星车", "潜水艇"],
          5: ["火星探测器着陆", "深海潜水艇基地"]}
CJK = re.compile(r"[\u4e00-\u9fff]+")


def _texts(db) -> list[str]:
    """A spread sample of the indexed texts of every kind (every k-th row of each search table)."""
    texts = []
    for kind in INDEXED_KINDS:
        table, record = db.search.table(kind), db.search.id("s")
        total = db.value(f"SELECT count(*) FROM {table}") or 0
        step = max(1, total // SAMPLE_ROWS)
        texts += [r["t"] for r in db.rows(f"SELECT s.title || ' ' || s.detail AS t FROM {table} s"
                                          f" WHERE {record} % :p1 = 0", {"p1": step})]
    return texts


def _grams(texts: list[str], n: int) -> Counter:
    """How many texts hold each run of n Chinese characters."""
    counts: Counter = Counter()
    for text in texts:
        counts.update({run[i:i + n] for run in CJK.findall(text) for i in range(len(run) - n + 1)})
    return counts


def _matches(db, text: str) -> int:
    """Records of every kind holding the text (what search would find without its limit)."""
    total = 0
    for kind in INDEXED_KINDS:
        found = db.search.matching_ids(kind, [text])
        if found is not None:
            total += db.value(f"SELECT count(*) FROM ({found[0]}) m", found[1])
    return total


_CHOSEN: dict[str, dict] = {}  # ledger → its queries, chosen once per run (search and gui_search)


def queries(ctx: Context, db) -> dict[int, list[tuple[str, str, int]]]:
    """Per length: (case, text, records matching) for a common, a rare and an absent query."""
    if ctx.ledger not in _CHOSEN:
        _CHOSEN[ctx.ledger] = _choose(db)
    return _CHOSEN[ctx.ledger]


def _choose(db) -> dict[int, list[tuple[str, str, int]]]:
    texts = _texts(db)
    chosen = {}
    for n in LENGTHS:
        counts = _grams(texts, n)
        if not counts:
            continue
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        common = ordered[0][0]
        picked = [("common", common, _matches(db, common))]
        # rare: seen once in the sample, and found in 1–5 records in all (a name, a place, a phrase);
        # counting one- and two-character candidates means a LIKE over every table, so fewer of those
        candidates = sorted((kv for kv in ordered if kv[1] == 1), key=lambda kv: kv[0])[:12 if n < 3 else 60]
        for gram, _count in candidates:
            found = _matches(db, gram)
            if 1 <= found <= 5:
                picked.append(("rare", gram, found))
                break
        for gram in ABSENT[n]:
            if _matches(db, gram) == 0:
                picked.append(("absent", gram, 0))
                break
        chosen[n] = picked
    return chosen


def _by_kind_ms(db, text: str) -> dict[str, float]:
    """One run of each kind's query on its own: where a slow search spends its time."""
    edition_id = framework.current_edition_id(db)
    return time_each({kind: (lambda kind=kind: search.search_kind(db, kind, text, 50, edition_id))
                      for kind in search.KINDS})


@group("search", reads_only=True)
def search_figure(ctx: Context, wanted: set[str]):
    db = ctx.open_store()
    try:
        for n, picked in queries(ctx, db).items():
            timer, per_value, samples, cpu = Timer(), {}, {}, {}
            for case, text, found in picked:
                before = len(timer.wall)
                hits = 0
                for _ in repeats(ctx.samples(10)):
                    with timer.sample():
                        hits = len(search.search(db, text))
                samples[text], cpu[text] = timer.wall[before:], timer.cpu[before:]
                per_value[text] = {"case": case, "records": found, "hits": hits, "median_ms": median(samples[text]),
                                   "p95_ms": p95(samples[text]), "by_kind_ms": _by_kind_ms(db, text)}
            worst, worst_samples = slowest(samples)
            yield result("search", worst_samples, BUDGET_MS[n], ctx, n=len(timer.wall), query_chars=n, slowest=worst,
                         cpu_median_ms=median(cpu.get(worst, [])), queries=per_value)
    finally:
        db.close()


@group("gui_search", reads_only=True)
def gui_search(ctx: Context, wanted: set[str]):
    """Through the dialog on a real main window: from setting the text to the list model filled
    and the events it posted processed. The dialog waits TYPING_PAUSE_MS after the last keystroke
    before searching; that pause is left out (given as typing_pause_ms) and run_search called at once."""
    from bench.figures.qt import close_window, open_window, settle
    from gui.dialogs.search import TYPING_PAUSE_MS

    db = ctx.open_store()
    try:
        picked_by_length = queries(ctx, db)
    finally:
        db.close()
    app, window = open_window(ctx)
    try:
        window.open_search()
        dialog = window.search_dialog
        if dialog is None or not hasattr(dialog, "run_search"):
            print("gui_search: the main window has no search dialog; skipped", file=sys.stderr)
            return
        settle(app)
        for n, picked in picked_by_length.items():
            timer, per_value, samples, cpu = Timer(), {}, {}, {}
            for case, text, _found in picked:
                before = len(timer.wall)
                for _ in repeats(ctx.samples(10)):
                    dialog.edit.setText("")
                    dialog.run_search()
                    settle(app)
                    with timer.sample():
                        dialog.edit.setText(text)
                        dialog.run_search()
                        app.processEvents()
                samples[text], cpu[text] = timer.wall[before:], timer.cpu[before:]
                per_value[text] = {"case": case, "rows": dialog.model.rowCount(), "median_ms": median(samples[text]),
                                   "p95_ms": p95(samples[text])}
            worst, worst_samples = slowest(samples)
            yield result("gui_search", worst_samples, BUDGET_MS[n], ctx, n=len(timer.wall), query_chars=n,
                         slowest=worst, cpu_median_ms=median(cpu.get(worst, [])), typing_pause_ms=TYPING_PAUSE_MS,
                         queries=per_value)
        dialog.close()
    finally:
        close_window(app, window)
