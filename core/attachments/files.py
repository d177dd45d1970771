"""Where the files themselves live, content-addressed by SHA-256.

- A single-desk ledger keeps them in the data folder, attachments/ab/<sha256>: written to a
  temporary name, hashed while copied, renamed when complete.
- The shared ledger keeps them inside the database (attachment_files), so a PC needs only the
  connection; each PC keeps a cache of the files it has read, checked against the hash when fetched.
Either way a stored file never changes and is removed only by an explicit clean-up.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from core import clock
from core.errors import AppError, Cancelled, app_error_from_os
from core.file_access import long_path

CHUNK = 1024 * 1024


def _valid(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a stored file's name: {sha256!r}")
    return sha256


def _copy_hashing(src: Path, dst: Path, cancel) -> str:
    digest = hashlib.sha256()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(CHUNK):
            if cancel and cancel():
                raise Cancelled()
            digest.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class FolderFiles:
    """The data folder's attachments/ (SQLite ledger)."""

    in_database = False

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the stored file can be read."""
        return self.root / _valid(sha256)[:2] / sha256

    def put(self, src: Path, cancel=None) -> tuple[str, bool]:
        """Store a file once per content; (sha256, whether it was new)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(long_path(self.root / f".incoming-{os.getpid()}-{clock.now().strftime('%H%M%S%f')}"))
        try:
            sha = _copy_hashing(src, tmp, cancel)
            target = Path(long_path(self.path(sha)))
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
        return sha, created

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def stored(self) -> dict[str, Path]:
        """Every file found in the folder, by name (a misplaced one where it really is)."""
        if not self.root.exists():
            return {}
        return {p.name: p for p in self.root.glob("*/*") if p.is_file() and len(p.name) == 64}

    def hashes(self) -> set[str]:
        """Every stored file's hash."""
        return set(self.stored())

    def discard(self, sha256: str) -> None:
        """Remove a stored file no record refers to (the caller checked)."""
        self.path(sha256).unlink(missing_ok=True)

    def problem(self, sha256: str) -> str | None:
        """Why the stored file cannot be used ('文件缺失', '内容已被改动（哈希不符）'), or None."""
        path = self.path(sha256)
        if not path.exists():
            return "文件缺失"
        return None if file_sha256(path) == sha256 else "内容已被改动（哈希不符）"


class ServerFiles:
    """The shared ledger's attachment_files, with this PC's cache for reading."""

    in_database = True

    def __init__(self, store, cache: Path):
        self.store = store
        self.cache = Path(cache)

    def path(self, sha256: str) -> Path:
        """A local copy of the stored file, fetched once and checked against its hash."""
        local = self.cache / _valid(sha256)[:2] / sha256
        if local.exists():
            return local
        content = self.store.value("SELECT content FROM attachment_files WHERE sha256 = :sha", {"sha": sha256})
        if content is None:
            return local  # missing on the server: callers see a missing file, as in a data folder
        content = bytes(content)
        if hashlib.sha256(content).hexdigest() != sha256:
            raise AppError(f"服务器上的附件 {sha256[:12]}… 内容与其校验值不符，未使用它。请管理员运行“数据体检”。")
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_name(f".{sha256}.{os.getpid()}.part")
        tmp.write_bytes(content)
        os.replace(tmp, local)
        return local

    def put(self, src: Path, cancel=None) -> tuple[str, bool]:
        """Store a file in the database (inside the caller's write transaction, so that it goes in
        with the row that uses it or not at all)."""
        with open(src, "rb") as f:
            content = f.read()
        if cancel and cancel():
            raise Cancelled()
        sha = hashlib.sha256(content).hexdigest()
        created = self.store.execute(
            "INSERT INTO attachment_files (sha256, size, content, stored_at) VALUES (:sha, :size, :content, :at)"
            " ON CONFLICT (sha256) DO NOTHING",
            {"sha": sha, "size": len(content), "content": content, "at": clock.stamp()}) == 1
        return sha, created

    def put_named(self, src: Path, sha256: str) -> bool:
        """Store a file that should hold the content of this hash (a ledger moving in); False, and
        nothing stored, when it does not."""
        content = Path(src).read_bytes()
        if hashlib.sha256(content).hexdigest() != _valid(sha256):
            return False
        self.store.execute(
            "INSERT INTO attachment_files (sha256, size, content, stored_at) VALUES (:sha, :size, :content, :at)"
            " ON CONFLICT (sha256) DO NOTHING",
            {"sha": sha256, "size": len(content), "content": content, "at": clock.stamp()})
        return True

    def exists(self, sha256: str) -> bool:
        return bool(self.store.value("SELECT count(*) FROM attachment_files WHERE sha256 = :sha", {"sha": sha256}))

    def stored(self) -> dict[str, Path]:
        return {sha: self.cache / sha[:2] / sha for sha in self.hashes()}

    def hashes(self) -> set[str]:
        return set(self.store.column("SELECT sha256 FROM attachment_files"))

    def discard(self, sha256: str) -> None:
        with self.store.write():
            self.store.execute("DELETE FROM attachment_files WHERE sha256 = :sha"
                               " AND NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = :sha)", {"sha": sha256})

    def problem(self, sha256: str) -> str | None:
        # The server hashes its own copy: nothing is downloaded to check it.
        found = self.store.value("SELECT encode(sha256(content), 'hex') FROM attachment_files WHERE sha256 = :sha",
                                 {"sha": sha256})
        if found is None:
            return "文件缺失"
        return None if found == sha256 else "内容已被改动（哈希不符）"
