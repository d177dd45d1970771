"""Commands of 档案材料: the checklist, its exchange with units, the health check and the archive outputs."""

from __future__ import annotations

import sys

from core import framework, materials, units
from core.commands import EXIT_OK, EXIT_PROBLEMS, add_command, save_problem_report
from core.commands.progress import Progress
from core.errors import AppError


def register(sub):
    p = add_command(sub, "materials-init", "生成某版本的默认档案材料清单（再次运行只补充缺少的，不改动已编辑或已审核的材料）",
                    cmd_materials_init)
    p.add_argument("--edition", metavar="NAME", help="版本（默认：当前版本）")

    p = add_command(sub, "materials-export", "导出档案材料清单（.xlsx，含材料编号，可改后再导入）；"
                                             "加 --unit 导出该单位的报送模板", cmd_materials_export)
    p.add_argument("out", metavar="OUT.xlsx")
    p.add_argument("--unit", metavar="NAME", help="只导出此单位的报送模板（全称或简称）")
    p.add_argument("--edition", metavar="NAME", help="版本（默认：当前版本）")

    p = add_command(sub, "materials-import", "导入档案材料清单，或单位填好的报送表及其文件（文件夹或 .zip）",
                    cmd_materials_import)
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument("--files", metavar="DIR_OR_ZIP", help="报送表中“文件名”所指文件所在的文件夹或 .zip 压缩包")
    p.add_argument("--unit", metavar="NAME", help="报送单位：表中材料须全部属于此单位")
    p.add_argument("--edition", metavar="NAME", help="版本（默认：当前版本）")
    p.add_argument("--report", metavar="PROBLEMS.xlsx", help="有问题时把问题清单另存为 Excel")

    p = add_command(sub, "catalogue", "输出归档文件目录（.xlsx 或 .pdf，按盒）；加 --labels 输出档案盒盒脊和封面标签 PDF",
                    cmd_catalogue)
    p.add_argument("out", metavar="OUT.xlsx|OUT.pdf")
    p.add_argument("--box", type=int, metavar="N", help="只输出第 N 盒（默认：全部盒）")
    p.add_argument("--labels", action="store_true", help="输出盒脊和封面标签 PDF，而不是目录")
    p.add_argument("--edition", metavar="NAME", help="版本（默认：当前版本）")

    p = add_command(sub, "package", "生成迎检资料包：按测评项目/标准编号排列的文件、目录.xlsx 和可离线浏览的 index.html",
                    cmd_package)
    p.add_argument("out", metavar="OUT_DIR_OR_ZIP")
    p.add_argument("--edition", metavar="NAME", help="版本（默认：当前版本）")

    p = add_command(sub, "materials-check", "材料体检：无材料的标准、无附件的材料、哈希不符的文件、逾期、需补充未重新提交"
                                            "（发现问题时退出码 3）", cmd_materials_check)
    p.add_argument("--out", metavar="OUT.xlsx", help="另存为 Excel")
    p.add_argument("--edition", metavar="NAME", help="版本（默认：当前版本）")


def cmd_materials_init(args, ctx) -> int:
    edition_id = framework.resolve_edition(ctx.db, args.edition)
    added = materials.init_checklist(ctx.db, edition_id)
    total = len(materials.checklist(ctx.db, edition_id))
    print(f"已新增 {added} 项档案材料，清单现有 {total} 项。")
    return EXIT_OK


def cmd_materials_export(args, ctx) -> int:
    if not args.out.lower().endswith(".xlsx"):
        raise AppError(f"输出文件应为 .xlsx：{args.out}。")
    edition_id = framework.resolve_edition(ctx.db, args.edition)
    if args.unit:
        unit_id = units.resolve_one(ctx.db, args.unit)
        n = materials.export_unit_template(ctx.db, args.out, edition_id, unit_id)
        print(f"已导出“{units.get_unit(ctx.db, unit_id)['name']}”的报送模板（{n} 项材料）到：{args.out}")
    else:
        n = materials.export_checklist(ctx.db, args.out, edition_id)
        print(f"已导出 {n} 项档案材料到：{args.out}")
    return EXIT_OK


def cmd_materials_import(args, ctx) -> int:
    edition_id = framework.resolve_edition(ctx.db, args.edition)
    unit_id = units.resolve_one(ctx.db, args.unit) if args.unit else None
    try:
        result = materials.import_file(ctx.db, args.file, edition_id, args.files, unit_id)
    except AppError as exc:
        save_problem_report(exc.problems, args.report)
        raise
    if result.kind == "checklist":
        print(f"清单导入完成：新增 {result.added} 项，修改 {result.updated} 项，删除 {result.removed} 项，"
              f"未变 {result.unchanged} 项。")
        return EXIT_OK
    print(f"报送表导入完成：添加文件 {result.attached} 个，{result.submitted} 项材料变为“已提交”，"
          f"未变 {result.unchanged} 项。")
    if result.rows_without_files:
        print(f"未填写文件名的材料（{len(result.rows_without_files)} 项）：" + "、".join(result.rows_without_files))
    if result.unmatched_files:
        print(f"文件夹中未被报送表引用的文件（{len(result.unmatched_files)} 个，未导入）：")
        for name in result.unmatched_files:
            print(name)
    return EXIT_OK


def cmd_catalogue(args, ctx) -> int:
    edition_id = framework.resolve_edition(ctx.db, args.edition)
    out = args.out.lower()
    if args.labels:
        if not out.endswith(".pdf"):
            raise AppError(f"标签应输出为 .pdf：{args.out}。")
        n = materials.write_box_labels(ctx.db, args.out, edition_id, args.box)
        print(f"已输出 {n} 个档案盒的盒脊和封面标签到：{args.out}")
    elif out.endswith(".pdf"):
        pages = materials.write_catalogue_pdf(ctx.db, args.out, edition_id, args.box)
        print(f"已输出归档文件目录（{pages} 页）到：{args.out}")
    elif out.endswith(".xlsx"):
        n = materials.write_catalogue_xlsx(ctx.db, args.out, edition_id, args.box)
        print(f"已输出归档文件目录（{n} 件）到：{args.out}")
    else:
        raise AppError(f"不支持的输出格式：{args.out}。请使用 .xlsx 或 .pdf 文件名。")
    return EXIT_OK


def cmd_package(args, ctx) -> int:
    edition_id = framework.resolve_edition(ctx.db, args.edition)
    progress = Progress()
    result = materials.build_package(ctx.db, args.out, edition_id, progress=progress)
    progress.finish()
    print(f"迎检资料包已生成：{result.path}（{result.materials} 项材料，{result.files} 个文件，"
          f"{result.missing} 项材料尚无文件）")
    return EXIT_OK


def cmd_materials_check(args, ctx) -> int:
    edition_id = framework.resolve_edition(ctx.db, args.edition)
    found = materials.health_check(ctx.db, edition_id)
    if args.out:
        materials.export_health(args.out, found)
        print(f"体检结果已保存到：{args.out}", file=sys.stderr)
    if not found:
        print("材料体检未发现问题。")
        return EXIT_OK
    columns = materials.HEALTH_COLUMNS
    print("\t".join(label for _, label in columns))
    for f in found:
        print("\t".join(f[key] for key, _ in columns))
    counts = {}
    for f in found:
        counts[f["check"]] = counts.get(f["check"], 0) + 1
    print("材料体检发现 " + "，".join(f"{k} {v} 项" for k, v in counts.items()) + "。")
    return EXIT_PROBLEMS
