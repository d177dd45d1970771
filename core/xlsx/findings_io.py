"""督查问题 from and to Excel: the day's inspection results in bulk, and every list out.

Accepted column names (any order; the header row is found by name):
  发现日期|检查日期|督查日期|日期 (required)      来源|问题来源|督查方式
  点位|点位名称|检查点位|地点 (required)          点位类型|类型
  属地|所属街道|街道                              标准编号|测评标准编号|指标编号
  问题描述|存在问题|问题|问题内容 (required)      责任单位|主责单位|整改单位
  配合单位|协办单位                                严重程度|问题等级|等级
  整改时限|整改期限|时限 (a number of working days, or a date)
A 点位 not yet in the register is added with its 点位类型 and 属地 (both then required). Units are
named by full name, 简称 or former name; several 配合单位 in one cell are split on 、，,；; etc.
"""

from __future__ import annotations

import datetime as dt

from core import audit, settings, sites, supervision, units
from core.db import write
from core.errors import AppError, Cancelled
from core.xlsx.reader import Column, Problem, read_table
from core.xlsx.text import clean_text, parse_date, parse_number, split_multi
from core.xlsx.writer import Sheet, write_workbook

COLUMNS = [
    Column("found_on", ("发现日期", "检查日期", "督查日期", "日期"), required=True),
    Column("source", ("来源", "问题来源", "督查方式")),
    Column("site", ("点位", "点位名称", "检查点位", "地点"), required=True),
    Column("site_type", ("点位类型", "类型")),
    Column("locality", ("属地", "所属街道", "街道")),
    Column("code", ("标准编号", "测评标准编号", "指标编号")),
    Column("description", ("问题描述", "存在问题", "问题", "问题内容"), required=True, free_text=True),
    Column("unit", ("责任单位", "主责单位", "整改单位")),
    Column("support", ("配合单位", "协办单位")),
    Column("severity", ("严重程度", "问题等级", "等级")),
    Column("limit", ("整改时限", "整改期限", "时限")),
]
LABELS = {c.key: c.names[0] for c in COLUMNS}

EXPORT_HEADERS = ["编号", "发现日期", "来源", "点位", "点位类型", "属地", "标准编号", "问题描述", "责任单位",
                  "配合单位", "严重程度", "整改时限", "状态", "督办次数", "通知单文号", "是否逾期", "挂牌督办"]


def parse_findings(db, path, progress=None, cancel=None) -> tuple[list[dict], list[Problem]]:
    """Read and check every row; nothing is written. Returns (rows ready to insert, problems)."""
    table = read_table(path, COLUMNS, progress=progress, cancel=cancel)
    res = units.resolver(db)
    site_types = settings.vocab(db, "site_type")
    known_sites: dict[str, int] = {}
    new_sites: dict[str, dict] = {}
    items, problems = [], []
    for row in table.rows:
        if cancel and cancel():
            raise Cancelled()
        v, n = row.values, row.number
        bad = len(problems)

        def problem(key, message):
            problems.append(Problem(n, LABELS[key], message))

        description = clean_text(v.get("description"))
        site_name = " ".join(clean_text(v.get("site")).split())
        if not description and not site_name:
            continue
        try:
            found_on = parse_date(v.get("found_on"))
            if found_on is None:
                problem("found_on", "缺少发现日期")
        except ValueError as exc:
            found_on = None
            problem("found_on", str(exc))
        source = clean_text(v.get("source")) or "点位检查"
        if source not in supervision.SOURCES:
            problem("source", f"未知的来源“{source}”，可选：{'、'.join(supervision.SOURCES)}")
        severity = clean_text(v.get("severity")) or "一般"
        if severity not in supervision.SEVERITIES:
            problem("severity", f"未知的严重程度“{severity}”，可选：{'、'.join(supervision.SEVERITIES)}")
        if not description:
            problem("description", "问题描述为空")
        site_type = clean_text(v.get("site_type"))
        if site_type and site_type not in site_types:
            problem("site_type", f"未知的点位类型“{site_type}”，可选：{'、'.join(site_types)}"
                                 "（新类型请先在“设置 → 词表”中添加）")
        locality_id = None
        locality = clean_text(v.get("locality"))
        if locality:
            locality_id = _unit(res, locality, "locality", problem)
        site_id = None
        if not site_name:
            problem("site", "点位为空")
        else:
            if site_name not in known_sites:
                known_sites[site_name] = sites.find_site(db, site_name)
            site_id = known_sites[site_name]
            if site_id is None and site_name not in new_sites:
                if not site_type:
                    problem("site_type", f"点位“{site_name}”不在点位库中，请填写点位类型以便新建")
                new_sites[site_name] = {"site_type": site_type, "locality_id": locality_id, "row": n}
        node_id = None
        code = "".join(clean_text(v.get("code")).split())
        if code:
            node_id = supervision.find_standard(db, code)
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
        if len(problems) == bad:
            items.append({"row": n, "found_on": found_on, "source": source, "site_name": site_name,
                          "site_id": site_id, "node_id": node_id, "description": description,
                          "unit_id": unit_id, "support_ids": support_ids, "severity": severity,
                          "limit_days": limit_days, "requested_due": requested_due})
    if not items and not problems:
        raise AppError("文件中没有找到任何督查问题。请检查表头下方是否有数据。")
    for name, spec in new_sites.items():
        spec["name"] = name
    return [{**i, "new_site": new_sites.get(i["site_name"])} for i in items], problems


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


def _limit(raw, found_on, problem):
    """整改时限: a whole number of working days ("5", "5个工作日", 5) or a date."""
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


def import_findings(db, path, progress=None, cancel=None) -> dict:
    """Validate the whole sheet, then write every finding (and new 点位) in one transaction."""
    items, problems = parse_findings(db, path, cancel=cancel)
    if problems:
        raise AppError(f"督查结果表中有 {len(problems)} 处问题，未导入任何数据。请按问题清单修改后重新导入。",
                       problems=problems)
    created_sites = []
    with write(db):
        site_ids: dict[str, int] = {}
        for i, item in enumerate(items):
            if cancel and cancel():
                raise Cancelled()
            spec = item.pop("new_site")
            if item["site_id"] is None:
                if item["site_name"] not in site_ids:
                    site_ids[item["site_name"]] = sites.create_site(
                        db, {"name": spec["name"], "site_type": spec["site_type"]}, spec["locality_id"])
                    created_sites.append(spec["name"])
                item["site_id"] = site_ids[item["site_name"]]
            data = {k: item[k] for k in ("found_on", "source", "site_id", "node_id", "description", "unit_id",
                                         "support_ids", "severity", "limit_days", "requested_due")}
            try:
                clean = supervision.validate_finding(db, data)
            except AppError as exc:  # e.g. a new 点位 with neither unit nor 属地
                raise AppError(f"第 {item['row']} 行：{exc.message_zh}", problems=[
                    Problem(item["row"], LABELS["unit"], exc.message_zh)]) from None
            supervision.insert_finding(db, clean)
            if progress and (i % 200 == 0 or i + 1 == len(items)):
                progress(i + 1, len(items), "写入督查问题")
        audit.log(db, "导入督查问题", "findings", None, None,
                  {"findings": len(items), "sites": created_sites}, str(path))
    return {"findings": len(items), "created_sites": created_sites}


def export_rows(found: list[dict]) -> list[list]:
    out = []
    for f in found:
        out.append([f["id"], dt.date.fromisoformat(f["found_on"]), f["source"], f["site"], f["site_type"],
                    f["locality"], f["standard_code"], f["description"], f["unit"], f["support"], f["severity"],
                    dt.date.fromisoformat(f["due_on"]) if f["due_on"] else None, f["status"],
                    f["supervision_count"], f["notice_number"], "是" if f["overdue"] else "",
                    f["flag_reasons"]])
    return out


def export_findings(db, path, flt: supervision.FindingFilter | None = None, progress=None, cancel=None) -> int:
    found, _ = supervision.list_findings(db, flt)
    write_workbook(path, [Sheet("督查问题", EXPORT_HEADERS, export_rows(found))], progress=progress,
                   cancel=cancel)
    return len(found)


def export_table(path, title: str, headers: list[str], keys: list[str], data: list[dict]) -> int:
    """Any list of the page as it is shown (units owed, notices, 点位)."""
    write_workbook(path, [Sheet(title, headers, [[r.get(k) for k in keys] for r in data])])
    return len(data)
