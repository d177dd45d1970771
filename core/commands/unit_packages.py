"""Commands of 工作包: a package per unit out, its return (回执) back in."""

from __future__ import annotations


from core import unit_packages, units
from core.commands import EXIT_OK, add_command, save_problem_report
from core.commands.progress import Progress
from core.errors import AppError


def register(sub):
    p = add_command(sub, "unit-package", "为单位生成工作包：回执工作簿（督查问题、档案材料、责任书、任务清单）、"
                                         "未办结的督办通知单和任务清单 PDF", cmd_unit_package)
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--unit", metavar="NAME", help="单位（全称、简称或曾用名）")
    target.add_argument("--all", action="store_true", help="全部有任务的在用单位，每个单位一个文件夹")
    p.add_argument("--out", required=True, metavar="DIR|OUT.zip",
                   help="保存位置：新的或空的文件夹；单个单位也可以是 .zip")

    p = add_command(sub, "unit-package-import", "导入单位报回的工作包回执：整改反馈、报送材料和责任书签订一次登记"
                                                "（先检查全部内容，有问题时不导入）", cmd_unit_package_import)
    p.add_argument("file", metavar="FILE.xlsx", help="单位填好的工作包回执")
    p.add_argument("--files", metavar="DIR|ZIP", help="回执中提到的照片、文件和扫描件所在的文件夹或 .zip 压缩包")
    p.add_argument("--report", metavar="PROBLEMS.xlsx", help="有问题时把问题清单另存为 Excel")


def cmd_unit_package(args, ctx) -> int:
    progress = Progress()
    if args.all:
        result = unit_packages.export_all(ctx.db, args.out, progress=progress)
        progress.finish()
        print(f"已为 {len(result.packages)} 个单位生成工作包（PDF 共 {result.pages} 页），保存在：{args.out}")
        if result.skipped:
            print(f"以下 {len(result.skipped)} 个单位没有待办事项，未生成工作包：" + "、".join(result.skipped))
        return EXIT_OK
    done = unit_packages.export_package(ctx.db, units.resolve_one(ctx.db, args.unit), args.out, progress=progress)
    progress.finish()
    print(f"已生成“{done.unit}”的工作包 {done.code}：督查问题 {done.findings} 个，档案材料 {done.materials} 项，"
          f"督办通知单 {done.notices} 份，测评任务 {done.tasks} 项{'' if done.letter else '（无责任书）'}。保存在：{done.path}")
    return EXIT_OK


def cmd_unit_package_import(args, ctx) -> int:
    try:
        result = unit_packages.import_return(ctx.db, args.file, args.files)
    except AppError as exc:
        save_problem_report(exc.problems, args.report)
        raise
    for line in result.summary():
        print(line)
    return EXIT_OK
