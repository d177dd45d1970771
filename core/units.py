"""责任单位: the units that carry the work, their former names, and the groups that stand for many."""

from __future__ import annotations

from dataclasses import dataclass, field

from core import audit, settings
from core.db import rows, scalar, write
from core.errors import AppError

FIELDS = {
    "name": "单位名称",
    "short_name": "简称",
    "kind": "单位类别",
    "head": "主要负责人",
    "leader": "分管领导",
    "liaison": "联络员",
    "phone": "联系电话",
    "note": "备注",
}

# Groups every office has: the name stands for every active unit of the kind.
BUILTIN_GROUPS = {"各街道办事处": "街道", "各街道": "街道", "各乡镇": "乡镇", "各镇": "乡镇"}


def infer_kind(name: str) -> str:
    """The kind a new unit most likely has, from its name (used when a file does not say)."""
    if name.endswith(("街道", "街道办事处", "街道办")):
        return "街道"
    if name.endswith(("镇", "乡", "镇人民政府", "乡人民政府")):
        return "乡镇"
    return "其他"


# --- reading ------------------------------------------------------------------------------------

def list_units(db, include_retired: bool = False, text: str = "") -> list[dict]:
    where = [] if include_retired else ["u.retired = 0"]
    params: list = []
    if text:
        where.append("(u.name LIKE ? OR u.short_name LIKE ? OR u.liaison LIKE ? OR u.head LIKE ?"
                     " OR EXISTS (SELECT 1 FROM unit_aliases a WHERE a.unit_id = u.id AND a.alias LIKE ?))")
        params += [f"%{text}%"] * 5
    sql = ("SELECT u.*, (SELECT group_concat(alias, '、') FROM unit_aliases a WHERE a.unit_id = u.id)"
           " AS aliases, m.name AS merged_into_name FROM units u"
           " LEFT JOIN units m ON m.id = u.merged_into")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY u.retired, u.position, u.id"
    result = rows(db, sql, params)
    for r in result:
        r["aliases"] = r["aliases"] or ""
    return result


def get_unit(db, unit_id: int) -> dict:
    found = rows(db, "SELECT * FROM units WHERE id = ?", (unit_id,))
    if not found:
        raise AppError(f"找不到编号为 {unit_id} 的责任单位，它可能已被合并或删除。")
    return found[0]


def unit_names(db, unit_ids) -> list[str]:
    ids = list(unit_ids)
    if not ids:
        return []
    found = {r["id"]: r["name"] for r in rows(
        db, f"SELECT id, name FROM units WHERE id IN ({','.join('?' * len(ids))})", ids)}
    return [found[i] for i in ids if i in found]


# --- name resolution ----------------------------------------------------------------------------

@dataclass
class Resolver:
    """Turns the names people write (full name, 简称, former name, group) into units or groups."""

    units: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    retired: set[int] = field(default_factory=set)
    display: dict[int, str] = field(default_factory=dict)
    group_display: list[str] = field(default_factory=list)

    def lookup(self, name: str):
        """('unit', id) or ('group', id) or None."""
        key = _norm(name)
        if key in self.units:
            return ("unit", self.units[key])
        if key in self.groups:
            return ("group", self.groups[key])
        return None

    def suggestions(self, name: str, n: int = 3) -> list[str]:
        from core.text import closest

        return closest(name, sorted(set(self.display.values()) | set(self.group_display)), n)


def _norm(name: str) -> str:
    return "".join(str(name).split()).replace("（", "(").replace("）", ")")


def resolver(db) -> Resolver:
    """Active units win over retired ones when a name is shared (a retired unit's 简称 reused)."""
    res = Resolver()
    ordered = rows(db, "SELECT id, name, short_name, retired, merged_into FROM units ORDER BY retired DESC, id")
    for u in ordered:  # retired first so active units overwrite them
        res.display[u["id"]] = u["name"]
        if u["retired"]:
            res.retired.add(u["id"])
        target = u["merged_into"] or u["id"]
        for key in (u["name"], u["short_name"]):
            if key:
                res.units[_norm(key)] = target if u["merged_into"] else u["id"]
    for a in rows(db, "SELECT alias, unit_id FROM unit_aliases"):
        res.units.setdefault(_norm(a["alias"]), a["unit_id"])
    for u in ordered:  # full names always resolve to themselves unless merged away
        if not u["merged_into"]:
            res.units[_norm(u["name"])] = u["id"]
    for g in rows(db, "SELECT id, name FROM unit_groups"):
        res.groups[_norm(g["name"])] = g["id"]
        res.group_display.append(g["name"])
    return res


def resolve_one(db, name: str) -> int:
    """The id of the unit a user named on the command line (full name, 简称 or former name)."""
    res = resolver(db)
    hit = res.lookup(name)
    if hit and hit[0] == "unit":
        return hit[1]
    hint = "、".join(res.suggestions(name))
    raise AppError(f"找不到责任单位“{name}”。" + (f"是否是：{hint}？" if hint else "请检查单位名称。"))


# --- changes ------------------------------------------------------------------------------------

def _clean(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if key not in FIELDS:
            raise AppError(f"未知的单位字段：{key}")
        out[key] = " ".join(str(value or "").split()) if key != "note" else str(value or "").strip()
    return out


def _check_name_free(db, name: str, own_id: int | None = None, res: Resolver | None = None) -> None:
    if not name:
        raise AppError("单位名称不能为空。")
    hit = (res or resolver(db)).lookup(name)
    if hit and not (hit[0] == "unit" and hit[1] == own_id):
        other = "单位分组" if hit[0] == "group" else "单位"
        raise AppError(f"名称“{name}”已被另一个{other}使用（全称、简称或曾用名），请换一个名称。")


def _check_kind(db, kind: str) -> None:
    kinds = settings.vocab(db, "unit_kind")
    if kind not in kinds:
        raise AppError(f"单位类别“{kind}”不在词表中。可选：{'、'.join(kinds)}。")


def create_unit(db, data: dict, res: Resolver | None = None) -> int:
    """Add a unit. `res`: a resolver the caller keeps for many additions (an import); it is used
    for the name checks and learns the new names, instead of being rebuilt for every unit."""
    data = _clean(data)
    data.setdefault("kind", infer_kind(data.get("name", "")))
    if not data["kind"]:
        data["kind"] = infer_kind(data.get("name", ""))
    with write(db):
        _check_name_free(db, data.get("name", ""), res=res)
        if data.get("short_name"):
            _check_name_free(db, data["short_name"], res=res)
        _check_kind(db, data["kind"])
        data["position"] = (scalar(db, "SELECT max(position) FROM units") or 0) + 1
        unit_id = db["units"].insert(data).last_pk
        audit.log(db, "新增单位", "units", unit_id, None, data, data["name"])
    if res is not None:
        for key in (data["name"], data.get("short_name")):
            if key:
                res.units[_norm(key)] = unit_id
        res.display[unit_id] = data["name"]
    return unit_id


def update_unit(db, unit_id: int, data: dict) -> None:
    """Edit a unit's fields. A new name is a rename: the old name stays as an alias."""
    data = _clean(data)
    with write(db):
        before = get_unit(db, unit_id)
        if "name" in data and data["name"] != before["name"]:
            _rename(db, before, data.pop("name"))
        if data.get("short_name") and data["short_name"] != before["short_name"]:
            _check_name_free(db, data["short_name"], unit_id)
        if "kind" in data:
            _check_kind(db, data["kind"])
        changed = {k: v for k, v in data.items() if before.get(k) != v}
        if changed:
            db["units"].update(unit_id, changed)
            audit.log(db, "修改单位", "units", unit_id, {k: before[k] for k in changed}, changed,
                      before["name"])


def rename_unit(db, unit_id: int, new_name: str) -> None:
    with write(db):
        _rename(db, get_unit(db, unit_id), " ".join(new_name.split()))


def _rename(db, before: dict, new_name: str) -> None:
    _check_name_free(db, new_name, before["id"])
    db.execute("DELETE FROM unit_aliases WHERE alias = ?", (new_name,))
    db.execute("INSERT OR IGNORE INTO unit_aliases (unit_id, alias, reason) VALUES (?, ?, '更名')",
               (before["id"], before["name"]))
    db["units"].update(before["id"], {"name": new_name})
    audit.log(db, "单位更名", "units", before["id"], {"name": before["name"]}, {"name": new_name},
              f"{before['name']} → {new_name}")


def retire_unit(db, unit_id: int, retired: bool = True) -> None:
    """Retired units leave every list and picker but stay for the history that names them."""
    with write(db):
        before = get_unit(db, unit_id)
        if bool(before["retired"]) == retired:
            return
        db["units"].update(unit_id, {"retired": int(retired)})
        audit.log(db, "停用单位" if retired else "恢复单位", "units", unit_id,
                  {"retired": before["retired"]}, {"retired": int(retired)}, before["name"])


def merge_units(db, source_ids: list[int], target_id: int) -> None:
    """机构改革: the sources' work moves to the target, their names become its aliases, and they
    are retired with a pointer to the target. Nothing that referred to them is lost."""
    with write(db):
        target = get_unit(db, target_id)
        for source_id in source_ids:
            if source_id == target_id:
                raise AppError("不能把单位合并到它自己。")
            source = get_unit(db, source_id)
            for table, column in _unit_references(db):
                if table in ("unit_aliases", "units"):
                    continue
                if table == "assignments":
                    # A standard must not list the target twice in the same role.
                    db.execute(
                        "DELETE FROM assignments WHERE unit_id = ? AND EXISTS (SELECT 1 FROM assignments t"
                        " WHERE t.node_id = assignments.node_id AND t.role = assignments.role AND t.unit_id = ?)",
                        (source_id, target_id))
                if table == "unit_group_members":
                    db.execute("DELETE FROM unit_group_members WHERE unit_id = ? AND group_id IN"
                               " (SELECT group_id FROM unit_group_members WHERE unit_id = ?)",
                               (source_id, target_id))
                db.execute(f"UPDATE [{table}] SET [{column}] = ? WHERE [{column}] = ?", (target_id, source_id))
            db.execute("UPDATE unit_aliases SET unit_id = ? WHERE unit_id = ?", (target_id, source_id))
            for alias in (source["name"], source["short_name"]):
                if alias and alias not in (target["name"], target["short_name"]):
                    db.execute("INSERT OR IGNORE INTO unit_aliases (unit_id, alias, reason) VALUES (?, ?, '合并')",
                               (target_id, alias))
            db["units"].update(source_id, {"retired": 1, "merged_into": target_id})
            db.execute("UPDATE units SET merged_into = ? WHERE merged_into = ?", (target_id, source_id))
            audit.log(db, "合并单位", "units", source_id, {"name": source["name"]},
                      {"merged_into": target_id}, f"{source['name']} 并入 {target['name']}")


def delete_unit(db, unit_id: int) -> None:
    """Only a unit nothing refers to may be deleted; otherwise it is retired."""
    with write(db):
        unit = get_unit(db, unit_id)
        used = unit_reference_counts(db, unit_id)
        if used:
            detail = "、".join(f"{t} {n} 条" for t, n in used.items())
            raise AppError(f"“{unit['name']}”已被其他记录引用（{detail}），不能删除。"
                           "如该单位已撤销，请使用“停用”或“合并”。")
        db.execute("DELETE FROM unit_aliases WHERE unit_id = ?", (unit_id,))
        db.execute("DELETE FROM units WHERE id = ?", (unit_id,))
        audit.log(db, "删除单位", "units", unit_id, unit, None, unit["name"])


def _unit_references(db) -> list[tuple[str, str]]:
    """Every (table, column) holding a unit id, found from the schema so later areas count too."""
    found = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for fk in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall():
            if fk[2] == "units":
                found.append((table, fk[3]))
    return found


def unit_reference_counts(db, unit_id: int) -> dict[str, int]:
    counts = {}
    for table, column in _unit_references(db):
        if table == "unit_aliases":
            continue
        n = scalar(db, f"SELECT count(*) FROM [{table}] WHERE [{column}] = ?", (unit_id,))
        if n:
            counts[table] = n
    return counts


# --- groups -------------------------------------------------------------------------------------

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
    groups = rows(db, "SELECT * FROM unit_groups ORDER BY builtin DESC, id")
    for g in groups:
        g["member_ids"] = group_member_ids(db, g["id"])
    return groups


def group_member_ids(db, group_id: int) -> list[int]:
    g = rows(db, "SELECT unit_kind FROM unit_groups WHERE id = ?", (group_id,))
    if not g:
        return []
    if g[0]["unit_kind"]:
        return [r["id"] for r in rows(db, "SELECT id FROM units WHERE kind = ? AND retired = 0"
                                          " ORDER BY position, id", (g[0]["unit_kind"],))]
    return [r["unit_id"] for r in rows(
        db, "SELECT m.unit_id FROM unit_group_members m JOIN units u ON u.id = m.unit_id"
            " WHERE m.group_id = ? ORDER BY u.position, u.id", (group_id,))]


def save_group(db, name: str, member_ids: list[int] | None = None, unit_kind: str | None = None,
               group_id: int | None = None) -> int:
    """Create or change a group of the office's own: explicit members, or every unit of a kind."""
    name = " ".join(str(name).split())
    if not name:
        raise AppError("分组名称不能为空。")
    with write(db):
        hit = resolver(db).lookup(name)
        if hit and not (hit[0] == "group" and hit[1] == group_id):
            raise AppError(f"名称“{name}”已被单位或其他分组使用，请换一个名称。")
        if unit_kind:
            _check_kind(db, unit_kind)
        data = {"name": name, "unit_kind": unit_kind or None}
        if group_id is None:
            group_id = db["unit_groups"].insert(data).last_pk
            before = None
        else:
            before = rows(db, "SELECT * FROM unit_groups WHERE id = ?", (group_id,))[0]
            if before["builtin"]:
                raise AppError(f"“{before['name']}”是内置分组，不能修改。")
            db["unit_groups"].update(group_id, data)
        db.execute("DELETE FROM unit_group_members WHERE group_id = ?", (group_id,))
        if not unit_kind:
            db.conn.executemany("INSERT INTO unit_group_members (group_id, unit_id) VALUES (?, ?)",
                                [(group_id, u) for u in dict.fromkeys(member_ids or [])])
        audit.log(db, "保存分组", "unit_groups", group_id, before,
                  {**data, "members": list(member_ids or [])}, name)
    return group_id


def delete_group(db, group_id: int) -> None:
    with write(db):
        g = rows(db, "SELECT * FROM unit_groups WHERE id = ?", (group_id,))
        if not g:
            return
        if g[0]["builtin"]:
            raise AppError(f"“{g[0]['name']}”是内置分组，不能删除。")
        used = scalar(db, "SELECT count(*) FROM assignments WHERE group_id = ?", (group_id,))
        if used:
            raise AppError(f"分组“{g[0]['name']}”在责任分解表中被引用 {used} 处，请先修改这些测评标准的责任单位。")
        db.execute("DELETE FROM unit_groups WHERE id = ?", (group_id,))
        audit.log(db, "删除分组", "unit_groups", group_id, g[0], None, g[0]["name"])
