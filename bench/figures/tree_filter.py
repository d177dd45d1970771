"""Filtering the 测评体系 tree in core: what the page computes on every keystroke or pick
(core.framework.filter_node_ids), without Qt. The tree's rows (core.framework.tree_rows) are read
once per change of the data and kept by the page, so they are timed once per case (tree_rows_ms),
not in every sample."""

from __future__ import annotations

from dataclasses import dataclass

from bench.figures import Context, QueryLimit, Timer, group, median, ms_since, now, repeats, result
from core import framework, settings

# Typed text: frequent words, a code prefix ("1.10" must not match "1.1"), a word found nowhere.
LONG_QUERIES = ["公益广告", "农贸市场", "知晓率", "垃圾分类投放点", "1.10", "没有这样的词"]
SHORT_QUERIES = ["街", "率", "广告", "5.", "无障"]
TEXT_BUDGET_MS, SHORT_TEXT_BUDGET_MS = 50, 100


@dataclass(frozen=True)
class Case:
    name: str
    budget_ms: float
    values: list[tuple[str, dict]]  # (label, keyword arguments of filter_node_ids)


def cases(db, edition_id: int) -> list[Case]:
    """The filters the page offers, each with values that differ in how much they match."""
    return [
        Case("text", TEXT_BUDGET_MS, [(q, {"text": q}) for q in LONG_QUERIES]),
        Case("short_text", SHORT_TEXT_BUDGET_MS, [(q, {"text": q}) for q in SHORT_QUERIES]),
        Case("unit", TEXT_BUDGET_MS, [(name, {"unit_id": unit_id}) for name, unit_id in _sample_units(db, edition_id)]),
        Case("method", TEXT_BUDGET_MS, [(m, {"method": m}) for m in settings.vocab(db, "method")]),
        Case("working_group", TEXT_BUDGET_MS,
             [(g, {"working_group": g}) for g in framework.group_names(db)[:3]]),
        Case("no_lead", TEXT_BUDGET_MS, [("只看无牵头单位", {"no_lead": True})]),
    ]


def _sample_units(db, edition_id: int) -> list[tuple[str, int]]:
    """The unit named most often, one named least often, and a street (reached through 各街道办事处)."""
    by_use = db.rows("SELECT u.name, u.id FROM assignments a JOIN framework_nodes n ON n.id = a.node_id"
                      " JOIN units u ON u.id = a.unit_id WHERE n.edition_id = :p1"
                      " GROUP BY u.id ORDER BY count(*) DESC, u.id", {"p1": edition_id})
    street = db.rows("SELECT name, id FROM units WHERE kind = '街道' AND retired = 0 ORDER BY position LIMIT 1")
    picked = ([by_use[0], by_use[-1]] if by_use else []) + street
    return list(dict.fromkeys((u["name"], u["id"]) for u in picked))


@group("tree_filter", reads_only=True)
def tree_filter(ctx: Context, wanted: set[str]):
    edition_id = ctx.dataset.edition_id
    db = ctx.open_store()
    limit = QueryLimit(db)
    for case in cases(db, edition_id):
        timer, filters, fired = Timer(), [], limit.fired
        started = now()
        framework.tree_rows(db, edition_id)  # what the page reads when the data changed
        tree_ms = ms_since(started)
        for _label, kwargs in case.values:
            for _ in repeats(ctx.samples(20)):
                try:
                    with timer.sample():
                        started = now()
                        with limit.armed():
                            framework.filter_node_ids(db, edition_id, **kwargs)
                except Exception as exc:
                    if not limit.stopped(exc):
                        raise
                    break  # stopped by the limit: the sample stays as a lower bound
                filters.append(ms_since(started))
        yield result("tree_filter", timer.wall, case.budget_ms, ctx, case=case.name, cpu_median_ms=median(timer.cpu),
                     filter_ms=median(filters), tree_rows_ms=round(tree_ms, 1), timed_out=limit.fired - fired,
                     values=[label for label, _ in case.values])
    db.close()
