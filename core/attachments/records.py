"""The records' attachments: each record that uses a stored file gets a row in `attachments` with
the original name, size, type, caption and time. Removing a row never deletes the stored file
(core.attachments.files): a file is only removed by an explicit clean-up when no row refers to it.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path

from core import audit, clock, dates, settings
from core.errors import AppError
from core.file_access import long_path

IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".heic"}


def attachments_root(db) -> Path:
    """The data folder's attachments/ (a single-desk ledger; the shared ledger keeps files in the
    database)."""
    return db.files.root


def stored_path(db, sha256: str) -> Path:
    """Where a stored file can be read on this PC."""
    return db.files.path(sha256)


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
    sha, created = db.files.put(src, cancel)
    if created and not db.files.in_database:
        _note_new_file(sha)  # the database's own rollback takes back a file stored in it
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
        if outer is not None and db.in_transaction:
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
            if not db.value("SELECT count(*) FROM attachments WHERE sha256 = :sha", {"sha": sha}):
                db.files.discard(sha)
        except Exception:  # noqa: BLE001 - cannot tell: keep the files (数据体检 lists them as unreferenced)
            return


# The caption a photo in the archive carries (时间 is taken_at), in the order it is printed.
PHOTO_CAPTION = {"taken_at": "时间", "place": "地点", "people": "人物", "subject": "事由"}


def photo_caption(attachment: dict) -> str:
    """“时间：2026-03-15　地点：……　人物：……　事由：……” of the parts known, then the free 说明."""
    parts = [f"{label}：{attachment[key]}" for key, label in PHOTO_CAPTION.items() if attachment.get(key)]
    if attachment.get("caption"):
        parts.append(attachment["caption"])
    return "　".join(parts)


def add_attachment(db, owner_table: str, owner_id: int, src, *, role: str = "", caption: str = "",
                   taken_at: str = "", place: str = "", people: str = "", subject: str = "") -> int:
    """Store a file and link it to a record (one transaction for the row and its audit). A photo's
    时间 and 事由 not given come from its EXIF data when the camera or phone wrote them."""
    src = Path(long_path(src))
    with files_kept_only_on_success(db), db.write():  # a shared ledger's file goes in with its row
        sha, size = store_file(db, src)
        described = {"caption": caption, "taken_at": taken_at, "place": place, "people": people, "subject": subject}
        return _link(db, owner_table, owner_id, src, sha, size, role, described)


def _link(db, owner_table, owner_id, src: Path, sha: str, size: int, role, described: dict) -> int:
    mime = mimetypes.guess_type(src.name)[0] or ""
    if is_image_name(src.name) and not (described["taken_at"] and described["subject"]):
        from_exif = photo_details(src)
        described = {**described, **{k: v for k, v in from_exif.items() if not described[k]}}
    with db.write():
        position = (db.value("SELECT max(position) FROM attachments WHERE owner_table = :t AND owner_id = :o",
                             {"t": owner_table, "o": owner_id}) or 0) + 1
        data = {"sha256": sha, "owner_table": owner_table, "owner_id": owner_id, "role": role,
                "original_name": src.name, "size": size, "mime": mime, "added_at": clock.stamp(),
                "position": position, **{k: str(v or "").strip() for k, v in described.items()}}
        attachment_id = db.insert("attachments", data)
        audit.log(db, "添加附件", owner_table, owner_id, None, {"attachment": attachment_id, "name": src.name,
                                                             "sha256": sha}, src.name)
    return attachment_id


def list_attachments(db, owner_table: str, owner_id: int, role: str | None = None) -> list[dict]:
    sql = "SELECT * FROM attachments WHERE owner_table = :t AND owner_id = :o"
    params = {"t": owner_table, "o": owner_id}
    if role is not None:
        sql += " AND role = :role"
        params["role"] = role
    return db.rows(sql + " ORDER BY position, id", params)


def get_attachment(db, attachment_id: int) -> dict:
    found = db.one("SELECT * FROM attachments WHERE id = :id", {"id": attachment_id})
    if not found:
        raise AppError(f"找不到编号为 {attachment_id} 的附件。")
    return found


def update_caption(db, attachment_id: int, caption: str, taken_at: str | None = None, *,
                   place: str | None = None, people: str | None = None, subject: str | None = None) -> None:
    """Change a file's 说明 and, for a photo, its 时间、地点、人物、事由 (None keeps a part as it is)."""
    with db.write():
        before = get_attachment(db, attachment_id)
        after = {"caption": caption.strip()}
        for key, value in {"taken_at": taken_at, "place": place, "people": people, "subject": subject}.items():
            if value is not None:
                after[key] = value.strip()
        if after.get("taken_at"):
            after["taken_at"] = dates.iso(after["taken_at"], PHOTO_CAPTION["taken_at"])
        after = {k: v for k, v in after.items() if before[k] != v}
        if not after:
            return
        db.update("attachments", attachment_id, after)
        audit.log(db, "修改附件说明", before["owner_table"], before["owner_id"],
                  {k: before[k] for k in after}, after, before["original_name"])


def remove_attachment(db, attachment_id: int) -> None:
    """Unlink a file from its record. The stored file stays (other records or history may use it)."""
    with db.write():
        before = get_attachment(db, attachment_id)
        db.execute("DELETE FROM attachments WHERE id = :id", {"id": attachment_id})
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
    for r in db.rows("SELECT sha256, min(original_name) AS name, count(*) AS uses FROM attachments"
                     " GROUP BY sha256 ORDER BY sha256"):
        problem = db.files.problem(r["sha256"])
        if problem:
            problems.append({**r, "problem": problem})
    return problems


def unreferenced_files(db) -> list[Path]:
    """Stored files of the data folder no row refers to (left by removals or an interrupted add)."""
    used = set(db.column("SELECT DISTINCT sha256 FROM attachments"))
    return [path for sha, path in sorted(db.files.stored().items()) if sha not in used]


# EXIF tags a phone or camera (or Windows' 属性 → 详细信息) may hold a photo's 事由 in.
_EXIF_SUBJECT_TAGS = (0x010E, 0x9C9F, 0x9C9B)  # ImageDescription, XPSubject, XPTitle


def photo_details(path: Path) -> dict:
    """What a photo's EXIF data says of its 时间 (the day it was taken, YYYY-MM-DD) and 事由;
    '' for what it does not say."""
    try:
        from PIL import Image

        with Image.open(path) as img:
            exif = img.getexif()
            taken = exif.get_ifd(0x8769).get(36867) or exif.get(306)  # DateTimeOriginal, DateTime
            subjects = [exif.get(tag) for tag in _EXIF_SUBJECT_TAGS]
    except Exception:  # not an image Pillow can read: nothing known, the file is still kept
        return {"taken_at": "", "subject": ""}
    try:
        taken_at = datetime.strptime(str(taken)[:19], "%Y:%m:%d %H:%M:%S").date().isoformat() if taken else ""
    except ValueError:
        taken_at = ""
    return {"taken_at": taken_at, "subject": next(filter(None, map(_exif_text, subjects)), "")}


def _exif_text(value) -> str:
    """An EXIF text: ASCII/UTF-8 for ImageDescription, UTF-16 bytes for Windows' XP tags."""
    if isinstance(value, (bytes, tuple)):
        raw = bytes(value)
        text = raw.decode("utf-16-le", errors="ignore") if len(raw) % 2 == 0 else raw.decode("utf-8", "ignore")
    else:
        text = str(value or "")
    return text.replace("\x00", "").strip()


def photo_date(path: Path) -> str:
    """The date a photo was taken, from its EXIF data, as YYYY-MM-DD ('' when unknown)."""
    return photo_details(path)["taken_at"]


def check_image(path: str | os.PathLike) -> None:
    """AppError unless the file is an image Pillow can open (photos of problems must be images)."""
    try:
        from PIL import Image

        with Image.open(path) as img:
            img.verify()
    except Exception:
        raise AppError(f"“{Path(path).name}”不是可识别的图片文件。请选择 JPG 或 PNG 格式的照片。") from None
