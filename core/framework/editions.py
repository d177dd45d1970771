"""Editions (版本): one 测评体系 with its 分解表, usually one per 年度. The first edition made becomes
current; copying one (新年度) links each standard to the one it came from."""

from __future__ import annotations

import re

from core import audit, clock, settings
from core.errors import AppError
from core.framework.tree import NODE_COLUMNS


def list_editions(db) -> list[dict]:
    result = db.rows("SELECT e.*, (SELECT count(*) FROM framework_nodes n WHERE n.edition_id = e.id"
                     " AND n.level = 3 AND n.retired = 0) AS standard_count FROM editions e ORDER BY e.id")
    current = current_edition_id(db)
    for e in result:
        e["current"] = e["id"] == current
    return result


def get_edition(db, edition_id: int) -> dict:
    found = db.one("SELECT * FROM editions WHERE id = :id", {"id": edition_id})
    if found is None:
        raise AppError(f"找不到编号为 {edition_id} 的测评体系版本。")
    return found


def current_edition_id(db) -> int | None:
    edition_id = settings.get(db, "current_edition_id")
    if edition_id and db.value("SELECT 1 FROM editions WHERE id = :id", {"id": edition_id}):
        return edition_id
    return None


def edition_id_by_name(db, name: str) -> int | None:
    return db.value("SELECT id FROM editions WHERE name = :name", {"name": " ".join(str(name).split())})


def resolve_edition(db, name: str | None = None) -> int:
    """The edition a command means: the one named, else the current one."""
    if name:
        found = edition_id_by_name(db, name)
        if found is None:
            names = "、".join(e["name"] for e in list_editions(db)) or "（暂无）"
            raise AppError(f"找不到测评体系版本“{name}”。现有版本：{names}。")
        return found
    edition_id = current_edition_id(db)
    if edition_id is None:
        raise AppError("还没有测评体系版本。请先导入责任分解表（import-framework）或加载示例数据（demo）。")
    return edition_id


def year_from_text(text: str) -> int | None:
    m = re.search(r"(20\d\d)", text or "")
    return int(m.group(1)) if m else None


def _check_name(db, name, own_id: int | None = None) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise AppError("版本名称不能为空。")
    other = edition_id_by_name(db, name)
    if other is not None and other != own_id:
        raise AppError(f"已有名为“{name}”的版本，请换一个名称。")
    return name


def create_edition(db, name: str, year: int | None = None, title: str = "") -> int:
    with db.write():
        name = _check_name(db, name)
        year = year or year_from_text(name) or settings.get(db, "current_year")
        edition_id = db.insert("editions", {"name": name, "year": year, "title": title, "created_at": clock.stamp()})
        audit.log(db, "新建版本", "editions", edition_id, None, {"name": name, "year": year}, name)
        if current_edition_id(db) is None:  # the first edition becomes current
            settings.set(db, "current_edition_id", edition_id)
    return edition_id


def update_edition(db, edition_id: int, name: str, year: int, title: str = "") -> None:
    with db.write():
        before = get_edition(db, edition_id)
        name = _check_name(db, name, edition_id)
        after = {"name": name, "year": year, "title": title}
        db.update("editions", edition_id, after)
        audit.log(db, "修改版本", "editions", edition_id, {k: before[k] for k in after}, after, name)


def set_current_edition(db, edition_id: int) -> None:
    get_edition(db, edition_id)
    settings.set(db, "current_edition_id", edition_id)


def copy_edition(db, source_id: int, name: str, year: int | None = None, title: str | None = None,
                 progress=None) -> int:
    """新年度: a copy of an edition (tree and 分解表) whose standards point back to their origin,
    so later areas can carry work forward and compare years."""
    source = get_edition(db, source_id)
    with db.write():
        new_id = create_edition(db, name, year, source["title"] if title is None else title)
        mapping: dict[int, int] = {}
        nodes = db.rows("SELECT * FROM framework_nodes WHERE edition_id = :edition AND retired = 0"
                        " ORDER BY level, position, id", {"edition": source_id})
        for i, n in enumerate(nodes):
            if n["parent_id"] is not None and n["parent_id"] not in mapping:
                continue  # under a retired parent
            data = {k: n[k] for k in ("level", "position") + NODE_COLUMNS}
            data.update(edition_id=new_id, parent_id=mapping.get(n["parent_id"]), origin_id=n["id"])
            mapping[n["id"]] = db.insert("framework_nodes", data)
            if progress:
                progress(i + 1, len(nodes), "复制测评体系")
        db.executemany(
            "INSERT INTO assignments (node_id, role, unit_id, group_id, position)"
            " SELECT CAST(:new AS BIGINT), role, unit_id, group_id, position FROM assignments WHERE node_id = :old"
            " ORDER BY id",
            [{"new": new, "old": old} for old, new in mapping.items()])
        audit.log(db, "复制版本", "editions", new_id, None,
                  {"from": source["name"], "nodes": len(mapping)}, f"{source['name']} → {name}")
    return new_id


def edition_references(db, edition_id: int) -> dict[str, int]:
    """{table: rows} of records of other areas (rounds, materials, letters …) in the edition, or
    on its standards: while there are any, the edition is kept."""
    node_ids = db.column("SELECT id FROM framework_nodes WHERE edition_id = :id", {"id": edition_id})
    counts = db.references_to("framework_nodes", node_ids, ignore=["assignments"])
    for table, n in db.references_to("editions", edition_id, ignore=["framework_nodes"]).items():
        counts[table] = counts.get(table, 0) + n
    return counts


def delete_edition(db, edition_id: int) -> None:
    with db.write():
        edition = get_edition(db, edition_id)
        refs = edition_references(db, edition_id)
        if refs:
            detail = audit.references_text(refs)
            raise AppError(f"版本“{edition['name']}”已被其他记录引用（{detail}），不能删除。")
        ids = {"edition": edition_id}
        db.execute("DELETE FROM assignments WHERE node_id IN (SELECT id FROM framework_nodes"
                   " WHERE edition_id = :edition)", ids)
        db.execute("UPDATE framework_nodes SET origin_id = NULL WHERE origin_id IN"
                   " (SELECT id FROM framework_nodes WHERE edition_id = :edition)", ids)
        for level in (3, 2, 1):  # children before parents: the tree refers to itself
            db.execute("DELETE FROM framework_nodes WHERE edition_id = :edition AND level = :level",
                       {**ids, "level": level})
        db.execute("UPDATE editions SET copied_from = NULL WHERE copied_from = :edition", ids)
        db.execute("DELETE FROM editions WHERE id = :edition", ids)
        if settings.get(db, "current_edition_id") == edition_id:
            settings.set(db, "current_edition_id", db.value("SELECT max(id) FROM editions"))
        audit.log(db, "删除版本", "editions", edition_id, edition, None, edition["name"])


def edition_totals(db, edition_id: int) -> dict:
    """{'standards', 'points'} of the edition's standards in use."""
    return db.one("SELECT count(*) AS standards, coalesce(sum(points), 0) AS points FROM framework_nodes"
                  " WHERE edition_id = :edition AND level = 3 AND retired = 0", {"edition": edition_id})
