"""Findings from an Excel sheet into the ledger: every row checked against the ledger first (units,
点位, standards, the finding a 编号 names), then new findings, corrections and new 点位 written in
one transaction; and the finding list out to a sheet that imports back unchanged.

A row with a 编号 is that finding again (an exported list coming back): what changed is corrected
as far as editable_fields allows in its status, the rest is left alone, so importing an export
changes nothing. A 点位 not yet in the register is added with its 点位类型 and 属地 (both then
required). Units are named by full name, 简称 or former name; several 配合单位 in one cell are split
on 、，,；; etc.
"""

from __future__ import annotations

import datetime as dt
import re

from core import audit, settings, units
from core.errors import AppError, Cancelled
from core.supervision import findings, sites
from core.supervision.queries import FindingFilter, list_findings
from core.supervision.rules import NORMAL, PENDING, SEVERITIES, SOURCES, CLOSED
from core.text import clean_text, parse_date, parse_number, split_multi
from core.xlsx import supervision_io
from core.xlsx.reader import GRAND_TOTALS, Problem, total_label
from core.xlsx.supervision_io import LABELS

# A finding's field → the column that holds it.
FIELD_COLUMNS = {"found_on": "found_on", "source": "source", "site_id": "site", "node_id": "code",
                 "description": "description", "unit_id": "unit", "support_ids": "support", "severity": "severity",
                 "limit_days": "limit", "requested_due": "limit"}


class _Sheet:
    """What the rows of one file share while they are checked: names resolved once, 点位 to add."""

    def __init__(self, db, columns_found):
        self.db = db
        self.columns = set(columns_found)
        self.resolver = units.resolver(db)
        self.type_rows: dict[str, list[int]] = {}  # 点位类型 → rows naming it, checked once at the end
        self.known_sites: dict[str, int | None] = {}
        self.new_sites: dict[str, dict] = {}  # name → {"site_type", "locality_id", "row"}

    def site(self, name: str) -> int | None:
        if name not in self.known_sites:
            self.known_sites[name] = sites.find_site(self.db, name)
        return self.known_sites[name]

    def add_site(self, name: str, site_type: str, locality_id, n: int, problem) -> None:
        if name in self.new_sites:
            return
        if not site_type:
            problem("site_type", f"点位“{name}”不在点位库中，请填写点位类型以便新建")
        self.new_sites[name] = {"site_type": site_type, "locality_id": locality_id, "row": n}


def parse_findings(db, path, progress=None, cancel=None, add_types: bool = False) -> tuple[dict, list[Problem]]:
    """Read and check every row; nothing is written. Returns the plan — {"create": [new findings],
    "update": [(finding id, changes, row)], "unchanged": n, "new_sites": {name: spec},
    "new_site_types": [words]} — and the problems. A 点位类型 not in the list is one problem (naming
    its rows), or with add_types a word to add."""
    table = supervision_io.read_findings(path, progress=progress, cancel=cancel)
    sheet = _Sheet(db, table.columns_found)
    plan = {"create": [], "update": [], "unchanged": 0}
    problems: list[Problem] = []
    rows_of_id: dict[int, int] = {}
    totals: list[tuple[int, str, dict]] = []
    for row in table.rows:
        if cancel and cancel():
            raise Cancelled()
        v, n = row.values, row.number
        bad = len(problems)
        total = total_label(v, ("id", "found_on", "source", "site", "description", "unit"))
        if total:
            totals.append((n, total, v))
            continue

        def problem(key, message):
            problems.append(Problem(n, LABELS[key], message))

        if not clean_text(v.get("description")) and not clean_text(v.get("site")):
            continue
        if clean_text(v.get("id")):
            finding = _existing(db, v.get("id"), n, rows_of_id, problem)
            if finding is not None:
                changes = _changes(sheet, v, finding, n, problem)
                if len(problems) == bad:
                    if changes:
                        plan["update"].append((finding["id"], changes, n))
                    else:
                        plan["unchanged"] += 1
            continue
        item = _new_finding(db, sheet, v, n, problem)
        if len(problems) == bad:
            plan["create"].append(item)
    if not plan["create"] and not plan["update"] and not plan["unchanged"] and not problems:
        raise AppError("文件中没有找到任何督查问题。请检查表头下方是否有数据。")
    plan["new_sites"] = {name: {**spec, "name": name} for name, spec in sheet.new_sites.items()}
    plan["warnings"] = _check_totals(totals, len(plan["create"]) + len(plan["update"]) + plan["unchanged"])
    unknown = settings.unknown_words(db, "site_type", sheet.type_rows)
    plan["new_site_types"] = [word for word, _row, _message in unknown]
    if not add_types:
        problems += [Problem(row, LABELS["site_type"], message) for _word, row, message in unknown]
        problems.sort(key=lambda p: p.row or 0)
    return plan, problems


_COUNT = re.compile(r"(\d+)\s*(?:个|条|项|处)?(?:问题)?")


def _check_totals(totals: list[tuple[int, str, dict]], rows: int) -> list[str]:
    """A 合计/总计 row stating how many findings (共 12 个) against the rows read."""
    warnings = []
    for n, label, values in totals:
        stated = None
        for key, value in values.items():
            if key != "found_on" and (match := _COUNT.fullmatch(clean_text(value).strip("共计：: "))):
                stated = int(match[1])
        if label in GRAND_TOTALS and stated is not None and stated != rows:
            warnings.append(f"第 {n} 行是“{label}”行，已跳过；但它写的 {stated} 个与文件中的 {rows} 个问题不符，请核对文件。")
        else:
            warnings.append(f"第 {n} 行是“{label}”行，已跳过。")
    return warnings


def _existing(db, raw_id, n: int, rows_of_id: dict, problem) -> dict | None:
    number = None
    try:
        number = parse_number(raw_id)
    except ValueError:
        pass
    if number is None or number != int(number) or number < 1:
        problem("id", f"编号“{clean_text(raw_id)}”无法识别：应为问题清单（findings-export）中的问题编号；"
                      "新问题请让编号留空")
        return None
    finding_id = int(number)
    if finding_id in rows_of_id:
        problem("id", f"编号 {finding_id} 与第 {rows_of_id[finding_id]} 行重复")
        return None
    rows_of_id[finding_id] = n
    try:
        return findings.get_finding(db, finding_id)
    except AppError:
        problem("id", f"没有编号为 {finding_id} 的督查问题。请按问题清单（findings-export）的“编号”列填写；"
                      "新问题请让编号留空")
        return None


def _new_finding(db, sheet: _Sheet, v: dict, n: int, problem) -> dict:
    res = sheet.resolver
    description = clean_text(v.get("description"))
    site_name = " ".join(clean_text(v.get("site")).split())
    found_on = _found_on(v, problem)
    source = clean_text(v.get("source")) or "点位检查"
    if source not in SOURCES:
        problem("source", f"未知的来源“{source}”，可选：{'、'.join(SOURCES)}")
    severity = clean_text(v.get("severity")) or NORMAL
    if severity not in SEVERITIES:
        problem("severity", f"未知的严重程度“{severity}”，可选：{'、'.join(SEVERITIES)}")
    if not description:
        problem("description", "问题描述为空")
    site_type = _site_type(sheet, v, n)
    locality_id = _locality(sheet, v, problem)
    site_id = None
    if not site_name:
        problem("site", "点位为空")
    else:
        site_id = sheet.site(site_name)
        if site_id is None:
            sheet.add_site(site_name, site_type, locality_id, n, problem)
    node_id = None
    code = "".join(clean_text(v.get("code")).split())
    if code:
        node_id = findings.find_standard(db, code)
        if node_id is None:
            problem("code", f"当前版本的测评体系中没有标准编号“{code}”")
    unit_id = None
    unit_name = clean_text(v.get("unit"))
    if unit_name:
        unit_id = _unit(res, unit_name, "unit", problem)
    elif site_id is None and locality_id is None and node_id is None:
        problem("unit", "未填写责任单位，点位也不在点位库中（无法按点位确定责任单位）")
    support_ids = [u for u in (_unit(res, s, "support", problem) for s in split_multi(v.get("support"))) if u]
    limit_days, requested_due = None, None
    raw_limit = v.get("limit")
    if raw_limit not in (None, ""):
        limit_days, requested_due = _limit(raw_limit, found_on, problem)
    return {"row": n, "found_on": found_on, "source": source, "site_name": site_name, "site_id": site_id,
            "node_id": node_id, "description": description, "unit_id": unit_id, "support_ids": support_ids,
            "severity": severity, "limit_days": limit_days, "requested_due": requested_due}


def _changes(sheet: _Sheet, v: dict, f: dict, n: int, problem) -> dict:
    """What this row changes in the finding it names; a change its status does not allow is a problem.

    A column the file does not have, or a blank 来源, 严重程度 or 责任单位, leaves the field as it is;
    a name that still means the finding's own unit stays, even if the unit has been retired since."""
    res = sheet.resolver
    changes: dict = {}
    found_on = _found_on(v, problem)
    if found_on and found_on.isoformat() != f["found_on"]:
        changes["found_on"] = found_on
    source = clean_text(v.get("source"))
    if source and source != f["source"]:
        if source not in SOURCES:
            problem("source", f"未知的来源“{source}”，可选：{'、'.join(SOURCES)}")
        changes["source"] = source
    severity = clean_text(v.get("severity"))
    if severity and severity != f["severity"]:
        if severity not in SEVERITIES:
            problem("severity", f"未知的严重程度“{severity}”，可选：{'、'.join(SEVERITIES)}")
        changes["severity"] = severity
    description = clean_text(v.get("description"))
    if not description:
        problem("description", "问题描述为空")
    elif description != clean_text(f["description"]):
        changes["description"] = description
    site_name = " ".join(clean_text(v.get("site")).split())
    if not site_name:
        problem("site", "点位为空")
    elif site_name != f["site"]:
        site_id = sheet.site(site_name)
        if site_id is None:
            sheet.add_site(site_name, _site_type(sheet, v, n), _locality(sheet, v, problem), n, problem)
        changes["site_id"] = site_id or site_name  # a name: the 点位 is added before the finding is changed
    if "found_on" in changes and "site_id" in changes:
        problem("id", f"编号 {f['id']} 的督查问题是 {f['found_on']} 在“{f['site']}”发现的，与本行的发现日期和点位都不同。"
                      "如果“编号”列是序号而不是问题编号，请删去该列或改名为“序号”")
    code = "".join(clean_text(v.get("code")).split())
    if "code" in sheet.columns and code != (f["standard_code"] or ""):
        node_id = findings.find_standard(sheet.db, code) if code else None
        if code and node_id is None:
            problem("code", f"当前版本的测评体系中没有标准编号“{code}”")
        changes["node_id"] = node_id
    unit_name = clean_text(v.get("unit"))
    if unit_name and _unit_id(res, unit_name) != f["unit_id"]:
        changes["unit_id"] = _unit(res, unit_name, "unit", problem)
    if "support" in sheet.columns:
        support_ids = []
        for name in split_multi(v.get("support")):
            own = _unit_id(res, name)
            support_ids.append(own if own in f["support_ids"] else _unit(res, name, "support", problem))
        if set(support_ids) != set(f["support_ids"]):
            changes["support_ids"] = support_ids
    if "limit" in sheet.columns:
        changes.update(_limit_changes(v.get("limit"), found_on, f, problem))
    locked = {FIELD_COLUMNS[field] for field in changes if field not in findings.editable_fields(f["status"])}
    for key in sorted(locked, key=list(LABELS).index):
        problem(key, _locked_message(f, key))
    return changes


def _limit_changes(raw, found_on, f: dict, problem) -> dict:
    """整改时限 as the export shows it (supervision_io.deadline_cell) changes nothing. Before 交办 another value replaces
    what was entered (a blank: the default by severity); after 交办 the notice's deadline stands, and a
    blank cell leaves it too."""
    entered = _limit(raw, found_on, problem) if raw not in (None, "") else (None, None)
    shown = supervision_io.deadline_cell(f)
    if entered == (_limit(shown, None, lambda *_: None) if shown is not None else (None, None)):
        return {}
    if f["status"] != PENDING and raw in (None, ""):
        return {}
    limit_days, due = entered
    return {"limit_days": limit_days, "requested_due": due.isoformat() if due else None}


def _locked_message(f: dict, key: str) -> str:
    if f["status"] == CLOSED:
        return (f"问题 {f['id']} 已销号，不能再修改。请把这一格改回导出时的内容，或删去这一行")
    return (f"问题 {f['id']} 已交办（{f['notice_number'] or '督办通知单'}），{LABELS[key]}以通知单为准，不能通过导入修改。"
            "如交办有误，请作废该通知单后重新交办；整改期限需要调整时请再次督办")


def _found_on(v: dict, problem) -> dt.date | None:
    try:
        found_on = parse_date(v.get("found_on"))
    except ValueError as exc:
        problem("found_on", str(exc))
        return None
    if found_on is None:
        problem("found_on", "缺少发现日期")
    return found_on


def _site_type(sheet: _Sheet, v: dict, n: int) -> str:
    site_type = clean_text(v.get("site_type"))
    if site_type:
        sheet.type_rows.setdefault(site_type, []).append(n)
    return site_type


def _locality(sheet: _Sheet, v: dict, problem) -> int | None:
    locality = clean_text(v.get("locality"))
    return _unit(sheet.resolver, locality, "locality", problem) if locality else None


def _unit_id(res, name: str) -> int | None:
    hit = res.lookup(name)
    return hit[1] if hit and hit[0] == "unit" else None


def _unit(res, name: str, key: str, problem) -> int | None:
    hit = res.lookup(name)
    if hit is None or hit[0] != "unit":
        hint = "、".join(res.suggestions(name))
        what = "是单位分组，请写具体单位" if hit else "未知的单位"
        problem(key, f"{what}“{name}”" + (f"，是否是：{hint}？" if hint and not hit else ""))
        return None
    if hit[1] in res.retired:
        problem(key, f"单位“{name}”已停用，请改为承接其工作的单位")
        return None
    return hit[1]


# 整改时限 words meaning "fix it the moment you know": due on the day it was found.
IMMEDIATE = ("即知即改", "立行立改", "立即整改")


def _limit(raw, found_on, problem):
    """整改时限: a whole number of working days ("5", "5个工作日", 5), a date, or 即知即改 (the
    deadline is the day it was found)."""
    if clean_text(raw).replace(" ", "") in IMMEDIATE:
        return None, found_on
    text = clean_text(raw).replace("个工作日", "").replace("工作日", "").replace("天", "").strip()
    if isinstance(raw, (dt.date, dt.datetime)) or (isinstance(raw, str) and not text.isdigit()):
        try:
            due = parse_date(raw)
        except ValueError as exc:
            problem("limit", f"{exc}；或填写工作日数，如 5")
            return None, None
        if found_on and due < found_on:
            problem("limit", f"整改期限 {due.isoformat()} 早于发现日期 {found_on.isoformat()}")
        return None, due
    try:
        number = parse_number(text)
    except ValueError as exc:
        problem("limit", str(exc))
        return None, None
    if number is None or number < 1 or number != int(number) or number > 365:
        problem("limit", f"整改时限“{clean_text(raw)}”应为 1 到 365 之间的整数工作日")
        return None, None
    return int(number), None


def import_findings(db, path, progress=None, cancel=None, add_types: bool = False) -> dict:
    """Validate the whole sheet, then write new findings, corrections and new 点位 in one transaction.
    A sheet that changes nothing writes nothing. add_types: 点位类型 not in the list are added to it."""
    plan, problems = parse_findings(db, path, cancel=cancel, add_types=add_types)
    if problems:
        message = f"督查结果表中有 {len(problems)} 处问题，未导入任何数据。请按问题清单修改后重新导入。"
        if plan["new_site_types"]:
            raise settings.UnknownWords(message, "site_type", plan["new_site_types"], problems)
        raise AppError(message, problems=problems)
    result = {"findings": len(plan["create"]), "updated": len(plan["update"]), "unchanged": plan["unchanged"],
              "created_sites": [], "added_types": [], "warnings": plan["warnings"]}
    if not plan["create"] and not plan["update"]:
        return result
    total = len(plan["create"]) + len(plan["update"])
    with db.write():
        result["added_types"] = settings.add_vocab(db, "site_type", plan["new_site_types"])
        site_ids: dict[str, int] = {}
        for name, spec in plan["new_sites"].items():
            site_ids[name] = sites.create_site(db, {"name": name, "site_type": spec["site_type"]}, spec["locality_id"])
            result["created_sites"].append(name)
        for i, item in enumerate(plan["create"]):
            if cancel and cancel():
                raise Cancelled()
            data = {k: item[k] for k in ("found_on", "source", "site_id", "node_id", "description", "unit_id",
                                         "support_ids", "severity", "limit_days", "requested_due")}
            data["site_id"] = data["site_id"] or site_ids[item["site_name"]]
            try:
                clean = findings.validate_finding(db, data)
            except AppError as exc:  # e.g. a new 点位 with neither unit nor 属地
                raise AppError(f"第 {item['row']} 行：{exc.message_zh}", problems=[
                    Problem(item["row"], LABELS["unit"], exc.message_zh)]) from None
            findings.insert_finding(db, clean)
            if progress and (i % 200 == 0 or i + 1 == total):
                progress(i + 1, total, "写入督查问题")
        for i, (finding_id, changes, n) in enumerate(plan["update"], len(plan["create"])):
            if cancel and cancel():
                raise Cancelled()
            if isinstance(changes.get("site_id"), str):
                changes["site_id"] = site_ids[changes["site_id"]]
            try:
                findings.update_finding(db, finding_id, changes)
            except AppError as exc:  # changed by someone else since the file was checked
                raise AppError(f"第 {n} 行：{exc.message_zh}",
                               problems=[Problem(n, LABELS["id"], exc.message_zh)]) from None
            if progress and (i % 200 == 0 or i + 1 == total):
                progress(i + 1, total, "写入督查问题")
        audit.log(db, "导入督查问题", "findings", None, None,
                  {k: result[k] for k in ("findings", "updated", "unchanged")} | {"sites": result["created_sites"]},
                  str(path))
    return result


def export_findings(db, path, flt: FindingFilter | None = None, progress=None, cancel=None) -> int:
    """The findings matching the filter (all of them) as an .xlsx."""
    found, _ = list_findings(db, flt)
    return supervision_io.write_findings(path, found, progress=progress, cancel=cancel)
