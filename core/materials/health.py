"""材料体检: every gap in an edition's archive to act on — standards without materials, materials
without files, stored files whose content changed, overdue items, 需补充 not yet resubmitted."""

from __future__ import annotations

from core import attachments, clock
from core.errors import Cancelled
from core.materials.checklist import checklist
from core.materials.records import NEEDS_MORE, needs_materials
from core.xlsx import materials_io

CHECKS = ["标准无材料", "材料无附件", "文件哈希不符", "已过截止日期", "需补充未重新提交"]
# The columns of the result, as the command prints them and the saved workbook holds them.
COLUMNS = (("check", "问题类型"), ("code", "标准编号"), ("material_code", "材料编号"), ("title", "材料名称"),
           ("unit", "责任单位"), ("detail", "说明"))


def health_check(db, edition_id: int, *, verify_files: bool = True, progress=None, cancel=None) -> list[dict]:
    """Rows {check, code, material_code, material_id, title, unit, detail}, in the order of CHECKS."""
    found: list[dict] = []
    for s in db.rows("SELECT n.id, n.code, n.title, n.methods FROM framework_nodes n WHERE n.edition_id = :edition"
                     " AND n.level = 3 AND n.retired = 0 AND NOT EXISTS (SELECT 1 FROM materials m"
                     " WHERE m.node_id = n.id AND m.removed = 0) ORDER BY n.position, n.id", {"edition": edition_id}):
        if needs_materials(s["methods"]):
            found.append({"check": "标准无材料", "code": s["code"], "material_code": "", "material_id": None,
                          "title": s["title"], "unit": "", "detail": f"测评方法含{s['methods']}，清单中没有材料"})
    data = checklist(db, edition_id, clock.today().isoformat())
    for r in data:
        base = {"code": r["code"], "material_code": r["material_code"], "material_id": r["id"],
                "title": r["title"], "unit": r["unit_name"]}
        if not r["file_count"]:
            found.append({**base, "check": "材料无附件", "detail": f"状态：{r['status']}"})
        if r["overdue"]:
            found.append({**base, "check": "已过截止日期", "detail": f"截止 {r['due_on']}，状态：{r['status']}"})
        if r["status"] == NEEDS_MORE:
            found.append({**base, "check": "需补充未重新提交", "detail": r["comment"]})
    if verify_files:
        found += _changed_files(db, edition_id, {r["id"]: r for r in data}, progress, cancel)
    order = {c: i for i, c in enumerate(CHECKS)}
    found.sort(key=lambda x: order[x["check"]])
    return found


def _changed_files(db, edition_id: int, by_material: dict, progress, cancel) -> list[dict]:
    """Stored files missing or changed since they were attached; each distinct file is read once."""
    found = []
    shas = db.rows("SELECT a.sha256, a.owner_id, a.original_name FROM attachments a JOIN materials m"
                   " ON m.id = a.owner_id WHERE a.owner_table = 'materials' AND m.edition_id = :edition"
                   " AND m.removed = 0 ORDER BY a.sha256, a.id", {"edition": edition_id})
    checked: dict[str, str] = {}
    distinct = len({a["sha256"] for a in shas})
    for a in shas:
        sha = a["sha256"]
        if sha not in checked:
            if cancel and cancel():
                raise Cancelled()
            path = attachments.stored_path(db, sha)
            checked[sha] = ("文件缺失" if not path.exists() else
                            "" if attachments.file_sha256(path) == sha else "内容已被改动（哈希不符）")
            if progress:
                progress(len(checked), distinct, "核对文件")
        if checked[sha] and a["owner_id"] in by_material:
            r = by_material[a["owner_id"]]
            found.append({"check": "文件哈希不符", "code": r["code"], "material_code": r["material_code"],
                          "material_id": r["id"], "title": r["title"], "unit": r["unit_name"],
                          "detail": f"{a['original_name']}：{checked[sha]}"})
    return found


def export_health(path, found: list[dict]) -> None:
    materials_io.write_health(path, COLUMNS, found)
