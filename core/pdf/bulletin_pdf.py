"""创城督查通报 for a day or a period, as a 公文 PDF and as an .xlsx workbook with the same tables."""

from __future__ import annotations

import datetime as dt

from core import settings, supervision
from core.pdf.gbt9704 import GbtDocument, format_date, render
from core.xlsx.writer import Sheet, write_workbook

NEW_HEADERS = ["序号", "发现日期", "点位", "问题描述", "责任单位", "状态"]
NEW_WIDTHS_MM = [11, 24, 26, 54, 26, 15]
OVERDUE_HEADERS = ["序号", "责任单位", "逾期问题数"]
FLAG_HEADERS = ["序号", "点位", "问题描述", "责任单位", "挂牌原因"]
FLAG_WIDTHS_MM = [11, 26, 61, 28, 30]
RANK_HEADERS = ["排名", "责任单位", "未销号问题", "逾期问题", "挂牌督办"]
# A 通报 lists items in full up to this many per section; beyond, the .xlsx 通报 has them all.
PDF_ITEM_LIMIT = 200
# Long tables are set as several tables: reportlab re-splits one table on every page it runs onto,
# which grows with the square of its length.
TABLE_CHUNK = 40


def _table(doc: GbtDocument, headers, rows: list, **kwargs) -> None:
    if len(rows) > PDF_ITEM_LIMIT:
        doc.paragraph(f"共{len(rows)}个，以下列出前{PDF_ITEM_LIMIT}个，完整清单见同期 Excel 通报。")
        rows = rows[:PDF_ITEM_LIMIT]
    for start in range(0, len(rows), TABLE_CHUNK):
        doc.table(headers, rows[start:start + TABLE_CHUNK], **kwargs)


def _period_text(data: dict) -> str:
    start, end = dt.date.fromisoformat(data["start"]), dt.date.fromisoformat(data["end"])
    if start == end:
        return format_date(start)
    return f"{format_date(start)}至{format_date(end)}"


def bulletin_document(db, data: dict) -> GbtDocument:
    office = settings.get(db, "office_name")
    c = data["counts"]
    doc = GbtDocument(kind="gongwen", issuer_mark=office, title=f"创城督查通报\n（{_period_text(data)}）")
    doc.addressee("区创城指挥部各成员单位，各街道办事处：")
    doc.paragraph(f"{_period_text(data)}，区创城办通过明察暗访、点位检查等方式共发现问题{c['new']}个"
                  f"（其中现场整改{c['on_spot']}个），销号{c['closed']}个。截至{format_date(dt.date.fromisoformat(data['as_of']))}，"
                  f"全区未销号问题{c['open']}个，逾期未整改{c['overdue']}个，挂牌督办{c['flagged']}个。现将有关情况通报如下。")
    doc.heading1("一、新发现问题")
    if data["new"]:
        _table(doc, NEW_HEADERS, [[i, f["found_on"], f["site"], f["description"], f["unit"], f["status"]]
                                for i, f in enumerate(data["new"], 1)], col_widths_mm=NEW_WIDTHS_MM,
                  aligns=["centre", "centre", "left", "justify", "left", "centre"])
    else:
        doc.paragraph("本期未发现新问题。")
    doc.heading1("二、逾期未整改问题")
    if data["overdue_by_unit"]:
        _table(doc, OVERDUE_HEADERS, [[i, unit, n] for i, (unit, n) in enumerate(data["overdue_by_unit"], 1)],
                  col_widths_mm=[16, 100, 40], aligns=["centre", "left", "centre"])
    else:
        doc.paragraph("无逾期未整改问题。")
    doc.heading1("三、挂牌督办问题")
    if data["flagged"]:
        _table(doc, FLAG_HEADERS, [[i, f["site"], f["description"], f["unit"], f["flag_reasons"]]
                                 for i, f in enumerate(data["flagged"], 1)], col_widths_mm=FLAG_WIDTHS_MM,
                  aligns=["centre", "left", "justify", "left", "left"])
    else:
        doc.paragraph("无挂牌督办问题。")
    doc.heading1("四、责任单位排名")
    doc.paragraph("按逾期问题数、未销号问题数由多到少排列：")
    _table(doc, RANK_HEADERS, [[r["rank"], r["unit"], r["open"], r["overdue"], r["flagged"]]
                             for r in data["ranking"]], col_widths_mm=[16, 68, 24, 24, 24],
              aligns=["centre", "left", "centre", "centre", "centre"])
    doc.heading1("五、工作要求")
    doc.paragraph("各责任单位要对照问题清单立即整改，逾期未整改的问题务必在三个工作日内整改到位并反馈；"
                  "挂牌督办问题由单位主要负责人亲自过问，确保按时销号。")
    doc.signature(office, dt.date.fromisoformat(data["as_of"]))
    doc.banji(printer=office, print_date=dt.date.fromisoformat(data["as_of"]))
    return doc


def write_bulletin(db, start, end, path, today: dt.date | None = None, progress=None, cancel=None) -> dict:
    """The 通报 as PDF or .xlsx, chosen by the file name. Returns the data it reports."""
    data = supervision.bulletin_data(db, start, end, today)
    if str(path).lower().endswith(".xlsx"):
        c = data["counts"]
        summary = [["统计期间", _period_text(data)], ["统计截至", data["as_of"]], ["新发现问题", c["new"]],
                   ["其中现场整改", c["on_spot"]], ["销号", c["closed"]], ["未销号", c["open"]],
                   ["逾期未整改", c["overdue"]], ["挂牌督办", c["flagged"]]]
        write_workbook(path, [
            Sheet("概况", ["项目", "数量"], summary),
            Sheet("新发现问题", ["编号", "发现日期", "点位", "问题描述", "责任单位", "状态"],
                  [[f["id"], dt.date.fromisoformat(f["found_on"]), f["site"], f["description"], f["unit"], f["status"]]
                   for f in data["new"]]),
            Sheet("销号问题", ["编号", "销号日期", "点位", "问题描述", "责任单位"],
                  [[f["id"], dt.date.fromisoformat(f["closed_on"]), f["site"], f["description"], f["unit"]]
                   for f in data["closed"]]),
            Sheet("逾期未整改", ["编号", "整改期限", "点位", "问题描述", "责任单位"],
                  [[f["id"], dt.date.fromisoformat(f["due_on"]), f["site"], f["description"], f["unit"]]
                   for f in data["overdue"]]),
            Sheet("挂牌督办", ["编号", "点位", "问题描述", "责任单位", "挂牌原因"],
                  [[f["id"], f["site"], f["description"], f["unit"], f["flag_reasons"]] for f in data["flagged"]]),
            Sheet("单位排名", RANK_HEADERS, [[r["rank"], r["unit"], r["open"], r["overdue"], r["flagged"]]
                                             for r in data["ranking"]]),
        ], progress=progress, cancel=cancel)
    else:
        render([bulletin_document(db, data)], path, progress=progress, cancel=cancel, title="创城督查通报")
    return data
