"""丢分分析 in Word: the 失分通报 (a 公文) and the other reports as plain documents on the same page.
What they say comes from the same functions as the PDFs (core.pdf.scoring_pdf); the content from
core.scoring (exports.notice_content, tables.ReportTable)."""

from __future__ import annotations

from core.docx.layout import write_documents
from core.pdf.scoring_pdf import plain_report, unit_notice


def write_notice(content: dict, path, progress=None, cancel=None) -> int:
    """关于…失分情况的通报 as .docx."""
    return write_documents(path, lambda make, item: unit_notice(item, make=make), [content],
                           title=f"关于{content['round']['name']}失分情况的通报", author=content["office_name"],
                           progress=progress, cancel=cancel)


def write_table(table, note: str, path, progress=None, cancel=None) -> int:
    """A report table as a plain document, the note above it."""
    return write_documents(path, lambda make, item: plain_report(item, note, make=make), [table],
                           title=table.title, progress=progress, cancel=cancel)
