"""The signing overview: every active unit with its tasks and the state of its letter for a year,
as the 目标责任书 page, the command line and the exported list show it."""

from __future__ import annotations

from core import framework, units
from core.letters.changes import CHANGED, change_texts
from core.letters.status import NO_TASKS, NOT_ISSUED, SIGNED, latest_status, scan_counts, state_filter
from core.letters.tasks import check_year

STATUS_HEADERS = ["序号", "责任单位", "单位类别", "任务数", "牵头", "配合", "分值合计", "签订状态",
                  "印发日期", "签订日期", "签字人", "扫描件", "分解表变化"]


def status_rows(db, year: int, edition_id: int | None, *, with_changes: bool = True) -> list[dict]:
    """Every active unit with its task counts, signing state for the year, whether its tasks changed
    since its letter was generated, and how many scans are attached. The counts come from
    EditionRoles without building task lists. Without with_changes the change columns are left
    empty for change_texts to fill: reading and comparing the snapshots is most of the work at 10x
    data (a few hundred ms), and a list can be shown before it."""
    year = check_year(year)
    roles = framework.EditionRoles(db, edition_id) if edition_id else None
    states = latest_status(db, year, with_snapshot=with_changes)
    texts = change_texts(db, year, edition_id, states) if edition_id and with_changes else {}
    scans = scan_counts(db)
    out = []
    for unit in units.list_units(db):
        count, lead, points = roles.totals(unit["id"]) if roles else (0, 0, 0.0)
        status = states.get(unit["id"], {})
        text = texts.get(unit["id"], "")
        out.append({"unit_id": unit["id"], "name": unit["name"], "short_name": unit["short_name"],
                    "kind": unit["kind"], "task_count": count, "lead_count": lead,
                    "support_count": count - lead, "points": points,
                    "state": status.get("state", NOT_ISSUED) if count else NO_TASKS,
                    "issued_on": status.get("issued_on", ""), "signed_on": status.get("signed_on", ""),
                    "signed_by": status.get("signed_by", ""), "generated_at": status.get("generated_at", ""),
                    "status_id": status.get("id"), "version": status.get("version"),
                    "scan_count": scans.get(status.get("id"), 0),
                    "changed": CHANGED if text else "", "change_text": text})
    return out


def with_letters(rows: list[dict], *, unsigned_only: bool = False) -> list[dict]:
    """The rows of units that get a letter (those with tasks); only the unsigned ones if asked."""
    keeps = state_filter("unsigned").keeps if unsigned_only else (lambda r: r["state"] != NO_TASKS)
    return [r for r in rows if keeps(r)]


def signed_of(rows: list[dict]) -> int:
    return sum(1 for r in rows if r["state"] == SIGNED)


def export_status(db, path, year: int, edition_id: int | None, *, unsigned_only: bool = False,
                  progress=None, cancel=None) -> int:
    """The units and their signing state as .xlsx (only those with tasks not yet signed when
    unsigned_only); returns the number of rows."""
    import datetime as dt

    from core.xlsx.writer import Sheet, write_workbook

    def as_date(text: str):
        return dt.date.fromisoformat(text) if text else None

    found = with_letters(status_rows(db, year, edition_id), unsigned_only=unsigned_only)
    data = [[i + 1, r["name"], r["kind"], r["task_count"], r["lead_count"], r["support_count"], r["points"],
             r["state"], as_date(r["issued_on"]), as_date(r["signed_on"]), r["signed_by"],
             "有" if r["scan_count"] else "无", r["change_text"]] for i, r in enumerate(found)]
    title = f"{year}年度未签订责任书单位" if unsigned_only else f"{year}年度责任书签订情况"
    write_workbook(path, [Sheet(title, STATUS_HEADERS, data, row_count=len(data))], progress=progress, cancel=cancel)
    return len(data)
