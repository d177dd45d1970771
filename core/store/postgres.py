"""The shared ledger: a PostgreSQL server the whole office connects to (psycopg 3).

The areas' SQL is written once with `:name` parameters; it is turned into psycopg's `%(name)s`
here, LIKE becomes ILIKE (SQLite's LIKE ignores the case of Latin letters, PostgreSQL's does not),
and NUMERIC results come back as int or float (a sum of integers is NUMERIC on the server).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache

from core.store.base import Store

_TOKENS = re.compile(r"""
    (?P<string>'(?:[^']|'')*')            # a string literal, left alone
  | (?P<quoted>"(?:[^"]|"")*")            # a quoted identifier, left alone
  | (?P<cast>::)                          # a PostgreSQL cast, not a parameter
  | :(?P<param>[A-Za-z_][A-Za-z0-9_]*)    # a named parameter
  | (?P<percent>%)                        # psycopg's own marker, doubled
  | (?P<like>\bLIKE\b)                    # case-insensitive as in SQLite
""", re.VERBOSE | re.IGNORECASE)


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """The areas' SQL as psycopg wants it."""
    def replace(m: re.Match) -> str:
        if m.group("param"):
            return f"%({m.group('param')})s"
        if m.group("percent"):
            return "%%"
        if m.group("like"):
            return "ILIKE"
        return m.group(0)

    return _TOKENS.sub(replace, sql)


def _numeric_loader():
    from psycopg.adapt import Loader

    class NumericLoader(Loader):
        def load(self, data):
            text = bytes(data).decode()
            if any(c in text for c in ".eEN"):  # NaN, exponent or fraction
                return float(text)
            return int(text)

    return NumericLoader


class PostgresStore(Store):
    engine = "postgresql"
    shared = True

    def __init__(self, conn, operator: str, *, url: str = ""):
        super().__init__(operator)
        self._conn = conn
        self.url = url
        conn.adapters.register_loader("numeric", _numeric_loader())
        self._savepoints = 0
        from core.store.search import LikeIndex

        self.search = LikeIndex(self)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._conn.info.transaction_status != TransactionStatus.IDLE

    def _run(self, sql, params):
        return self._conn.execute(translate(sql), params or None)

    def _run_many(self, sql, batch):
        with self._conn.cursor() as cursor:
            cursor.executemany(translate(sql), batch)

    def _insert(self, sql, params, returning_id):
        if not returning_id:
            self._run(sql, params)
            return None
        return self._run(sql + " RETURNING id", params).fetchone()[0]

    def _begin(self):
        self._conn.execute("BEGIN")

    def _commit(self):
        self._conn.execute("COMMIT")

    def _rollback(self):
        if self.in_transaction:
            self._conn.execute("ROLLBACK")

    @contextmanager
    def _savepoint(self):
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

    def _failures(self, what):
        from contextlib import nullcontext

        return nullcontext()  # the server's own failures are named when the shared ledger connects

    def text_agg(self, expr, separator):
        return f"string_agg({expr}, {separator})"

    def days_between(self, later, earlier):
        return f"(CAST({later} AS date) - CAST({earlier} AS date))"

    def foreign_keys_to(self, table):
        return [(r[0], r[1]) for r in self._conn.execute(
            """SELECT src.relname, att.attname
                 FROM pg_constraint c
                 JOIN pg_class src ON src.oid = c.conrelid
                 JOIN pg_class dst ON dst.oid = c.confrelid
                 JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = c.conkey[1]
                WHERE c.contype = 'f' AND dst.relname = %s
                  AND src.relnamespace = current_schema()::regnamespace
                ORDER BY src.relname, att.attname""", (table,)).fetchall()]

    def tables(self):
        return [r[0] for r in self._conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename NOT LIKE 'search\\_%%' AND tablename NOT IN ('schema_migrations', 'attachment_files')"
            " ORDER BY tablename COLLATE \"C\"").fetchall()]

    def integrity_problems(self):
        return []  # the server keeps its own pages consistent; foreign keys are checked below

    def foreign_key_problems(self):
        return []  # enforced by the server on every write, never deferred

    def run_script(self, sql: str) -> None:
        """Several statements at once (schema steps only; no parameters)."""
        self._conn.execute(sql)

    def has_table(self, name: str) -> bool:
        return bool(self._conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0])

    def close(self):
        self._conn.close()


def connect(url: str, operator: str = "") -> PostgresStore:
    """A store on the server named by the URL (postgresql://user@host:port/dbname)."""
    import psycopg

    conn = psycopg.connect(url, autocommit=True, application_name="chuangcheng-desk", connect_timeout=10)
    return PostgresStore(conn, operator or conn.info.user, url=url)
