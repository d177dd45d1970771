"""Printing a PDF through Qt's printer dialog, and its pages as pictures for on-screen previews.

PDFium (core.pdf.render) draws each page; the picture goes onto the paper at the page's true size
(GB/T 9704 margins come out as designed), scaled down only when the paper is smaller and never
stretched. Printer choice, copies, duplex and page range come from the dialog. Nothing is written
to disk: pages are drawn from memory, one at a time."""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog

from core.errors import AppError
from core.pdf import render

PRINT_DPI = 300  # sharp 仿宋 at 16 pt; more only makes the print job larger


def to_qimage(image) -> QImage:
    """A PIL RGB image as a QImage that owns its pixels."""
    data = image.tobytes()
    return QImage(data, image.width, image.height, 3 * image.width, QImage.Format_RGB888).copy()


def page_pixmaps(pdf_path, dpi: float) -> list[QPixmap]:
    return [QPixmap.fromImage(to_qimage(image)) for image in render.render_pages(pdf_path, dpi)]


def prepare_printer(printer: QPrinter, page_sizes: list[tuple[float, float]]) -> None:
    """Paper and orientation of the document's first page, no margins of the printer's own (the
    PDF carries its margins), and the page range the dialog may offer."""
    width, height = page_sizes[0]
    portrait = QSizeF(min(width, height), max(width, height))
    layout = QPageLayout(QPageSize(portrait, QPageSize.Point, "", QPageSize.FuzzyMatch),
                         QPageLayout.Landscape if width > height else QPageLayout.Portrait,
                         QMarginsF(0, 0, 0, 0))
    printer.setPageLayout(layout)
    printer.setFullPage(True)
    printer.setFromTo(1, len(page_sizes))


def print_sequence(printer: QPrinter, page_count: int) -> list[int | None]:
    """0-based page indexes in the order they go to the printer; None is a blank page.

    Honours the page range; repeats the pages for copies only when the driver cannot (it can on
    Windows)."""
    ranges = printer.pageRanges()
    chosen = [i for i in range(page_count)
              if printer.printRange() != QPrinter.PageRange or ranges.isEmpty() or ranges.contains(i + 1)]
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    return repeat_for_copies(chosen, copies, collate=printer.collateCopies(),
                             duplex=printer.duplex() != QPrinter.DuplexNone)


def repeat_for_copies(pages: list[int], copies: int, *, collate: bool, duplex: bool) -> list[int | None]:
    """Collated or not; printed on both sides, a blank back between collated copies of an odd
    number of pages so that every copy starts on its own sheet."""
    if copies == 1:
        return list(pages)
    if not collate:
        return [i for i in pages for _ in range(copies)]
    one_copy: list[int | None] = list(pages)
    if duplex and len(one_copy) % 2:
        one_copy.append(None)
    sequence = one_copy * copies
    return sequence[:-1] if sequence and sequence[-1] is None else sequence


def print_document(printer: QPrinter, pdf_path, progress=None, cancel=None) -> int:
    """Draw the PDF's pages onto the printer (already set up by the dialog); returns the number of
    page sides sent (blank backs included). progress(done, total) and cancel() as in core."""
    sizes = render.page_sizes(pdf_path)
    sequence = print_sequence(printer, len(sizes))
    dpi = min(PRINT_DPI, printer.resolution())
    resolution = printer.resolution()
    painter = QPainter()
    if not painter.begin(printer):
        raise AppError("无法开始打印：打印机不可用，请检查打印机是否已连接并开机。")
    cache: dict[int, QImage] = {}
    try:
        for done, index in enumerate(sequence):
            if cancel and cancel():
                printer.abort()
                break
            if done:
                printer.newPage()
            if index is not None:
                if index not in cache:  # uncollated copies repeat a page back to back
                    cache.clear()
                    cache[index] = to_qimage(next(render.render_pages(pdf_path, dpi, [index])))
                width, height = (points / render.POINTS_PER_INCH * resolution for points in sizes[index])
                paper = printer.paperRect(QPrinter.DevicePixel)
                scale = min(1.0, paper.width() / width, paper.height() / height)
                target = QRectF(0, 0, width * scale, height * scale)
                target.moveCenter(QRectF(0, 0, paper.width(), paper.height()).center())
                painter.setRenderHint(QPainter.SmoothPixmapTransform)
                painter.drawImage(target, cache[index])
            if progress:
                progress(done + 1, len(sequence))
    finally:
        painter.end()
    return len(sequence)


def print_pdf(parent, pdf_path) -> None:
    """The printer dialog (printer, copies, duplex, pages), then the document printed with a
    progress dialog that can cancel."""
    sizes = render.page_sizes(pdf_path)
    printer = QPrinter(QPrinter.HighResolution)
    prepare_printer(printer, sizes)
    dialog = QPrintDialog(printer, parent)
    dialog.setOption(QAbstractPrintDialog.PrintPageRange, True)
    dialog.setMinMax(1, len(sizes))
    if dialog.exec() != QDialog.Accepted:
        return
    waiting = QProgressDialog("正在打印…", "取消", 0, 0, parent)
    waiting.setWindowTitle("打印")
    waiting.setWindowModality(Qt.WindowModal)
    waiting.setMinimumDuration(300)

    def progress(done, total):
        waiting.setMaximum(total)
        waiting.setValue(done)
        QApplication.processEvents()

    try:
        print_document(printer, pdf_path, progress, waiting.wasCanceled)
    finally:
        waiting.close()
