"""Commands of the 专项推进组 area."""

from __future__ import annotations

from core import framework, groups, units
from core.commands import EXIT_OK, add_command
from core.errors import AppError


def register(sub):
    p = add_command(sub, "groups", "列出专项推进组：组长、成员单位，所负责标准的材料完成率、未销号问题和最近一轮失分",
                    cmd_groups)
    p.add_argument("--edition", metavar="NAME", help="测评体系版本（默认：当前版本）")

    p = add_command(sub, "group-edit", "新建或修改专项推进组（名称、组长、组长单位、成员单位）", cmd_group_edit)
    p.add_argument("name", metavar="NAME", help="推进组名称（没有这个推进组时新建）")
    p.add_argument("--rename", metavar="NEW", help="改名为")
    p.add_argument("--leader", metavar="NAME", help="组长（姓名）")
    p.add_argument("--lead-unit", metavar="UNIT", help="组长单位（单位全称或简称；空字符串表示不指定）")
    p.add_argument("--members", metavar="UNIT、UNIT", help="成员单位，用顿号或逗号分隔（替换原有成员）")


def _edition(db, name: str | None) -> int:
    if name:
        return framework.resolve_edition(db, name)
    found = framework.current_edition_id(db)
    if found is None:
        raise AppError("还没有测评体系版本。请先导入责任分解表，或用 --edition 指定版本。")
    return found


def _share(value) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _done(g: dict) -> str:
    return f"{g['approved']}/{g['materials']}（{_share(g['approved_share'])}）" if g["materials"] else "无材料"


def cmd_groups(args, ctx) -> int:
    found = groups.overview(ctx.db, _edition(ctx.db, args.edition))
    if not found["groups"]:
        print("还没有专项推进组。")
        return EXIT_OK
    loss_of = f"{found['round']}失分" if found["round"] else "最近一轮失分"
    for g in found["groups"]:
        leader = "、".join(x for x in (g["leader"], g["lead_unit_name"]) if x) or "未指定"
        members = "、".join(g["member_names"]) or "无"
        print(f"{g['name']}\t组长：{leader}\t成员单位：{members}\t标准 {g['standards']} 条\t"
              f"材料完成 {_done(g)}\t"
              f"未销号问题 {g['open']} 个（逾期 {g['overdue']}）\t{loss_of} {g['loss']:g}")
    return EXIT_OK


def _unit_names(text: str) -> list[str]:
    return [n for n in (part.strip() for part in text.replace("，", "、").replace(",", "、").split("、")) if n]


def cmd_group_edit(args, ctx) -> int:
    db = ctx.db
    data = {}
    if args.rename is not None:
        data["name"] = args.rename
    if args.leader is not None:
        data["leader"] = args.leader
    if args.lead_unit is not None:
        data["lead_unit_id"] = units.resolve_one(db, args.lead_unit) if args.lead_unit.strip() else None
    member_ids = None if args.members is None else [units.resolve_one(db, n) for n in _unit_names(args.members)]
    group_id = framework.group_id_by_name(db, args.name)
    created = group_id is None
    group_id = groups.save_group(db, group_id, {"name": args.name, **data} if created else data, member_ids)
    g = groups.get_group(db, group_id)
    leader = "、".join(x for x in (g["leader"], g["lead_unit_name"]) if x) or "未指定"
    print(f"{'已新建' if created else '已保存'}专项推进组“{g['name']}”：组长 {leader}，"
          f"成员单位 {len(g['member_ids'])} 个。")
    return EXIT_OK
