"""Printing and previewing a PDF without any outside program: pages drawn by PDFium and sent
through QPrinter. A QPrinter writing a PDF file stands in for the office printer, so what reached
the "paper" can be read back: page count, paper size, which page, and the drawing's true size."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from PySide6.QtGui import QPageRanges, QPageSize
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from core.pdf import render
from gui.printing import (page_pixmaps, prepare_printer, print_document, print_sequence,
                          repeat_for_copies)

SQUARE = 100  # points: a black square per page, further right on each page so pages can be told apart
A4_POINTS = (595.3, 841.9)


def make_pdf(path, pages: int = 3):
    canvas = Canvas(str(path), pagesize=A4)
    for i in range(pages):
        canvas.rect(72 + 60 * i, A4[1] - 72 - SQUARE, SQUARE, SQUARE, stroke=0, fill=1)
        canvas.showPage()
    canvas.save()
    return path


def pdf_printer(out, source) -> QPrinter:
    printer = QPrinter(QPrinter.HighResolution)
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setOutputFileName(str(out))
    prepare_printer(printer, render.page_sizes(source))
    return printer


def squares(printed) -> list[tuple[float, float, float, float]]:
    """(left, top, width, height) in points of the dark square on each printed page."""
    found = []
    document = pdfium.PdfDocument(str(printed))
    for page in document:
        image = page.render(scale=1).to_pil().convert("L").point(lambda v: 255 if v < 128 else 0)
        left, top, right, bottom = image.getbbox()
        found.append((left, top, right - left, bottom - top))
    document.close()
    return found


def test_prints_every_page_at_its_true_size_on_a4(qapp, tmp_path):
    source = make_pdf(tmp_path / "三页.pdf")
    out = tmp_path / "printed.pdf"
    assert print_document(pdf_printer(out, source), source) == 3
    pages = PdfReader(out).pages
    assert len(pages) == 3
    for page in pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS, abs=1)
    for i, (left, top, width, height) in enumerate(squares(out)):
        assert (left, top) == pytest.approx((72 + 60 * i, 72), abs=2)  # margins as in the document
        assert (width, height) == pytest.approx((SQUARE, SQUARE), abs=2)


def test_page_range_and_copies_the_driver_cannot_make(qapp, tmp_path):
    source = make_pdf(tmp_path / "三页.pdf")
    out = tmp_path / "printed.pdf"
    printer = pdf_printer(out, source)
    assert not printer.supportsMultipleCopies()  # PDF output: the program repeats the pages itself
    printer.setPrintRange(QPrinter.PageRange)
    ranges = QPageRanges()
    ranges.addRange(2, 3)
    printer.setPageRanges(ranges)
    printer.setCopyCount(2)
    printer.setCollateCopies(True)
    assert print_document(printer, source) == 4
    assert [left for left, *_ in squares(out)] == pytest.approx([132, 192, 132, 192], abs=2)


def test_uncollated_copies_and_duplex_copies_start_on_their_own_sheet(qapp, tmp_path):
    source = make_pdf(tmp_path / "三页.pdf")
    printer = pdf_printer(tmp_path / "printed.pdf", source)
    printer.setCopyCount(2)
    printer.setCollateCopies(False)
    assert print_sequence(printer, 3) == [0, 0, 1, 1, 2, 2]
    assert repeat_for_copies([0, 1, 2], 2, collate=True, duplex=True) == [0, 1, 2, None, 0, 1, 2]
    assert repeat_for_copies([0, 1], 2, collate=True, duplex=True) == [0, 1, 0, 1]
    assert repeat_for_copies([0, 1, 2], 1, collate=True, duplex=True) == [0, 1, 2]


def test_smaller_paper_scales_the_page_down_without_stretching(qapp, tmp_path):
    source = make_pdf(tmp_path / "三页.pdf", pages=1)
    out = tmp_path / "printed.pdf"
    printer = pdf_printer(out, source)
    printer.setPageSize(QPageSize(QPageSize.A5))
    print_document(printer, source)
    page = PdfReader(out).pages[0]
    assert float(page.mediabox.width) == pytest.approx(419.5, abs=1)  # A5
    (_, _, width, height), = squares(out)
    assert width == pytest.approx(height, abs=1)
    assert width == pytest.approx(SQUARE * 419.5 / A4_POINTS[0], abs=2)


def test_landscape_document_prints_on_landscape_paper(qapp, tmp_path):
    source = tmp_path / "横排.pdf"
    canvas = Canvas(str(source), pagesize=(A4[1], A4[0]))
    canvas.drawString(72, 72, "x")
    canvas.save()
    out = tmp_path / "printed.pdf"
    print_document(pdf_printer(out, source), source)
    page = PdfReader(out).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)


def test_preview_pixmaps_keep_the_page_proportions(qapp, tmp_path):
    pixmaps = page_pixmaps(make_pdf(tmp_path / "三页.pdf"), dpi=36)
    assert len(pixmaps) == 3
    assert pixmaps[0].width() == pytest.approx(A4_POINTS[0] / 2, abs=1)
    assert pixmaps[0].height() == pytest.approx(A4_POINTS[1] / 2, abs=1)


def test_damaged_pdf_is_a_clear_message(tmp_path):
    from core.errors import AppError

    broken = tmp_path / "坏.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(AppError, match="无法读取 PDF"):
        render.page_sizes(broken)
