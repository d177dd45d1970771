"""丢分分析 as PDF: the 排名通报 by unit is a 公文 (版头, 署名, 版记); the other reports and a unit's own
page are plain documents on the same GB/T 9704 page. The content comes from core/scoring
(exports.notice_content, tables.ReportTable); this module only lays it out."""

from __future__ import annotations

import datetime as dt

from core.pdf.gbt9704 import GbtDocument, format_date, render
from core.scoring.tables import RATE
from core.text import with_note


def _cell(value, column) -> str:
    if value is None:
        return ""
    if column.kind == RATE:
        return f"{value * 100:.2f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table_rows(table) -> list[list[str]]:
    return [[_cell(v, c) for v, c in zip(row, table.columns)] for row in table.values()]


def _rate_text(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


def unit_notice(content: dict, make=GbtDocument):
    """关于…失分情况的通报: summary, the ranking, the standards that lost most, unattributed losses;
    written into make(**fields), a GbtDocument or its Word twin (core.docx.layout.WordDocument)."""
    rnd, summary, today = content["round"], content["summary"], content["today"]
    doc = make(kind="gongwen", title=f"关于{rnd['name']}失分情况的通报", issuer_mark=content["issuing_body"],
               doc_number=content.get("number", ""))
    doc.addressee("各责任单位：")
    when = f"{format_date(dt.date.fromisoformat(rnd['held_on']))}，" if rnd["held_on"] else ""
    doc.paragraph(f"{when}{with_note(rnd['name'], rnd['kind'])}共测评 {summary['lines']} 项（点位），应得分 "
                  f"{summary['full']:g} 分，实得分 {summary['score']:g} 分，失分 {summary['loss']:g} 分，得分率 "
                  f"{_rate_text(summary['rate'])}，其中 {summary['loss_lines']} 项（点位）失分。"
                  "按照“谁主管、谁负责，谁丢分、谁负责”的原则，现将各责任单位得分排名情况通报如下。")
    rules = content["rules"]
    rule = "多个责任单位共同负责的失分由各单位平均分摊" if rules["split"] else "多个责任单位共同负责的失分计入每一个单位"
    if rules["locality"]:
        rule += "，属地街道同时承担辖区内点位的失分"
    doc.heading1("一、各责任单位得分排名")
    doc.paragraph(f"按得分率由高到低排名，得分率相同的名次并列；{rule}；本轮没有测评任务的单位列在最后，不参加排名。")
    if content["idle_units"]:
        doc.paragraph(f"另有 {content['idle_units']} 个单位本轮没有测评任务，未列入下表。")
    ranking = content["ranking"]
    doc.table(ranking.headers, _table_rows(ranking), aligns=["left", "right", "right", "right", "right", "centre"],
              col_widths_mm=[56, 20, 20, 20, 22, 18])
    top = content["top"]
    doc.heading1("二、失分较多的测评标准")
    if top:
        doc.table(["标准编号", "测评项目", "失分", "失分点位", "主要失分原因"],
                  [[t["code"] or "—", t["category"], f"{t['loss']:g}", str(t["loss_lines"]), t["reasons"]] for t in top],
                  aligns=["left", "left", "right", "right", "left"], col_widths_mm=[20, 40, 16, 18, 62])
    else:
        doc.paragraph("本轮测评没有失分。")
    missing = content["unattributed"]
    if missing:
        doc.heading1("三、尚未明确责任单位的失分")
        doc.paragraph(f"以下 {len(missing)} 项失分既未注明责任单位，对应测评标准也没有牵头单位，请创城办尽快明确责任。")
        doc.table(["测评项目", "点位", "失分", "问题描述"],
                  [[x["category_name"], x["site"] or x["item"], f"{x['loss']:g}", x["reason"]] for x in missing],
                  aligns=["left", "left", "right", "left"], col_widths_mm=[44, 36, 16, 60])
    doc.heading1(("四" if missing else "三") + "、有关要求")
    doc.paragraph("各责任单位要对照失分清单，逐项分析失分原因，制定整改措施，明确整改时限和责任人，"
                  "整改情况按时报送创城办。创城办将适时组织复查，复查结果纳入年度考核。")
    doc.signature(content["issuing_body"], today)
    doc.banji(printer=content["office_name"], print_date=today)
    return doc


def plain_report(table, note: str = "", make=GbtDocument):
    doc = make(kind="plain", title=table.title, landscape=len(table.columns) > 6)
    if note:
        doc.paragraph(note)
    if table.rows:
        doc.table(table.headers, _table_rows(table), aligns=[c.paper_align for c in table.columns])
    else:
        doc.paragraph("没有可列出的记录。")
    return doc


def write_notice(content: dict, path, progress=None, cancel=None) -> int:
    """The 通报 (see core.scoring.exports.notice_content) as PDF. Returns pages."""
    return render([unit_notice(content)], path, progress=progress, cancel=cancel).page_count


def write_table(table, note: str, path, progress=None, cancel=None) -> int:
    """A report table as a plain document, the note above it. Returns pages."""
    return render([plain_report(table, note)], path, progress=progress, cancel=cancel).page_count
