"""点位 register: the places inspections go to, their type, 属地 (街道) and default responsible units."""

from __future__ import annotations

from core import audit, clock, settings, units
from core.errors import AppError
from core.query import Where

FIELDS = {"name": "点位名称", "site_type": "点位类型", "address": "地址", "note": "备注"}


def list_sites(db, *, site_type: str = "", locality_id: int | None = None, text: str = "",
               include_retired: bool = False) -> list[dict]:
    where = Where()
    if not include_retired:
        where.add("s.retired = 0")
    where.equals("s.site_type", "site_type", site_type)
    where.equals("s.locality_unit_id", "locality_id", locality_id)
    where.contains(["s.name", "s.address"], "text", text)
    result = db.rows("SELECT s.*, l.name AS locality,"
                     " (SELECT count(*) FROM findings f WHERE f.site_id = s.id) AS finding_count"
                     " FROM sites s LEFT JOIN units l ON l.id = s.locality_unit_id" + where.sql()
                     + " ORDER BY s.retired, s.site_type, s.name, s.id", where.params)
    unit_names = _unit_names_by_site(db)
    for r in result:
        r["unit_names"] = "、".join(unit_names.get(r["id"], []))
        r["locality"] = r["locality"] or ""
    return result


def _unit_names_by_site(db) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for r in db.rows("SELECT su.site_id, u.name FROM site_units su JOIN units u ON u.id = su.unit_id"
                     " ORDER BY su.site_id, su.position"):
        names.setdefault(r["site_id"], []).append(r["name"])
    return names


def get_site(db, site_id: int) -> dict:
    site = db.one("SELECT * FROM sites WHERE id = :id", {"id": site_id})
    if site is None:
        raise AppError(f"找不到编号为 {site_id} 的点位。")
    site["unit_ids"] = site_unit_ids(db, site_id)
    return site


def site_unit_ids(db, site_id: int) -> list[int]:
    return db.column("SELECT unit_id FROM site_units WHERE site_id = :id ORDER BY position", {"id": site_id})


def find_site(db, name: str) -> int | None:
    return db.value("SELECT id FROM sites WHERE name = :name", {"name": " ".join(str(name).split())})


def _validate(db, data: dict, locality_id, unit_ids, own_id=None) -> dict:
    clean = {k: " ".join(str(data.get(k) or "").split()) for k in FIELDS}
    if not clean["name"]:
        raise AppError("点位名称不能为空。")
    other = find_site(db, clean["name"])
    if other and other != own_id:
        raise AppError(f"已有名为“{clean['name']}”的点位，请换一个名称或直接选用它。")
    types = settings.vocab(db, "site_type")
    if clean["site_type"] not in types:
        raise AppError(f"点位类型“{clean['site_type']}”不在词表中。可选：{'、'.join(types)}。"
                       "如需新类型，请先在“设置 → 词表”中添加。")
    for unit_id in [u for u in [locality_id, *unit_ids] if u]:
        unit = units.get_unit(db, unit_id)
        if unit["retired"]:
            raise AppError(f"“{unit['name']}”已停用，不能作为点位的属地或责任单位。")
    clean["locality_unit_id"] = locality_id or None
    return clean


def create_site(db, data: dict, locality_id: int | None = None, unit_ids: list[int] = ()) -> int:
    with db.write():
        clean = _validate(db, data, locality_id, list(unit_ids))
        clean["created_at"] = clock.stamp()
        site_id = db.insert("sites", clean)
        _set_units(db, site_id, unit_ids)
        audit.log(db, "新增点位", "sites", site_id, None, {**clean, "unit_ids": list(unit_ids)}, clean["name"])
    return site_id


def update_site(db, site_id: int, data: dict, locality_id: int | None = None, unit_ids: list[int] = (), *,
                expected_version: int | None = None) -> None:
    """expected_version: the version the form read (refused when someone saved the site since)."""
    with db.write():
        db.check_version("sites", site_id, expected_version)
        before = get_site(db, site_id)
        clean = _validate(db, data, locality_id, list(unit_ids), site_id)
        db.update("sites", site_id, clean)
        _set_units(db, site_id, unit_ids)
        audit.log(db, "修改点位", "sites", site_id, before, {**clean, "unit_ids": list(unit_ids)}, clean["name"])


def retire_site(db, site_id: int, retired: bool = True) -> None:
    with db.write():
        before = get_site(db, site_id)
        db.update("sites", site_id, {"retired": int(retired)})
        audit.log(db, "停用点位" if retired else "恢复点位", "sites", site_id, {"retired": before["retired"]},
                  {"retired": int(retired)}, before["name"])


def _set_units(db, site_id: int, unit_ids) -> None:
    db.execute("DELETE FROM site_units WHERE site_id = :site_id", {"site_id": site_id})
    db.executemany("INSERT INTO site_units (site_id, unit_id, position) VALUES (:site_id, :unit_id, :position)",
                   [{"site_id": site_id, "unit_id": u, "position": i} for i, u in enumerate(dict.fromkeys(unit_ids))])


def default_unit(db, site_id: int) -> int | None:
    """Who answers for a problem at this 点位 by default: its first unit, else its 属地."""
    ids = site_unit_ids(db, site_id)
    if ids:
        return ids[0]
    return db.value("SELECT locality_unit_id FROM sites WHERE id = :id", {"id": site_id})


def site_for_entry(db, name: str, site_type: str = "", locality_id: int | None = None) -> int:
    """The registered 点位 of this name, or a new one registered now (with its type)."""
    site_id = find_site(db, name)
    if site_id:
        return site_id
    if not site_type:
        raise AppError(f"点位“{name}”还不在点位库中。请选择点位类型，程序会把它加入点位库。")
    return create_site(db, {"name": name, "site_type": site_type}, locality_id)
