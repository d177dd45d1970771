"""丢分分析 at scale: 5 rounds of per-点位 results (1x: 3,000 rows each; 10x: 30,000), the import of
one round's file, and each report over a round (by unit, 测评项目, 属地, 点位类型, the standards that
lost most, comparing two rounds, a unit's trend over all rounds, the PDF 通报 and the .xlsx export).

DESIGN.md sets no budget for these (they run off the GUI thread); the figures are for comparing runs.
"""

from __future__ import annotations

import random
import shutil

from bench.figures import Context, group, median, ms_since, now, result
from bench.generate import OPERATOR
from core import scoring
from core.store import open_store

ROWS_PER_ROUND = {"1x": 3_000, "10x": 30_000}
ROUNDS = 5
HEADERS = ["测评项目", "标准编号", "点位", "点位类型", "属地", "应得分", "实得分", "扣分", "责任单位", "问题描述"]
SITE_TYPES = ["主干道", "背街小巷", "集贸市场", "公交站台", "社区", "学校", "医院", "政务大厅"]
REASONS = ["路面有垃圾", "占道经营", "公益广告破损", "非机动车乱停", "设施损坏", "台账不全"]


def write_round_file(path, standards: list[dict], unit_names: list[str], streets: list[str], n: int, seed: int):
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("点位得分")
    ws.append(["第三方测评点位得分表"])
    ws.append(HEADERS)
    for i in range(n):
        s = standards[i % len(standards)]
        street = rng.choice(streets)
        loss = rng.choice([0, 0, 0, 0.1, 0.2, 0.5])
        named = "、".join(rng.sample(unit_names, rng.choice([0, 1, 1, 2]))) if loss else ""
        ws.append([s["category"], s["code"], f"点位{i % 997}", rng.choice(SITE_TYPES), street, 1, 1 - loss, None,
                   named, rng.choice(REASONS) if loss else None])
    wb.save(path)


@group("scoring_import", "scoring_report_unit", "scoring_report_category", "scoring_report_locality",
       "scoring_report_site_type", "scoring_top_standards", "scoring_compare", "scoring_trend_unit",
       "scoring_notice_pdf", "scoring_export_unit_xlsx")
def scoring_figures(ctx: Context, wanted: set[str]):
    n = ROWS_PER_ROUND[ctx.scale]
    data = ctx.copy_data("scoring")
    db = open_store(data, OPERATOR)
    standards = [s for s in db.rows("SELECT n.code, c.title AS category FROM framework_nodes n"
                                     " JOIN framework_nodes p ON p.id = n.parent_id"
                                     " JOIN framework_nodes c ON c.id = p.parent_id"
                                     " WHERE n.edition_id = :p1 AND n.level = 3 AND n.negative = 0",
                                     {"p1": ctx.dataset.edition_id})]
    names = [u["name"] for u in db.rows("SELECT name FROM units WHERE retired = 0 AND kind <> '街道'")]
    streets = [u["name"] for u in db.rows("SELECT name FROM units WHERE retired = 0 AND kind = '街道'")] or ["（无）"]
    imports, round_ids = [], []
    for r in range(ROUNDS):
        path = ctx.scratch / f"round-{r}.xlsx"
        write_round_file(path, standards, names, streets, n, seed=r)
        started = now()
        # A ledger's own 点位类型 list may lack a type of the file: added as the user would (--add-types).
        report = scoring.import_results(db, path, f"第{r + 1}轮测评", "模拟测评", f"202{r}-06-01", add_types=True)
        imports.append(ms_since(started))
        round_ids.append(report["round_id"])
    yield result("scoring_import", imports, None, ctx, rows=n, rows_per_s=round(n / (median(imports) / 1000)))
    last = round_ids[-1]
    cases = {
        "scoring_report_unit": lambda: scoring.report_by_unit(db, last),
        "scoring_report_category": lambda: scoring.report_by(db, last, "category"),
        "scoring_report_locality": lambda: scoring.report_by(db, last, "locality"),
        "scoring_report_site_type": lambda: scoring.report_by(db, last, "site-type"),
        "scoring_top_standards": lambda: scoring.top_standards(db, last),
        "scoring_compare": lambda: scoring.compare_rounds(db, round_ids[-2], last),
        "scoring_trend_unit": lambda: scoring.trend(db, unit_id=scoring.report_by_unit(db, last)[0]["unit_id"]),
        "scoring_notice_pdf": lambda: scoring.write_report_pdf(db, last, "unit", ctx.scratch / "notice.pdf"),
        "scoring_export_unit_xlsx": lambda: scoring.export_report(db, last, "unit", ctx.scratch / "unit.xlsx"),
    }
    for name, run in cases.items():
        if name not in wanted:
            continue
        samples = []
        for _ in range(ctx.samples(3)):
            started = now()
            run()
            samples.append(ms_since(started))
        yield result(name, samples, None, ctx, rows=n)
    db.conn.close()
    shutil.rmtree(data.root)
