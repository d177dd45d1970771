"""Checking a backup: the one validation that verify and restore both run.

A backup is untrusted input. Its structure and manifest are checked before any of it becomes a
path or a file (inspect), then every member is read, never past its declared size, and hashed
(check_contents, which restore runs while it extracts into a staging folder). Whatever a damaged
or crafted archive raises becomes a Chinese refusal; the technical detail goes to the log.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from core.errors import AppError, Cancelled, os_problem
from core.migrations import schema_version
from core.paths import DB_NAME
from core.safety.archive import DB_MEMBER, MANIFEST, MEMBER_NAME, copy_hashing, inside, is_hash_name, tick

log = logging.getLogger(__name__)

MANIFEST_LIMIT = 64 * 1024 * 1024
# Reading a zip that is damaged or crafted raises any of these; none of them may reach the user.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError,
              RuntimeError, ValueError, KeyError, OverflowError)
REQUIRED_KEYS = {"schema_version": "数据版本", "created_at": "制作时间", "version": "程序版本",
                 "counts": "记录数", "attachment_files": "附件数", "members": "文件清单"}


def _refused(path: Path, what: str) -> AppError:
    return AppError(f"备份“{path.name}”{what}，已拒绝。该文件可能已损坏或被改动，请使用其他备份。")


def _damaged(path: Path) -> AppError:
    return AppError(f"备份文件“{path.name}”已损坏或不完整，无法使用。请使用其他备份。")


@contextmanager
def reading(path: Path):
    """Open a backup; whatever a damaged or crafted archive raises becomes a Chinese refusal."""
    if not path.is_file():
        raise AppError(f"找不到备份文件 {path}。")
    try:
        with zipfile.ZipFile(path) as zf:
            yield zf
    except (AppError, Cancelled):
        raise
    except ZIP_ERRORS as exc:
        log.warning("备份 %s 被拒绝：%r", path, exc)
        raise _damaged(path) from None
    except OSError as exc:
        log.warning("读取备份 %s 失败：%r", path, exc)
        raise AppError(f"无法读取备份文件“{path.name}”：{os_problem(exc)}。") from None


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_manifest_shape(path: Path, manifest) -> None:
    if not isinstance(manifest, dict):
        raise _refused(path, "的清单格式不对")
    for key, label in REQUIRED_KEYS.items():
        if key not in manifest:
            raise _refused(path, f"的清单缺少“{label}”")
    if not _is_count(manifest["schema_version"]) or not _is_count(manifest["attachment_files"]) \
            or not isinstance(manifest["created_at"], str) or not isinstance(manifest["version"], str):
        raise _refused(path, "的清单内容类型不对")
    counts = manifest["counts"]
    if not isinstance(counts, dict) or not all(isinstance(k, str) and _is_count(v) for k, v in counts.items()):
        raise _refused(path, "的清单中记录数不对")
    members = manifest["members"]
    if not isinstance(members, dict) or not all(
            isinstance(meta, dict) and is_hash_name(meta.get("sha256")) and _is_count(meta.get("size"))
            for meta in members.values()):
        raise _refused(path, "的清单中文件列表不对")
    if "hmac" in manifest and not is_hash_name(manifest["hmac"]):
        raise _refused(path, "的签名格式不对")
    missing = manifest.get("missing_attachments", [])
    if not isinstance(missing, list) or not all(
            isinstance(m, dict) and is_hash_name(m.get("sha256")) and isinstance(m.get("name"), str) for m in missing):
        raise _refused(path, "的清单中缺失附件列表不对")


def inspect(zf: zipfile.ZipFile, path: Path) -> dict:
    """The structure of an archive, before anything in it is trusted: members named as a backup
    names them (no other path can come out of it), each listed once with its declared size, a
    well-formed manifest of a schema this program knows. Returns the manifest."""
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _refused(path, "中有重名的文件")
    for name in names:
        pure = PurePosixPath(name.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or ":" in name:
            raise AppError(f"备份文件“{path.name}”包含不安全的路径，已拒绝。该文件可能被篡改。")
    if MANIFEST not in names:
        raise AppError(f"“{path.name}”缺少清单，不是完整的创城工作台备份。")
    by_name = {i.filename: i for i in infos}
    if by_name[MANIFEST].file_size > MANIFEST_LIMIT:
        raise _refused(path, "的清单大得不合常理")
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except ValueError:
        raise _refused(path, "的清单无法读取") from None
    _check_manifest_shape(path, manifest)
    if manifest["schema_version"] > schema_version():
        raise AppError(f"备份“{path.name}”由更新版本的创城工作台（{manifest['version']}）制作，"
                       "本程序无法恢复它。请先安装最新版本。")
    members = manifest["members"]
    if DB_MEMBER not in members:
        raise AppError(f"备份“{path.name}”中没有数据库，无法恢复。")
    for name, meta in members.items():
        if name == DB_MEMBER:
            continue
        match = MEMBER_NAME.fullmatch(name)
        if not match or match.group(1) != match.group(2)[:2] or meta["sha256"] != match.group(2):
            raise _refused(path, "的清单中有不合规的文件名")
    present = set(names) - {MANIFEST}
    missing, extra = set(members) - present, present - set(members)
    if missing or extra:
        raise AppError(f"备份“{path.name}”的内容与清单不符（缺少 {len(missing)} 个、多出 {len(extra)} 个文件），已拒绝。")
    if any(by_name[name].file_size != meta["size"] for name, meta in members.items()):
        raise _refused(path, "中文件的大小与清单不符")
    return manifest


def check_contents(zf: zipfile.ZipFile, path: Path, manifest: dict, progress, cancel,
                   staging: Path | None = None) -> None:
    """Read every member, never past its declared size, and check its SHA-256 (an attachment's is
    also its name); with staging, write each into it as it is read."""
    members = manifest["members"]
    with ThreadPoolExecutor(1) as hasher:
        for i, (name, meta) in enumerate(members.items()):
            tick(progress, i, len(members), "校验备份" if staging is None else "校验并解压备份")
            target = None
            if staging is not None:
                parts = (DB_NAME,) if name == DB_MEMBER else ("attachments", *PurePosixPath(name).parts[1:])
                target = inside(staging, *parts)
                target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(name) as src, (_Target(target) if target else _no_file()) as dst:
                sha256 = copy_hashing(src, dst, hasher, cancel, limit=meta["size"])
            if sha256 != meta["sha256"]:
                log.warning("备份 %s 的成员 %s：校验值 %s，清单为 %s", path, name, sha256, meta["sha256"])
                raise AppError(f"备份“{path.name}”已损坏：其中的{'数据库' if name == DB_MEMBER else '一个附件'}"
                               "与清单记录的校验值不符。请使用其他备份。")
    tick(progress, len(members), len(members), "校验备份")


@contextmanager
def _no_file():
    yield None


class WriteFailed(Exception):
    """Writing into the data folder failed (not reading the backup): carries the OSError."""

    def __init__(self, error: OSError):
        super().__init__(error)
        self.error = error


class _Target:
    """A file being restored, whose errors are told apart from those of the backup being read."""

    def __init__(self, path: Path):
        try:
            self.file = open(path, "wb")
        except OSError as exc:
            raise WriteFailed(exc) from exc

    def write(self, chunk: bytes) -> None:
        try:
            self.file.write(chunk)
        except OSError as exc:
            raise WriteFailed(exc) from exc

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        try:
            self.file.close()
        except OSError as exc:
            if exc_info[0] is None:
                raise WriteFailed(exc) from exc


def verify_backup(path: str | os.PathLike, progress=None, cancel=None, *, hashes: bool = True) -> dict:
    """Check a .ccbak the way restore does before it writes anything: its structure and manifest
    and (hashes=True) every member's content. Returns its manifest."""
    path = Path(path)
    with reading(path) as zf:
        manifest = inspect(zf, path)
        if hashes:
            check_contents(zf, path, manifest, progress, cancel)
    return manifest
