"""What a .ccbak holds, and the two rules every file that goes in or comes out follows.

A .ccbak is a zip archive: the database as a consistent snapshot, every stored attachment under
attachments/<first two hex digits>/<sha256>, uncompressed, and manifest.json (program and schema
version, counts per table, SHA-256 and size of every member, the attachments that were missing,
and a keyed hash of the rest; see core.safety.backup). Files are copied in chunks while they are
hashed; a path built from a backup's content never leaves the folder it is meant for.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from core.errors import AppError, Cancelled
from core.paths import DB_NAME, DataDir

MANIFEST = "manifest.json"
DB_MEMBER = "database/" + DB_NAME
ATTACHMENT_PREFIX = "attachments/"
SUFFIX = ".ccbak"
CHUNK = 1024 * 1024
HASH_NAME = re.compile(r"[0-9a-f]{64}")
MEMBER_NAME = re.compile(r"attachments/([0-9a-f]{2})/([0-9a-f]{64})")


def is_hash_name(value) -> bool:
    """A stored file's name: exactly 64 lowercase hexadecimal characters."""
    return isinstance(value, str) and HASH_NAME.fullmatch(value) is not None


def inside(folder: Path, *parts: str) -> Path:
    """folder/parts, refused unless it stays inside folder once resolved (links included)."""
    path = folder.joinpath(*parts)
    if not path.resolve().is_relative_to(folder.resolve()):
        raise AppError("备份中含有指向数据文件夹以外的路径，已拒绝。该文件可能被篡改，请使用其他备份。")
    return path


def attachment_files(data: DataDir) -> list[Path]:
    """The stored files of a data folder (named by their hash, in the folder of its first two digits)."""
    root = data.attachments
    return sorted(p for p in root.glob("*/*") if p.is_file() and is_hash_name(p.name)
                  and p.parent.name == p.name[:2]) if root.exists() else []


def referenced(db) -> dict[str, str]:
    """Every stored file the ledger refers to: sha256 → one of its original names."""
    return {r["sha256"]: r["name"] for r in db.rows(
        "SELECT sha256, min(original_name) AS name FROM attachments GROUP BY sha256 ORDER BY sha256")}


def tick(progress, done, total, text):
    if progress:
        progress(done, total, text)


def copy_hashing(src, dst, hasher, cancel, limit: int | None = None) -> str | None:
    """Copy src to dst (None: only read) in chunks, memory staying flat, and return the SHA-256 of
    what was copied. With a limit nothing past it is written: None when src holds more.
    Each chunk is hashed on a second thread while it is written (hashlib releases the GIL), so
    hashing costs little extra time on a two-core office PC."""
    digest = hashlib.sha256()
    pending = None
    copied = 0
    while chunk := src.read(CHUNK if limit is None else min(CHUNK, limit - copied + 1)):
        if cancel and cancel():
            raise Cancelled()
        copied += len(chunk)
        if limit is not None and copied > limit:
            return None
        if pending is not None:
            pending.result()
        pending = hasher.submit(digest.update, chunk) if hasher else digest.update(chunk)
        if dst is not None:
            dst.write(chunk)
    if pending is not None:
        pending.result()
    return digest.hexdigest()
