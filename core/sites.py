"""点位 register: the places inspections go to, their type, 属地 (街道) and default responsible units."""

from __future__ import annotations

from datetime import datetime

from core import audit, settings, units
from core.db import rows, scalar, write
from core.errors import AppError

FIELDS = {"name": "点位名称", "site_type": "点位类型", "address": "地址", "note": "备注"}


def list_sites(db, *, site_type: str = "", locality_id: int | None = None, text: str = "",
               include_retired: bool = False) -> list[dict]:
    where, params = [], []
    if not include_retired:
        where.append("s.retired = 0")
    if site_type:
        where.append("s.site_type = ?")
        params.append(site_type)
    if locality_id:
        where.append("s.locality_unit_id = ?")
        params.append(locality_id)
    if text:
        where.append("(s.name LIKE ? OR s.address LIKE ?)")
        params += [f"%{text}%"] * 2
    sql = ("SELECT s.*, l.name AS locality, (SELECT group_concat(u.name, '、') FROM"
           " (SELECT su.unit_id FROM site_units su WHERE su.site_id = s.id ORDER BY su.position) x"
           " JOIN units u ON u.id = x.unit_id) AS unit_names,"
           " (SELECT count(*) FROM findings f WHERE f.site_id = s.id) AS finding_count"
           " FROM sites s LEFT JOIN units l ON l.id = s.locality_unit_id")
    if where:
        sql += " WHERE " + " AND ".join(where)
    result = rows(db, sql + " ORDER BY s.retired, s.site_type, s.name", params)
    for r in result:
        r["unit_names"] = r["unit_names"] or ""
        r["locality"] = r["locality"] or ""
    return result


def get_site(db, site_id: int) -> dict:
    found = rows(db, "SELECT * FROM sites WHERE id = ?", (site_id,))
    if not found:
        raise AppError(f"找不到编号为 {site_id} 的点位。")
    site = found[0]
    site["unit_ids"] = site_unit_ids(db, site_id)
    return site


def site_unit_ids(db, site_id: int) -> list[int]:
    return [r["unit_id"] for r in rows(db, "SELECT unit_id FROM site_units WHERE site_id = ? ORDER BY position",
                                       (site_id,))]


def find_site(db, name: str) -> int | None:
    return scalar(db, "SELECT id FROM sites WHERE name = ?", (" ".join(str(name).split()),))


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
    with write(db):
        clean = _validate(db, data, locality_id, list(unit_ids))
        clean["created_at"] = datetime.now().isoformat(timespec="seconds")
        site_id = db["sites"].insert(clean).last_pk
        _set_units(db, site_id, unit_ids)
        audit.log(db, "新增点位", "sites", site_id, None, {**clean, "unit_ids": list(unit_ids)}, clean["name"])
    return site_id


def update_site(db, site_id: int, data: dict, locality_id: int | None = None, unit_ids: list[int] = ()) -> None:
    with write(db):
        before = get_site(db, site_id)
        clean = _validate(db, data, locality_id, list(unit_ids), site_id)
        db["sites"].update(site_id, clean)
        _set_units(db, site_id, unit_ids)
        audit.log(db, "修改点位", "sites", site_id, before, {**clean, "unit_ids": list(unit_ids)}, clean["name"])


def retire_site(db, site_id: int, retired: bool = True) -> None:
    with write(db):
        before = get_site(db, site_id)
        db["sites"].update(site_id, {"retired": int(retired)})
        audit.log(db, "停用点位" if retired else "恢复点位", "sites", site_id, {"retired": before["retired"]},
                  {"retired": int(retired)}, before["name"])


def _set_units(db, site_id: int, unit_ids) -> None:
    db.execute("DELETE FROM site_units WHERE site_id = ?", (site_id,))
    db.conn.executemany("INSERT INTO site_units (site_id, unit_id, position) VALUES (?, ?, ?)",
                        [(site_id, u, i) for i, u in enumerate(dict.fromkeys(unit_ids))])


def default_unit(db, site_id: int) -> int | None:
    """Who answers for a problem at this 点位 by default: its first unit, else its 属地."""
    ids = site_unit_ids(db, site_id)
    if ids:
        return ids[0]
    return scalar(db, "SELECT locality_unit_id FROM sites WHERE id = ?", (site_id,))
