"""工作包 from the units page: 导出工作包… for the selected units (or every unit with something to
do) and 导入工作包回执… for the return a unit sent back; both run as background jobs with progress."""

from __future__ import annotations

from pathlib import Path

from core import clock, unit_packages
from gui import dialogs
from gui.jobs import run_job
from gui.widgets.tables import selected_rows

EXPORT_TITLE, IMPORT_TITLE = "导出工作包", "导入工作包回执"


def _new_folder(parent: str, stem: str) -> Path:
    """A folder not yet there inside the chosen one (a package goes into a folder of its own)."""
    base = Path(parent) / stem
    candidate, number = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{stem}（{number}）")
        number += 1
    return candidate


def export_packages(page) -> None:
    chosen = [u for u in selected_rows(page.table) if not u["retired"]]
    if len(chosen) == 1:
        unit = chosen[0]
        path = dialogs.save_file(page, EXPORT_TITLE, f"{unit['name']}工作包.zip", "压缩包 (*.zip)")
        if not path:
            return
        run_job(page, EXPORT_TITLE, lambda db, progress, cancel: unit_packages.export_package(
            db, unit["id"], path, progress, cancel), page.ctx.open_worker_db,
            lambda done: dialogs.show_info(page, EXPORT_TITLE, _exported_one(done)))
        return
    if not chosen and not dialogs.confirm(
            page, EXPORT_TITLE, "没有选中单位。要为全部有待办事项（督查问题、档案材料或测评任务）的在用单位各生成一个工作包吗？",
            "全部单位"):
        return
    folder = dialogs.choose_folder(page, f"{EXPORT_TITLE}：选择保存位置（将新建一个文件夹，每个单位一个子文件夹）")
    if not folder:
        return
    out = _new_folder(folder, f"工作包{clock.today():%Y%m%d}")
    unit_ids = [u["id"] for u in chosen] or None
    run_job(page, EXPORT_TITLE, lambda db, progress, cancel: unit_packages.export_all(
        db, out, unit_ids, progress, cancel), page.ctx.open_worker_db,
        lambda result: dialogs.show_info(page, EXPORT_TITLE, _exported_all(result, out)))


def _exported_one(done) -> str:
    return (f"已生成“{done.unit}”的工作包 {done.code}：\n督查问题 {done.findings} 个，档案材料 {done.materials} 项，"
            f"督办通知单 {done.notices} 份，测评任务 {done.tasks} 项。\n\n保存在：{done.path}\n\n"
            "请把压缩包发给单位；单位填好回执后连同照片、文件一起压缩报回，再点“导入工作包回执…”。")


def _exported_all(result, out: Path) -> str:
    text = f"已为 {len(result.packages)} 个单位生成工作包，保存在：\n{out}"
    if result.skipped:
        text += f"\n\n以下 {len(result.skipped)} 个单位没有待办事项，未生成：" + "、".join(result.skipped)
    return text


def import_return(page) -> None:
    path = dialogs.open_file(page, IMPORT_TITLE, "单位报回的工作包 (*.zip *.xlsx)")
    if not path:
        return
    # A 回执 sent as a workbook has its photos and files in the folder beside it.
    files = None if path.lower().endswith(".zip") else str(Path(path).parent)
    run_job(page, IMPORT_TITLE, lambda db, progress, cancel: unit_packages.import_return(
        db, path, files, progress, cancel), page.ctx.open_worker_db,
        lambda result: dialogs.show_info(page, IMPORT_TITLE, "\n".join(result.summary())))
