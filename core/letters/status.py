"""Signing a letter, per unit and year: 未印发 → 已印发 (date) → 已签订 (date, who signed). The
scanned signed copy is an attachment owned by the unit's ('letter_status', id) record. The filters
the 目标责任书 page offers over these states live here too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from core import attachments, audit, clock, dates, framework, settings, units
from core.errors import AppError
from core.letters.tasks import HAS_TASKS_SQL, check_year

NOT_ISSUED, ISSUED, SIGNED = "未印发", "已印发", "已签订"
STATES = (NOT_ISSUED, ISSUED, SIGNED)
NO_TASKS = "无任务"  # shown for a unit that holds nothing in the edition: it gets no letter
UNSIGNED = (NOT_ISSUED, ISSUED)
SCAN_ROLE = "签订扫描件"
OWNER_TABLE = "letter_status"

# After a unit merge there may be two rows for a unit and year: the most advanced one counts.
MOST_ADVANCED_FIRST = " ORDER BY CASE state WHEN :signed THEN 0 WHEN :issued THEN 1 ELSE 2 END, id"
_STATE_PARAMS = {"signed": SIGNED, "issued": ISSUED}


@dataclass(frozen=True)
class StateFilter:
    """One choice of the page's state filter: which status rows (status_rows) it keeps."""

    key: str
    label: str
    keeps: Callable[[dict], bool]
    needs_changes: bool = False  # it reads the 分解表变化 column (change_texts)


STATE_FILTERS = (
    StateFilter("all", "全部单位", lambda r: True),
    StateFilter("unsigned", "未签订", lambda r: r["state"] in UNSIGNED),
    StateFilter("not_issued", NOT_ISSUED, lambda r: r["state"] == NOT_ISSUED),
    StateFilter("issued", ISSUED, lambda r: r["state"] == ISSUED),
    StateFilter("signed", SIGNED, lambda r: r["state"] == SIGNED),
    StateFilter("changed", "分解表有变化", lambda r: bool(r["changed"]), needs_changes=True),
    StateFilter("no_tasks", NO_TASKS, lambda r: r["state"] == NO_TASKS),
)


def state_filter(key: str) -> StateFilter:
    return next(f for f in STATE_FILTERS if f.key == key)


def _status_row(db, year: int, unit_id: int) -> dict | None:
    return db.one("SELECT * FROM letter_status WHERE year = :year AND unit_id = :unit" + MOST_ADVANCED_FIRST,
                  {"year": year, "unit": unit_id, **_STATE_PARAMS})


def latest_status(db, year: int, with_snapshot: bool = False) -> dict[int, dict]:
    """unit → its letter_status row for the year (the most advanced one when merging left two);
    the snapshots (every task of every letter, megabytes at 10x) only when asked for."""
    states: dict[int, dict] = {}
    columns = "*" if with_snapshot else ("id, year, unit_id, state, issued_on, signed_on, signed_by, edition_id,"
                                         " generated_at, version")
    for r in db.rows(f"SELECT {columns} FROM letter_status WHERE year = :year" + MOST_ADVANCED_FIRST,
                     {"year": year, **_STATE_PARAMS}):
        states.setdefault(r["unit_id"], r)
    return states


def status_id(db, year: int, unit_id: int) -> int:
    """The id of the unit's signing record for the year (created, as 未印发, when missing), which
    owns the scanned signed copy."""
    year = check_year(year)
    with db.write():
        row = _status_row(db, year, unit_id)
        if row:
            return row["id"]
        units.get_unit(db, unit_id)
        return db.insert("letter_status", {"year": year, "unit_id": unit_id})


def get_status(db, year: int, unit_id: int) -> dict:
    row = _status_row(db, year, unit_id)
    return row or {"id": None, "year": year, "unit_id": unit_id, "state": NOT_ISSUED, "issued_on": "",
                   "signed_on": "", "signed_by": "", "edition_id": None, "generated_at": "", "snapshot": None}


def set_state(db, year: int, unit_id: int, state: str, *, on=None, signed_by: str = "",
              expected_version: int | None = None) -> None:
    """Mark a unit's letter 未印发, 已印发 (on = issue date) or 已签订 (on = signing date, signed_by
    required). Going back clears the later dates, so a mistaken mark can be undone.
    expected_version: the version of the unit's record the form read (None: not checked)."""
    year = check_year(year)
    if state not in STATES:
        raise AppError(f"未知的签订状态“{state}”。可选：{'、'.join(STATES)}。")
    signed_by = " ".join(str(signed_by or "").split())
    if state != NOT_ISSUED:
        label = "印发日期" if state == ISSUED else "签订日期"
        on = dates.iso(on or clock.today(), label)
        dates.check_order(on, label)
    if state == SIGNED and not signed_by:
        raise AppError("标记“已签订”时请填写签字人（乙方负责人姓名）。")
    with db.write():
        unit = units.get_unit(db, unit_id)
        before = get_status(db, year, unit_id)
        if before["id"]:
            db.check_version("letter_status", before["id"], expected_version)
        after = {"state": state, "issued_on": "", "signed_on": "", "signed_by": ""}
        if state == ISSUED:
            after["issued_on"] = on
        elif state == SIGNED:
            issued = before["issued_on"] or on
            if on < issued:
                raise AppError(f"签订日期 {on} 早于印发日期 {issued}，请检查。")
            after.update(issued_on=issued, signed_on=on, signed_by=signed_by)
        if all(before.get(k) == v for k, v in after.items()):
            return
        record_id = before["id"] or status_id(db, year, unit_id)
        db.update("letter_status", record_id, after)
        audit.log(db, f"责任书{state}", OWNER_TABLE, record_id, {k: before.get(k) for k in after}, after,
                  f"{year}年度 {unit['name']}：{before['state']} → {state}")


def set_states(db, year: int, unit_ids: list[int], state: str, *, on=None, signed_by: str = "",
               scan=None, expected_versions: dict[int, int | None] | None = None) -> None:
    """set_state for several units in one transaction: a refused mark leaves every unit as it was.
    scan: the signed copy, stored with each unit's record in the same transaction (a full disk
    while storing it leaves the marks undone too). expected_versions: unit → the version of its
    record the list showed (a colleague's mark since refuses them all)."""
    expected_versions = expected_versions or {}
    with attachments.files_kept_only_on_success(db), db.write():
        for unit_id in unit_ids:
            set_state(db, year, unit_id, state, on=on, signed_by=signed_by,
                      expected_version=expected_versions.get(unit_id))
            if scan:
                attach_signed_copy(db, year, unit_id, scan)


def attach_signed_copy(db, year: int, unit_id: int, path) -> int:
    """Store the scanned signed copy with the unit's signing record; returns the attachment id."""
    return attachments.add_attachment(db, OWNER_TABLE, status_id(db, year, unit_id), path, role=SCAN_ROLE)


def scan_counts(db) -> dict[int, int]:
    """letter_status id → how many signed copies it holds."""
    return {r["owner_id"]: r["n"] for r in db.rows(
        "SELECT owner_id, count(*) AS n FROM attachments WHERE owner_table = :owner GROUP BY owner_id",
        {"owner": OWNER_TABLE})}


def signed_count(db, year: int) -> int:
    """Units whose letter for the year is signed."""
    return db.value("SELECT count(DISTINCT unit_id) FROM letter_status WHERE year = :year AND state = :signed",
                    {"year": year, "signed": SIGNED})


def unsigned_count(db, year: int | None = None) -> int:
    """Units with tasks in the current edition whose letter for the year is not yet signed."""
    edition_id = framework.current_edition_id(db)
    if edition_id is None:
        return 0
    year = year or settings.get(db, "current_year")
    return db.value(f"""
        SELECT count(*) FROM units u
         WHERE {HAS_TASKS_SQL}
           AND NOT EXISTS (SELECT 1 FROM letter_status s WHERE s.unit_id = u.id AND s.year = :y
                                                          AND s.state = :signed)""",
                    {"e": edition_id, "y": year, "signed": SIGNED})
