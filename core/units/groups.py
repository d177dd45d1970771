"""Unit groups: a name in the 分解表 that stands for many units — every active unit of a kind
(各街道办事处, built in) or a list the office keeps (各窗口单位)."""

from __future__ import annotations

from core import audit, settings
from core.errors import AppError
from core.units.resolver import GROUP, resolver

# Groups every office has: the name stands for every active unit of the kind.
BUILTIN_GROUPS = {"各街道办事处": "街道", "各街道": "街道", "各乡镇": "乡镇", "各镇": "乡镇"}


def ensure_builtin_groups(db) -> None:
    """Add the groups every office has, once; nothing is written when they are there (a read-only
    login opens the shared ledger without writing)."""
    present = set(db.column("SELECT name FROM unit_groups WHERE builtin = 1"))
    missing = [{"name": n, "kind": k} for n, k in BUILTIN_GROUPS.items() if n not in present]
    if missing:
        with db.write():
            db.executemany("INSERT INTO unit_groups (name, unit_kind, builtin) VALUES (:name, :kind, 1)"
                           " ON CONFLICT (name) DO NOTHING", missing)


def list_groups(db) -> list[dict]:
    groups = db.rows("SELECT * FROM unit_groups ORDER BY builtin DESC, id")
    for g in groups:
        g["member_ids"] = group_member_ids(db, g["id"])
    return groups


def get_group(db, group_id: int) -> dict | None:
    return db.one("SELECT * FROM unit_groups WHERE id = :id", {"id": group_id})


def group_member_ids(db, group_id: int) -> list[int]:
    """The group's units in their order: the active units of its kind, or its listed members."""
    group = get_group(db, group_id)
    if group is None:
        return []
    if group["unit_kind"]:
        return db.column("SELECT id FROM units WHERE kind = :kind AND retired = 0 ORDER BY position, id",
                         {"kind": group["unit_kind"]})
    return db.column("SELECT m.unit_id FROM unit_group_members m JOIN units u ON u.id = m.unit_id"
                     " WHERE m.group_id = :id ORDER BY u.position, u.id", {"id": group_id})


def save_group(db, name: str, member_ids: list[int] | None = None, unit_kind: str | None = None,
               group_id: int | None = None) -> int:
    """Create or change a group of the office's own: explicit members, or every unit of a kind."""
    name = " ".join(str(name).split())
    if not name:
        raise AppError("分组名称不能为空。")
    with db.write():
        hit = resolver(db).lookup(name)
        if hit and not (hit[0] == GROUP and hit[1] == group_id):
            raise AppError(f"名称“{name}”已被单位或其他分组使用，请换一个名称。")
        if unit_kind:
            kinds = settings.vocab(db, "unit_kind")
            if unit_kind not in kinds:
                raise AppError(f"单位类别“{unit_kind}”不在词表中。可选：{'、'.join(kinds)}。")
        data = {"name": name, "unit_kind": unit_kind or None}
        if group_id is None:
            group_id = db.insert("unit_groups", data)
            before = None
        else:
            before = get_group(db, group_id)
            if before is None:
                raise AppError(f"找不到编号为 {group_id} 的单位分组，它可能已被删除。")
            if before["builtin"]:
                raise AppError(f"“{before['name']}”是内置分组，不能修改。")
            db.update("unit_groups", group_id, data)
        db.execute("DELETE FROM unit_group_members WHERE group_id = :id", {"id": group_id})
        if not unit_kind:
            db.executemany("INSERT INTO unit_group_members (group_id, unit_id) VALUES (:group_id, :unit_id)",
                           [{"group_id": group_id, "unit_id": u} for u in dict.fromkeys(member_ids or [])])
        audit.log(db, "保存分组", "unit_groups", group_id, before,
                  {**data, "members": list(member_ids or [])}, name)
    return group_id


def delete_group(db, group_id: int) -> None:
    with db.write():
        group = get_group(db, group_id)
        if group is None:
            return
        if group["builtin"]:
            raise AppError(f"“{group['name']}”是内置分组，不能删除。")
        used = db.value("SELECT count(*) FROM assignments WHERE group_id = :id", {"id": group_id})
        if used:
            raise AppError(f"分组“{group['name']}”在责任分解表中被引用 {used} 处，请先修改这些测评标准的责任单位。")
        db.execute("DELETE FROM unit_groups WHERE id = :id", {"id": group_id})
        audit.log(db, "删除分组", "unit_groups", group_id, group, None, group["name"])
