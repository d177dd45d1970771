"""The 分解表 from Excel into an edition: the whole file is checked first (every problem at once,
unknown units with suggestions), then written in one transaction — new standards added, changed
ones updated in place, standards no longer in the file retired (their history kept)."""

from __future__ import annotations

from core import audit, settings, units
from core.errors import AppError, Cancelled
from core.framework.assignments import LEAD, SUPPORT, assignment_refs, set_assignments
from core.framework.editions import create_edition, current_edition_id, get_edition
from core.framework.groups import add_group, group_names
from core.framework.reading import tree_rows
from core.framework.tree import STANDARD, add_node, place_node, retire_node, update_node

OPTIONAL_FIELDS = ("methods", "points", "working_group", "deadline", "negative")


class UnknownUnitsError(AppError):
    """The file names units the program does not know; the user creates them or fixes the file.
    Reported with every other problem of the file (problems), from the one reading of it (parsed),
    which import_framework takes back when the user chooses to create the units."""

    def __init__(self, unknown: dict[str, list[str]], rows_of: dict[str, list[int]], other_problems=(), parsed=None):
        lines = [f"“{name}”（第 {'、'.join(map(str, rows_of[name][:5]))} 行）"
                 + (f"，是否是：{'、'.join(s)}？" if s else "") for name, s in unknown.items()]
        also = f"另有 {len(other_problems)} 处其他问题（见问题清单）；" if other_problems else ""
        super().__init__(f"文件中有 {len(unknown)} 个未知的责任单位。{also}请修改文件中的单位名称，"
                         "或选择自动新建这些单位（命令行加 --create-units）。", "\n".join(lines),
                         problems=sorted([*other_problems, *_unit_problems(unknown, rows_of)], key=lambda p: p.row or 0))
        self.unknown = unknown
        self.rows_of = rows_of
        self.other_problems = list(other_problems)
        self.parsed = parsed

    @property
    def only_units(self) -> bool:
        """Nothing but the units stands in the way: creating them imports the file."""
        return not self.other_problems


def _read(db, path, cancel):
    from core.xlsx import framework_io  # openpyxl loads when a file is read, not when the program starts

    return framework_io.read_framework(path, settings.vocab(db, "method"), cancel)


def _unknown_units(db, parsed) -> dict[str, list[int]]:
    """name → the rows naming it, for every unit or group name the ledger does not know."""
    res = units.resolver(db)
    unknown: dict[str, list[int]] = {}
    for item in parsed.rows:
        for name in item[LEAD] + item[SUPPORT]:
            if res.lookup(name) is None:
                unknown.setdefault(name, []).append(item["row"])
    return unknown


def _unit_problems(suggestions: dict[str, list[str]], rows_of: dict[str, list[int]]) -> list:
    from core.xlsx.reader import Problem

    return [Problem(rows[0], "责任单位", f"未知的单位“{name}”（第 {'、'.join(map(str, rows[:8]))} 行）"
                    + (f"，是否是：{'、'.join(suggestions[name])}？" if suggestions[name] else ""))
            for name, rows in rows_of.items()]


def import_framework(db, path, edition_id: int | None = None, *, new_edition: str | None = None,
                     create_units: bool = False, progress=None, cancel=None, parsed=None) -> dict:
    """Validate the whole file, then write it in one transaction into the edition `edition_id`, or
    a new edition named `new_edition`, or (neither given) the current edition — a new one for the
    current year when there is none. Unknown units are refused (UnknownUnitsError) unless
    create_units. Returns what changed: {'added', 'updated', 'unchanged', 'retired', 'restored',
    'created_units', 'created_groups', 'edition_id'} (专项推进组 the file names that the ledger had not,
    created as groups). parsed: the file as an UnknownUnitsError read it (not read again)."""
    parsed = parsed or _read(db, path, cancel)
    unknown = _unknown_units(db, parsed)
    if unknown and not create_units:
        res = units.resolver(db)
        raise UnknownUnitsError({name: res.suggestions(name) for name in unknown}, unknown, parsed.problems, parsed)
    if parsed.problems:
        raise AppError(f"责任分解表中有 {len(parsed.problems)} 处问题，未导入任何数据。"
                       "请按问题清单修改后重新导入。", problems=parsed.problems)
    with db.write():
        if edition_id is not None:
            get_edition(db, edition_id)
        elif new_edition:
            edition_id = create_edition(db, new_edition)
        else:
            edition_id = current_edition_id(db) or create_edition(db, f"{settings.get(db, 'current_year')}年度")
        res = units.resolver(db)
        for name in unknown:
            units.create_unit(db, {"name": name, "kind": units.infer_kind(name)}, res)
        created_groups = _create_named_groups(db, parsed)
        report = _apply(db, edition_id, parsed, res, progress, cancel)
        report["created_units"] = list(unknown)
        report["created_groups"] = created_groups
        report["edition_id"] = edition_id
        audit.log(db, "导入责任分解表", "editions", edition_id, None,
                  {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()}, str(path))
    return {**report, "warnings": parsed.warnings}


def _create_named_groups(db, parsed) -> list[str]:
    """The 专项推进组 the file names and the ledger has not: each becomes a group, in file order."""
    if "working_group" not in parsed.columns:
        return []
    known = set(group_names(db))
    new = [n for n in dict.fromkeys(item["working_group"] for item in parsed.rows) if n and n not in known]
    for name in new:
        add_group(db, {"name": name})
    return new


def _apply(db, edition_id: int, parsed, res, progress, cancel) -> dict:
    nodes = tree_rows(db, edition_id, include_retired=True)
    existing = {n["code"]: n for n in nodes if n["level"] == STANDARD}
    parents = {(n["parent_id"], n["title"]): n for n in nodes if n["level"] < STANDARD}
    report = {"added": [], "updated": [], "unchanged": 0, "retired": [], "restored": []}
    placed = _Parents(db, edition_id, parents)
    positions: dict[int, int] = {}
    fields = [k for k in OPTIONAL_FIELDS if k in parsed.columns]
    for i, item in enumerate(parsed.rows):
        if cancel and cancel():
            raise Cancelled()
        cat = placed.ensure(None, item["category"])
        ind = placed.ensure(cat, item["indicator"])
        positions[ind] = positions.get(ind, 0) + 1
        data = {"title": item["title"], **{k: item[k] for k in fields}}
        node = existing.get(item["code"])
        if node is None:
            node_id = add_node(db, edition_id, ind, {"code": item["code"], **data})
            place_node(db, node_id, ind, positions[ind])
            report["added"].append(item["code"])
            changed = True
        else:
            node_id = node["id"]
            changed = False
            if node["retired"]:
                retire_node(db, node_id, False)
                report["restored"].append(item["code"])
                changed = True
            if node["parent_id"] != ind or node["position"] != positions[ind]:
                place_node(db, node_id, ind, positions[ind])
                changed = changed or node["parent_id"] != ind
            if any(node.get(k) != v for k, v in data.items()):
                update_node(db, node_id, data)
                changed = True
        lead = [res.lookup(name) for name in item[LEAD]]
        if SUPPORT in parsed.columns:
            support = [res.lookup(name) for name in item[SUPPORT]]
        else:  # a file without the column leaves the supporting units as they are
            support = [r[:2] for r in assignment_refs(db, node_id)[SUPPORT]]
        if set_assignments(db, node_id, lead, support):
            changed = True
        if node is not None:
            if changed:
                report["updated"].append(item["code"])
            else:
                report["unchanged"] += 1
        if progress:
            progress(i + 1, len(parsed.rows), item["code"])
    in_file = {item["code"] for item in parsed.rows}
    for code, node in existing.items():
        if code not in in_file and not node["retired"]:
            retire_node(db, node["id"], True)
            report["retired"].append(code)
    return report


class _Parents:
    """The categories and indicators of the file, found by title under their parent or created;
    their positions follow the order in which the file first mentions them."""

    def __init__(self, db, edition_id: int, existing: dict):
        self.db, self.edition_id, self.existing = db, edition_id, existing
        self.seen: dict[tuple, int] = {}
        self.count: dict[int | None, int] = {}

    def ensure(self, parent_id: int | None, title: str) -> int:
        key = (parent_id, title)
        if key in self.seen:
            return self.seen[key]
        self.count[parent_id] = position = self.count.get(parent_id, 0) + 1
        node = self.existing.get(key)
        if node is None:
            node_id = add_node(self.db, self.edition_id, parent_id, {"title": title})
        else:
            node_id = node["id"]
            if node["retired"]:
                retire_node(self.db, node_id, False)
        if node is None or node["position"] != position:
            place_node(self.db, node_id, parent_id, position)
        self.seen[key] = node_id
        return node_id
