"""丢分分析 documents: the reports, a unit's own page, a comparison and a task list as .xlsx, and the
通报 and reports as PDF or Word. The tables and the 通报's content are made here; core/xlsx/scoring_io.py,
core/pdf/scoring_pdf.py and core/docx/scoring_docx.py only write them to files (openpyxl, reportlab and
python-docx load when a file is made)."""

from __future__ import annotations

import datetime as dt

from core import bulletin_numbers, clock, settings
from core.errors import AppError
from core.scoring.attribution import attribution_settings
from core.scoring.reports import BY_UNIT, REPORT_KINDS, round_summary, top_standards, unattributed_losses
from core.scoring.rounds import get_round
from core.scoring.tables import (ReportTable, compare_tables, line_table, report_table, task_table,
                                 unit_page_table)

TOP_STANDARDS_IN_NOTICE = 10
UNATTRIBUTED_SHEET = "无责任单位的失分"


def export_report(db, round_id: int, by: str, path, progress=None, cancel=None) -> int:
    """The report `by` (see REPORT_KINDS) as .xlsx; by unit, the losses nobody answers for follow
    on a second sheet. Returns the report's rows."""
    from core.xlsx import scoring_io

    table = report_table(db, round_id, by)
    sheets = [(REPORT_KINDS[by], table)]
    if by == BY_UNIT:
        missing = unattributed_losses(db, round_id)
        if missing:
            sheets.append((UNATTRIBUTED_SHEET, line_table(UNATTRIBUTED_SHEET, missing)))
    scoring_io.write_tables(path, sheets, progress=progress, cancel=cancel)
    return len(table.rows)


def export_unit_page(db, round_id: int, unit_id: int, path) -> int:
    from core.xlsx import scoring_io

    table = unit_page_table(db, round_id, unit_id)
    scoring_io.write_tables(path, [("失分明细", table)])
    return len(table.rows)


def export_compare(db, from_id: int, to_id: int, path, progress=None, cancel=None) -> list[ReportTable]:
    from core.xlsx import scoring_io

    tables = compare_tables(db, from_id, to_id)
    scoring_io.write_tables(path, [(t.title, t) for t in tables], progress=progress, cancel=cancel)
    return tables


def export_tasks(db, line_ids: list[int], path) -> int:
    """The selected losses as a 整改任务清单 (one task per accountable unit). Returns the tasks."""
    from core.xlsx import scoring_io

    if not line_ids:
        raise AppError("请先在成绩明细中选择要整改的失分记录。")
    table = task_table(db, line_ids)
    if not table.rows:
        raise AppError("所选记录都没有失分，无需生成整改任务。")
    scoring_io.write_tables(path, [(table.title, table)])
    return len(table.rows)


def notice_content(db, round_id: int, today: dt.date | None = None) -> dict:
    """What the 通报 on a round's losses says: the round and its totals, how losses were counted,
    the ranking of the units that had something at stake or lost points, the standards that lost
    most, the losses nobody answers for, and who issues it."""
    ranking = report_table(db, round_id, BY_UNIT)
    # Units with nothing at stake and nothing lost would only pad the printed ranking.
    involved = [row for row in ranking.rows if row["full"] or row["loss"]]
    idle = len(ranking.rows) - len(involved)
    ranking.rows = involved
    return {"round": get_round(db, round_id), "summary": round_summary(db, round_id),
            "rules": attribution_settings(db), "ranking": ranking, "idle_units": idle,
            "top": top_standards(db, round_id, TOP_STANDARDS_IN_NOTICE),
            "unattributed": unattributed_losses(db, round_id),
            "issuing_body": settings.get(db, "issuing_body"), "office_name": settings.get(db, "office_name"),
            "today": today or clock.today()}


def write_report_pdf(db, round_id: int, by: str, path, progress=None, cancel=None) -> int:
    """The report `by` as PDF; the by-unit ranking is the 通报. Returns pages."""
    from core.pdf import scoring_pdf

    return _write_report(db, round_id, by, path, scoring_pdf, progress, cancel)


def write_report_word(db, round_id: int, by: str, path, progress=None, cancel=None) -> None:
    """The report `by` as Word (.docx) for editing, with the same content and 发文字号 as the PDF."""
    from core.docx import scoring_docx

    _write_report(db, round_id, by, path, scoring_docx, progress, cancel)


def _write_report(db, round_id: int, by: str, path, writer, progress, cancel):
    """The by-unit ranking is the 失分通报, numbered when it is first written (in either format);
    the other reports are plain tables. `writer` is core.pdf.scoring_pdf or core.docx.scoring_docx."""
    if by == BY_UNIT:
        content = notice_content(db, round_id)

        def render(number: str):
            content["number"] = number
            return writer.write_notice(content, path, progress, cancel)

        return bulletin_numbers.write_numbered(db, bulletin_numbers.LOSS_BULLETIN, f"round:{round_id}",
                                               content["today"].year, f"关于{content['round']['name']}失分情况的通报",
                                               render)
    return writer.write_table(report_table(db, round_id, by), f"统计方式：{REPORT_KINDS[by]}。", path, progress, cancel)


def write_unit_page_pdf(db, round_id: int, unit_id: int, path) -> int:
    from core.pdf import scoring_pdf

    return _write_unit_page(db, round_id, unit_id, path, scoring_pdf)


def write_unit_page_word(db, round_id: int, unit_id: int, path) -> None:
    from core.docx import scoring_docx

    _write_unit_page(db, round_id, unit_id, path, scoring_docx)


def _write_unit_page(db, round_id: int, unit_id: int, path, writer):
    table = unit_page_table(db, round_id, unit_id)
    return writer.write_table(table, f"共 {len(table.rows)} 项失分，合计 {table.total_loss:g} 分。", path)
