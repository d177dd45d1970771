"""Every document the program prints, read back as a records reviewer reads it: the PDFs' text as
laid out on the page with poppler's pdftotext (a layout check is skipped, with its reason, where
poppler is not installed: Windows Python under the wintest harness), their properties and fonts
with pypdf, pages with PDFium; the spreadsheets' cells and print settings with openpyxl.

The demo district is loaded once and every document command is run on it, as a user would."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
ROUND = "2026年模拟测评"

PDF_COMMANDS = {
    "notices.pdf": ["notices", "--out", "{out}"],
    "bulletin.pdf": ["bulletin", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "{out}"],
    "loss-unit.pdf": ["loss-report", "--round", ROUND, "--by", "unit", "--out", "{out}"],
    "loss-category.pdf": ["loss-report", "--round", ROUND, "--by", "category", "--out", "{out}"],
    "loss-unit-detail.pdf": ["loss-report", "--round", ROUND, "--by", "unit", "--unit", "区城管局", "--out", "{out}"],
    "catalogue.pdf": ["catalogue", "{out}"],
    "labels.pdf": ["catalogue", "{out}", "--labels"],
    "letters.pdf": ["letters", "--year", "2026", "--out", "{out}", "--unit", "区城管局"],
    "framework.pdf": ["export-framework", "{out}"],
}
XLSX_COMMANDS = {
    "bulletin.xlsx": ["bulletin", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "{out}"],
    "catalogue.xlsx": ["catalogue", "{out}"],
    "loss-unit.xlsx": ["loss-report", "--round", ROUND, "--by", "unit", "--out", "{out}"],
    "compare.xlsx": ["compare-rounds", "--from", "2025年市测", "--to", ROUND, "--out", "{out}"],
    "letters-status.xlsx": ["letters-status", "--out", "{out}"],
    "findings.xlsx": ["findings-export", "{out}"],
    "materials.xlsx": ["materials-export", "{out}"],
    "template.xlsx": ["materials-export", "{out}", "--unit", "区城管局"],
    "materials-check.xlsx": ["materials-check", "--out", "{out}"],
    "framework.xlsx": ["export-framework", "{out}"],
}


def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--data", str(data), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=300,
                          stdin=subprocess.DEVNULL, cwd=ROOT)


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    """The demo district and every document written from it: {file name: path}."""
    base = tmp_path_factory.mktemp("paper")
    data = base / "data"
    assert cli(data, "demo").returncode == 0
    files = {"big-notice.pdf": _notice_with_many_findings(data, base)}
    for name, args in {**PDF_COMMANDS, **XLSX_COMMANDS}.items():
        out = base / name
        done = cli(data, *[a.format(out=out) for a in args])
        assert done.returncode in (0, 3), (name, done.stderr)
        files[name] = out
    files["package.xlsx"] = base / "package" / "目录.xlsx"
    assert cli(data, "package", str(base / "package")).returncode == 0
    files["data"] = data
    return files


LONG_PROBLEM = ("人行道多处地砖破损松动、井盖缺失，雨后积水严重，LED显示屏不亮，热线0931-8888123无人接听；沿街商户占道经营，"
                "杂物堆放在盲道上，门前三包责任牌缺失，现场无人劝导，群众反映强烈，已多次督查仍未整改到位。")


def _notice_with_many_findings(data: Path, base: Path) -> Path:
    """Five problems of one unit imported from a sheet as an office writes it, and one notice for all."""
    from openpyxl import Workbook

    sheet_path = base / "检查结果.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["发现日期", "来源", "点位", "问题描述", "责任单位", "严重程度"])
    for day in range(1, 6):
        sheet.append([f"2026-11-0{day}", "点位检查", "人民路", f"{day}号路段{LONG_PROBLEM}", "区城管局", "一般"])
    workbook.save(sheet_path)
    assert cli(data, "findings-import", str(sheet_path)).returncode == 0
    exported = base / "problems.xlsx"
    assert cli(data, "findings-export", str(exported), "--status", "待交办", "--unit", "区城管局").returncode == 0
    rows = list(load_workbook(exported).worksheets[0].iter_rows(values_only=True))
    ids = [str(r[0]) for r in rows[1:] if "号路段人行道" in r[7]]
    assert len(ids) == 5
    done = cli(data, "notice-issue", "--unit", "区城管局", "--findings", ",".join(ids), "--date", "2026-11-09")
    assert done.returncode == 0, done.stderr
    out = base / "big-notice.pdf"
    assert cli(data, "notices", "--out", str(out), "--number", done.stdout.strip()
               ).returncode == 0
    return out


def page_texts(path: Path) -> list[str]:
    return pdf_text(path).split("\f")[:-1]


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("没有 poppler 的 pdftotext（Windows 上不带）：版面文字的检查在 Linux 测试中运行")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


# --- 18: spreadsheets print -----------------------------------------------------------------------

@pytest.mark.parametrize("name", [*XLSX_COMMANDS, "package.xlsx"])
def test_every_spreadsheet_prints_on_a4_across_the_page_with_header_rows_title_and_page_numbers(paper, name):
    workbook = load_workbook(paper[name])
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert str(setup.paperSize) == "9", (name, sheet.title)  # A4
        assert setup.orientation in ("portrait", "landscape")
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), (name, sheet.title)
        assert sheet.print_title_rows == "$1:$1", (name, sheet.title)
        assert sheet.oddHeader.center.text, (name, sheet.title)
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def test_a_wide_sheet_prints_landscape_and_a_narrow_one_portrait(paper):
    findings = load_workbook(paper["findings.xlsx"]).worksheets[0]
    assert findings.page_setup.orientation == "landscape"
    summary = load_workbook(paper["bulletin.xlsx"])["概况"]
    assert summary.page_setup.orientation == "portrait"
    assert "创城督查通报" in summary.oddHeader.center.text


# --- 2 and 16: what a PDF says about itself, and the fonts it uses ---------------------------------

OFFICE = "XX区创建全国文明城市工作指挥部办公室"


def pdf_info(path: Path) -> dict[str, str]:
    """The document properties a PDF reader shows (文件 → 属性)."""
    from pypdf import PdfReader

    meta = PdfReader(path).metadata or {}
    return {key.lstrip("/"): str(value) for key, value in meta.items()}


def pdf_fonts(path: Path) -> dict[str, bool]:
    """Every font the pages (and the forms they draw) name → whether the PDF carries it, as
    pdffonts lists them."""
    from pypdf import PdfReader

    fonts: dict[str, bool] = {}

    def visit(resources, seen: set) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if font.get("/Subtype") == "/Type0" else font
            descriptor = (described.get("/FontDescriptor") or {})
            descriptor = descriptor.get_object() if hasattr(descriptor, "get_object") else descriptor
            embedded = font.get("/Subtype") == "/Type3" or any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font.get("/BaseFont", "(Type3)"))] = embedded
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
                seen.add(id(xobject))
                visit(xobject.get("/Resources"), seen)

    for page in PdfReader(path).pages:
        visit(page.get("/Resources"), set())
    return fonts


@pytest.mark.parametrize("name", PDF_COMMANDS)
def test_every_pdf_names_the_office_and_the_document_in_its_properties(paper, name):
    info = pdf_info(paper[name])
    assert info["Author"] == OFFICE, name
    assert info["Creator"] == "创城工作台", name
    assert info["Title"] and info["Subject"] and "unspecified" not in info["Subject"], name


def test_a_notice_pdf_has_its_numbers_in_the_subject(paper):
    assert "X创城督〔2026〕1号" in pdf_info(paper["notices.pdf"])["Subject"]


@pytest.mark.parametrize("name", PDF_COMMANDS)
def test_every_font_a_pdf_names_is_embedded(paper, name):
    fonts = pdf_fonts(paper[name])
    assert fonts, name
    assert [font for font, embedded in fonts.items() if not embedded] == [], name
    assert not any("Helvetica" in font for font in fonts), name


# --- 19: wording -----------------------------------------------------------------------------------

def flat_text(path: Path) -> str:
    return re.sub(r"\s+", "", pdf_text(path))


def test_no_bracketed_note_follows_another(paper):
    letters = flat_text(paper["letters.pdf"])
    assert "全国文明城市测评体系（2021年版" in letters
    assert not re.search(r"（[^（）]*年[^（）]*）（", letters)


def test_a_round_named_after_its_kind_is_not_followed_by_the_kind(paper):
    text = flat_text(paper["loss-unit.pdf"])
    assert "2026年模拟测评共测评" in text
    assert "模拟测评（模拟测评）" not in text


def test_the_scan_column_says_whether_there_is_a_scan(paper):
    sheet = load_workbook(paper["letters-status.xlsx"]).worksheets[0]
    headers = [c.value for c in sheet[1]]
    column = headers.index("扫描件")
    values = {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values and values <= {"有", "无"}


# --- 13: tables ------------------------------------------------------------------------------------

HEADER_ROWS = {"bulletin.pdf": r"序号\s+发现日期\s+点位\s+问题描述", "big-notice.pdf": r"序号\s+发现日期\s+点位\s+问题描述"}


@pytest.mark.parametrize("name", HEADER_ROWS)
def test_a_table_header_row_heads_each_page_of_the_table_once(paper, name):
    pages = [len(re.findall(HEADER_ROWS[name], text)) for text in page_texts(paper[name])]
    assert max(pages) == 1, pages
    assert pages.count(1) >= 2, pages  # the table runs onto a second page, and its header with it


@pytest.mark.parametrize("name", ["bulletin.pdf", "big-notice.pdf"])
def test_dates_numbers_and_short_words_in_tables_never_break(paper, name):
    text = pdf_text(paper[name])
    assert not re.search(r"\b20\d\d-\d\d-\d?(?!\d)", text)  # a date cut as "2026-12-0 / 2"
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", text)
    assert "序号" in text
    for word in ("已销号", "待交办", "已交办"):
        assert not re.search(word[:2] + r"\s*\n", text), word


def test_a_heading_stays_with_the_first_rows_of_its_table(paper):
    for text in page_texts(paper["bulletin.pdf"]):
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        assert not re.match(r"[一二三四五]、", lines[-2] if len(lines) > 1 else ""), lines[-3:]


@pytest.mark.parametrize("lines_before", [17, 18, 19, 20])
def test_a_heading_and_its_lead_in_sentence_go_with_the_table(lines_before, tmp_path):
    from core.pdf.gbt9704 import CHARS_PER_LINE, GbtDocument, render

    doc = GbtDocument(kind="plain", page_numbers=False)
    doc.paragraph("甲" * (CHARS_PER_LINE * lines_before - 2))
    doc.heading1("四、专项推进组排名")
    doc.paragraph("按逾期问题数、未销号问题数由多到少排列：")
    doc.table(["排名", "专项推进组", "逾期问题"], [[i, f"第{i}组", i] for i in range(1, 12)])
    out = tmp_path / "lead-in.pdf"
    render([doc], out, font_preferences={})
    for text in page_texts(out):
        flat = re.sub(r"\s+", "", text)
        if "排列：" in flat:
            assert "专项推进组排名" in flat and "第1组" in flat, flat[-80:]


# --- 15: the notice on paper ------------------------------------------------------------------------

@pytest.mark.parametrize("name, count", [("notices.pdf", 15), ("big-notice.pdf", 1)])
def test_the_receipt_is_a_page_of_its_own(paper, name, count):
    receipts = [re.sub(r"\s+", "", text) for text in page_texts(paper[name]) if "回执" in re.sub(r"\s+", "", text)]
    assert len(receipts) == count
    for flat in receipts:
        assert flat.startswith("（本回执由责任单位填写后交回"), flat[:40]
        assert "整改期限" not in flat and "联系方式" not in flat


def char_boxes(path: Path, page_index: int, text: str) -> list[list[tuple]]:
    """The boxes (left, bottom, right, top) of each character of every occurrence of text on a page."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        page = document[page_index]
        textpage = page.get_textpage()
        found = []
        searcher = textpage.search(text)
        while (match := searcher.get_next()) is not None:
            start, count = match
            found.append([textpage.get_charbox(i, loose=True) for i in range(start, start + count)])
        return found
    finally:
        document.close()


def test_the_issuer_is_centred_over_the_date(paper):
    path = paper["big-notice.pdf"]
    page = next(i for i, t in enumerate(page_texts(path)) if "联系方式" in t)
    (name,) = char_boxes(path, page, OFFICE)
    (date,) = char_boxes(path, page, "2026年11月9日")
    centre = lambda boxes: (boxes[0][0] + boxes[-1][2]) / 2  # noqa: E731
    assert abs(centre(name) - centre(date)) < 1.5
    assert name[0][3] > date[0][3]  # the name above the date


def _latin_gaps(path: Path, page: int) -> list[float]:
    occurrences = char_boxes(path, page, "0931-8888123")
    assert occurrences
    return [b[0] - a[2] for boxes in occurrences for a, b in zip(boxes, boxes[1:])]


def test_latin_words_in_a_justified_cell_are_not_pulled_apart(paper, tmp_path):
    from core.pdf.gbt9704 import GbtDocument, render

    doc = GbtDocument(kind="plain", page_numbers=False)
    doc.table(["序号", "问题描述"], [[1, "热线0931-8888123长期无人接听群众反映强烈"],
                                  [2, "举报电话0931-8888123无人接听，群众意见较大"]], col_widths_mm=[20, 42])
    render([doc], tmp_path / "cells.pdf", font_preferences={})
    assert max(_latin_gaps(tmp_path / "cells.pdf", 0)) < 0.2
    assert max(_latin_gaps(paper["big-notice.pdf"], 0)) < 0.2


def test_the_banji_is_on_an_even_page_of_its_document(paper):
    for name, title in (("bulletin.pdf", "创城督查通报"), ("big-notice.pdf", "督办通知单"), ("notices.pdf", "督办通知单")):
        number = 0
        for text in page_texts(paper[name]):
            flat = re.sub(r"\s+", "", text)
            number = 1 if "创建全国文明城市工作指挥部办公室" in flat[:40] and title in flat else number + 1
            if re.search(r"\d+日印发", flat):
                assert number % 2 == 0, (name, number)


def _paragraph_pages(first_lines: int, second_lines: int, tmp_path: Path) -> list[int]:
    """How many lines of the second paragraph each page holds, after one of first_lines lines."""
    from core.pdf.gbt9704 import CHARS_PER_LINE, GbtDocument, render

    doc = GbtDocument(kind="plain", page_numbers=False)
    doc.paragraph("甲" * (CHARS_PER_LINE * first_lines - 2))
    doc.paragraph("乙" * (CHARS_PER_LINE * (second_lines - 1) + 2) + "算。")
    out = tmp_path / f"{first_lines}-{second_lines}.pdf"
    render([doc], out, font_preferences={})
    return [sum(1 for line in text.splitlines() if "乙" in line or "算。" in line) for text in page_texts(out)]


@pytest.mark.parametrize("first_lines", [19, 20, 21])
@pytest.mark.parametrize("second_lines", [2, 3, 4, 5])
def test_no_paragraph_leaves_one_line_alone_at_a_page_foot_or_top(first_lines, second_lines, tmp_path):
    pages = [n for n in _paragraph_pages(first_lines, second_lines, tmp_path) if n]
    assert sum(pages) == second_lines
    assert all(n >= 2 for n in pages), pages


# --- 14: 通报 are 公文 with a 发文字号 -------------------------------------------------------------------

BULLETIN_NUMBER = re.compile(r"X创城通〔(\d{4})〕(\d+)号")


def bulletin_number(path: Path) -> tuple[int, int]:
    """The 发文字号 under the 版头 (between the issuer's mark and the title) of a 通报."""
    head = re.sub(r"\s+", "", page_texts(path)[0]).split("通报")[0]
    year, seq = BULLETIN_NUMBER.search(head).groups()
    return int(year), int(seq)


def test_each_bulletin_takes_the_next_number_of_its_own_sequence_and_keeps_it(paper, tmp_path):
    data = paper["data"]
    first = bulletin_number(paper["bulletin.pdf"])
    loss = bulletin_number(paper["loss-unit.pdf"])
    assert first[1] == 1 and loss[1] == 2  # apart from the notices' X创城督〔2026〕N号
    again = tmp_path / "again.pdf"
    assert cli(data, "bulletin", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(again)).returncode == 0
    assert bulletin_number(again) == first
    assert cli(data, "loss-report", "--round", ROUND, "--by", "unit", "--out", str(again)).returncode == 0
    assert bulletin_number(again) == loss
    week = tmp_path / "week.pdf"
    assert cli(data, "bulletin", "--from", "2026-11-01", "--to", "2026-11-07", "--out", str(week)).returncode == 0
    assert bulletin_number(week)[1] == 3
    other = tmp_path / "other.pdf"
    assert cli(data, "loss-report", "--round", "2025年市测", "--by", "unit", "--out", str(other)).returncode == 0
    assert bulletin_number(other)[1] == 4
    assert cli(data, "bulletin", "--from", "2026-11-01", "--to", "2026-11-07", "--out", str(week)).returncode == 0
    assert bulletin_number(week)[1] == 3
    by_group = tmp_path / "by-group.pdf"  # the same period ranked per 推进组: another document, its own number
    assert cli(data, "bulletin", "--from", "2026-11-01", "--to", "2026-11-07", "--by", "group",
               "--out", str(by_group)).returncode == 0
    assert bulletin_number(by_group)[1] == 5
    assert cli(data, "bulletin", "--from", "2026-11-01", "--to", "2026-11-07", "--by", "group",
               "--out", str(by_group)).returncode == 0
    assert bulletin_number(by_group)[1] == 5
    assert "X创城通" not in pdf_text(paper["loss-category.pdf"])  # a plain report is no 公文


def test_a_bulletin_that_cannot_be_written_uses_up_no_number(paper, tmp_path):
    data = paper["data"]
    done = cli(data, "bulletin", "--from", "2026-10-01", "--to", "2026-10-31", "--out",
               str(tmp_path / "no-such-folder" / "b.pdf"))
    assert done.returncode == 2
    out = tmp_path / "october.pdf"
    assert cli(data, "bulletin", "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(out)).returncode == 0
    numbers = [bulletin_number(out)[1]]
    assert cli(data, "bulletin", "--from", "2026-09-01", "--to", "2026-09-30", "--out", str(out)).returncode == 0
    numbers.append(bulletin_number(out)[1])
    assert numbers[1] == numbers[0] + 1


# --- 17: 归档文件目录 per DA/T 22-2015 -----------------------------------------------------------------

CATALOGUE_HEADERS = ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]


def catalogue_rows(path: Path) -> list[dict]:
    rows = []
    for sheet in load_workbook(path).worksheets:
        values = list(sheet.iter_rows(values_only=True))
        assert list(values[0]) == CATALOGUE_HEADERS, sheet.title
        rows += [dict(zip(CATALOGUE_HEADERS, v)) for v in values[1:]]
    return rows


def test_the_catalogue_has_the_columns_and_archive_codes_of_da_t_22(paper):
    rows = catalogue_rows(paper["catalogue.xlsx"])
    assert rows
    for row in rows:
        assert re.fullmatch(r"Z001-WS·20\d\d-Y-CCB-\d{4}", row["档号"]), row["档号"]
        assert isinstance(row["日期"], str) or row["日期"] is None  # never a date cell
        assert row["日期"] is None or re.fullmatch(r"20\d{6}", row["日期"]), row["日期"]
        assert row["题名"].startswith("[") and row["题名"].endswith("]")  # no 题名 given yet: the checklist's name
    assert [r["序号"] for r in rows[:2]] == [1, 2]
    sheet = load_workbook(paper["catalogue.xlsx"]).worksheets[0]
    assert sheet.column_dimensions["I"].width >= 20  # 备注
    assert sheet["B2"].number_format == "@" and sheet["F2"].number_format == "@"
    text = pdf_text(paper["catalogue.pdf"])
    for header in CATALOGUE_HEADERS:
        assert header in text
    assert re.search(r"Z001-WS·20\d\d-Y-CCB-0001", text)
    assert not re.search(r"20\d\d-\d\d-\d\d", text)


def test_box_labels_carry_fonds_year_retention_and_box(paper):
    text = re.sub(r"\s+", "", pdf_text(paper["labels.pdf"]))
    for words in ("全宗号", "Z001", "保管期限", "永久", "年度", "第1盒", "全宗名称"):
        assert words in text, words


def test_the_title_a_unit_gives_in_its_return_is_the_catalogue_title(paper, tmp_path):
    data = paper["data"]
    rows = catalogue_rows(paper["catalogue.xlsx"])
    first = rows[0]
    unit = first["责任者"]
    template = tmp_path / "报送表.xlsx"
    assert cli(data, "materials-export", str(template), "--unit", unit).returncode == 0
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert "题名" in headers
    for row in sheet.iter_rows(min_row=2):
        values = dict(zip(headers, (c.value for c in row)))
        if f"[{values['材料名称']}]" == first["题名"] and values["文号"] == first["文号"]:
            row[headers.index("题名")].value = "关于开展文明城市创建宣传工作的通知"
    workbook.save(template)
    done = cli(data, "materials-import", str(template), "--unit", unit)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "目录.xlsx"
    assert cli(data, "catalogue", str(out)).returncode == 0
    assert catalogue_rows(out)[0]["题名"] == "关于开展文明城市创建宣传工作的通知"


def test_fonds_retention_and_organisation_come_from_the_settings(paper, tmp_path):
    from core import settings
    from core.errors import AppError
    from core.paths import DataDir
    from core.store import open_store

    data = tmp_path / "data"
    shutil.copytree(paper["data"], data)
    db = open_store(DataDir(data), "测试员")
    try:
        settings.set_many(db, {"fonds_code": "z109", "retention": "定期30年", "org_code": ""})
        with pytest.raises(AppError, match="保管期限"):
            settings.set(db, "retention", "三十年")
        with pytest.raises(AppError, match="全宗号"):
            settings.set(db, "fonds_code", "")
    finally:
        db.close()
    out = tmp_path / "目录.xlsx"
    assert cli(data, "catalogue", str(out)).returncode == 0
    assert re.fullmatch(r"Z109-WS·20\d\d-D30-0001", catalogue_rows(out)[0]["档号"])
