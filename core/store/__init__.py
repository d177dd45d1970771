"""The Store: the only code that holds a database connection (see core/store/base.py).

open_store gives the ledger of a data folder, schema current and defaults in place."""

from __future__ import annotations

from core import settings, units
from core.db import open_db
from core.errors import DAMAGED, RESTORE_HINT, StorageError
from core.paths import DataDir
from core.store.base import Store


def open_store(data: DataDir, operator: str | None = None, server: str | None = None,
               password: str | None = None) -> Store:
    """The ledger of this data folder, or — with `server` — the office's shared ledger on a
    PostgreSQL server (the data folder then keeps only this PC's logs and cache). The password, when
    given, is the one typed or remembered on this PC; otherwise libpq finds it (PGPASSWORD, pgpass)."""
    if server:
        from core.store import postgres

        from core.attachments.files import ServerFiles

        db = postgres.open_server(server, password)
        db.files = ServerFiles(db, data.root / "cache" / "attachments")
    else:
        from core.safety import recover_interrupted_restore

        recover_interrupted_restore(data)  # a restore cut off by a crash: old data back, or the swap finished
        emptied = emptied_ledger(data)
        if emptied:
            raise StorageError(DAMAGED, emptied)
        db = open_db(data.db_path, operator, backup_dir=data.backups)
    prepare_new_ledger(db)
    settings.apply_document_settings(db)
    return db


def emptied_ledger(data: DataDir) -> str | None:
    """Why the database file must not be opened, when it is empty (0 bytes) in a folder that
    still holds attachments, backups or a write-ahead log: that ledger was lost, not never begun,
    and opening it would silently start a new empty one over it. A 0-byte file in an otherwise
    empty folder (a first start cut off before anything was written) is opened as new."""
    path = data.db_path
    if not path.exists() or path.stat().st_size > 0:
        return None
    wal = path.with_name(path.name + "-wal")
    evidence = []
    if any(p.is_file() for p in data.attachments.glob("*/*")):
        evidence.append("附件")
    if any(p.is_file() for p in data.backups.rglob("*")):
        evidence.append("备份")
    if wal.exists() and wal.stat().st_size > 0:
        evidence.append("未写完的日志")
    if not evidence:
        return None
    return (f"数据库文件 {path} 是空的（0 字节），但数据文件夹中还有{'、'.join(evidence)}：数据库已损坏，"
            f"不是新建的空台账。程序不会用新的空数据库覆盖它。{RESTORE_HINT}")


def prepare_new_ledger(db: Store) -> None:
    """Word lists and built-in unit groups a new ledger starts with (nothing when already there)."""
    settings.ensure_default_vocab(db)
    units.ensure_builtin_groups(db)
