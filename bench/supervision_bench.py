"""督查督办 at scale: python -m bench.supervision_bench [--scale 1x|10x] [--repeat N]

Builds the demo district plus 5,000 (1x) or 50,000 (10x) findings over 200/400 点位 and a year of
dates, half of them handed over with notices, then prints one JSON line per figure: list filter
latency (per filter, median ms), issuing one notice (median ms), a month's 通报 as PDF and .xlsx.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from core import demo, settings, supervision, units
from core.paths import DataDir
from core.store import open_store
from core.supervision import FindingFilter

FINDINGS = {"1x": 5_000, "10x": 50_000}
SITES = {"1x": 200, "10x": 400}
FILTER_BUDGET_MS = 50


def build(root: Path, scale: str, seed: int = 1):
    rng = random.Random(seed)
    db = open_store(DataDir(root), "bench")
    demo.load_demo(db)
    unit_ids = [u["id"] for u in units.list_units(db)]
    streets = [u["id"] for u in units.list_units(db) if u["kind"] == "街道"]
    types = settings.vocab(db, "site_type")
    nodes = [s["id"] for s in supervision.standard_choices(db)]
    start = dt.date(2026, 1, 1)
    now = dt.datetime.now().isoformat(timespec="seconds")
    with db.write():
        site_rows = [(f"点位{i:04d}", rng.choice(types), f"测试路{i}号", rng.choice(streets), now)
                     for i in range(SITES[scale])]
        db.conn.executemany("INSERT INTO sites (name, site_type, address, locality_unit_id, created_at)"
                            " VALUES (?, ?, ?, ?, ?)", site_rows)
        site_ids = [r["id"] for r in db.rows("SELECT id FROM sites")]
        statuses = supervision.STATUSES
        findings, last_at_site = [], {}
        for i in range(FINDINGS[scale]):
            found = start + dt.timedelta(days=i * 330 // FINDINGS[scale])
            site = rng.choice(site_ids)
            status = rng.choice(statuses)
            due = (found + dt.timedelta(days=rng.randint(2, 20))).isoformat() if status != "待交办" else None
            findings.append((found.isoformat(), rng.choice(supervision.SOURCES), site, rng.choice(nodes),
                             f"检查发现问题{i}：{rng.choice(['垃圾堆积', '乱贴小广告', '占道经营', '设施破损', '车辆乱停'])}",
                             rng.choice(unit_ids), rng.choice(supervision.SEVERITIES), status, due,
                             0 if status == "待交办" else rng.choice([1, 1, 1, 2]),
                             found.isoformat() if status == "已销号" else None, last_at_site.get(site), now))
            last_at_site[site] = found.isoformat()
        db.conn.executemany(
            "INSERT INTO findings (found_on, source, site_id, node_id, description, unit_id, severity, status,"
            " due_on, supervision_count, closed_on, prev_at_site, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?)", findings)
    db.execute("ANALYZE")
    return db


def timed(func, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.supervision_bench")
    parser.add_argument("--scale", choices=sorted(FINDINGS), default="10x")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chuangcheng-sv-") as tmp:
        started = time.perf_counter()
        db = build(Path(tmp) / "data", args.scale)
        print(f"dataset: {FINDINGS[args.scale]} findings ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        unit_id = units.resolve_one(db, "区城管局")
        street = units.resolve_one(db, "城关街道办事处")
        filters = {
            "全部（前500条）": FindingFilter(), "状态=整改中": FindingFilter(status="整改中"),
            "责任单位": FindingFilter(unit_id=unit_id), "单位含配合": FindingFilter(unit_id=unit_id, include_support=True),
            "属地": FindingFilter(locality_id=street), "点位类型": FindingFilter(site_type="主干道"),
            "仅逾期": FindingFilter(overdue=True), "仅挂牌": FindingFilter(flagged=True),
            "搜索“占道经营”": FindingFilter(text="占道经营"), "未销号+单位+逾期": FindingFilter(open_only=True, unit_id=unit_id,
                                                                                  overdue=True),
        }
        for label, flt in filters.items():
            ms = timed(lambda: supervision.list_findings(db, flt, limit=500), args.repeat)
            total = supervision.list_findings(db, flt, limit=500)[1]
            print(json.dumps({"figure": "findings_filter", "scale": args.scale, "case": label, "matches": total,
                              "median_ms": round(ms, 1), "budget_ms": FILTER_BUDGET_MS}, ensure_ascii=False))
        ms = timed(lambda: supervision.counts(db), args.repeat)
        print(json.dumps({"figure": "findings_counts", "scale": args.scale, "median_ms": round(ms, 1)}))
        waiting = [r["id"] for r in db.rows("SELECT id FROM findings WHERE status = '待交办' AND unit_id = :p1"
                                             " ORDER BY id LIMIT :p2", {"p1": unit_id, "p2": args.repeat * 3})]
        batches = iter([waiting[i:i + 3] for i in range(0, len(waiting), 3)])
        ms = timed(lambda: supervision.issue_notice(db, unit_id, next(batches), issued_on="2026-12-01"), args.repeat)
        print(json.dumps({"figure": "notice_issue", "scale": args.scale, "findings_per_notice": 3,
                          "median_ms": round(ms, 1)}))
        notice_id = supervision.list_notices(db)[0]["id"]
        ms = timed(lambda: supervision.render_notices(db, [notice_id], Path(tmp) / "n.pdf"), args.repeat)
        print(json.dumps({"figure": "notice_pdf", "scale": args.scale, "median_ms": round(ms, 1)}))
        for suffix in ("pdf", "xlsx"):
            out = Path(tmp) / f"bulletin.{suffix}"
            ms = timed(lambda: supervision.write_bulletin(db, "2026-06-01", "2026-06-30", out,
                                                          today=dt.date(2026, 6, 30)), max(args.repeat // 2, 1))
            data = supervision.bulletin_data(db, "2026-06-01", "2026-06-30", today=dt.date(2026, 6, 30))
            print(json.dumps({"figure": f"bulletin_month_{suffix}", "scale": args.scale, "new": data["counts"]["new"],
                              "overdue": data["counts"]["overdue"], "flagged": data["counts"]["flagged"],
                              "median_ms": round(ms, 1)}))
        db.conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
