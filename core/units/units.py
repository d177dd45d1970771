"""The units that carry the work: their fields, renaming (the old name stays an alias), retiring,
merging (机构改革) and deleting one nothing refers to."""

from __future__ import annotations

from core import audit, settings
from core.errors import AppError
from core.query import Where
from core.text import like_contains
from core.units.resolver import Resolver, check_name_free

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
ALIAS_RENAMED, ALIAS_MERGED = "更名", "合并"
# Tables whose rows name a unit but are only its own names: they go with it.
OWN_TABLES = ("unit_aliases",)


def infer_kind(name: str) -> str:
    """The kind a new unit most likely has, from its name (used when a file does not say)."""
    if name.endswith(("街道", "街道办事处", "街道办")):
        return "街道"
    if name.endswith(("镇", "乡", "镇人民政府", "乡人民政府")):
        return "乡镇"
    return "其他"


# --- reading ------------------------------------------------------------------------------------

def list_units(db, include_retired: bool = False, text: str = "") -> list[dict]:
    """Units in their order (retired ones last), each with its former names joined by 、."""
    where = Where()
    if not include_retired:
        where.add("u.retired = 0")
    if text.strip():
        where.add("(u.name LIKE :text ESCAPE '\\' OR u.short_name LIKE :text ESCAPE '\\'"
                  " OR u.liaison LIKE :text ESCAPE '\\' OR u.head LIKE :text ESCAPE '\\'"
                  " OR EXISTS (SELECT 1 FROM unit_aliases a WHERE a.unit_id = u.id"
                  " AND a.alias LIKE :text ESCAPE '\\'))", text=like_contains(text.strip()))
    result = db.rows("SELECT u.*, m.name AS merged_into_name FROM units u LEFT JOIN units m ON m.id = u.merged_into"
                     + where.sql() + " ORDER BY u.retired, u.position, u.id", where.params)
    aliases: dict[int, list[str]] = {}
    for a in db.rows("SELECT unit_id, alias FROM unit_aliases ORDER BY id"):
        aliases.setdefault(a["unit_id"], []).append(a["alias"])
    for r in result:
        r["aliases"] = "、".join(aliases.get(r["id"], []))
    return result


def get_unit(db, unit_id: int) -> dict:
    found = db.one("SELECT * FROM units WHERE id = :id", {"id": unit_id})
    if found is None:
        raise AppError(f"找不到编号为 {unit_id} 的责任单位，它可能已被合并或删除。")
    return found


def unit_names(db, unit_ids) -> list[str]:
    """The names of these units, in the order given (unknown ids left out)."""
    ids = list(unit_ids)
    if not ids:
        return []
    where = Where().one_of("id", "unit", ids)
    found = {r["id"]: r["name"] for r in db.rows("SELECT id, name FROM units" + where.sql(), where.params)}
    return [found[i] for i in ids if i in found]


# --- changes ------------------------------------------------------------------------------------

def _clean(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if key not in FIELDS:
            raise AppError(f"未知的单位字段：{key}")
        out[key] = " ".join(str(value or "").split()) if key != "note" else str(value or "").strip()
    return out


def _check_kind(db, kind: str) -> None:
    kinds = settings.vocab(db, "unit_kind")
    if kind not in kinds:
        raise AppError(f"单位类别“{kind}”不在词表中。可选：{'、'.join(kinds)}。")


def create_unit(db, data: dict, res: Resolver | None = None) -> int:
    """Add a unit. `res`: a resolver the caller keeps for many additions (an import); it is used
    for the name checks and learns the new names, instead of being rebuilt for every unit."""
    data = _clean(data)
    if not data.get("kind"):
        data["kind"] = infer_kind(data.get("name", ""))
    with db.write():
        check_name_free(db, data.get("name", ""), res=res)
        if data.get("short_name"):
            check_name_free(db, data["short_name"], res=res)
        _check_kind(db, data["kind"])
        data["position"] = (db.value("SELECT max(position) FROM units") or 0) + 1
        unit_id = db.insert("units", data)
        audit.log(db, "新增单位", "units", unit_id, None, data, data["name"])
    if res is not None:
        res.learn(unit_id, data["name"], data.get("short_name", ""))
    return unit_id


def update_unit(db, unit_id: int, data: dict, *, expected_version: int | None = None) -> None:
    """Edit a unit's fields. A new name is a rename: the old name stays as an alias.
    expected_version: the version the form read (refused when someone saved the unit since)."""
    data = _clean(data)
    with db.write():
        db.check_version("units", unit_id, expected_version)
        before = get_unit(db, unit_id)
        if "name" in data and data["name"] != before["name"]:
            _rename(db, before, data.pop("name"))
        if data.get("short_name") and data["short_name"] != before["short_name"]:
            check_name_free(db, data["short_name"], unit_id)
        if "kind" in data:
            _check_kind(db, data["kind"])
        changed = {k: v for k, v in data.items() if before.get(k) != v}
        if changed:
            db.update("units", unit_id, changed)
            audit.log(db, "修改单位", "units", unit_id, {k: before[k] for k in changed}, changed,
                      before["name"])


def rename_unit(db, unit_id: int, new_name: str) -> None:
    with db.write():
        _rename(db, get_unit(db, unit_id), " ".join(new_name.split()))


def _add_alias(db, unit_id: int, alias: str, reason: str) -> None:
    db.execute("INSERT INTO unit_aliases (unit_id, alias, reason) VALUES (:unit, :alias, :reason)"
               " ON CONFLICT (alias) DO NOTHING", {"unit": unit_id, "alias": alias, "reason": reason})


def _rename(db, before: dict, new_name: str) -> None:
    check_name_free(db, new_name, before["id"])
    db.execute("DELETE FROM unit_aliases WHERE alias = :alias", {"alias": new_name})
    _add_alias(db, before["id"], before["name"], ALIAS_RENAMED)
    db.update("units", before["id"], {"name": new_name})
    audit.log(db, "单位更名", "units", before["id"], {"name": before["name"]}, {"name": new_name},
              f"{before['name']} → {new_name}")


def retire_unit(db, unit_id: int, retired: bool = True) -> None:
    """Retired units leave every list and picker but stay for the history that names them."""
    with db.write():
        before = get_unit(db, unit_id)
        if bool(before["retired"]) == retired:
            return
        db.update("units", unit_id, {"retired": int(retired)})
        audit.log(db, "停用单位" if retired else "恢复单位", "units", unit_id,
                  {"retired": before["retired"]}, {"retired": int(retired)}, before["name"])


# Rows that would name the target twice once the source's rows point at it: dropped before the
# move. (table, the columns that together with the unit must stay unique)
_UNIQUE_WITH_UNIT = {"assignments": ("node_id", "role"), "unit_group_members": ("group_id",),
                     "loss_findings": ("result_id",), "working_group_units": ("group_id",)}


def merge_units(db, source_ids: list[int], target_id: int) -> None:
    """机构改革: the sources' work moves to the target, their names become its aliases, and they
    are retired with a pointer to the target. Nothing that referred to them is lost."""
    with db.write():
        target = get_unit(db, target_id)
        for source_id in source_ids:
            if source_id == target_id:
                raise AppError("不能把单位合并到它自己。")
            source = get_unit(db, source_id)
            ids = {"source": source_id, "target": target_id}
            for table, column in db.foreign_keys_to("units"):
                if table in ("units", *OWN_TABLES):
                    continue
                together = _UNIQUE_WITH_UNIT.get(table)
                if together:
                    same = " AND ".join(f"t.{c} = {table}.{c}" for c in together)
                    db.execute(f"DELETE FROM {table} WHERE {column} = :source AND EXISTS (SELECT 1 FROM {table} t"
                               f" WHERE {same} AND t.{column} = :target)", ids)
                db.execute(f"UPDATE {table} SET {column} = :target WHERE {column} = :source", ids)
            db.execute("UPDATE unit_aliases SET unit_id = :target WHERE unit_id = :source", ids)
            for alias in (source["name"], source["short_name"]):
                if alias and alias not in (target["name"], target["short_name"]):
                    _add_alias(db, target_id, alias, ALIAS_MERGED)
            db.update("units", source_id, {"retired": 1, "merged_into": target_id})
            db.execute("UPDATE units SET merged_into = :target WHERE merged_into = :source", ids)
            audit.log(db, "合并单位", "units", source_id, {"name": source["name"]},
                      {"merged_into": target_id}, f"{source['name']} 并入 {target['name']}")


def unit_reference_counts(db, unit_id: int) -> dict[str, int]:
    """{table: rows} of every record naming the unit, its own former names aside (units merged
    into it count under units)."""
    counts = db.references_to("units", unit_id, ignore=OWN_TABLES)
    merged = db.value("SELECT count(*) FROM units WHERE merged_into = :id", {"id": unit_id})
    if merged:
        counts["units"] = merged
    return counts


def delete_unit(db, unit_id: int) -> None:
    """Only a unit nothing refers to may be deleted; otherwise it is retired."""
    with db.write():
        unit = get_unit(db, unit_id)
        used = unit_reference_counts(db, unit_id)
        if used:
            detail = audit.references_text(used)
            raise AppError(f"“{unit['name']}”已被其他记录引用（{detail}），不能删除。"
                           "如该单位已撤销，请使用“停用”或“合并”。")
        db.execute("DELETE FROM unit_aliases WHERE unit_id = :id", {"id": unit_id})
        db.execute("DELETE FROM units WHERE id = :id", {"id": unit_id})
        audit.log(db, "删除单位", "units", unit_id, unit, None, unit["name"])
