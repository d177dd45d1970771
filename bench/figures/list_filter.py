"""Filtering the lists of the main window as a user does: pick in a combo box, tick a box, type in a
filter field, change a date. Timed from changing the widget to the end of the event processing
that updates the view (the page's slot runs, the model resets, the table repaints).

Every list page with filters: 督查督办 (problem list), 档案材料 (checklist), 目标责任书, 责任单位,
责任分工, 操作日志 and 丢分分析 (the round's lines); the 测评体系 tree is gui_tree_filter. Widgets
are looked up by their attribute names on the page; one that is missing (renamed) is skipped with
a note on stderr, so the rest still run.

A field that filters after a typing pause (a single-shot QTimer started by the change) is fired at
once: the pause is the page's choice, not its cost, and is given as debounce_ms. Budgets
(DESIGN.md): 50 ms for any list filter; typed text of one or two characters 100 ms.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from bench.figures import Context, Timer, group, median, p95, repeats, result, slowest
from bench.figures.qt import close_window, open_window, settle

BUDGET_MS, SHORT_TEXT_BUDGET_MS = 50, 100


@dataclass
class Filter:
    page: str  # page key
    name: str  # the filter as the result line names it
    widget: str  # attribute of the page
    values: list  # (label, value): text for a line edit, True for a check box, item data or text for a combo
    signal: str = ""  # "activated": the page listens to the user's pick, not to index changes
    budget_ms: float = BUDGET_MS
    tab: tuple[str, int] | None = None  # (attribute of a QTabWidget, index) to show first
    extra: dict = field(default_factory=dict)


def _one(db, sql: str, params=None):
    found = db.rows(sql, params)
    return next(iter(found[0].values())) if found else None


def _text_filters(page: str, widget: str, long: list[str], short: list[str], **kw) -> list[Filter]:
    return [Filter(page, "text", widget, [(t, t) for t in long], **kw),
            Filter(page, "short_text", widget, [(t, t) for t in short], budget_ms=SHORT_TEXT_BUDGET_MS, **kw)]


def filters(db) -> list[Filter]:
    """The filters of every list page, with values from the data: a common and a rare choice."""
    busiest_unit = _one(db, "SELECT unit_id FROM findings GROUP BY unit_id ORDER BY count(*) DESC, unit_id LIMIT 1")
    quiet_unit = _one(db, "SELECT unit_id FROM findings GROUP BY unit_id ORDER BY count(*), unit_id LIMIT 1")
    street = _one(db, "SELECT s.locality_unit_id FROM findings f JOIN sites s ON s.id = f.site_id"
                      " GROUP BY s.locality_unit_id ORDER BY count(*) DESC LIMIT 1")
    site = _one(db, "SELECT s.name FROM findings f JOIN sites s ON s.id = f.site_id GROUP BY s.id"
                    " ORDER BY count(*), s.id LIMIT 1") or "没有这个点位"
    material_unit = _one(db, "SELECT unit_id FROM materials WHERE unit_id IS NOT NULL GROUP BY unit_id"
                             " ORDER BY count(*) DESC, unit_id LIMIT 1")
    categories = [r["id"] for r in db.rows("SELECT id FROM framework_nodes WHERE level = 1 AND retired = 0"
                                            " ORDER BY edition_id DESC, position, id LIMIT 40")]
    category_values = [("first", categories[0])] + ([("middle", categories[len(categories) // 2])]
                                                    if len(categories) > 2 else [])
    operator = _one(db, "SELECT operator FROM audit_log GROUP BY operator ORDER BY count(*) DESC LIMIT 1")
    return [
        Filter("supervision", "status", "f_status", [("整改中", "整改中"), ("未销号", "open"), ("已销号", "已销号")],
               tab=("tabs", 0)),
        Filter("supervision", "unit", "f_unit", [("most findings", busiest_unit), ("fewest", quiet_unit)]),
        Filter("supervision", "locality", "f_locality", [("busiest street", street)]),
        Filter("supervision", "site_type", "f_type", [("主干道", "主干道"), ("集贸市场", "集贸市场")]),
        Filter("supervision", "overdue", "f_overdue", [("仅逾期", True)]),
        Filter("supervision", "flagged", "f_flagged", [("仅挂牌", True)]),
        *_text_filters("supervision", "f_text", ["占道经营", "公益广告破损", site], ["街", "占道"]),
        Filter("materials", "category", "checklist.category_box", category_values, tab=("tabs", 0)),
        Filter("materials", "unit", "checklist.unit_box", [("most materials", material_unit)]),
        Filter("materials", "status", "checklist.status_box", [("需补充", "需补充"), ("待提交", "待提交")]),
        Filter("materials", "kind", "checklist.kind_box", [("实景图片", "实景图片")]),
        Filter("materials", "overdue", "checklist.overdue_box", [("已逾期", True)]),
        *_text_filters("materials", "checklist.search", ["公益广告", "规范性文件", "CL000123"], ["盖", "台账"]),
        Filter("letters", "state", "state_filter", [("未签订", "未签订"), ("已签订", "已签订"), ("分解表有变化", "分解表有变化")]),
        *_text_filters("letters", "text", ["街道办事处", "供电所"], ["街", "东岗"]),
        *_text_filters("units", "filter", ["街道办事处", "派出所"], ["区", "东岗"]),
        Filter("units", "show_retired", "show_retired", [("显示已停用", True)]),
        *_text_filters("assignments", "filter", ["街道办事处", "派出所"], ["区", "东岗"]),
        *_text_filters("audit", "text", ["公益广告", "复查通过并销号"], ["街", "整改"]),
        Filter("audit", "operator", "operator", [("busiest operator", operator)], signal="activated"),
        Filter("audit", "area", "area", [("findings", "findings"), ("materials", "materials")], signal="activated"),
        Filter("audit", "date_from", "date_from", [("one year back", -365), ("one week back", -7)]),
        *_text_filters("scoring", "lines_filter", ["公益广告破损", "占道经营"], ["街", "台账"], tab=("tabs", 0)),
        Filter("scoring", "only_losses", "only_losses", [("只看失分", True)]),
    ]


# --- driving the widgets ------------------------------------------------------------------------

def _kind(widget) -> str:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QDateEdit, QLineEdit

    for cls, name in ((QComboBox, "combo"), (QLineEdit, "text"), (QAbstractButton, "check"), (QDateEdit, "date")):
        if isinstance(widget, cls):
            return name
    return ""


def _set(widget, kind: str, value, signal: str, start_date) -> bool:
    """Put the widget in the value's state; False when the value is not offered."""
    if kind == "text":
        widget.setText(value)
    elif kind == "check":
        widget.setChecked(bool(value))
    elif kind == "date":
        from PySide6.QtCore import QDate

        widget.setDate(start_date if value is None else QDate.currentDate().addDays(value))
    else:
        index = 0 if value is None else widget.findData(value)
        if index < 0:
            index = widget.findText(str(value))
        if index < 0:
            return False
        widget.setCurrentIndex(index)
        if signal == "activated":
            widget.activated.emit(index)
    return True


def _neutral(widget, kind: str, signal: str, start_date) -> None:
    _set(widget, kind, {"text": "", "check": False}.get(kind), signal, start_date)


def _fire_pauses(page, before: set) -> float:
    """Run the typing pauses the change started at once; returns the longest pause."""
    from PySide6.QtCore import QTimer

    longest = 0
    for timer in page.findChildren(QTimer):
        if timer.isSingleShot() and timer.isActive() and id(timer) not in before:
            longest = max(longest, timer.interval())
            timer.stop()
            timer.timeout.emit()
    return longest


def _active_pauses(page) -> set:
    from PySide6.QtCore import QTimer

    return {id(t) for t in page.findChildren(QTimer) if t.isSingleShot() and t.isActive()}


# The list each page filters (attribute of the page), to report how many rows it shows.
LIST_VIEWS = {"supervision": "findings_table", "materials": "checklist.table", "letters": "table", "units": "table",
              "assignments": "summary", "audit": "table", "scoring": "lines_table"}


def _part(page, path: str):
    """A widget of the page by its attribute path ("checklist.search": a part of the page holds it)."""
    found = page
    for name in path.split(".") if path else [""]:
        found = getattr(found, name, None)
        if found is None:
            return None
    return found


def _shown(page) -> int | None:
    view = _part(page, LIST_VIEWS.get(page.key, ""))
    model = view.model() if view is not None and hasattr(view, "model") else None
    return model.rowCount() if model is not None else None


@group("list_filter", reads_only=True)
def list_filter(ctx: Context, wanted: set[str]):
    app, window = open_window(ctx)
    try:
        keys = {p.key for p in window.pages}
        for f in filters(window.ctx.db):
            if f.page not in keys:
                print(f"list_filter: no page {f.page!r}; {f.page}.{f.name} skipped", file=sys.stderr)
                continue
            page = window.show_page(f.page)
            if f.tab:
                tabs = getattr(page, f.tab[0], None)
                if tabs is not None:
                    tabs.setCurrentIndex(f.tab[1])
            settle(app)
            widget = _part(page, f.widget)
            kind = _kind(widget) if widget is not None else ""
            if not kind:
                print(f"list_filter: {f.page}.{f.widget} not found (renamed?); {f.page}.{f.name} skipped",
                      file=sys.stderr)
                continue
            start_date = widget.date() if kind == "date" else None
            timer, per_value, samples, cpu, pause, shown = Timer(), {}, {}, {}, 0, {}
            for label, value in f.values:
                if value is None:
                    continue
                before = len(timer.wall)
                for _ in repeats(ctx.samples(10)):
                    _neutral(widget, kind, f.signal, start_date)
                    _fire_pauses(page, set())
                    settle(app)
                    active = _active_pauses(page)
                    with timer.sample():
                        if not _set(widget, kind, value, f.signal, start_date):
                            break
                        pause = max(pause, _fire_pauses(page, active))
                        app.processEvents()
                samples[label], cpu[label] = timer.wall[before:], timer.cpu[before:]
                if samples[label]:
                    shown[label] = _shown(page)
                    per_value[label] = {"median_ms": median(samples[label]), "p95_ms": p95(samples[label])}
            _neutral(widget, kind, f.signal, start_date)
            _fire_pauses(page, set())
            settle(app)
            if not timer.wall:
                print(f"list_filter: {f.page}.{f.name}: no value offered by the widget; skipped", file=sys.stderr)
                continue
            worst, worst_samples = slowest(samples)
            yield result("list_filter", worst_samples, f.budget_ms, ctx, n=len(timer.wall), page=f.page, filter=f.name,
                         slowest=worst, cpu_median_ms=median(cpu.get(worst, [])), debounce_ms=pause or None,
                         values=per_value, rows_shown=shown)
    finally:
        close_window(app, window)
