"""What every store offers the areas, whichever engine holds the ledger.

The areas write SQL that runs on SQLite and on PostgreSQL, with named parameters only (`:name`);
everything that differs between the engines — how a connection is opened and locked, how a row's id
comes back, where the schema is described, how files and search are kept — lives behind this class.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from contextlib import contextmanager

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def identifier(name: str) -> str:
    """A table or column name, checked: names are the code's own, never a user's text."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"not an identifier: {name!r}")
    return name


def _named(params) -> Mapping:
    """Named parameters only: the same :name SQL runs on both engines (positional ? does not)."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise TypeError("the store takes named parameters only (a dict for :name placeholders)")
    return params


class Store:
    """One connection to the ledger. Not shared between threads: a background job opens its own."""

    engine = ""
    shared = False  # a server ledger several people use at once
    may_write = True  # False for a login the server lets only read (只读), or a client too old to write
    search = None  # core.store.search.SearchIndex
    files = None  # core.attachments.files: where stored files live

    def __init__(self, operator: str):
        self.operator = operator
        self._pending_changes: set[str] = set()
        # Called with the tables a transaction changed, right after it commits (the window
        # broadcasts them to its pages; see gui/context.py).
        self.on_commit = None

    # --- reading ------------------------------------------------------------------------------

    def rows(self, sql: str, params: Mapping | None = None) -> list[dict]:
        """Every row as a dict."""
        cursor = self._run(sql, _named(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]

    def one(self, sql: str, params: Mapping | None = None) -> dict | None:
        """The first row as a dict, or None."""
        cursor = self._run(sql, _named(params))
        row = cursor.fetchone()
        return None if row is None else dict(zip([d[0] for d in cursor.description], row))

    def value(self, sql: str, params: Mapping | None = None):
        """The first column of the first row, or None."""
        row = self._run(sql, _named(params)).fetchone()
        return row[0] if row else None

    def column(self, sql: str, params: Mapping | None = None) -> list:
        """The first column of every row."""
        return [r[0] for r in self._run(sql, _named(params)).fetchall()]

    def tuples(self, sql: str, params: Mapping | None = None) -> list[tuple]:
        """Every row as a tuple, in the order selected: for loops over tens of thousands of rows,
        where a dict per row costs more than the loop's own work."""
        return [tuple(r) for r in self._run(sql, _named(params)).fetchall()]

    # --- writing ------------------------------------------------------------------------------

    def execute(self, sql: str, params: Mapping | None = None) -> int:
        """Run one statement; the number of rows it changed."""
        return self._run(sql, _named(params)).rowcount

    def executemany(self, sql: str, seq: Iterable[Mapping]) -> None:
        batch = [_named(p) for p in seq]
        if batch:
            self._run_many(sql, batch)

    def insert(self, table: str, values: Mapping, *, returning_id: bool = True) -> int | None:
        """Insert one row; its id (None for tables keyed otherwise, with returning_id=False)."""
        columns = [identifier(c) for c in values]
        sql = (f"INSERT INTO {identifier(table)} ({', '.join(columns)})"
               f" VALUES ({', '.join(':' + c for c in columns)})")
        return self._insert(sql, dict(values), returning_id)

    def update(self, table: str, row_id, values: Mapping, *, expected_version: int | None = None) -> int:
        """Change columns of the row with this id; the number of rows changed (0 or 1).

        expected_version: the version the user's form was read at (a versioned table). When someone
        else saved the record in between, nothing is changed and EditConflict says who and when."""
        if not values and expected_version is None:
            return 0
        sets = ", ".join(f"{identifier(c)} = :{c}" for c in values) or "id = id"
        params = {**values, "_row_id": row_id}
        where = "id = :_row_id"
        if expected_version is not None:
            where += " AND version = :_version"
            params["_version"] = expected_version
        changed = self._run(f"UPDATE {identifier(table)} SET {sets} WHERE {where}", params).rowcount
        if not changed and expected_version is not None:
            self._refuse_stale(table, row_id)
        return changed

    def check_version(self, table: str, row_id, expected_version: int | None) -> None:
        """Inside a write transaction, before a change that touches a versioned row in several
        steps: refuse it (EditConflict, who and when) when the row is no longer at the version the
        user's form read. The row stays locked until the transaction ends (SQLite's write lock; a
        row lock on the server), so nobody saves it in between. None checks nothing."""
        if expected_version is None:
            return
        if not self.in_transaction:
            raise RuntimeError("check_version must run inside a write transaction")
        current = self.value(f"SELECT version FROM {identifier(table)} WHERE id = :id{self._row_lock}",
                             {"id": row_id})
        if current != expected_version:
            self._refuse_stale(table, row_id)

    _row_lock = ""  # how the engine locks a row read for a change (SQLite's transaction holds them all)

    def _refuse_stale(self, table: str, row_id) -> None:
        from core.errors import AppError, EditConflict

        if self.value(f"SELECT count(*) FROM {identifier(table)} WHERE id = :id", {"id": row_id}) == 0:
            raise AppError("这条记录已被删除或合并，请刷新后再看。")
        last = self.one("SELECT operator, at FROM audit_log WHERE table_name = :t AND record_id = :r"
                        " ORDER BY id DESC LIMIT 1", {"t": table, "r": str(row_id)})
        raise EditConflict(last["operator"] if last else "", (last["at"] if last else "").replace("T", " "))

    def take_number(self, name: str, count: int = 1, *, start_after: tuple[str, Mapping] | None = None) -> int:
        """The next number of a counter (督办通知单 of a year, 材料编号 …), inside the current write
        transaction; with count, the first of that many consecutive numbers. The counter row stays
        locked until the transaction ends, so two clients never get the same number, and a
        rolled-back change gives its numbers back. start_after: (sql, params) giving the highest
        number already in use, read once when the counter is first used (numbers made before it)."""
        if not self.in_transaction:
            raise RuntimeError("take_number must run inside a write transaction")
        if self.value("SELECT count(*) FROM counters WHERE name = :name", {"name": name}) == 0:
            highest = self.value(*start_after) if start_after else 0
            self._run("INSERT INTO counters (name, value) VALUES (:name, :value) ON CONFLICT (name) DO NOTHING",
                      {"name": name, "value": highest or 0})
        self._run("UPDATE counters SET value = value + :count WHERE name = :name", {"name": name, "count": count})
        return self.value("SELECT value FROM counters WHERE name = :name", {"name": name}) - count + 1

    def upsert(self, table: str, values: Mapping, key: Iterable[str]) -> None:
        """Insert the row, or update its other columns where a row with the same key exists."""
        key = [identifier(k) for k in key]
        columns = [identifier(c) for c in values]
        others = [c for c in columns if c not in key]
        action = ("DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in others)) if others else "DO NOTHING"
        self._run(f"INSERT INTO {identifier(table)} ({', '.join(columns)})"
                     f" VALUES ({', '.join(':' + c for c in columns)})"
                     f" ON CONFLICT ({', '.join(key)}) {action}", dict(values))

    @contextmanager
    def write(self):
        """One write transaction: everything inside happens, or nothing. Nested calls join the
        outer transaction through a savepoint, so a helper can be called inside a bigger change."""
        if self.in_transaction:
            with self._savepoint():
                yield self
            return
        # A full disk, a read-only folder or a lost server fails here (often only at COMMIT): the
        # transaction is rolled back and the user is told what happened and what to do.
        with self._failures("保存修改"):
            self._begin()
            try:
                yield self
                self._commit()
            except BaseException:
                self._pending_changes.clear()
                self._rollback()
                raise
        changed = frozenset(self._pending_changes)
        self._pending_changes.clear()
        if changed and self.on_commit is not None:
            self.on_commit(changed)

    @contextmanager
    def read_snapshot(self):
        """Reads that see the ledger as of one moment (a backup). Embedded: the reads a backup makes
        are its own snapshot already; the server overrides this with one read-only transaction."""
        yield self

    # --- what changed -------------------------------------------------------------------------

    def note_change(self, table: str) -> None:
        """Called by the audit log for every change: the tables a transaction touched are handed
        to on_commit when it commits."""
        self._pending_changes.add(table)

    # --- SQL the engines spell differently --------------------------------------------------------

    def text_agg(self, expr: str, separator: str) -> str:
        """An aggregate joining the texts of a group with a separator (a SQL string literal such as
        "'、'"), in the order of the rows read."""
        raise NotImplementedError

    def among(self, column: str, name: str, values: list) -> tuple[str, dict]:
        """`column` is one of the values (an empty list matches nothing): the condition and its
        parameters."""
        from core.query import Where

        where = Where().one_of(column, name, values)
        return " AND ".join(where.conditions), where.params

    def days_between(self, later: str, earlier: str) -> str:
        """The number of days from one 'YYYY-MM-DD' text to another, as SQL."""
        raise NotImplementedError

    # --- the schema ---------------------------------------------------------------------------

    def references_to(self, table: str, ids, *, ignore: Iterable[str] = ()) -> dict[str, int]:
        """How many rows of every other table refer to these rows of `table` through a foreign key,
        {table: count}, found from the schema so that a later area's tables count too."""
        ids = [ids] if isinstance(ids, int) else list(ids)
        counts: dict[str, int] = {}
        if not ids:
            return counts
        skip = {table, *ignore}
        marks = ", ".join(f":id{i}" for i in range(len(ids)))
        params = {f"id{i}": v for i, v in enumerate(ids)}
        for source, column in self.foreign_keys_to(table):
            if source in skip:
                continue
            n = self.value(f"SELECT count(*) FROM {identifier(source)} WHERE {identifier(column)} IN ({marks})", params)
            if n:
                counts[source] = counts.get(source, 0) + n
        return counts

    # Engine-specific parts ---------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    def _run(self, sql: str, params: Mapping):
        raise NotImplementedError

    def _run_many(self, sql: str, batch: list[Mapping]) -> None:
        raise NotImplementedError

    def _insert(self, sql: str, params: dict, returning_id: bool):
        raise NotImplementedError

    def _begin(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    @contextmanager
    def _savepoint(self):
        """A nested write: SAVEPOINT, spelled the same on both engines."""
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        self._conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self._conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self._conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            self._conn.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            self._savepoints -= 1

    def _failures(self, what: str):
        """A context turning the engine's storage failures into a user's error (AppError)."""
        raise NotImplementedError

    def foreign_keys_to(self, table: str) -> list[tuple[str, str]]:
        """(table, column) pairs whose foreign key points at `table`."""
        raise NotImplementedError

    def tables(self) -> list[str]:
        """The ledger's own tables (no engine or search-index tables)."""
        raise NotImplementedError

    def table_counts(self) -> dict[str, int]:
        return {t: self.value(f"SELECT count(*) FROM {identifier(t)}") for t in self.tables()}

    def refresh_statistics(self) -> None:
        """After a whole ledger was loaded: let the planner know the new rows, and the indexes that
        they are visible, now (nothing on a single desk, whose queries do not wait for either)."""

    def integrity_problems(self) -> list[str]:
        """What the engine's own consistency check reports; [] when sound."""
        raise NotImplementedError

    def foreign_key_problems(self) -> list[dict]:
        """Rows referring to rows that do not exist: {'table', 'rowid', 'parent'}."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError
