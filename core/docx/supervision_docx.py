"""督查督办 documents in Word: the 督办通知单 (with the problems' photos and the 回执) and the 创城督查通报.
What they say comes from the same functions as the PDFs (core.pdf.supervision_pdf), written into
WordDocuments; the data from core.supervision."""

from __future__ import annotations

from docx.enum.text import WD_LINE_SPACING
from docx.shared import Mm

from core.docx.layout import BODY_FONT, HEADING1_FONT, WordDocument, set_font, write_documents
from core.pdf.gbt9704 import SMALL_SIZE
from core.pdf.supervision_pdf import (CAPTION_SIZE, PHOTO_MAX_HEIGHT, PHOTO_WIDTH, RECEIPT_NOTE, bulletin_document,
                                      notice_document, receipt_rows)

POINTS_PER_MM = 72 / 25.4
RECEIPT_LABEL_MM = 32


def _photo_size_mm(path: str) -> tuple[float, float] | None:
    """Width and height that fit the photo into its half of the type area, or None when it cannot be
    read (e.g. HEIC): it is then listed by name, as in the PDF."""
    try:
        from PIL import Image

        with Image.open(path) as img:
            width, height = img.size
            img.verify()
    except Exception:  # an unreadable photo must not stop the notice
        return None
    scale = min(PHOTO_WIDTH / width, PHOTO_MAX_HEIGHT / height) / POINTS_PER_MM
    return width * scale, height * scale


class NoticeWord(WordDocument):
    """A notice in Word: the WordDocument that also sets the photos and the 回执, as NoticePdf does."""

    def photos(self, number: int, finding: dict) -> "NoticeWord":
        if not finding["photos"]:
            return self
        self.paragraph(f"问题{number}现场照片（{finding['site']}）：", indent=False, align="left")
        shown, skipped = [], []
        for photo in finding["photos"]:
            size = _photo_size_mm(photo["path"])
            (shown if size else skipped).append((photo, size))
        if shown:
            table = self.new_table(2)
            for start in range(0, len(shown), 2):
                cells = table.add_row().cells
                for cell, (photo, (width, height)) in zip(cells, shown[start:start + 2]):
                    paragraph = self.cell_text(cell, "", BODY_FONT, CAPTION_SIZE, CAPTION_SIZE * 1.5, "centre")
                    # a picture's line grows with it: an exact line height cuts the photo to a strip
                    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                    try:
                        paragraph.runs[0].add_picture(photo["path"], width=Mm(width), height=Mm(height))
                    except Exception:  # a format Word cannot hold (python-docx refuses it): named instead
                        skipped.append((photo, None))
                    if photo.get("caption"):
                        self.cell_text(cell, photo["caption"], BODY_FONT, CAPTION_SIZE, CAPTION_SIZE * 1.5, "centre",
                                       new_paragraph=True)
        if skipped:
            self.paragraph("无法嵌入的照片：" + "、".join(p["name"] for p, _ in skipped), indent=False, align="left")
        return self

    def receipt(self, notice: dict) -> "NoticeWord":
        """回执: cut off and returned by the unit with 签收人, 签收时间 and 整改情况."""
        self._paragraph(RECEIPT_NOTE, size=12, leading=20, align="centre")
        self._paragraph("回　执", font=HEADING1_FONT, align="centre")
        rows = receipt_rows(notice)
        self.table(["", ""], rows, col_widths_mm=[RECEIPT_LABEL_MM, self.area_width_mm - RECEIPT_LABEL_MM],
                   aligns=["centre", "left"], font_size=SMALL_SIZE, header=False)
        for row in self.last_table.rows:  # the labels in 黑体, as in the PDF
            for run in row.cells[0].paragraphs[0].runs:
                set_font(run, HEADING1_FONT, SMALL_SIZE)
        return self


def write_notices(notices: list[dict], path, progress=None, cancel=None) -> int:
    """The notices (core.supervision.notice_document) in one .docx, each from a new page numbered
    from “— 1 —”. Returns how many."""
    return write_documents(path, lambda make, notice: notice_document(notice, make=make), notices,
                           title="督办通知单", document=NoticeWord, progress=progress, cancel=cancel)


def write_bulletin(data: dict, office: str, path, progress=None, cancel=None) -> int:
    """The 通报 of core.supervision.bulletin_data, issued by `office`, as .docx."""
    return write_documents(path, lambda make, item: bulletin_document(item, office, make=make), [data],
                           title="创城督查通报", author=office, progress=progress, cancel=cancel)

