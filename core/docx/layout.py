"""The GB/T 9704 page in Word: A4, margins 37/35/28/26 mm, a 156 × 225 mm type area gridded 22 lines
of 28 characters (文档网格, as office templates set it), fonts named by role, 版头, 署名, 版记 and
“— 1 —” page numbers, odd pages right, even pages left.

A WordFile holds any number of documents, each a WordDocument in its own section whose page numbers
start at 1. WordDocument has the building methods of core.pdf.gbt9704.GbtDocument (addressee,
heading1 …, table, signature, banji), so one function says what a document contains for both.

Fonts are written by name, East Asian name included (w:eastAsia), since Word and WPS take the Chinese
face from it; the font table names a stand-in for faces an office PC may lack (仿宋_GB2312 → 仿宋).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import uuid
from typing import Iterable, Sequence

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from core import clock
from core.docx.ooxml import put
from core.errors import AppError, Cancelled, storage_error
from core.file_access import check_not_in_use
from core.pdf.gbt9704 import (BODY_SIZE, CHARS_PER_LINE, CREATOR, LINE, SMALL_SIZE, TABLE_SIZE, TITLE_SIZE,
                              banji_texts, format_date)

# Faces by role, with the face Word and WPS use where the first is not installed.
TITLE_FONT, BODY_FONT, HEADING1_FONT, HEADING2_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体", "宋体"
STAND_INS = {TITLE_FONT: "黑体", BODY_FONT: "仿宋"}

AREA_WIDTH_MM, AREA_HEIGHT_MM = 156, 225
PORTRAIT_MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
# The portrait page turned clockwise, as core.pdf.gbt9704.LANDSCAPE: the binding margin on top.
LANDSCAPE_MARGINS_MM = {"top": 28, "bottom": 26, "left": 35, "right": 37}
PITCH = AREA_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE  # one body character, pt (≈15.8)
LINE_TWIPS = int(LINE * 20)  # 22 lines fill the type area
RED = RGBColor(0xFF, 0x00, 0x00)
MARK_MAX_SIZE, MARK_MIN_SIZE = 42.0, 30.0

ALIGNS = {"left": WD_ALIGN_PARAGRAPH.LEFT, "centre": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
          "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def ems(text: str) -> float:
    """Width in body characters: Latin letters and digits are half as wide as Chinese ones."""
    return sum(0.5 if ord(ch) < 0x2000 else 1.0 for ch in text)


def set_font(run, name: str, size: float, *, colour: RGBColor | None = None):
    """The run's face by name for every script (East Asian included), its size and colour."""
    run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = colour
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), name)
    return run


def _indent(paragraph, **twips_or_chars) -> None:
    """Indents in characters (…Chars, hundredths, which Word and WPS follow on the grid) and in
    twips for programs that ignore the grid."""
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    for key, value in twips_or_chars.items():
        ind.set(qn(f"w:{key}"), str(value))


def _off_grid(paragraph) -> None:
    """Not snapped to the character grid: titles, tables and the 版头 keep their own sizes."""
    put(paragraph._p.get_or_add_pPr(), "w:snapToGrid", val=0)


class WordFile:
    """One .docx: the page set up, the fonts named, documents added one after another."""

    def __init__(self, title: str = "", author: str = ""):
        self.docx = docx.Document()
        self._documents = 0
        self._set_defaults()
        self._name_stand_ins()
        self._drop_template_thumbnail()
        props = self.docx.core_properties
        props.title, props.author, props.comments = title, author, f"由{CREATOR}生成"
        props.last_modified_by = author
        # Now (Word reads the stamp as UTC), not the 2013 of python-docx's template.
        props.created = props.modified = clock.now().astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
        self.docx.settings.odd_and_even_pages_header_footer = True

    def _set_defaults(self) -> None:
        styles = self.docx.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        # Theme fonts would win over the names given; the office's faces are named instead.
        put(rpr, "w:rFonts", ascii=BODY_FONT, hAnsi=BODY_FONT, eastAsia=BODY_FONT, cs=BODY_FONT)
        put(rpr, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
        ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        put(ppr, "w:spacing", after=0, line=240, lineRule="auto")
        normal = self.docx.styles["Normal"]
        normal.font.size = Pt(BODY_SIZE)  # the grid's character pitch is reckoned from it

    def _name_stand_ins(self) -> None:
        # python-docx keeps the font table as bytes: it is parsed, extended and put back.
        part = next(rel.target_part for rel in self.docx.part.rels.values() if rel.reltype == RT.FONT_TABLE)
        table = parse_xml(part.blob)
        for name, stand_in in STAND_INS.items():
            table.append(parse_xml(f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{stand_in}"/>'
                                   '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/>'
                                   "</w:font>"))
        part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _drop_template_thumbnail(self) -> None:
        """python-docx's template carries an English preview picture that Explorer would show."""
        rels = self.docx.part.package.rels
        for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
            del rels[rid]

    def start(self, landscape: bool = False):
        """The section for the next document: a new page, numbered from 1."""
        if self._documents:
            section = self.docx.add_section(WD_SECTION.NEW_PAGE)
        else:
            section = self.docx.sections[0]
            self._page_numbers(section)
        self._documents += 1
        margins = LANDSCAPE_MARGINS_MM if landscape else PORTRAIT_MARGINS_MM
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
        section.top_margin, section.bottom_margin = Mm(margins["top"]), Mm(margins["bottom"])
        section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
        section.gutter = Mm(0)
        # "— 1 —" sits about 7 mm under the type area.
        section.footer_distance = Mm(margins["bottom"] - 7) - Pt(SMALL_SIZE)
        sect_pr = section._sectPr
        put(sect_pr, "w:pgNumType", start=1)
        # A line grid only: 22 lines to the page. A character grid (linesAndChars) is measured from
        # the document's default font size, and LibreOffice spread the body to 14 characters a line
        # with it; 三号 仿宋 across the 156 mm type area gives the 28 characters by itself.
        put(sect_pr, "w:docGrid", type="lines", linePitch=LINE_TWIPS)
        return section

    def _page_numbers(self, section) -> None:
        """“— 1 —” in 4号 宋体: odd pages one character in from the right, even ones from the left."""
        for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
            paragraph = footer.paragraphs[0]
            paragraph.alignment = ALIGNS[align]
            fmt = paragraph.paragraph_format
            fmt.left_indent = Pt(SMALL_SIZE) if align == "left" else None
            fmt.right_indent = Pt(SMALL_SIZE) if align == "right" else None
            _off_grid(paragraph)
            set_font(paragraph.add_run("— "), NUMBER_FONT, SMALL_SIZE)
            self._page_field(paragraph)
            set_font(paragraph.add_run(" —"), NUMBER_FONT, SMALL_SIZE)

    @staticmethod
    def _page_field(paragraph) -> None:
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            run = set_font(paragraph.add_run(), NUMBER_FONT, SMALL_SIZE)
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
            elif text.strip() == "PAGE":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                run.text = text

    def save(self, path) -> None:
        """Written beside the target and renamed when complete: a failure never leaves half a file."""
        check_not_in_use(path)
        path = os.path.abspath(os.fspath(path))
        temp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{uuid.uuid4().hex[:8]}.part")
        try:
            self.docx.save(temp)
            os.replace(temp, path)
        except OSError as exc:
            raise storage_error(exc, f"写入文件 {path}") or AppError(
                f"无法写入文件：{path}，请检查文件夹是否存在、是否有写入权限，或文件是否正被其他程序打开。", str(exc)) from exc
        finally:
            if os.path.exists(temp):
                os.remove(temp)


class WordDocument:
    """One document in a WordFile: a 公文 (kind='gongwen', with 版头 and 版记) or a plain one.

    The methods mirror GbtDocument's; each writes at once, in reading order.
    """

    def __init__(self, file: WordFile, *, kind: str = "plain", title: str = "", issuer_mark: str = "",
                 doc_number: str = "", landscape: bool = False):
        self.kind, self.body = kind, file.docx
        self.area_width_mm = AREA_HEIGHT_MM if landscape else AREA_WIDTH_MM
        self._break_before = False
        self.last_table = None  # the table the last table() call wrote
        file.start(landscape)
        if kind == "gongwen":
            self._masthead(issuer_mark, doc_number)
        if title:
            self._title(title)

    # --- paragraphs -------------------------------------------------------------------------------
    def _paragraph(self, text: str = "", *, font: str = BODY_FONT, size: float = BODY_SIZE, align: str = "justify",
                   indent_chars: float = 0, leading: float = LINE, keep_with_next: bool = False,
                   colour: RGBColor | None = None):
        paragraph = self.body.add_paragraph()
        paragraph.alignment = ALIGNS[align]
        fmt = paragraph.paragraph_format
        if self._break_before:
            fmt.page_break_before, self._break_before = True, False
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(leading)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.keep_with_next = keep_with_next or None
        fmt.widow_control = True
        if indent_chars:
            _indent(paragraph, firstLineChars=round(indent_chars * 100), firstLine=round(indent_chars * PITCH * 20))
        lines = text.replace("\r\n", "\n").split("\n")
        for i, line in enumerate(lines):
            run = set_font(paragraph.add_run(line), font, size, colour=colour)
            if i < len(lines) - 1:
                run.add_break(WD_BREAK.LINE)
        return paragraph

    def _masthead(self, issuer_mark: str, doc_number: str) -> None:
        """Red 发文机关标志 35 mm below the top of the type area, the 发文字号 two lines under it,
        the red rule 4 mm below the 发文字号, and two empty lines before the title."""
        fit = self.area_width_mm / 25.4 * 72 / max(ems(issuer_mark), 1)
        size, scale = (min(MARK_MAX_SIZE, fit), 100) if fit >= MARK_MIN_SIZE else (MARK_MIN_SIZE, fit / MARK_MIN_SIZE * 100)
        mark = self._paragraph(issuer_mark, font=TITLE_FONT, size=size, align="centre", leading=size * 1.2,
                               colour=RED)
        mark.paragraph_format.space_before = Mm(35)
        if scale < 100:  # long names: narrowed characters, as is customary
            for run in mark.runs:
                put(run._element.get_or_add_rPr(), "w:w", val=math.floor(scale))
        _off_grid(mark)
        number = self._paragraph(doc_number, align="centre")
        number.paragraph_format.space_before = Pt(2 * LINE - size * 0.2)
        _off_grid(number)
        borders = OxmlElement("w:pBdr")
        rule = OxmlElement("w:bottom")
        for key, value in (("val", "single"), ("sz", 12), ("space", 11), ("color", "FF0000")):
            rule.set(qn(f"w:{key}"), str(value))
        borders.append(rule)
        put(number._p.get_or_add_pPr(), borders)
        self.blank_lines(2)

    def _title(self, title: str) -> None:
        paragraph = self._paragraph(title.strip(), font=TITLE_FONT, size=TITLE_SIZE, align="centre",
                                    leading=LINE * 1.25)
        _off_grid(paragraph)
        self.blank_lines(1)

    def addressee(self, text: str) -> "WordDocument":
        """主送机关: flush left."""
        self._paragraph(text.strip())
        return self

    def heading1(self, text: str) -> "WordDocument":
        """一、 in 黑体 (an outline level, so Word's 导航窗格 lists it)."""
        heading = self._paragraph(_strip(text), font=HEADING1_FONT, indent_chars=2, keep_with_next=True)
        put(heading._p.get_or_add_pPr(), "w:outlineLvl", val=0)
        return self

    def heading2(self, text: str) -> "WordDocument":
        """（一） in 楷体."""
        heading = self._paragraph(_strip(text), font=HEADING2_FONT, indent_chars=2, keep_with_next=True)
        put(heading._p.get_or_add_pPr(), "w:outlineLvl", val=1)
        return self

    def heading3(self, text: str) -> "WordDocument":
        self._paragraph(_strip(text), indent_chars=2, keep_with_next=True)
        return self

    def paragraph(self, text: str, *, indent: bool = True, align: str = "justify") -> "WordDocument":
        self._paragraph(_strip(text), indent_chars=2 if indent else 0, align=align)
        return self

    def blank_lines(self, count: int = 1) -> "WordDocument":
        for _ in range(count):
            self._paragraph()
        return self

    def page_break(self) -> "WordDocument":
        """The next paragraph begins a page (a break of its own would leave an empty line at the top)."""
        self._break_before = True
        return self

    # --- tables -----------------------------------------------------------------------------------
    def new_table(self, columns: int):
        """An empty centred table of fixed column widths (a page break asked for comes first)."""
        if self._break_before:
            self._paragraph()  # a table cannot begin a page by itself: a line to carry the break
        table = self.body.add_table(rows=0, cols=columns)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        return table

    def table(self, headers: Sequence[str], rows: Iterable[Sequence], *,
              col_widths_mm: Sequence[float] | None = None, aligns: Sequence[str] | None = None,
              font_size: float = TABLE_SIZE, header: bool = True) -> "WordDocument":
        """A ruled table in 仿宋, its 黑体 header row repeated on every page it runs onto."""
        rows = [["" if v is None else str(v) for v in row] for row in rows]
        columns = len(headers)
        widths = self._widths(headers, rows, col_widths_mm)
        aligns = list(aligns or ["justify"] * columns)
        table = self.last_table = self.new_table(columns)
        _ruled(table)
        for column, width in zip(table.columns, widths):
            column.width = Mm(width)
        leading = round(font_size * 1.4, 2)
        lines = ([(list(headers), True)] if header else []) + [(row, False) for row in rows]
        for values, is_header in lines:
            row = table.add_row()
            if is_header:
                put(row._tr.get_or_add_trPr(), "w:tblHeader")
            put(row._tr.get_or_add_trPr(), "w:cantSplit")
            for j, (cell, value) in enumerate(zip(row.cells, values)):
                cell.width = Mm(widths[j])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                align = "centre" if is_header else aligns[j]
                self.cell_text(cell, value, HEADING1_FONT if is_header else BODY_FONT, font_size, leading, align)
        return self

    def cell_text(self, cell, text: str, font: str, size: float, leading: float, align: str, *,
                  new_paragraph: bool = False):
        """Text in a table cell: its first paragraph, or one more below (new_paragraph)."""
        paragraph = cell.add_paragraph() if new_paragraph else cell.paragraphs[0]
        paragraph.alignment = ALIGNS["left" if align == "justify" else align]
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(leading)
        _off_grid(paragraph)
        lines = text.replace("\r\n", "\n").split("\n")
        for i, line in enumerate(lines):
            run = set_font(paragraph.add_run(line), font, size)
            if i < len(lines) - 1:
                run.add_break(WD_BREAK.LINE)
        return paragraph

    def _widths(self, headers, rows, col_widths_mm) -> list[float]:
        """Column widths in mm filling the type area: as given (scaled to fit), or shared by how much
        text each column holds, never narrower than its header."""
        if col_widths_mm:
            weights = list(col_widths_mm)
        else:
            weights = []
            for j, head in enumerate(headers):
                longest = max((ems(row[j]) for row in rows if j < len(row)), default=0)
                weights.append(max(ems(head) + 1, min(longest, 18) + 1))
        total = sum(weights) or 1
        return [w * self.area_width_mm / total for w in weights]

    # --- closing ----------------------------------------------------------------------------------
    def signature(self, issuer: str, date: dt.date | str, *, blank_lines: int = 1) -> "WordDocument":
        """署名 centred over the 成文日期, which ends four characters from the right (as the PDF's Closing)."""
        date_text = format_date(date)
        centre = 4 + ems(date_text) / 2
        if issuer:
            centre = max(centre, 2 + ems(issuer) / 2)
        self.blank_lines(blank_lines)
        for text in ([issuer] if issuer else []) + [date_text]:
            paragraph = self._paragraph(text, align="right")
            right = centre - ems(text) / 2
            _indent(paragraph, rightChars=round(right * 100), right=round(right * PITCH * 20))
        return self

    def banji(self, *, cc: str | Sequence[str] = (), printer: str = "",
              print_date: dt.date | str | None = None) -> "WordDocument":
        """版记 after the text: 抄送, then 印发机关 and 印发日期, between a thick rule above and below
        (a thin one between); in Word it stays movable, to be set at the foot of the last page."""
        if self.kind != "gongwen":
            raise ValueError("版记 belongs to a 公文 only")
        cc, date_text = banji_texts(cc, print_date)
        self.blank_lines(1)
        table = self.new_table(2)
        _ruled(table, banji=True)
        half = self.area_width_mm / 2
        if cc:
            row = table.add_row()
            cell = row.cells[0].merge(row.cells[1])
            self.cell_text(cell, f"抄送：{cc}", BODY_FONT, SMALL_SIZE, LINE, "left")
        row = table.add_row()
        for cell, text, align in ((row.cells[0], printer, "left"), (row.cells[1], date_text, "right")):
            cell.width = Mm(half)
            self.cell_text(cell, text, BODY_FONT, SMALL_SIZE, LINE, align)
        return self


def write_documents(path, fill, items: Sequence, *, title: str, author: str = "", document=WordDocument,
                    progress=None, cancel=None) -> int:
    """One .docx holding a document per item: fill(make, item) writes an item with make(**fields),
    which starts a `document` (a WordDocument, as GbtDocument(**fields) would for the PDF). progress(done, total,
    text) per document; cancel (a callable or a threading.Event) stops with Cancelled before anything
    is written. Returns how many documents the file holds."""
    import core.pdf

    check_not_in_use(path)  # before the work, not after
    file = WordFile(title=title, author=author or core.pdf.office_author)
    for index, item in enumerate(items):
        is_set = getattr(cancel, "is_set", None)
        if cancel is not None and (is_set() if is_set else cancel()):
            raise Cancelled()
        if progress:
            progress(index, len(items), f"正在生成第 {index + 1}/{len(items)} 份")
        fill(lambda **fields: document(file, **fields), item)
    file.save(path)
    if progress:
        progress(len(items), len(items), "已完成")
    return len(items)


def _ruled(table, banji: bool = False) -> None:
    """Borders: a full grid (0.5 pt) for lists; for the 版记 only horizontal rules, the outer ones
    thick (0.35 mm) and the inner one thin (0.25 mm)."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    if banji:
        spec = {"top": ("single", 8), "bottom": ("single", 8), "insideH": ("single", 6),
                "left": ("nil", 0), "right": ("nil", 0), "insideV": ("nil", 0)}
    else:
        spec = {side: ("single", 4) for side in ("top", "left", "bottom", "right", "insideH", "insideV")}
    for side, (kind, size) in spec.items():
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), kind)
        if kind != "nil":
            edge.set(qn("w:sz"), str(size))
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    put(tbl_pr, borders)
    put(tbl_pr, "w:tblLayout", type="fixed")


def _strip(text: str) -> str:
    """Drop the spaces people type to indent by hand (the layout indents)."""
    return text.strip().lstrip("\u3000 \t")
