"""专项推进组: a group has a name, a 组长 (a leader and the unit leading it), member units and the
standards it pushes (a standard names its group by framework_nodes.working_group_id)."""

from __future__ import annotations

from core import audit, settings
from core.errors import AppError

# The name shown for standards (and their findings, losses) no group pushes.
NO_GROUP = "（未分组）"
# What a standard's row carries as its group's name, for every reader of standards.
GROUP_NAME_SQL = "COALESCE((SELECT g.name FROM working_groups g WHERE g.id = n.working_group_id), '')"


def list_groups(db) -> list[dict]:
    """Every group in the office's order, with its lead unit's name, its members (ids and names)
    and how many standards of any edition it pushes."""
    groups = db.rows("SELECT g.*, COALESCE(u.name, '') AS lead_unit_name FROM working_groups g"
                     " LEFT JOIN units u ON u.id = g.lead_unit_id ORDER BY g.position, g.id")
    members: dict[int, list[tuple[int, str]]] = {}
    for m in db.rows("SELECT m.group_id, m.unit_id, u.name FROM working_group_units m"
                     " JOIN units u ON u.id = m.unit_id ORDER BY m.group_id, m.position, u.position, u.id"):
        members.setdefault(m["group_id"], []).append((m["unit_id"], m["name"]))
    for g in groups:
        g["member_ids"] = [uid for uid, _ in members.get(g["id"], [])]
        g["member_names"] = [name for _, name in members.get(g["id"], [])]
    return groups


def group_names(db) -> list[str]:
    return db.column("SELECT name FROM working_groups ORDER BY position, id")


def group_suggestions(db) -> list[str]:
    """What a standard's 专项推进组 box offers: the office's groups, then the usual names it has not
    (choosing one creates it)."""
    names = group_names(db)
    return names + [n for n in settings.WORKING_GROUPS if n not in names]


def get_group(db, group_id: int) -> dict:
    found = next((g for g in list_groups(db) if g["id"] == group_id), None)
    if found is None:
        raise AppError(f"找不到编号为 {group_id} 的专项推进组，它可能已被删除。")
    return found


def group_id_by_name(db, name: str) -> int | None:
    return db.value("SELECT id FROM working_groups WHERE name = :name", {"name": name.strip()})


def resolve_group(db, name: str) -> int:
    """The group a user names (the command line)."""
    found = group_id_by_name(db, name)
    if found is None:
        known = "、".join(group_names(db)) or "（还没有专项推进组）"
        raise AppError(f"没有名为“{name}”的专项推进组。现有：{known}。")
    return found


def ensure_group(db, name: str) -> int | None:
    """The id of the group so named, created when the ledger has none (an import or a form naming
    a new group); None for no name. Call inside the change's write."""
    name = str(name or "").strip()
    if not name:
        return None
    found = group_id_by_name(db, name)
    if found is not None:
        return found
    return add_group(db, {"name": name})


def _clean(db, data: dict, own_id: int | None = None) -> dict:
    clean = {}
    for key, value in data.items():
        if key not in ("name", "leader", "lead_unit_id", "note"):
            raise AppError(f"未知的字段：{key}")
        clean[key] = value if key == "lead_unit_id" else str(value or "").strip()
    if "name" in clean:
        if not clean["name"]:
            raise AppError("专项推进组的名称不能为空。")
        other = group_id_by_name(db, clean["name"])
        if other is not None and other != own_id:
            raise AppError(f"已有名为“{clean['name']}”的专项推进组，名称不能重复。")
    if clean.get("lead_unit_id") is not None and not db.value("SELECT 1 FROM units WHERE id = :id",
                                                              {"id": clean["lead_unit_id"]}):
        raise AppError(f"找不到编号为 {clean['lead_unit_id']} 的责任单位。")
    return clean


def add_group(db, data: dict, member_ids: list[int] = ()) -> int:
    with db.write():
        clean = _clean(db, data)
        if "name" not in clean:
            raise AppError("专项推进组的名称不能为空。")
        position = (db.value("SELECT max(position) FROM working_groups") or 0) + 1
        group_id = db.insert("working_groups", {**clean, "position": position})
        audit.log(db, "新增专项推进组", "working_groups", group_id, None, clean, clean["name"])
        if member_ids:
            set_members(db, group_id, member_ids)
    return group_id


def update_group(db, group_id: int, data: dict) -> None:
    with db.write():
        before = get_group(db, group_id)
        clean = _clean(db, data, group_id)
        changed = {k: v for k, v in clean.items() if before[k] != v}
        if changed:
            db.update("working_groups", group_id, changed)
            audit.log(db, "修改专项推进组", "working_groups", group_id, {k: before[k] for k in changed}, changed,
                      clean.get("name", before["name"]))


def set_members(db, group_id: int, unit_ids: list[int]) -> bool:
    """The group's member units, in the order given (a unit once); whether they changed."""
    with db.write():
        group = get_group(db, group_id)
        unit_ids = list(dict.fromkeys(unit_ids))
        if unit_ids == group["member_ids"]:
            return False
        known = set(db.column("SELECT id FROM units"))
        missing = [uid for uid in unit_ids if uid not in known]
        if missing:
            raise AppError(f"找不到编号为 {'、'.join(map(str, missing))} 的责任单位。")
        db.execute("DELETE FROM working_group_units WHERE group_id = :id", {"id": group_id})
        db.executemany("INSERT INTO working_group_units (group_id, unit_id, position) VALUES (:group, :unit, :position)",
                       [{"group": group_id, "unit": uid, "position": i} for i, uid in enumerate(unit_ids, 1)])
        audit.log(db, "修改推进组成员单位", "working_groups", group_id,
                  {"members": group["member_ids"]}, {"members": unit_ids}, group["name"])
    return True


def save_group(db, group_id: int | None, data: dict, member_ids: list[int] | None = None) -> int:
    """A new group (group_id None) or a group's changed fields, and its members when given, in one
    change; the group's id."""
    with db.write():
        if group_id is None:
            group_id = add_group(db, data)
        elif data:
            update_group(db, group_id, data)
        if member_ids is not None:
            set_members(db, group_id, member_ids)
    return group_id


def delete_group(db, group_id: int) -> None:
    """A group no standard names may be deleted (its members go with it)."""
    with db.write():
        group = get_group(db, group_id)
        used = db.value("SELECT count(*) FROM framework_nodes WHERE working_group_id = :id", {"id": group_id})
        if used:
            raise AppError(f"专项推进组“{group['name']}”还负责 {used} 条测评标准，不能删除。"
                           "请先在测评体系中把这些标准改到其他推进组。")
        db.execute("DELETE FROM working_group_units WHERE group_id = :id", {"id": group_id})
        db.execute("DELETE FROM working_groups WHERE id = :id", {"id": group_id})
        audit.log(db, "删除专项推进组", "working_groups", group_id, {"name": group["name"]}, None, group["name"])
