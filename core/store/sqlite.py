"""The embedded store: one SQLite file in the data folder (the default, for one desk)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from core.store.base import Store, identifier

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

    @contextmanager
    def _savepoint(self):
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        self._conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self._conn.execute(f"ROLLBACK TO {name}")
            self._conn.execute(f"RELEASE {name}")
            raise
        else:
            self._conn.execute(f"RELEASE {name}")
        finally:
            self._savepoints -= 1

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
            " WHERE m.type = 'table' AND f.\"table\" = ? ORDER BY m.name, f.id", (table,))]

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

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (before the file is moved or copied)."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self):
        self._conn.close()

    # --- transition: code not yet on the store's own methods ------------------------------------
    # Removed once every area reads and writes through rows/one/value/execute with named parameters.

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conn

    def __getitem__(self, table: str):
        return self._database[identifier(table)]

    def executescript(self, sql: str):
        return self._database.executescript(sql)

    def execute(self, sql: str, params=None):
        """For now the cursor (its rowcount is what the store's execute returns)."""
        return self._conn.execute(sql, () if params is None else params)
