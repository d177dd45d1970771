"""Opening the store: PRAGMAs, version checks, a copy before migrating, migrations applied."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import sqlite_utils

from core.errors import AppError, storage_errors
from core.migrations import known_names, migrations, schema_version

DEFAULT_OPERATOR = "命令行"
BUSY_TIMEOUT_S = 15


def connect(path: str | Path) -> sqlite_utils.Database:
    """A connection with the house PRAGMAs and no migrations (for checks and backups)."""
    # isolation_level=None: we issue BEGIN ourselves, so nothing commits behind our back.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error:
        conn.close()  # a damaged file must not stay open (on Windows that would block restoring over it)
        raise
    return sqlite_utils.Database(conn)


def open_db(path: str | Path, operator: str | None = None,
            backup_dir: str | Path | None = None) -> sqlite_utils.Database:
    """Open (or create) the database at `path`, bring its schema up to date, and return it.

    A database written by a newer program is refused. Before an existing database is migrated a
    copy is written to `backup_dir` (default: the `backups` folder beside it).
    """
    from core.store.sqlite import SqliteStore

    path = Path(path)
    with storage_errors(f"打开数据库 {path}", folder=path.parent):
        existed = path.exists() and path.stat().st_size > 0
        db = connect(path)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            _refuse_newer(db, path)
            pending = migrations.pending(db)
            if pending:
                if existed and _has_user_tables(db):
                    _copy_before_migrating(db, path, Path(backup_dir) if backup_dir else path.parent / "backups")
                migrations.apply(db)
                db.execute(f"PRAGMA user_version = {schema_version()}")
        except BaseException:
            db.conn.close()
            raise
    return SqliteStore(db, path, operator or DEFAULT_OPERATOR)


def _has_user_tables(db) -> bool:
    return bool(db.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        " AND name <> '_sqlite_migrations' LIMIT 1").fetchone())


def _refuse_newer(db, path: Path) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    applied = {m.name for m in migrations.applied(db)}
    unknown = applied - known_names()
    if version > schema_version() or unknown:
        db.conn.close()
        raise AppError(
            f"数据库 {path} 由更新版本的创城工作台创建（数据版本 {version}，本程序支持到 "
            f"{schema_version()}）。为避免损坏数据，本程序不会打开它。请安装最新版本的创城工作台后再打开。")


def _copy_before_migrating(db, path: Path, backup_dir: Path) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"升级前-{path.stem}-v{version}-{stamp}.db"
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target
