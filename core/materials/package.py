"""迎检资料包: the archive as an inspector browses it offline, in a folder or a .zip.

    01 测评项目/标准编号 标准摘要/CL000123 材料类型-材料名称-01-原文件名.jpg
    目录.xlsx     every material (also those without files: the gaps show) with where its files are
    index.html    the same, browsable in any browser with no network and no program installed

The package appears under its name only when complete (written beside it and renamed), so a
cancel or a full disk leaves nothing half-made behind.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from core import attachments, framework
from core.errors import AppError, Cancelled, app_error_from_os
from core.file_access import long_path
from core.materials.checklist import checklist, files_of_edition, filter_choices
from core.xlsx import materials_io

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
# Already compressed: storing them is as small and much faster than deflating again.
_STORED_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".zip", ".rar", ".7z", ".pdf", ".mp4",
                    ".docx", ".xlsx", ".pptx"}


@dataclass
class PackageResult:
    path: Path
    materials: int
    files: int
    missing: int  # materials without any file


def safe_name(text: str, limit: int = 40) -> str:
    """A file or folder name Windows accepts, short enough for deep paths."""
    name = _FORBIDDEN.sub("_", " ".join(str(text).split())).strip(" .")
    if len(name) > limit:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: limit - len(suffix) - 2] + "…." + suffix) if dot and len(suffix) <= 8 else name[: limit - 1] + "…"
    return name or "_"


# --- what goes in: the ledger's part ------------------------------------------------------------------

def package_layout(db, edition_id: int) -> list[dict]:
    """Every material with its folder, and each of its files as (attachment with its stored path,
    name inside the package). A file missing from the data folder stops the package here."""
    data = checklist(db, edition_id)
    files_by_material = files_of_edition(db, edition_id)
    # Folders numbered in 测评体系 order so they sort as the system reads.
    cat_numbers = {c["id"]: i for i, c in enumerate(filter_choices(db, edition_id)["categories"], 1)}
    out = []
    for r in data:
        cat_no = cat_numbers.get(r["category_id"], 0)
        folder = f"{cat_no:02d} {safe_name(r['category'], 24)}/{safe_name(r['code'] + ' ' + r['standard_title'], 30)}"
        files = []
        for i, a in enumerate(files_by_material.get(r["id"], []), 1):
            stored = attachments.stored_path(db, a["sha256"])
            if not stored.exists():
                raise AppError(f"材料 {r['material_code']} 的附件“{a['original_name']}”在数据文件夹中缺失，"
                               "资料包未生成。请运行“材料体检”（materials-check）查看并补齐。")
            name = f"{folder}/{r['material_code']} {r['kind']}-{i:02d}-{safe_name(a['original_name'], 60)}"
            files.append(({**a, "stored": stored}, name))
        out.append({**r, "folder": folder, "files": files})
    return out


def build_package(db, out, edition_id: int | None = None, progress=None, cancel=None) -> PackageResult:
    """Write the 迎检资料包 of an edition (default: the current one) to OUT: a folder that does not
    exist yet or is empty, or a .zip."""
    edition = framework.get_edition(db, edition_id or framework.resolve_edition(db))
    out = Path(out)
    _check_target(out)
    layout = package_layout(db, edition["id"])
    if not layout:
        raise AppError(f"“{edition['name']}”的档案材料清单是空的。请先生成默认清单（materials-init）。")
    return _write_package(out, edition["name"], layout, progress, cancel)


# --- writing the files: no ledger from here on --------------------------------------------------------

def _check_target(out: Path) -> None:
    if out.suffix.lower() != ".zip" and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise AppError(f"“{out}”已存在且不是空文件夹。请指定一个新的文件夹名，或以 .zip 结尾保存为压缩包。")


def _write_package(out: Path, title: str, layout: list[dict], progress, cancel) -> PackageResult:
    as_zip = out.suffix.lower() == ".zip"
    total = sum(len(r["files"]) for r in layout)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with tempfile.TemporaryDirectory(prefix="package-") as scratch:
            catalogue = Path(scratch) / "目录.xlsx"
            materials_io.write_package_catalogue(catalogue, layout)
            index = _index_html(title, layout)
            if as_zip:
                with zipfile.ZipFile(long_path(temp), "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
                    z.write(catalogue, "目录.xlsx")
                    z.writestr("index.html", index)
                    _copy_files(layout, total, progress, cancel,
                                lambda src, rel: z.write(long_path(src), rel, _compression(rel)))
            else:
                temp.mkdir()
                shutil.copyfile(catalogue, temp / "目录.xlsx")
                (temp / "index.html").write_text(index, encoding="utf-8")

                def copy(src, rel):  # a deep OUT_DIR takes the files past 260 characters
                    target = long_path(temp / rel)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copyfile(long_path(src), target)

                _copy_files(layout, total, progress, cancel, copy)
        if out.is_dir():
            out.rmdir()  # the empty folder the user chose
        os.replace(long_path(temp), long_path(out))
    except OSError as exc:
        _remove(temp)
        raise app_error_from_os(exc, f"生成资料包“{out}”") from None
    except BaseException:
        _remove(temp)
        raise
    return PackageResult(out, len(layout), total, sum(1 for r in layout if not r["files"]))


def _compression(name: str) -> int:
    return zipfile.ZIP_STORED if Path(name).suffix.lower() in _STORED_SUFFIXES else zipfile.ZIP_DEFLATED


def _copy_files(layout, total, progress, cancel, put) -> None:
    done = 0
    for r in layout:
        for a, rel in r["files"]:
            if cancel and cancel():
                raise Cancelled()
            put(a["stored"], rel)
            done += 1
            if progress and (done % 50 == 0 or done == total):
                progress(done, total, r["code"])


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(long_path(path), ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _href(rel: str) -> str:
    return "/".join(quote(part) for part in rel.split("/"))


def _file_html(a: dict, rel: str) -> str:
    """A file's link; a photo shown with its 时间、地点、人物、事由 under it (as the archive wants it printed)."""
    e = html.escape
    if not attachments.is_image_name(a["original_name"]):
        return f"<a href='{_href(rel)}'>{e(a['original_name'])}</a>"
    caption = attachments.photo_caption(a) or a["original_name"]
    return (f"<figure><a href='{_href(rel)}'><img src='{_href(rel)}' alt='{e(a['original_name'])}'></a>"
            f"<figcaption>{e(caption)}</figcaption></figure>")


def _index_html(title: str, layout: list[dict]) -> str:
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>迎检资料包 {e(title)}</title>",
             "<style>body{font-family:'Microsoft YaHei','SimHei',sans-serif;margin:24px;}"
             "h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:2px solid #b22}"
             "table{border-collapse:collapse;width:100%;margin:6px 0 16px}"
             "td,th{border:1px solid #ccc;padding:4px 6px;font-size:14px;vertical-align:top}"
             "th{background:#f3f3f3}.gap{color:#b22}.std{font-weight:bold;background:#fafafa}"
             "figure{display:inline-block;margin:4px 8px 8px 0;max-width:260px}figure img{max-width:260px}"
             "figcaption{font-size:13px;color:#333}</style></head><body>",
             f"<h1>迎检资料包 · {e(title)}</h1>",
             f"<p>共 {len(layout)} 项材料，{sum(len(r['files']) for r in layout)} 个文件；"
             f"<span class='gap'>红色</span>为尚无文件的材料。另见 <a href='{_href('目录.xlsx')}'>目录.xlsx</a>。</p>"]
    current_cat = current_std = None
    for r in layout:
        if r["category"] != current_cat:
            if current_cat is not None:
                parts.append("</table>")
            current_cat = r["category"]
            current_std = None
            parts.append(f"<h2>{e(current_cat)}</h2><table><tr><th>标准编号</th><th>材料</th><th>责任单位</th>"
                         "<th>状态</th><th>文件</th></tr>")
        if r["node_id"] != current_std:
            current_std = r["node_id"]
            parts.append(f"<tr class='std'><td>{e(r['code'])}</td><td colspan='4'>{e(r['standard_title'])}</td></tr>")
        links = "<br>".join(_file_html(a, rel) for a, rel in r["files"])
        gap = "" if r["files"] else " class='gap'"
        parts.append(f"<tr{gap}><td>{e(r['material_code'])}</td><td>{e(r['kind'])}：{e(r['title'])}</td>"
                     f"<td>{e(r['unit_name'])}</td><td>{e(r['status'])}</td><td>{links or '（无文件）'}</td></tr>")
    parts.append("</table></body></html>")
    return "\n".join(parts)
