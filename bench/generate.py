"""The benchmark dataset: a data folder at one of DESIGN.md's scales — the units, one edition of the
测评体系 with its 分解表, and a year of the office's work on them (点位, 督查问题 with notices and
steps, 档案材料 with files, 目标责任书, five rounds of scores, the audit trail; see
bench.generate_work) — and the import files an office would bring (分解表 and 单位名单 .xlsx).

    python -m bench.generate DIR --scale 10x [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from bench import generate_work, words
from core import audit, framework, settings, units
from core.paths import DataDir
from core.store import open_store

OPERATOR = "基准测试"
STREET_GROUP = "各街道办事处"
WINDOW_GROUP = "各窗口单位"
WINDOW_MEMBERS = ["区政务服务中心", "区行政审批局", "区卫健委", "区交通运输局"]
FRAMEWORK_HEADERS = ["标准编号", "测评项目", "测评内容", "测评标准", "测评方法", "分值", "牵头单位", "配合单位",
                     "专项推进组"]
UNIT_HEADERS = ["单位名称", "简称", "单位类别", "主要负责人", "分管领导", "联络员", "联系电话"]


@dataclass(frozen=True)
class Shape:
    units: int
    categories: int
    indicators: int  # per category; each indicator has 7 or 8 standards, 7.5 on average
    materials: int
    findings: int
    sites: int  # 点位 in the register
    score_lines: int  # per round (ROUNDS of them)
    photos: int  # distinct stored files, shared by the attachment rows: JPEG photos,
    documents: int  # PDF scans,
    charts: int  # PNG charts


# DESIGN.md, Performance: 1x ≈ one district (600 standards, 100 units, 4,000 materials, 5,000
# findings, 5 rounds of scores); 10x is ten times each.
SCALES = {"1x": Shape(units=100, categories=8, indicators=10, materials=4_000, findings=5_000, sites=300,
                      score_lines=3_000, photos=240, documents=40, charts=20),
          "10x": Shape(units=1000, categories=80, indicators=10, materials=40_000, findings=50_000, sites=3_000,
                       score_lines=30_000, photos=800, documents=150, charts=50)}
ROUNDS = len(generate_work.ROUND_PLAN)


@dataclass(frozen=True)
class Dataset:
    data: DataDir
    edition_id: int
    units: int
    standards: int
    framework_xlsx: Path | None  # None on a shared ledger: the figures that import them are not run there
    units_xlsx: Path | None
    counts: dict[str, int] = field(default_factory=dict)  # rows per table (see table_counts)


def files_dir(data: DataDir) -> Path:
    return data.root / "bench-files"


def generate(data_dir, scale: str = "1x", seed: int = 1, today: dt.date | None = None, *, work: bool = True) -> Dataset:
    """Create the dataset in an empty data folder and write its import files beside it. The same
    seed gives the same data; dates are counted back from `today` (default: the real today).
    work=False leaves out the year of work (bench.generate_work): units and 测评体系 only, for a
    bench that builds its own area data on top."""
    shape = SCALES[scale]
    today = today or dt.date.today()
    rng = random.Random(seed)
    data = DataDir(data_dir)
    if not data.is_empty():
        raise ValueError(f"{data.root} already holds a database; give an empty folder")
    db = open_store(data, OPERATOR)
    # One large transaction: a cache that holds its pages saves re-reading them from the WAL
    # (per connection only; the data folder is left as the program makes it).
    db.execute("PRAGMA cache_size = -262144")
    try:
        unit_rows = _units(rng, shape.units)
        with db.write():
            settings.set_many(db, {"current_year": today.year,
                                   "next_assessment_date": (today + dt.timedelta(days=148)).isoformat(),
                                   "notice_contact": generate_work.NOTICE_CONTACT})
            unit_ids = _insert_units(db, unit_rows)
            units.save_group(db, WINDOW_GROUP, [unit_ids[n] for n in WINDOW_MEMBERS if n in unit_ids])
            edition_id = framework.create_edition(db, f"{today.year}年度", today.year,
                                                  "全国文明城市测评体系（基准测试数据）")
            table = _framework(rng, shape, unit_rows)
            _insert_framework(db, edition_id, table, unit_ids)
            made = generate_work.fill(db, rng, shape, edition_id, today) if work else {}
            audit.log(db, "生成基准数据", "editions", edition_id, None,
                      {"scale": scale, "seed": seed, "units": len(unit_rows), "standards": len(table), **made}, scale)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        framework_xlsx, units_xlsx = _write_files(data, scale, table, unit_rows)
        return Dataset(data, edition_id, len(unit_rows), len(table), framework_xlsx, units_xlsx, table_counts(db))
    finally:
        db.conn.close()


COUNTED = ("units", "framework_nodes", "assignments", "sites", "findings", "finding_events", "notices",
           "materials", "attachments", "letter_status", "score_rounds", "score_results", "audit_log")


def table_counts(db) -> dict[str, int]:
    """Rows per table of the data folder (standards: level-3 nodes of every edition)."""
    counts = {name: db.value(f"SELECT count(*) FROM {name}") for name in COUNTED}
    counts["standards"] = db.value("SELECT count(*) FROM framework_nodes WHERE level = 3")
    counts["notices_voided"] = db.value("SELECT count(*) FROM notices WHERE voided = 1")
    counts["stored_files"] = db.value("SELECT count(DISTINCT sha256) FROM attachments")
    return counts


def existing(data: DataDir, server: str | None = None, password: str | None = None) -> Dataset:
    """A data folder made elsewhere (an office's copy, the demo): its import files are written from
    it with the program's own exports when they are not there yet. With `server`, the shared
    ledger on that server holds the dataset (data is then only this PC's folder) and no files are
    written."""
    db = open_store(data, OPERATOR, server=server, password=password)
    try:
        edition_id = framework.resolve_edition(db)
        framework_xlsx = units_xlsx = None
        if not server:
            folder = files_dir(data)
            folder.mkdir(exist_ok=True)
            framework_xlsx, units_xlsx = folder / "责任分解表.xlsx", folder / "责任单位.xlsx"
            if not framework_xlsx.exists():
                framework.export_framework(db, framework_xlsx, edition_id)
            if not units_xlsx.exists():
                units.export_units(db, units_xlsx)
        return Dataset(data, edition_id, db.value("SELECT count(*) FROM units WHERE retired = 0"),
                       framework.edition_totals(db, edition_id)["standards"], framework_xlsx, units_xlsx,
                       table_counts(db))
    finally:
        db.close()


# --- units --------------------------------------------------------------------------------------

def _person(rng) -> str:
    return rng.choice(words.SURNAMES) + rng.choice(words.GIVEN)


def _phone(rng) -> str:
    if rng.random() < 0.6:
        return f"0931-8{rng.randrange(100000, 999999)}"
    return f"1{rng.choice('3589')}{rng.randrange(100000000, 999999999)}"


def _units(rng, n: int) -> list[dict]:
    """n units with unique names and 简称 (a 简称 that would clash with another name is left out)."""
    specs = []  # (name, 简称, kind)
    for kind, share in words.DEPARTMENT_SHARES.items():
        for name in words.DEPARTMENTS[kind][:round(share * n)]:
            short = name.removeprefix("区委").removeprefix("区") if len(name) >= 4 else ""
            specs.append((name, short, kind))
    places = [a + b for a in words.PLACE_FIRST for b in words.PLACE_SECOND if a != b]
    rng.shuffle(places)
    # Streets and towns each own their place name; institutions reuse them (区东岗小学 in 东岗街道).
    territorial = iter(places)
    for kind, count in (("街道", round(words.STREET_SHARE * n)), ("乡镇", round(words.TOWN_SHARE * n))):
        for _ in range(count):
            name, short = rng.choice(words.PLACE_UNITS[kind])
            p = next(territorial)
            specs.append((name.format(p=p), short.format(p=p), kind))
    taken = {s[0] for s in specs}
    kinds, weights = zip(*words.INSTITUTION_WEIGHTS.items())
    while len(specs) < n:
        kind = rng.choices(kinds, weights)[0]
        name, short = rng.choice(words.PLACE_UNITS[kind])
        p = rng.choice(places)
        if name.format(p=p) not in taken:
            taken.add(name.format(p=p))
            specs.append((name.format(p=p), short.format(p=p), kind))
    keys = set(taken)
    result = []
    for name, short, kind in specs:
        if short in keys:
            short = ""
        keys.add(short)
        result.append({"name": name, "short_name": short, "kind": kind, "head": _person(rng),
                       "leader": _person(rng), "liaison": _person(rng), "phone": _phone(rng)})
    return result


def _insert_units(db, unit_rows: list[dict]) -> dict[str, int]:
    db.conn.executemany(
        "INSERT INTO units (name, short_name, kind, head, leader, liaison, phone, position)"
        " VALUES (:name, :short_name, :kind, :head, :leader, :liaison, :phone, :position)",
        [{**u, "position": i + 1} for i, u in enumerate(unit_rows)])
    return {r["name"]: r["id"] for r in db.rows("SELECT id, name FROM units")}


# --- the framework ------------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 80 → 八十 (category numbering as in the printed 测评体系)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def _standard_text(rng) -> str:
    problem, problem2 = rng.sample(words.PROBLEMS, 2)
    return rng.choice(words.STANDARD_TEMPLATES).format(
        place=rng.choice(words.PLACES), facility=rng.choice(words.FACILITIES), metric=rng.choice(words.METRICS),
        pct=rng.choice((80, 85, 90, 95)), topic=rng.choice(words.TOPICS), activity=rng.choice(words.ACTIVITIES),
        n=rng.choice((2, 3, 4, 6, 12)), problem=problem, problem2=problem2, people=rng.choice(words.PEOPLE))


def _methods(rng) -> str:
    chosen = set(rng.choices(settings.METHODS, (0.45, 0.35, 0.15, 0.05), k=rng.choice((1, 1, 1, 2))))
    return "、".join(m for m in settings.METHODS if m in chosen)


def _framework(rng, shape: Shape, unit_rows: list[dict]) -> list[dict]:
    """The 分解表 rows in file order: one dict per standard with its category and indicator."""
    # A few departments lead most standards, as in a real 分解表; streets lead through the group.
    named = {name for names in words.DEPARTMENTS.values() for name in names}
    leaders = [u["name"] for u in unit_rows if u["name"] in named]
    rng.shuffle(leaders)
    lead_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(leaders))]
    helpers = [u["name"] for u in unit_rows]
    per_indicator = [7, 8] * (shape.categories * shape.indicators // 2)
    rng.shuffle(per_indicator)
    counts = iter(per_indicator)
    table = []
    for c in range(1, shape.categories + 1):
        theme = words.CATEGORY_THEMES[(c - 1) % len(words.CATEGORY_THEMES)]
        category = f"{chinese_number(c)}、{theme}"
        main_group = rng.choice(settings.WORKING_GROUPS)
        for i, indicator in enumerate(rng.sample(words.INDICATORS, shape.indicators), start=1):
            for s in range(1, next(counts) + 1):
                lead = STREET_GROUP if rng.random() < 0.12 else rng.choices(leaders, lead_weights)[0]
                support = []
                for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                    name = STREET_GROUP if rng.random() < 0.08 else rng.choice(helpers)
                    if name != lead and name not in support:
                        support.append(name)
                table.append({
                    "code": f"{c}.{i}.{s}", "category": category, "indicator": indicator,
                    "title": _standard_text(rng), "methods": _methods(rng),
                    "points": rng.choice((0.5, 1, 1, 1.5, 1.5, 2, 2, 2.5, 3)),
                    "lead": [lead], "support": support,
                    "working_group": main_group if rng.random() < 0.8 else rng.choice(settings.WORKING_GROUPS),
                    "deadline": rng.choice(("", "", "", "2026-06-30", "2026-09-30", "2026-12-31", "长期坚持")),
                    "negative": int(theme == words.NEGATIVE_THEME),
                })
    return table


def _insert_framework(db, edition_id: int, table: list[dict], unit_ids: dict[str, int]) -> None:
    """The tree and its 分解表 with ids chosen here, so each goes in with a single executemany."""
    groups = {r["name"]: r["id"] for r in db.rows("SELECT id, name FROM unit_groups")}
    working = {r["name"]: r["id"] for r in db.rows("SELECT id, name FROM working_groups")}
    for name in dict.fromkeys(item["working_group"] for item in table):
        if name not in working:
            working[name] = db.conn.execute("INSERT INTO working_groups (name, position) VALUES (?, ?)",
                                            (name, len(working) + 1)).lastrowid
    next_id = (db.value("SELECT max(id) FROM framework_nodes") or 0) + 1
    nodes, assignments, parents, children = [], [], {}, {}
    for item in table:
        keys = ((item["category"],), (item["category"], item["indicator"]))
        for level, key in enumerate(keys, start=1):
            if key not in parents:
                children[key[:-1]] = position = children.get(key[:-1], 0) + 1
                parents[key] = next_id
                nodes.append((next_id, edition_id, parents.get(key[:-1]), level, position, "", key[-1], "", None,
                              None, "", 0))
                next_id += 1
        position = int(item["code"].rsplit(".", 1)[1])
        nodes.append((next_id, edition_id, parents[keys[1]], 3, position, item["code"], item["title"],
                      item["methods"], item["points"], working[item["working_group"]], item["deadline"], item["negative"]))
        for role in ("lead", "support"):
            for pos, name in enumerate(item[role]):
                unit, group = unit_ids.get(name), groups.get(name)
                assignments.append((next_id, role, unit, None if unit else group, pos))
        next_id += 1
    db.conn.executemany(
        "INSERT INTO framework_nodes (id, edition_id, parent_id, level, position, code, title, methods, points,"
        " working_group_id, deadline, negative) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", nodes)
    db.conn.executemany("INSERT INTO assignments (node_id, role, unit_id, group_id, position)"
                        " VALUES (?, ?, ?, ?, ?)", assignments)


# --- import files -------------------------------------------------------------------------------

def _write_files(data: DataDir, scale: str, table: list[dict], unit_rows: list[dict]) -> tuple[Path, Path]:
    folder = files_dir(data)
    folder.mkdir(exist_ok=True)
    framework_xlsx = folder / "责任分解表.xlsx"
    _write_sheet(framework_xlsx, "责任分解表", f"XX区2026年创建全国文明城市测评达标责任分解表（{scale}）",
                 FRAMEWORK_HEADERS,
                 ([s["code"], s["category"], s["indicator"], s["title"], s["methods"], s["points"],
                   "、".join(s["lead"]), "、".join(s["support"]), s["working_group"]] for s in table))
    units_xlsx = folder / "责任单位.xlsx"
    _write_sheet(units_xlsx, "责任单位", "XX区创建全国文明城市责任单位名单", UNIT_HEADERS,
                 ([u["name"], u["short_name"], u["kind"], u["head"], u["leader"], u["liaison"], u["phone"]]
                  for u in unit_rows))
    return framework_xlsx, units_xlsx


def _write_sheet(path: Path, sheet: str, title: str, headers: list[str], body) -> None:
    """Written with openpyxl directly, not the program's writer, so the import figures do not depend
    on the export under test. A title row above the header, as offices' files have."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append([title])
    worksheet.append(headers)
    for row in body:
        worksheet.append(row)
    workbook.save(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--scale", choices=sorted(SCALES), default="1x")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    dataset = generate(args.folder, args.scale, args.seed)
    print(f"{dataset.data.root} ({time.perf_counter() - started:.1f} s): "
          + ", ".join(f"{k} {v:,}" for k, v in dataset.counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
