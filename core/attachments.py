"""附件: files kept inside the data folder, content-addressed by SHA-256.

A file is copied once to attachments/ab/<sha256> (written to a temporary name, hashed while it is
copied, renamed when complete); each record that uses it gets a row in `attachments` with the
original name, size, type and time. Removing a row never deletes the stored file: a file is only
removed by an explicit clean-up when no row refers to it any more.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path

from core import audit, settings
from core.db import rows, scalar, write
from core.errors import AppError, app_error_from_os
from core.file_access import long_path

CHUNK = 1024 * 1024
IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".heic"}


def attachments_root(db) -> Path:
    """attachments/ beside the database file."""
    db_file = db.execute("PRAGMA database_list").fetchone()[2]
    return Path(db_file).parent / "attachments"


def stored_path(db, sha256: str) -> Path:
    return attachments_root(db) / sha256[:2] / sha256


def is_image_name(name: str) -> bool:
    return Path(name).suffix.lower() in IMAGE_TYPES


def check_size(db, path: Path) -> int:
    """The file's size, or AppError before anything is copied when it is over the limit."""
    try:
        size = os.stat(long_path(path)).st_size
    except OSError as exc:
        raise AppError(f"无法读取文件“{path}”：{exc.strerror}。请确认文件存在且未被其他程序占用。") from None
    if not os.path.isfile(long_path(path)):
        raise AppError(f"“{path}”不是文件，请选择要添加的文件。")
    limit_mb = settings.get(db, "attachment_max_mb")
    if size > limit_mb * 1024 * 1024:
        raise AppError(f"文件“{path.name}”大小为 {size / 1024 / 1024:.0f} MB，超过附件上限 {limit_mb} MB，未添加。"
                       "请压缩后再添加，或在“设置”中调高附件大小上限。")
    return size


def store_file(db, src: str | os.PathLike, cancel=None) -> tuple[str, int]:
    """Copy a file into the store (once per content) and return (sha256, size)."""
    src = Path(long_path(src))
    size = check_size(db, src)
    root = attachments_root(db)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(long_path(root / f".incoming-{os.getpid()}-{datetime.now().strftime('%H%M%S%f')}"))
    digest = hashlib.sha256()
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            while chunk := fin.read(CHUNK):
                if cancel and cancel():
                    from core.errors import Cancelled
                    raise Cancelled()
                digest.update(chunk)
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
        sha = digest.hexdigest()
        target = Path(long_path(root / sha[:2] / sha))
        created = not target.exists()
        if created:
            target.parent.mkdir(exist_ok=True)
            os.replace(tmp, target)
        else:
            tmp.unlink()
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise app_error_from_os(exc, f"保存文件“{src.name}”") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    else:
        if created:
            _note_new_file(sha)
    return sha, size


_new_files: ContextVar[list[str] | None] = ContextVar("new_attachment_files", default=None)


def _note_new_file(sha: str) -> None:
    pending = _new_files.get()
    if pending is not None:
        pending.append(sha)


@contextmanager
def files_kept_only_on_success(db):
    """Files stored inside the block for the first time are removed again when the block fails
    (a refused import, a full disk at COMMIT), unless a committed row refers to them. Put it
    outside the write transaction, so the rollback has happened when the files are looked at.
    Files stored before, or by another record, are never touched."""
    outer = _new_files.get()
    stored: list[str] = []
    token = _new_files.set(stored)
    try:
        yield
    except BaseException:
        _new_files.reset(token)
        if outer is not None and db.conn.in_transaction:
            outer.extend(stored)  # the enclosing block decides once its transaction has ended
        else:
            _remove_unreferenced(db, stored)
        raise
    else:
        _new_files.reset(token)
        if outer is not None:
            outer.extend(stored)


def _remove_unreferenced(db, shas: list[str]) -> None:
    for sha in shas:
        try:
            referenced = rows(db, "SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1", (sha,))
            if not referenced:
                stored_path(db, sha).unlink(missing_ok=True)
        except (OSError, sqlite3.Error):
            return  # cannot tell: keep the files (数据体检 lists them as unreferenced)


def add_attachment(db, owner_table: str, owner_id: int, src, *, role: str = "", caption: str = "",
                   taken_at: str = "") -> int:
    """Store a file and link it to a record (one transaction for the row and its audit)."""
    src = Path(long_path(src))
    with files_kept_only_on_success(db):
        sha, size = store_file(db, src)
        return _link(db, owner_table, owner_id, src, sha, size, role, caption, taken_at)


def _link(db, owner_table, owner_id, src: Path, sha: str, size: int, role, caption, taken_at) -> int:
    mime = mimetypes.guess_type(src.name)[0] or ""
    if not taken_at and is_image_name(src.name):
        taken_at = photo_date(src)
    with write(db):
        position = (scalar(db, "SELECT max(position) FROM attachments WHERE owner_table = ? AND owner_id = ?",
                           (owner_table, owner_id)) or 0) + 1
        data = {"sha256": sha, "owner_table": owner_table, "owner_id": owner_id, "role": role,
                "original_name": src.name, "size": size, "mime": mime,
                "added_at": datetime.now().isoformat(timespec="seconds"), "caption": caption,
                "taken_at": taken_at, "position": position}
        attachment_id = db["attachments"].insert(data).last_pk
        audit.log(db, "添加附件", owner_table, owner_id, None, {"attachment": attachment_id, "name": src.name,
                                                             "sha256": sha}, src.name)
    return attachment_id


def list_attachments(db, owner_table: str, owner_id: int, role: str | None = None) -> list[dict]:
    sql = "SELECT * FROM attachments WHERE owner_table = ? AND owner_id = ?"
    params: list = [owner_table, owner_id]
    if role is not None:
        sql += " AND role = ?"
        params.append(role)
    return rows(db, sql + " ORDER BY position, id", params)


def get_attachment(db, attachment_id: int) -> dict:
    found = rows(db, "SELECT * FROM attachments WHERE id = ?", (attachment_id,))
    if not found:
        raise AppError(f"找不到编号为 {attachment_id} 的附件。")
    return found[0]


def update_caption(db, attachment_id: int, caption: str, taken_at: str | None = None) -> None:
    with write(db):
        before = get_attachment(db, attachment_id)
        after = {"caption": caption.strip()}
        if taken_at is not None:
            after["taken_at"] = taken_at.strip()
        db["attachments"].update(attachment_id, after)
        audit.log(db, "修改附件说明", before["owner_table"], before["owner_id"],
                  {k: before[k] for k in after}, after, before["original_name"])


def remove_attachment(db, attachment_id: int) -> None:
    """Unlink a file from its record. The stored file stays (other records or history may use it)."""
    with write(db):
        before = get_attachment(db, attachment_id)
        db.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))
        audit.log(db, "移除附件", before["owner_table"], before["owner_id"], before, None, before["original_name"])


def export_copy(db, attachment_id: int, target: str | os.PathLike) -> Path:
    """Copy a stored file out under a readable name (packages, opening with the system program)."""
    a = get_attachment(db, attachment_id)
    target = Path(target)
    os.makedirs(long_path(target.parent), exist_ok=True)
    shutil.copyfile(long_path(stored_path(db, a["sha256"])), long_path(target))
    return target


def verify(db) -> list[dict]:
    """Every linked file that is missing or whose content no longer matches its hash."""
    problems = []
    for r in rows(db, "SELECT sha256, min(original_name) AS name, count(*) AS uses FROM attachments GROUP BY sha256"):
        path = stored_path(db, r["sha256"])
        if not path.exists():
            problems.append({**r, "problem": "文件缺失"})
        elif file_sha256(path) != r["sha256"]:
            problems.append({**r, "problem": "内容已被改动（哈希不符）"})
    return problems


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def unreferenced_files(db) -> list[Path]:
    """Stored files no row refers to (left by removals or an interrupted add)."""
    used = {r["sha256"] for r in rows(db, "SELECT DISTINCT sha256 FROM attachments")}
    root = attachments_root(db)
    if not root.exists():
        return []
    return [p for p in root.glob("*/*") if p.is_file() and p.name not in used]


def photo_date(path: Path) -> str:
    """The date a photo was taken, from its EXIF data, as YYYY-MM-DD ('' when unknown)."""
    try:
        from PIL import Image

        with Image.open(path) as img:
            exif = img.getexif()
            value = exif.get_ifd(0x8769).get(36867) or exif.get(306)  # DateTimeOriginal, DateTime
    except Exception:  # not an image Pillow can read: no date, the file is still kept
        return ""
    if not value:
        return ""
    try:
        return datetime.strptime(str(value)[:19], "%Y:%m:%d %H:%M:%S").date().isoformat()
    except ValueError:
        return ""


def check_image(path: str | os.PathLike) -> None:
    """AppError unless the file is an image Pillow can open (photos of problems must be images)."""
    try:
        from PIL import Image

        with Image.open(path) as img:
            img.verify()
    except Exception:
        raise AppError(f"“{Path(path).name}”不是可识别的图片文件。请选择 JPG 或 PNG 格式的照片。") from None
