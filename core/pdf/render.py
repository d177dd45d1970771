"""PDF pages as pictures, drawn in-process by PDFium (pypdfium2).

The letters preview and printing use this on every platform, so neither needs an outside
program: no pdftoppm (absent on Windows) and no PDF viewer's print verb (Edge has none)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pypdfium2 as pdfium
from PIL import Image

from core.errors import AppError

POINTS_PER_INCH = 72


@contextmanager
def _open(pdf_path):
    try:
        document = pdfium.PdfDocument(os.fspath(pdf_path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise AppError(f"无法读取 PDF 文件 {os.fspath(pdf_path)}：文件不存在或已损坏（{exc}）。") from exc
    try:
        yield document
    finally:
        document.close()


def page_sizes(pdf_path) -> list[tuple[float, float]]:
    """Each page's (width, height) in points (1/72 inch), as it is to be printed."""
    with _open(pdf_path) as document:
        sizes = []
        for page in document:
            sizes.append(tuple(page.get_size()))
            page.close()
        return sizes


def render_pages(pdf_path, dpi: float, page_indexes: Iterable[int] | None = None) -> Iterator[Image.Image]:
    """RGB images of the pages (0-based indexes, all pages by default) at dpi, one at a time, so a
    long document never sits in memory at printer resolution."""
    with _open(pdf_path) as document:
        indexes = range(len(document)) if page_indexes is None else page_indexes
        for index in indexes:
            page = document[index]
            try:
                bitmap = page.render(scale=dpi / POINTS_PER_INCH)
                image = bitmap.to_pil().convert("RGB")
                bitmap.close()
            finally:
                page.close()
            yield image
