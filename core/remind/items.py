"""What each unit is chased about on a day: the items of five kinds (督查问题 due soon or overdue,
交办 not 签收, 档案材料 due soon or 需补充, 责任书 issued but not signed, 工作包 not returned), each
with its 到期日 and 逾期天数, and the units in order of urgency.

The dates that decide an item are computed here in Python from the settings and bound into the
SQL (both engines store dates as 'YYYY-MM-DD' text), so the rules read the same on either."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import clock, dates, framework, letters, materials, settings
from core.query import Where
from core.supervision import workdays
from core.supervision.rules import ISSUED, OWING as FINDING_OWING

# The kinds of item, in the order a unit's list and its text name them.
FINDING, UNSIGNED, MATERIAL, LETTER, PACKAGE = "finding", "unsigned", "material", "letter", "package"
KINDS = {FINDING: "督查问题", UNSIGNED: "未签收", MATERIAL: "档案材料", LETTER: "目标责任书", PACKAGE: "工作包"}
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}
TABLE_OF_KIND = {FINDING: "findings", UNSIGNED: "findings", MATERIAL: "materials", LETTER: "letter_status",
                 PACKAGE: "unit_packages"}
NO_DATE = "9999-12-31"  # an item without 到期日 (需补充, 责任书) sorts after every dated one


@dataclass(frozen=True)
class Day:
    """The dates one day's list is drawn with."""

    today: dt.date
    horizon: dt.date  # due on or before this (催办提前工作日 working days ahead) means chase now
    unsigned_by: dt.date  # 交办 on or before this and still not 签收
    package_by: dt.date  # exported before this and still not imported
    unsigned_days: int
    package_days: int


def day_of(db, day=None) -> Day:
    """The day's dates from the settings; day is a date, 'YYYY-MM-DD' text or None (today)."""
    today = dates.parse(day, "催办日期") if day not in (None, "") else clock.today()
    lead = settings.get(db, "remind_lead_workdays")
    horizon = workdays.load(db).add_workdays(today, lead).due if lead else today
    unsigned_days = settings.get(db, "remind_unsigned_days")
    package_days = settings.get(db, "remind_package_days")
    return Day(today, horizon, today - dt.timedelta(days=unsigned_days),
               today - dt.timedelta(days=package_days), unsigned_days, package_days)


def _overdue(due: str, today: dt.date) -> int:
    return max((today - dt.date.fromisoformat(due)).days, 0) if due else 0


def _item(kind: str, row: dict, matter: str, due: str, d: Day) -> dict:
    return {"unit_id": row["unit_id"], "kind": kind, "kind_label": KINDS[kind], "record_table": TABLE_OF_KIND[kind],
            "record_id": row["id"], "matter": matter, "due_on": due, "overdue_days": _overdue(due, d.today),
            "status": row.get("status", ""), "last_reminded": ""}


def _units_where(unit_ids, column: str) -> Where:
    where = Where().add("u.retired = 0")
    if unit_ids is not None:
        where.one_of(column, "unit", list(unit_ids))
    return where


def _findings(db, d: Day, unit_ids) -> list[dict]:
    where = _units_where(unit_ids, "f.unit_id")
    where.one_of("f.status", "owing", FINDING_OWING)
    where.add("(f.due_on <= :horizon OR (f.status = :issued AND f.assigned_on <= :unsigned_by))",
              horizon=d.horizon.isoformat(), issued=ISSUED, unsigned_by=d.unsigned_by.isoformat())
    rows = db.rows("SELECT f.id, f.unit_id, f.description, f.due_on, f.status, f.assigned_on, s.name AS site"
                   " FROM findings f JOIN units u ON u.id = f.unit_id JOIN sites s ON s.id = f.site_id"
                   + where.sql() + " ORDER BY f.id", where.params)
    found = []
    for r in rows:
        what = f"{r['site']}：{r['description']}"
        if r["due_on"] and r["due_on"] <= d.horizon.isoformat():
            found.append(_item(FINDING, r, f"督查问题（{r['status']}）{what}", r["due_on"], d))
        if r["status"] == ISSUED and r["assigned_on"] and r["assigned_on"] <= d.unsigned_by.isoformat():
            expected = (dt.date.fromisoformat(r["assigned_on"]) + dt.timedelta(days=d.unsigned_days)).isoformat()
            found.append(_item(UNSIGNED, r, f"督查问题 {r['assigned_on']} 交办后未签收：{what}", expected, d))
    return found


def _materials(db, d: Day, unit_ids) -> list[dict]:
    edition_id = framework.current_edition_id(db)
    if edition_id is None:
        return []
    where = _units_where(unit_ids, "m.unit_id")
    where.add("m.edition_id = :edition AND m.removed = 0", edition=edition_id)
    where.add("(m.status = :needs_more OR (m.status = :pending AND m.due_on <> '' AND m.due_on <= :horizon))",
              needs_more=materials.NEEDS_MORE, pending=materials.PENDING, horizon=d.horizon.isoformat())
    rows = db.rows("SELECT m.id, m.unit_id, m.title, m.status, m.due_on, m.comment FROM materials m"
                   " JOIN units u ON u.id = m.unit_id"
                   + where.sql() + " ORDER BY m.id", where.params)
    found = []
    for r in rows:
        why = f"（审核意见：{r['comment']}）" if r["status"] == materials.NEEDS_MORE and r["comment"] else ""
        matter = f"档案材料{r['status']}：{r['title']}（{materials.material_code(r['id'])}）{why}"
        found.append(_item(MATERIAL, r, matter, r["due_on"], d))
    return found


def _letters(db, d: Day, unit_ids) -> list[dict]:
    """Letters printed and handed out (已印发) for the current year and not signed: chasing a letter
    the office has not yet issued would be chasing itself."""
    edition_id = framework.current_edition_id(db)
    if edition_id is None:
        return []
    year = settings.get(db, "current_year")
    where = _units_where(unit_ids, "u.id")
    where.add(letters.HAS_TASKS_SQL, e=edition_id)
    on_list = set(db.column("SELECT u.id FROM units u" + where.sql(), where.params))
    found = []
    for unit_id, status in letters.latest_status(db, year).items():
        if unit_id in on_list and status["state"] == letters.ISSUED:
            row = {"id": status["id"], "unit_id": unit_id, "status": status["state"]}
            found.append(_item(LETTER, row, f"{year}年度目标责任书已于 {status['issued_on']} 印发，尚未签订", "", d))
    return found


def _packages(db, d: Day, unit_ids) -> list[dict]:
    """Each unit's latest 工作包 (a newer one replaces what an older one asked), when it is not
    back more than 工作包回收天数 days after it went out."""
    where = _units_where(unit_ids, "p.unit_id")
    latest = {}
    for r in db.rows("SELECT p.id, p.unit_id, p.exported_at, p.file_name, p.imported_at FROM unit_packages p"
                     " JOIN units u ON u.id = p.unit_id" + where.sql() + " ORDER BY p.exported_at, p.id", where.params):
        latest[r["unit_id"]] = r
    found = []
    for r in latest.values():
        exported = r["exported_at"][:10]
        if r["imported_at"] or exported >= d.package_by.isoformat():
            continue
        due = (dt.date.fromisoformat(exported) + dt.timedelta(days=d.package_days)).isoformat()
        name = f"（{r['file_name']}）" if r["file_name"] else ""
        found.append(_item(PACKAGE, r, f"工作包{name}于 {exported} 下发，尚未交回", due, d))
    return found


def _last_reminders(db, items: list[dict], d: Day) -> None:
    """Each item's latest 催办 (the list says what was already done, and when)."""
    if not items:
        return
    since = (d.today - dt.timedelta(days=90)).isoformat()
    last = {}
    for r in db.rows("SELECT record_table, record_id, method, created_at FROM reminders WHERE created_at >= :since"
                     " ORDER BY created_at, id", {"since": since}):
        last[(r["record_table"], r["record_id"])] = f"{r['created_at'][:10]} {r['method']}"
    for item in items:
        item["last_reminded"] = last.get((item["record_table"], item["record_id"]), "")


def _sort_key(item: dict) -> tuple:
    return (-item["overdue_days"], item["due_on"] or NO_DATE, KIND_ORDER[item["kind"]], item["record_id"])


def collect(db, day=None, unit_ids=None) -> list[dict]:
    """The units to chase on the day, most urgent first (most days overdue, then the soonest
    到期日), each with its contact and its items in the same order. unit_ids: only these units."""
    d = day if isinstance(day, Day) else day_of(db, day)
    items = [*_findings(db, d, unit_ids), *_materials(db, d, unit_ids), *_letters(db, d, unit_ids),
             *_packages(db, d, unit_ids)]
    _last_reminders(db, items, d)
    by_unit: dict[int, list[dict]] = {}
    for item in sorted(items, key=_sort_key):
        by_unit.setdefault(item["unit_id"], []).append(item)
    where = Where().one_of("id", "unit", list(by_unit))
    info = {u["id"]: u for u in db.rows("SELECT id, name, short_name, liaison, phone, position FROM units"
                                        + where.sql(), where.params)}
    result = [_unit_entry(info[unit_id], found, d) for unit_id, found in by_unit.items()]
    result.sort(key=lambda u: (-u["most_overdue"], u["earliest_due"] or NO_DATE, info[u["unit_id"]]["position"],
                               u["unit_id"]))
    return result


def _unit_entry(unit: dict, found: list[dict], d: Day) -> dict:
    counts = {kind: sum(1 for i in found if i["kind"] == kind) for kind in KINDS}
    dated = [i["due_on"] for i in found if i["due_on"]]
    return {"unit_id": unit["id"], "name": unit["name"], "short_name": unit["short_name"] or unit["name"],
            "liaison": unit["liaison"], "phone": unit["phone"], "items": found, "counts": counts,
            "overdue": sum(1 for i in found if i["overdue_days"] > 0), "most_overdue": found[0]["overdue_days"],
            "earliest_due": min(dated) if dated else "", "today": d.today.isoformat()}


def unit_entry(db, unit_id: int, day=None) -> dict | None:
    """One unit's entry for the day (None when there is nothing to chase it about)."""
    found = collect(db, day, [unit_id])
    return found[0] if found else None


def count_units(db, day=None) -> int:
    """How many units need chasing on the day (首页)."""
    return len(collect(db, day))
