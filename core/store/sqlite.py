"""The embedded store: one SQLite file in the data folder (the default, for one desk)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from core.store.base import Store

# Tables of the engine, the migration runner and the search index: not the ledger's own.
_NOT_LEDGER = ("sqlite_%", "\\_sqlite\\_migrations", "fts\\_%")


class SqliteStore(Store):
    engine = "sqlite"

    def __init__(self, database, path: Path, operator: str):
        """`database`: the sqlite_utils.Database opened by core.db (PRAGMAs set, schema current)."""
        super().__init__(operator)
        self._database = database
        self._conn: sqlite3.Connection = database.conn
        self.path = Path(path)
        self._savepoints = 0
        from core.attachments.files import FolderFiles
        from core.store.search import Fts5Index

        self.search = Fts5Index(self)
        self.files = FolderFiles(self.path.parent / "attachments")

    # --- engine-specific ------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def _run(self, sql, params):
        return self._conn.execute(sql, params)

    def _run_many(self, sql, batch):
        self._conn.executemany(sql, batch)

    def _insert(self, sql, params, returning_id):
        cursor = self._conn.execute(sql, params)
        return cursor.lastrowid if returning_id else None

    def _begin(self):
        # IMMEDIATE takes the write lock up front, so two processes writing at once queue on the
        # busy timeout instead of failing when a read lock is upgraded.
        self._conn.execute("BEGIN IMMEDIATE")

    def _commit(self):
        self._conn.execute("COMMIT")

    def _rollback(self):
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _failures(self, what):
        from core.errors import storage_errors

        return storage_errors(what, folder=self.path.parent)

    def text_agg(self, expr, separator):
        return f"group_concat({expr}, {separator})"

    def days_between(self, later, earlier):
        return f"(julianday({later}) - julianday({earlier}))"

    def foreign_keys_to(self, table):
        return [(r[0], r[1]) for r in self._conn.execute(
            "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f"
            " WHERE m.type = 'table' AND f.\"table\" = :table ORDER BY m.name, f.id", {"table": table})]

    def tables(self):
        return [r[0] for r in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            + "".join(f" AND name NOT LIKE '{p}' ESCAPE '\\'" for p in _NOT_LEDGER) + " ORDER BY name")]

    def integrity_problems(self):
        found = [r[0] for r in self._conn.execute("PRAGMA integrity_check").fetchall()]
        return [] if found == ["ok"] else found

    def foreign_key_problems(self):
        return [{"table": r[0], "rowid": r[1], "parent": r[2]}
                for r in self._conn.execute("PRAGMA foreign_key_check").fetchall()]

    def snapshot(self, target: Path) -> None:
        """A consistent copy of the live database in one self-contained file (SQLite's backup API,
        never a copy of the live file, which may be mid-write)."""
        target = Path(target)
        target.unlink(missing_ok=True)
        dest = sqlite3.connect(str(target))
        try:
            self._conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()

    def single_file(self) -> None:
        """Everything in the database file itself, no write-ahead log beside it (a file to archive)."""
        self._conn.execute("PRAGMA journal_mode = DELETE")

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (before the file is moved or copied)."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def has_table(self, name: str) -> bool:
        return self.value("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :name",
                          {"name": name}) > 0

    def close(self):
        self._conn.close()

    @property
    def conn(self) -> sqlite3.Connection:
        """SQLite's own connection, for tests and benchmarks that check the file itself (PRAGMAs,
        query plans) or fill a 10x dataset in bulk; the program goes through the methods above."""
        return self._conn


# --- database files that are not the open ledger (a staged restore, a snapshot, a backup's copy) ----

@dataclass(frozen=True)
class FileFacts:
    version: int  # the schema version written in the file
    attachment_hashes: list[str]  # every distinct attachments.sha256 ([] without that table)
    counts: dict[str, int] = field(default_factory=dict)  # rows per table, the engine's own tables aside
    integrity: list[str] = field(default_factory=list)  # what the integrity check reports; [] when sound


def inspect_file(path, *, counts: bool = True, integrity: bool = False, mode: str = "ro",
                 immutable: bool = False) -> FileFacts:
    """What a database file holds, read without migrating or changing it. The counts cover every
    table but SQLite's own (search index and migration tables included), as a backup's manifest
    always listed them. mode "rw" lets SQLite roll a crashed write-ahead log forward; immutable
    reads a file no other process may be writing (a snapshot). sqlite3.DatabaseError when the
    file is not a readable database."""
    from core.db import BUSY_TIMEOUT_S

    uri = f"{Path(path).resolve().as_uri()}?mode={mode}" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        problems = []
        if integrity:
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            problems = [] if problems == ["ok"] else problems
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        hashes = [r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM attachments")] \
            if "attachments" in names else []
        rows = {n: conn.execute(f"SELECT count(*) FROM {_quoted(n)}").fetchone()[0] for n in names} if counts else {}
    finally:
        conn.close()
    return FileFacts(version, hashes, rows, problems)


def _quoted(name: str) -> str:
    """A table name read from a file, which may have been crafted: quoted, never trusted as SQL."""
    return '"' + name.replace('"', '""') + '"'


def open_file(path, operator: str = "") -> SqliteStore:
    """A store on a database file as it is: no migrations, no defaults written (the current ledger
    read once more for a safety copy before a restore replaces it)."""
    from core import db

    return SqliteStore(db.connect(path), path, operator)
