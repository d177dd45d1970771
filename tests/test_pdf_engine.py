"""The PDF engine (core/pdf): documents are rendered to real files and read back."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import threading

import pytest

from core.resources import resource_path
from pypdf import PdfReader
from reportlab.lib.units import mm

from core.errors import AppError, Cancelled
from core.pdf import fonts
from core.pdf.gbt9704 import (AREA_WIDTH, BODY_TRACKING, CLOSING, LINE, OPENING, PITCH, GbtDocument,
                              TextBlock, TextStyle, body_style, render)

A4_PORTRAIT = (595.28, 841.89)
PAGE_NUMBER = re.compile(r"—\s*(\d+)\s*—")
SENTENCE = ("为深入推进全国文明城市创建工作，根据《全国文明城市测评体系》和区创城工作安排，"
            "区创城办组织开展了明察暗访，现将检查发现的问题交办如下。")
ISSUER = "XX区创建全国文明城市工作指挥部办公室"


def notice(number: int = 15, paragraphs: int = 3) -> GbtDocument:
    doc = GbtDocument(kind="gongwen", issuer_mark=ISSUER, doc_number=f"X创城督〔2026〕{number}号",
                      title="关于背街小巷环境卫生问题限期整改的督办通知")
    doc.addressee("城关街道办事处：")
    doc.heading1("一、存在的主要问题")
    doc.heading2("（一）背街小巷卫生死角较多")
    for _ in range(paragraphs):
        doc.paragraph(SENTENCE)
    doc.table(["序号", "点位", "问题描述"], [[1, "幸福路", "垃圾桶满溢"], [2, "和平街", "乱堆乱放"]])
    doc.signature(ISSUER, dt.date(2026, 11, 23))
    doc.banji(cc=["区委宣传部", "区文明办"], printer=ISSUER, print_date=dt.date(2026, 11, 23))
    return doc


def letter(paragraphs: int = 3, title: str = "创建全国文明城市目标责任书") -> GbtDocument:
    doc = GbtDocument(title=title)
    for _ in range(paragraphs):
        doc.paragraph(SENTENCE)
    doc.signature("XX区创建全国文明城市工作指挥部", "2026年11月23日")
    return doc


def page_texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def page_numbers(texts: list[str]) -> list[int | None]:
    numbers = []
    for text in texts:
        found = PAGE_NUMBER.findall(text)
        numbers.append(int(found[-1]) if found else None)
    return numbers


def test_chinese_text_is_extractable(tmp_path):
    out = tmp_path / "notice.pdf"
    render([notice()], out)
    text = "".join(page_texts(out))
    assert "关于背街小巷环境卫生问题限期整改的督办通知" in re.sub(r"\s", "", text)
    assert "一、存在的主要问题" in text
    assert "垃圾桶满溢" in text
    assert "2026年11月23日" in text


def test_every_font_is_embedded_truetype(tmp_path):
    out = tmp_path / "notice.pdf"
    render([notice(), letter()], out)
    seen = 0
    for page in PdfReader(out).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/TrueType", font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
            seen += 1
    assert seen
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows and all(re.search(r"\byes\s+yes\s+yes\b", row) for row in rows), listing


def test_page_size_is_a4(tmp_path):
    out = tmp_path / "letter.pdf"
    render([letter(20)], out)
    reader = PdfReader(out)
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_PORTRAIT, abs=0.01)


def test_landscape_document_and_mixed_orientations(tmp_path):
    wide = GbtDocument(title="测评达标责任分解表", landscape=True)
    wide.table(["序号", "测评标准", "牵头单位"], [[i, SENTENCE, "区文明办"] for i in range(30)])
    out = tmp_path / "mixed.pdf"
    result = render([letter(), wide, letter()], out)
    reader = PdfReader(out)
    sizes = [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in reader.pages]
    first, last = result.page_ranges[1]
    for index, size in enumerate(sizes, start=1):
        expected = A4_PORTRAIT[::-1] if first <= index <= last else A4_PORTRAIT
        assert size == pytest.approx(expected, abs=0.01)
    assert last > first  # the table ran onto a second landscape page


def test_page_numbers_restart_for_each_document(tmp_path):
    documents = [letter(p, title=f"责任书{i}") for i, p in enumerate([2, 30, 1, 55, 12])]
    out = tmp_path / "letters.pdf"
    result = render(documents, out)
    numbers = page_numbers(page_texts(out))
    assert numbers.count(1) == len(documents)
    assert None not in numbers
    for first, last in result.page_ranges:
        assert numbers[first - 1:last] == list(range(1, last - first + 2))
    assert result.page_count == len(numbers)


def test_page_number_sides_alternate(tmp_path):
    out = tmp_path / "letter.pdf"
    render([letter(40)], out)
    reader = PdfReader(out)
    right_edge = 28 * mm + AREA_WIDTH
    for index, page in enumerate(reader.pages, start=1):
        xs = []

        def visit(text, cm, tm, font, size, xs=xs):
            if PAGE_NUMBER.search(text) or text.strip() == "—":
                xs.append(tm[4])

        page.extract_text(visitor_text=visit)
        assert xs, f"no page number found on page {index}"
        if index % 2:
            assert min(xs) > right_edge - 80  # odd: at the right
        else:
            assert min(xs) < 28 * mm + 30  # even: at the left, one character in


def test_duplex_starts_every_document_on_an_odd_page(tmp_path):
    documents = [letter(1), letter(30), letter(2), notice()]
    out = tmp_path / "duplex.pdf"
    result = render(documents, out, duplex=True)
    starts = [first for first, _ in result.page_ranges]
    assert all(first % 2 == 1 for first in starts)
    texts = page_texts(out)
    numbered = {page for first, last in result.page_ranges for page in range(first, last + 1)}
    blanks = [page for page in range(1, len(texts) + 1) if page not in numbered]
    assert blanks, "some document had an odd page count, so a blank page was due"
    for page in blanks:
        assert texts[page - 1].strip() == ""  # blank and unnumbered
    assert page_numbers(texts).count(1) == len(documents)
    assert PdfReader(out).trailer["/Root"]["/ViewerPreferences"]["/Duplex"] == "/DuplexFlipLongEdge"

    simplex = render(documents, tmp_path / "simplex.pdf")
    assert simplex.page_count == result.page_count - len(blanks)


def test_gongwen_has_masthead_and_banji_plain_has_not(tmp_path):
    plain = GbtDocument(title="关于背街小巷环境卫生问题限期整改的督办通知")
    plain.paragraph(SENTENCE).signature(ISSUER, dt.date(2026, 11, 23))
    render([notice()], tmp_path / "gongwen.pdf")
    render([plain], tmp_path / "plain.pdf")
    gongwen_text = "".join(page_texts(tmp_path / "gongwen.pdf"))
    plain_text = "".join(page_texts(tmp_path / "plain.pdf"))
    for mark in ("X创城督〔2026〕15号", "抄送：区委宣传部，区文明办。", "2026年11月23日印发"):
        assert mark in gongwen_text
        assert mark not in plain_text
    assert gongwen_text.count(ISSUER) == 3  # 发文机关标志, 署名, 印发机关
    assert plain_text.count(ISSUER) == 1  # 署名 only


def test_banji_is_on_the_last_page(tmp_path):
    out = tmp_path / "long.pdf"
    render([notice(paragraphs=25)], out)
    texts = page_texts(out)
    assert len(texts) > 1
    assert all("抄送" not in text for text in texts[:-1])
    assert "抄送" in texts[-1]


def test_long_table_repeats_its_header_on_every_page(tmp_path):
    doc = GbtDocument(title="问题清单")
    rows = [[f"R{i:02d}", f"点位{i}", "垃圾桶满溢，周边有散落垃圾，绿化带内有白色垃圾。"] for i in range(1, 61)]
    doc.table(["编号", "点位", "问题描述"], rows)
    out = tmp_path / "table.pdf"
    render([doc], out)
    texts = page_texts(out)
    assert len(texts) >= 2
    for text in texts:
        assert "问题描述" in text
    joined = "".join(texts)
    assert all(f"R{i:02d}" in joined for i in range(1, 61))


def test_a_row_taller_than_a_page_is_cut_not_fatal(tmp_path):
    doc = GbtDocument(title="长单元格")
    doc.table(["序号", "内容"], [[1, "很长的内容，" * 900], [2, "短"]])
    out = tmp_path / "tall.pdf"
    result = render([doc], out)
    assert result.page_count >= 4
    assert "短" in page_texts(out)[-1]


def lines_of(pdf_path) -> list[str]:
    lines = []
    for text in page_texts(pdf_path):
        lines += [line.strip() for line in text.splitlines() if line.strip()]
    return lines


@pytest.mark.parametrize("tail", ["。其后的文字", "，其后的文字", "”其后的文字", "》其后的文字", "）其后", "……其后"])
def test_no_line_starts_with_closing_punctuation(tmp_path, tail):
    # 28 characters fill a line, so without the rule the punctuation would open line two.
    text = "一" * 28 + tail + "二" * 40
    doc = GbtDocument()
    doc.paragraph(text, indent=False)
    out = tmp_path / "kinsoku.pdf"
    render([doc], out)
    lines = [line for line in lines_of(out) if not PAGE_NUMBER.fullmatch(line)]
    assert len(lines) >= 3
    assert "".join(lines) == text
    assert not [line for line in lines if line[0] in CLOSING]


def test_no_line_ends_with_opening_punctuation(tmp_path):
    text = "一" * 27 + "（二）" + "三" * 30 + "《四》"
    doc = GbtDocument()
    doc.paragraph(text, indent=False)
    out = tmp_path / "kinsoku.pdf"
    render([doc], out)
    lines = [line for line in lines_of(out) if not PAGE_NUMBER.fullmatch(line)]
    assert "".join(lines) == text
    assert not [line for line in lines if line[-1] in OPENING]


def test_body_grid_is_28_characters_by_22_lines(tmp_path):
    doc = GbtDocument()
    doc.paragraph("字" * 28 * 30, indent=False)
    out = tmp_path / "grid.pdf"
    render([doc], out)
    first_page = [line for line in page_texts(out)[0].splitlines() if line.strip()]
    body = [line for line in first_page if not PAGE_NUMBER.fullmatch(line.strip())]
    assert len(body) == 22
    assert {len(line.strip()) for line in body} == {28}


def test_line_breaking_rules_in_narrow_blocks():
    style = TextStyle(fonts.register_fonts()["fangsong"], 16.0, LINE, tracking=BODY_TRACKING)
    text = "根据《全国文明城市测评体系》（2021年版），“三个一”活动……要求：落实到位！" * 4
    for chars in range(2, 29):
        block = TextBlock(text, style)
        block.wrap(chars * PITCH - BODY_TRACKING, 10_000)  # room for exactly `chars` characters
        lines = block.line_texts()
        assert "".join(lines) == text
        assert not [line for line in lines[1:] if line[0] in CLOSING], chars
        assert not [line for line in lines if line[-1] in OPENING], chars
        if chars >= 4:  # "（2021" fits on a line: a number is never split
            assert any("2021" in line for line in lines), chars


def test_unwritable_path_raises_app_error_and_leaves_nothing(tmp_path):
    missing_folder = tmp_path / "no such folder" / "out.pdf"
    with pytest.raises(AppError) as caught:
        render([letter()], missing_folder)
    assert "无法写入文件" in caught.value.message_zh
    assert not missing_folder.parent.exists()

    a_folder = tmp_path / "taken.pdf"  # the target name is an existing folder
    a_folder.mkdir()
    with pytest.raises(AppError):
        render([letter()], a_folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.pdf"]
    assert list(a_folder.iterdir()) == []


def test_cancel_stops_and_leaves_no_file(tmp_path):
    out = tmp_path / "many.pdf"
    stop = threading.Event()
    calls = []

    def progress(done, total, text):
        calls.append((done, total))
        if done == 3:
            stop.set()

    with pytest.raises(Cancelled):
        render([letter() for _ in range(10)], out, progress=progress, cancel=stop)
    assert os.listdir(tmp_path) == []
    assert calls[0] == (0, 10)

    with pytest.raises(Cancelled):
        render([letter()], out, cancel=lambda: True)
    assert os.listdir(tmp_path) == []


def test_progress_reports_each_document_and_the_end(tmp_path):
    calls = []
    render([letter() for _ in range(4)], tmp_path / "four.pdf",
           progress=lambda done, total, text: calls.append((done, total, text)))
    assert [c[:2] for c in calls] == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert all(isinstance(c[2], str) and c[2] for c in calls)


def test_render_to_a_file_object():
    buffer = io.BytesIO()
    result = render([notice()], buffer)
    assert buffer.getvalue().startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(buffer.getvalue())).pages) == result.page_count


def test_written_pdf_is_readable_by_others(tmp_path):
    out = tmp_path / "mode.pdf"
    render([letter()], out)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_fonts_cover_every_role_and_registration_is_cached():
    first = fonts.register_fonts()
    assert set(first) == set(fonts.ROLES)
    assert fonts.register_fonts() == first
    bundled = fonts.bundled_font_path()
    assert os.path.isfile(bundled)
    assert os.path.isfile(resource_path("fonts", "LICENSE-wqy-microhei.txt"))
    assert all(files[-1] == bundled for files in fonts.available_font_files().values())


def test_resource_path_inside_a_pyinstaller_bundle(monkeypatch, tmp_path):
    monkeypatch.setattr("sys._MEIPASS", str(tmp_path), raising=False)
    assert str(resource_path("fonts", "x.ttc")) == os.path.join(str(tmp_path), "resources", "fonts", "x.ttc")


def test_glyphs_missing_from_the_chosen_font_fall_back(tmp_path):
    dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if not os.path.isfile(dejavu):
        pytest.skip("DejaVu Sans (a font without Chinese glyphs) is not installed")
    out = tmp_path / "fallback.pdf"
    render([letter(1)], out, font_preferences={"fangsong": dejavu})
    text = "".join(page_texts(out))
    assert SENTENCE[:20] in text
    names = {str(f.get_object()["/BaseFont"]) for p in PdfReader(out).pages for f in p["/Resources"]["/Font"].values()}
    assert any("DejaVu" in n for n in names) and any("WenQuanYi" in n for n in names)


def test_bad_font_preference_is_ignored(tmp_path):
    chosen = fonts.register_fonts({"heiti": str(tmp_path / "missing.ttf")})
    assert chosen["heiti"] == fonts.register_fonts()["heiti"]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) is not installed")
def test_first_page_renders_with_the_red_masthead_in_place(tmp_path):
    out = tmp_path / "notice.pdf"
    render([notice()], out)
    subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-singlefile", str(out),
                    str(tmp_path / "page")], check=True)
    width, height, pixels = _read_ppm(tmp_path / "page.ppm")
    assert abs(width - 595) <= 1 and abs(height - 842) <= 1

    def is_red(x, y):
        r, g, b = pixels[(y * width + x) * 3:(y * width + x) * 3 + 3]
        return r > 200 and g < 80 and b < 80

    red_rows = [y for y in range(height) if any(is_red(x, y) for x in range(0, width, 2))]
    assert red_rows, "the 发文机关标志 and the rule are red"
    mark_top_mm = red_rows[0] / 72 * 25.4
    assert 37 + 35 - 1 <= mark_top_mm <= 37 + 35 + 4  # top edge 35 mm below the type area
    dark = sum(1 for i in range(0, len(pixels), 3) if pixels[i] < 100 and pixels[i + 1] < 100)
    assert dark > 1000  # black body text was drawn


def _read_ppm(path):
    data = path.read_bytes()
    magic, width, height, maxval, rest = data.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    return int(width), int(height), rest


def test_unnumbered_document_and_trailing_page_break(tmp_path):
    cover = letter(1)
    cover.page_numbers = False
    cover.page_break()
    wide = GbtDocument(title="分解表", landscape=True)
    wide.table(["序号", "牵头单位"], [[1, "区文明办"]])
    out = tmp_path / "set.pdf"
    result = render([cover, wide, letter(1)], out)
    assert result.page_ranges == [(1, 1), (2, 2), (3, 3)]
    assert page_numbers(page_texts(out)) == [None, 1, 1]
    assert float(PdfReader(out).pages[1].mediabox.width) == pytest.approx(A4_PORTRAIT[1], abs=0.01)


def test_a_gongwen_needs_its_issuer_mark():
    with pytest.raises(ValueError):
        GbtDocument(kind="gongwen", title="通知")
    with pytest.raises(ValueError):
        GbtDocument(title="责任书").banji(cc="区文明办")


def test_custom_flowables_get_the_fonts_in_use(tmp_path):
    used = {}

    def signatures(fonts):
        used.update(fonts)
        return [TextBlock("甲方（盖章）：区文明委", body_style(fonts, first_indent=0)),
                TextBlock("乙方（盖章）：城关街道", body_style(fonts, "kaiti", align="right"))]

    out = tmp_path / "letter.pdf"
    render([letter(1).add(signatures)], out)
    assert used == fonts.register_fonts()
    text = "".join(page_texts(out))
    assert "甲方（盖章）：区文明委" in text and "乙方（盖章）：城关街道" in text
