"""Archiving by 件 (DA/T 22-2015): where an approved material goes (盒号, 件号, 页数), and the
归档文件目录 and box labels made from what is archived."""

from __future__ import annotations

from dataclasses import dataclass

from core import framework, settings
from core.errors import AppError
from core.materials.records import ARCHIVED
from core.xlsx import materials_io

# The columns of the 归档文件目录 (DA/T 22-2015 7.3), keyed for the documents that print them.
CATALOGUE_COLUMNS = (("seq", "序号"), ("archive_code", "档号"), ("doc_number", "文号"), ("author", "责任者"),
                     ("title", "题名"), ("date", "日期"), ("secrecy", "密级"), ("pages", "页数"), ("note", "备注"))
CATEGORY_CODE = "WS"  # 文书档案, the 门类 of these materials
CATALOGUE_HEADERS = [label for _, label in CATALOGUE_COLUMNS]


def placement(db, material: dict, box, item, pages) -> dict:
    """The 盒号, 件号 (the box's next free one when not given) and 页数 of a material being archived."""
    if not isinstance(box, int) or box < 1:
        raise AppError("归档时请填写盒号（从 1 开始的整数）。")
    in_box = {"edition": material["edition_id"], "box": box}
    if item is None:
        item = (db.value("SELECT max(item) FROM materials WHERE edition_id = :edition AND box = :box"
                         " AND removed = 0", in_box) or 0) + 1
    if not isinstance(item, int) or item < 1:
        raise AppError("件号应为从 1 开始的整数。")
    if pages is not None and (not isinstance(pages, int) or pages < 1):
        raise AppError("页数应为不小于 1 的整数，不清楚时可以不填。")
    taken = db.one("SELECT id, title FROM materials WHERE edition_id = :edition AND box = :box AND item = :item"
                   " AND removed = 0 AND id <> :id ORDER BY id LIMIT 1", {**in_box, "item": item, "id": material["id"]})
    if taken:
        raise AppError(f"第 {box} 盒第 {item} 件已是“{taken['title']}”，请换一个件号。")
    return {"box": box, "item": item, "pages": pages if pages is not None else material["pages"]}


def box_items(db, edition_id: int, box: int | None = None) -> list[dict]:
    """Archived materials by box and 件号, for the 归档文件目录."""
    params = {"edition": edition_id, "archived": ARCHIVED}
    one_box = ""
    if box is not None:
        one_box = " AND m.box = :box"
        params["box"] = box
    return db.rows("SELECT m.*, n.code, COALESCE(u.name, '') AS unit_name FROM materials m"
                   " JOIN framework_nodes n ON n.id = m.node_id LEFT JOIN units u ON u.id = m.unit_id"
                   " WHERE m.edition_id = :edition AND m.removed = 0 AND m.status = :archived AND m.box IS NOT NULL"
                   + one_box + " ORDER BY m.box, m.item, m.id", params)


@dataclass
class Catalogue:
    """What the 归档文件目录 and the box labels print: the 全宗 (the office and its 全宗号), the year,
    the 保管期限, and each box's rows keyed as CATALOGUE_COLUMNS, in 件号 order."""
    office: str
    year: int
    boxes: dict[int, list[dict]]
    fonds_code: str = ""
    retention: str = ""
    org_code: str = ""
    columns: tuple = CATALOGUE_COLUMNS


def archive_code(fonds: str, year: int, retention: str, org: str, item: int) -> str:
    """档号 per DA/T 22-2015: 全宗号-门类代码·年度-保管期限代码-机构代码-件号 (件号 four digits), the
    机构代码 left out when the office files without one."""
    parts = [fonds, f"{CATEGORY_CODE}·{year}", settings.RETENTION_CODES[retention]] + ([org] if org else [])
    return "-".join(parts + [f"{item:04d}"])


def catalogue_title(material: dict) -> str:
    """题名: the document's own title; without one, the checklist's name in [ ], as DA/T 22-2015
    marks a title written by the archivist."""
    return material["doc_title"] or f"[{material['title']}]"


def catalogue(db, edition_id: int, box: int | None = None) -> Catalogue:
    year = framework.get_edition(db, edition_id)["year"] or settings.get(db, "current_year")
    fonds, retention, org = (settings.get(db, k) for k in ("fonds_code", "retention", "org_code"))
    by_box: dict[int, list[dict]] = {}
    for m in box_items(db, edition_id, box):
        rows = by_box.setdefault(m["box"], [])
        rows.append({"seq": len(rows) + 1, "item": m["item"],
                     "archive_code": archive_code(fonds, year, retention, org, m["item"]),
                     "doc_number": m["doc_number"], "author": m["unit_name"], "title": catalogue_title(m),
                     "date": m["doc_date"].replace("-", "") if m["doc_date"] else "", "secrecy": "",
                     "pages": m["pages"], "note": m["note"] or m["code"]})
    if not by_box:
        which = f"第 {box} 盒" if box is not None else "本版本"
        raise AppError(f"{which}还没有已归档的材料。请先在“档案材料”中把审核通过的材料归档（填写盒号、件号）。")
    return Catalogue(settings.get(db, "office_name"), year, by_box, fonds, retention, org)


# core/pdf is imported when a document is made: reportlab would add a quarter of a second to every
# start of the program.

def write_catalogue_pdf(db, path, edition_id: int, box: int | None = None, progress=None, cancel=None) -> int:
    """One document per box, each numbered from “— 1 —”. Returns the page count."""
    from core.pdf import materials_pdf

    return materials_pdf.write_catalogue(path, catalogue(db, edition_id, box), progress=progress, cancel=cancel)


def write_catalogue_xlsx(db, path, edition_id: int, box: int | None = None, progress=None, cancel=None) -> int:
    """One sheet per box. Returns the number of 件."""
    return materials_io.write_catalogue(path, catalogue(db, edition_id, box), progress=progress, cancel=cancel)


def write_box_labels(db, path, edition_id: int, box: int | None = None, progress=None, cancel=None) -> int:
    """The spine (盒脊) and cover (封面) of every box. Returns the number of boxes."""
    from core.pdf import materials_pdf

    return materials_pdf.write_box_labels(path, catalogue(db, edition_id, box), progress=progress, cancel=cancel)
