"""Turning the names people write — full name, 简称, former name, a group's name — into units and
groups. One resolver is read per import or command; it answers from memory."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import AppError

UNIT, GROUP = "unit", "group"


def norm(name: str) -> str:
    """A name as compared: no spaces, full-width brackets as half-width."""
    return "".join(str(name).split()).replace("（", "(").replace("）", ")")


@dataclass
class Resolver:
    """Names → ('unit', id) or ('group', id)."""

    units: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    retired: set[int] = field(default_factory=set)
    display: dict[int, str] = field(default_factory=dict)
    group_display: list[str] = field(default_factory=list)

    def lookup(self, name: str):
        """('unit', id) or ('group', id) or None."""
        key = norm(name)
        if key in self.units:
            return (UNIT, self.units[key])
        if key in self.groups:
            return (GROUP, self.groups[key])
        return None

    def suggestions(self, name: str, n: int = 3) -> list[str]:
        from core.text import closest

        return closest(name, sorted(set(self.display.values()) | set(self.group_display)), n)

    def learn(self, unit_id: int, name: str, short_name: str = "") -> None:
        """A unit added after the resolver was read (an import adding many)."""
        for key in (name, short_name):
            if key:
                self.units[norm(key)] = unit_id
        self.display[unit_id] = name


def resolver(db) -> Resolver:
    """Active units win over retired ones when a name is shared (a retired unit's 简称 reused)."""
    res = Resolver()
    ordered = db.rows("SELECT id, name, short_name, retired, merged_into FROM units ORDER BY retired DESC, id")
    for u in ordered:  # retired first so active units overwrite them
        res.display[u["id"]] = u["name"]
        if u["retired"]:
            res.retired.add(u["id"])
        for key in (u["name"], u["short_name"]):
            if key:
                res.units[norm(key)] = u["merged_into"] or u["id"]
    for a in db.rows("SELECT alias, unit_id FROM unit_aliases ORDER BY id"):
        res.units.setdefault(norm(a["alias"]), a["unit_id"])
    for u in ordered:  # full names always resolve to themselves unless merged away
        if not u["merged_into"]:
            res.units[norm(u["name"])] = u["id"]
    for g in db.rows("SELECT id, name FROM unit_groups ORDER BY id"):
        res.groups[norm(g["name"])] = g["id"]
        res.group_display.append(g["name"])
    return res


def resolve_one(db, name: str) -> int:
    """The id of the unit a user named on the command line (full name, 简称 or former name)."""
    res = resolver(db)
    hit = res.lookup(name)
    if hit and hit[0] == UNIT:
        return hit[1]
    hint = "、".join(res.suggestions(name))
    raise AppError(f"找不到责任单位“{name}”。" + (f"是否是：{hint}？" if hint else "请检查单位名称。"))


def check_name_free(db, name: str, own_id: int | None = None, res: Resolver | None = None) -> None:
    """Refuse a name (or 简称) another unit or a group already answers to."""
    if not name:
        raise AppError("单位名称不能为空。")
    hit = (res or resolver(db)).lookup(name)
    if hit and not (hit[0] == UNIT and hit[1] == own_id):
        other = "单位分组" if hit[0] == GROUP else "单位"
        raise AppError(f"名称“{name}”已被另一个{other}使用（全称、简称或曾用名），请换一个名称。")
