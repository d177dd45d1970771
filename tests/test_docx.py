"""Word for editing: 督办通知单, 督查通报 and 失分通报 written as .docx in 公文 layout, read back with
python-docx as a user's Word would show them (title, 文号, the tables' cells, the fonts by name, the
page), the command line's choice by extension, and a LibreOffice conversion behind -m slow."""

import datetime as dt
import os
import shutil
import subprocess
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree
from pypdf import PdfReader

from conftest import ledger_args
from core import scoring, supervision, units
from core.docx.layout import ems
from core.docx.ooxml import SCHEMA_ORDER, prefixed
from core.pdf.supervision_pdf import NEW_HEADERS, PROBLEM_HEADERS
from test_cli import run
from test_supervision import make_photo, new_finding, office, place  # noqa: F401 - fixtures
from test_supervision_io import pdf_text, run_cli

RANK_HEADERS = ["排名", "责任单位", "未销号问题", "逾期问题", "挂牌督办"]  # ranked per unit, the default

TITLE_FONT, BODY_FONT = "方正小标宋简体", "仿宋_GB2312"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def paragraph(document, text: str, last: bool = False):
    """The first (or last) paragraph that reads `text`."""
    found = [p for p in document.paragraphs if p.text == text]
    return found[-1] if last else found[0]


def east_asian_fonts(paragraph) -> set[str]:
    return {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in paragraph.runs if run.text}


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def table_with_header(document, headers: list[str]):
    return next(t for t in document.tables if table_rows(t)[0] == headers)


def assert_opens_in_word(path):
    """Word refuses a file (“无法读取的内容”) whose property elements hold their children out of the
    schema's order: every pPr, rPr, trPr, tblPr and sectPr of the file is checked."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")) or "styles" in name:
                continue
            for element in etree.fromstring(archive.read(name)).iter():
                if not isinstance(element.tag, str) or not element.tag.startswith(W):
                    continue
                order = SCHEMA_ORDER.get(prefixed(element.tag))
                if order:
                    children = [prefixed(c.tag) for c in element if isinstance(c.tag, str)]
                    assert all(c in order for c in children), (name, children)
                    assert [order.index(c) for c in children] == sorted(order.index(c) for c in children), \
                        (name, children)


def assert_gbt9704_page(section, landscape: bool = False):
    """A4 with the margins GB/T 9704 gives (turned for a landscape table), 22 lines of 28 characters."""
    width, height = (297, 210) if landscape else (210, 297)
    margins = (28, 26, 35, 37) if landscape else (37, 35, 28, 26)
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (width, height)
    assert tuple(round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                       section.right_margin)) == margins
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    assert abs(int(grid.get(qn("w:linePitch"))) / 20 * 22 - 225 / 25.4 * 72) < 1  # 22 lines fill 225 mm


def test_two_notices_in_one_word_file(office, place, tmp_path):  # noqa: F811
    cg, street = units.resolve_one(office, "区城管局"), units.resolve_one(office, "城关街道办事处")
    a = supervision.create_finding(office, {"found_on": "2026-09-28", "source": "明察暗访", "site_id": place,
                                            "description": "人民路绿化带内垃圾堆积无人清理"},
                                   photos=[make_photo(tmp_path / "p.jpg")])
    b = new_finding(office, place, description="公益广告牌破损褪色", unit_id=street)
    first = supervision.issue_notice(office, cg, [a], issued_on="2026-09-30")
    second = supervision.issue_notice(office, street, [b], issued_on="2026-09-30")
    out = tmp_path / "通知单.docx"
    assert supervision.write_notices(office, [first["id"], second["id"]], out) is None
    assert_opens_in_word(out)
    document = docx.Document(out)
    lines = texts(document)
    for expected in ("X创城督〔2026〕1号", "X创城督〔2026〕2号", "区城管局：", "城关街道办事处：", "一、存在问题",
                     "2026年10月13日前", "回　执", "问题1现场照片（人民路）："):
        assert any(expected in line for line in lines), expected
    mark = paragraph(document, "XX区创建全国文明城市工作指挥部办公室")
    assert mark.runs[0].font.color.rgb == docx.shared.RGBColor(0xFF, 0, 0)  # the 发文机关标志 in red
    number = paragraph(document, "X创城督〔2026〕1号")
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"  # the red rule
    title = paragraph(document, "创城督查问题督办通知单")
    assert east_asian_fonts(title) == {TITLE_FONT}
    assert east_asian_fonts(paragraph(document, "一、存在问题")) == {"黑体"}
    assert east_asian_fonts(paragraph(document, "区城管局：")) == {BODY_FONT}
    problems = [t for t in document.tables if table_rows(t)[0] == PROBLEM_HEADERS]
    assert len(problems) == 2
    assert table_rows(problems[0])[1][3] == "人民路绿化带内垃圾堆积无人清理" and table_rows(problems[0])[1][4] == "2026-10-13"
    assert table_rows(problems[1])[1][3] == "公益广告牌破损褪色"
    assert len(document.inline_shapes) == 1  # the 整改前 photo is in the file
    for block in document.element.body.iter(qn("w:p")):  # a photo's line grows with it, never cut to a strip
        if block.find(".//" + qn("w:drawing")) is not None:
            spacing = block.find(qn("w:pPr") + "/" + qn("w:spacing"))
            assert spacing is None or spacing.get(qn("w:lineRule")) != "exact"
    receipt = next(t for t in document.tables if table_rows(t)[0][0] == "通知单文号")
    assert table_rows(receipt)[0][1] == "X创城督〔2026〕1号" and table_rows(receipt)[2][0] == "签收人"
    # each notice its own section from a new page, numbered from “— 1 —”
    assert len(document.sections) == 2
    for section in document.sections:
        assert_gbt9704_page(section)
        assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    footer = document.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in footer._p.xml
    assert document.settings.odd_and_even_pages_header_footer  # odd numbers right, even ones left
    assert document.sections[0].even_page_footer.paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.LEFT
    # Word takes the Chinese face from w:eastAsia, never from the template's theme fonts
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == BODY_FONT and fonts.get(qn("w:eastAsiaTheme")) is None


def test_bulletin_in_word_has_the_pdfs_number_and_tables(office, place, tmp_path):  # noqa: F811
    cg = units.resolve_one(office, "区城管局")
    a, b = (new_finding(office, place, found_on=d, description=f"问题{d}") for d in ("2026-10-08", "2026-10-09"))
    supervision.issue_notice(office, cg, [a, b], issued_on="2026-10-09")
    word, pdf = tmp_path / "通报.docx", tmp_path / "通报.pdf"
    data = supervision.write_bulletin(office, "2026-10-01", "2026-10-31", word, today=dt.date(2026, 10, 31))
    supervision.write_bulletin(office, "2026-10-01", "2026-10-31", pdf, today=dt.date(2026, 10, 31))
    assert_opens_in_word(word)
    document = docx.Document(word)
    lines = texts(document)
    assert lines[0] == "XX区创建全国文明城市工作指挥部办公室"
    assert lines[1] == "X创城通〔2026〕1号" and "X创城通〔2026〕1号" in pdf_text(pdf)  # one number, either format
    assert lines[2] == "创城督查通报\n（2026年10月1日至2026年10月31日）"
    assert any("共发现问题2个" in line for line in lines)
    new = table_rows(table_with_header(document, NEW_HEADERS))
    assert [row[3] for row in new[1:]] == [f["description"] for f in data["new"]]  # as the PDF lists them
    assert sorted(row[3] for row in new[1:]) == ["问题2026-10-08", "问题2026-10-09"] and new[1][4] == "区城管局"
    ranking = table_rows(table_with_header(document, RANK_HEADERS))
    assert ranking[1][:4] == ["1", "区城管局", "2", "2"]
    assert ranking[1][4] == str(data["ranking"][0]["flagged"])
    header_cell = table_with_header(document, RANK_HEADERS).rows[0].cells[0].paragraphs[0]
    assert east_asian_fonts(header_cell) == {"黑体"}
    assert east_asian_fonts(table_with_header(document, RANK_HEADERS).rows[1].cells[1].paragraphs[0]) == {BODY_FONT}
    assert_gbt9704_page(document.sections[0])
    # 署名 centred over the date; a name this long ends two characters from the right (as in the PDF)
    name, date = (paragraph(document, text, last=True) for text in ("XX区创建全国文明城市工作指挥部办公室", "2026年10月31日"))
    assert name.paragraph_format.alignment == date.paragraph_format.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    name_right, date_right = (int(p._p.pPr.find(qn("w:ind")).get(qn("w:rightChars"))) / 100 for p in (name, date))
    assert name_right == 2 and date_right + ems(date.text) / 2 == name_right + ems(name.text) / 2
    banji = document.tables[-1]
    assert table_rows(banji)[-1] == ["XX区创建全国文明城市工作指挥部办公室", "2026年10月31日印发"]


def test_loss_notice_and_reports_in_word(demo_db, tmp_path):
    round_id = scoring.resolve_round(demo_db, "2025年市测")
    out = tmp_path / "失分通报.docx"
    scoring.write_report_word(demo_db, round_id, scoring.BY_UNIT, out)
    document = docx.Document(out)
    lines = texts(document)
    assert lines[:3] == ["XX区创建全国文明城市工作指挥部", "X创城通〔2026〕1号", "关于2025年市测失分情况的通报"]
    assert east_asian_fonts(paragraph(document, "关于2025年市测失分情况的通报")) == {TITLE_FONT}
    content = scoring.notice_content(demo_db, round_id)
    ranking = table_rows(table_with_header(document, content["ranking"].headers))
    assert len(ranking) == len(content["ranking"].rows) + 1
    assert "区城管局" in [row[0] for row in ranking]
    first = content["ranking"].rows[0]
    assert ranking[1][0] == first["name"] and ranking[1][4] == f"{first['rate'] * 100:.2f}%"
    # a second copy keeps the 通报's number
    scoring.write_report_word(demo_db, round_id, scoring.BY_UNIT, tmp_path / "again.docx")
    assert texts(docx.Document(tmp_path / "again.docx"))[1] == "X创城通〔2026〕1号"
    # the other reports are plain documents: no 版头, a wide table on a turned page
    out = tmp_path / "按测评项目.docx"
    scoring.write_report_word(demo_db, round_id, scoring.BY_CATEGORY, out)
    assert_opens_in_word(out)
    document = docx.Document(out)
    table = scoring.report_table(demo_db, round_id, scoring.BY_CATEGORY)
    assert texts(document)[:2] == [table.title, "统计方式：按测评项目。"]
    assert table_rows(document.tables[0])[0] == table.headers
    assert_gbt9704_page(document.sections[0], landscape=len(table.columns) > 6)


def test_command_line_writes_word_by_extension(office, place, data_dir, tmp_path):  # noqa: F811
    ledger = ledger_args(office, data_dir)
    supervision.issue_notice(office, units.resolve_one(office, "区城管局"), [new_finding(office, place)],
                             issued_on="2026-09-30")
    out = run_cli(ledger, "notices", "--out", str(tmp_path / "通知单.docx"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"已输出 1 份督办通知单（Word 文档）到：{tmp_path / '通知单.docx'}"
    assert "X创城督〔2026〕1号" in texts(docx.Document(tmp_path / "通知单.docx"))
    out = run_cli(ledger, "bulletin", "--from", "2026-09-01", "--to", "2026-09-30", "--out", str(tmp_path / "b.docx"))
    assert out.returncode == 0, out.stderr
    assert "X创城通〔2026〕1号" in texts(docx.Document(tmp_path / "b.docx"))
    refused = run_cli(ledger, "notices", "--out", str(tmp_path / "通知单.doc"))
    assert refused.returncode == 2 and "请使用 .pdf 或 .docx（Word 文档）文件名" in refused.stderr
    refused = run_cli(ledger, "bulletin", "--from", "2026-09-01", "--to", "2026-09-30", "--out", str(tmp_path / "b.wps"))
    assert refused.returncode == 2 and "不支持的通报格式" in refused.stderr
    refused = run_cli(ledger, "notice-issue", "--unit", "区城管局", "--findings", "1", "--out", str(tmp_path / "n.odt"))
    assert refused.returncode == 2 and "不支持的通知单格式" in refused.stderr
    assert not any(tmp_path.glob("*.doc")) and not any(tmp_path.glob("*.wps"))


def test_loss_report_command_writes_word(tmp_path):
    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    out = tmp_path / "通报.docx"
    r = run("loss-report", "--round", "2025年市测", "--out", str(out), data=data)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"已生成 Word 文档（按责任单位）：{out}"
    assert "关于2025年市测失分情况的通报" in texts(docx.Document(out))
    r = run("loss-report", "--round", "2025年市测", "--unit", "城管局", "--out", str(tmp_path / "unit.docx"), data=data)
    assert r.returncode == 0, r.stderr
    assert "区城管局失分明细（2025年市测）" in texts(docx.Document(tmp_path / "unit.docx"))[0]
    r = run("loss-report", "--round", "2025年市测", "--out", str(tmp_path / "通报.odt"), data=data)
    assert r.returncode == 2 and "请使用 .xlsx、.pdf 或 .docx（Word 文档）文件名" in r.stderr


def _converted(path, out_dir) -> tuple[int, str]:
    """Page count and text of the .docx as LibreOffice lays it out, with the program's own Chinese
    font among the machine's (a machine without a Chinese font would show boxes, not text)."""
    from core.resources import resource_path

    fonts = out_dir / "fonts.conf"
    fonts.write_text('<?xml version="1.0"?><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                     f'<dir>{resource_path("fonts")}</dir><cachedir>{out_dir / "font-cache"}</cachedir></fontconfig>',
                     encoding="utf-8")
    subprocess.run([shutil.which("soffice"), "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), str(path)],
                   check=True, capture_output=True, timeout=300, env={**os.environ, "FONTCONFIG_FILE": str(fonts)})
    pdf = out_dir / (path.stem + ".pdf")
    reader = PdfReader(str(pdf))
    return len(reader.pages), "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_word_files(office, place, tmp_path):  # noqa: F811
    cg = units.resolve_one(office, "区城管局")
    notices = [supervision.issue_notice(office, cg, [new_finding(office, place, description=f"问题{i}")],
                                        issued_on="2026-09-30")["id"] for i in range(2)]
    supervision.write_notices(office, notices, tmp_path / "notices.docx")
    pages, text = _converted(tmp_path / "notices.docx", tmp_path)
    assert pages >= 4  # each notice and its 回执 page
    assert "X创城督〔2026〕2号" in text and "回执" in text and "问题1" in text
    supervision.write_bulletin(office, "2026-09-01", "2026-09-30", tmp_path / "bulletin.docx",
                               today=dt.date(2026, 9, 30))
    pages, text = _converted(tmp_path / "bulletin.docx", tmp_path)
    assert pages >= 1 and "创城督查通报" in text and "X创城通〔2026〕1号" in text
