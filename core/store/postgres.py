"""The shared ledger: a PostgreSQL server the whole office connects to (psycopg 3).

The areas' SQL is written once with `:name` parameters; it is turned into psycopg's `%(name)s`
here, LIKE becomes ILIKE (SQLite's LIKE ignores the case of Latin letters, PostgreSQL's does not)
unless its pattern has no letters with case (Chinese, digits: the same rows at half the cost), and
NUMERIC results come back as int or float (a sum of integers is NUMERIC on the server).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache

from core.store.base import Store

_TOKENS = re.compile(r"""
    (?P<string>'(?:[^']|'')*')            # a string literal, left alone but for a doubled %
  | (?P<quoted>"(?:[^"]|"")*")            # a quoted identifier, the same
  | (?P<cast>::)                          # a PostgreSQL cast, not a parameter
  | :(?P<param>[A-Za-z_][A-Za-z0-9_]*)    # a named parameter
  | (?P<percent>%)                        # psycopg's own marker, doubled
  | \bLIKE\s+:(?P<pattern>[A-Za-z_][A-Za-z0-9_]*)  # LIKE a parameter: ILIKE unless it has no case
  | (?P<like>\bLIKE\b)                    # case-insensitive as in SQLite
""", re.VERBOSE | re.IGNORECASE)


@lru_cache(maxsize=4096)
def translate(sql: str, caseless: frozenset = frozenset()) -> str:
    """The areas' SQL as psycopg wants it; `caseless`: the parameters whose text has no letters with
    upper and lower case, which LIKE compares as they are."""
    def replace(m: re.Match) -> str:
        if m.group("param"):
            return f"%({m.group('param')})s"
        if m.group("pattern"):
            name = m.group("pattern")
            return ("LIKE" if name in caseless else "ILIKE") + f" %({name})s"
        if m.group("percent"):
            return "%%"
        if m.group("string") or m.group("quoted"):
            return m.group(0).replace("%", "%%")  # psycopg reads every % of the statement
        if m.group("like"):
            return "ILIKE"
        return m.group(0)

    return _TOKENS.sub(replace, sql)


def _caseless(sql: str, params) -> frozenset:
    """The text parameters without letters that have case, where the statement has a LIKE."""
    if not params or "like" not in sql.lower():
        return frozenset()
    return frozenset(k for k, v in params.items() if isinstance(v, str) and v.lower() == v.upper())


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
    _row_lock = " FOR UPDATE"

    def __init__(self, conn, *, url: str = "", password: str | None = None):
        # The audit operator is the login: who signed in to the server, not a name typed on the PC.
        super().__init__(conn.info.user)
        self.url = url
        self._password = password  # kept in memory only, to reconnect after the server was away
        self._attach(conn)
        self._savepoints = 0
        self._transaction_open = False
        # Called after a lost connection was made again (changes announced meanwhile were missed).
        self.on_reconnect = None
        # Why this client must not write (a server upgraded by a newer program), or "".
        self.read_only_reason = ""
        from core.store.search import LikeIndex

        self.search = LikeIndex(self)

    def _attach(self, conn) -> None:
        self._conn = conn
        conn.adapters.register_loader("numeric", _numeric_loader())
        self.backend_pid = conn.info.backend_pid

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        if self._transaction_open:
            return True
        if self._conn.closed or self._conn.broken:
            return False
        return self._conn.info.transaction_status != TransactionStatus.IDLE

    def _reconnect_if_lost(self) -> None:
        """A connection lost earlier (the server restarted, the network dropped) is made again before
        the next action, never inside a transaction: what was half done there was rolled back."""
        if self._transaction_open or not (self._conn.closed or self._conn.broken):
            return
        import psycopg

        from core.errors import AppError

        try:
            conn = _open_connection(self.url, self._password)
        except psycopg.OperationalError as exc:
            raise AppError(unreachable_message(self.url, exc), str(exc)) from None
        self._attach(conn)
        if self.on_reconnect is not None:
            self.on_reconnect()

    def _run(self, sql, params):
        self._reconnect_if_lost()
        # Always a mapping, so that psycopg reads the placeholders and the doubled %.
        with self._failures("读取台账"):
            return self._conn.execute(translate(sql, _caseless(sql, params)), params or {})

    def _run_many(self, sql, batch):
        with self._conn.cursor() as cursor:
            cursor.executemany(translate(sql), batch)

    def _insert(self, sql, params, returning_id):
        if not returning_id:
            self._run(sql, params)
            return None
        return self._run(sql + " RETURNING id", params).fetchone()[0]

    def _begin(self):
        if self.read_only_reason:
            from core.errors import AppError

            raise AppError(self.read_only_reason)
        self._reconnect_if_lost()
        self._conn.execute("BEGIN")
        self._transaction_open = True

    def _commit(self):
        if self._pending_changes:  # other clients refresh the pages showing these tables
            import json

            self._conn.execute("SELECT pg_notify(%s, %s)", (CHANGES_CHANNEL, json.dumps(
                {"pid": self.backend_pid, "tables": sorted(self._pending_changes)})))
        self._conn.execute("COMMIT")
        self._transaction_open = False

    def _rollback(self):
        self._transaction_open = False
        if self._conn.closed or self._conn.broken:
            return  # the server rolled the transaction back when the connection went
        if self.in_transaction:
            self._conn.execute("ROLLBACK")

    @contextmanager
    def _failures(self, what):
        """The server's refusals and a lost connection as a user's error (exit 2, nothing written:
        the transaction is rolled back by the server)."""
        import psycopg

        from core.errors import AppError

        try:
            yield
        except psycopg.errors.InsufficientPrivilege as exc:
            raise AppError(f"无法{what}：您的账号（{self.operator}）没有这项权限（只读账号只能查看、搜索、打印和导出）。"
                           "如需修改，请用经办人或管理员账号登录。", str(exc)) from None
        except psycopg.errors.ReadOnlySqlTransaction as exc:
            raise AppError(f"无法{what}：服务器当前只允许读取（只读副本或维护中）。", str(exc)) from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            if self._conn.closed or self._conn.broken:
                raise AppError(f"无法{what}：与共享台账服务器的连接断开了，这次操作没有保存任何内容。"
                               "请检查网络或服务器，恢复后再试（程序会自动重新连接）。", str(exc)) from None
            raise

    @contextmanager
    def read_snapshot(self):
        """One REPEATABLE READ transaction: every read inside sees the ledger as of its first read,
        whatever other clients commit meanwhile. Inside a write transaction, that one is used."""
        if self.in_transaction:
            yield self
            return
        with self._failures("读取台账"):
            self._reconnect_if_lost()
            self._conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            self._transaction_open = True
            try:
                yield self
            finally:
                self._rollback()

    def snapshot(self, target) -> None:
        """The ledger as one SQLite file of this program's schema (what a .ccbak holds), read in
        one snapshot; the files stay in attachment_files (see core.safety.backup)."""
        from pathlib import Path

        from core.db import open_db
        from core.errors import AppError
        from core.store import transfer

        if self.read_only_reason:
            raise AppError("共享台账已由更新版本的创城工作台升级，本程序无法完整备份它。请安装最新版本的创城工作台后再备份。")
        target = Path(target)
        target.unlink(missing_ok=True)
        copy = open_db(target, self.operator, backup_dir=target.parent)
        try:
            with self.read_snapshot(), copy.write():
                for table in reversed(transfer.table_order(copy)):  # what a new file starts with
                    copy.execute(f"DELETE FROM {table}")
                transfer.copy_ledger(self, copy)
            copy.single_file()
        finally:
            copy.close()

    def text_agg(self, expr, separator):
        return f"string_agg({expr}, {separator})"

    def among(self, column, name, values):
        # One array parameter: 500 values as one placeholder each took 5 ms to plan, 2 ms as an array.
        return f"{column} = ANY(:{name})", {name: list(values)}

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
        with self._failures("修改服务器上的数据结构"):
            self._conn.execute(sql)

    def run_composed(self, statement) -> None:
        """A statement built with psycopg.sql (role and database names, quoted by the driver)."""
        with self._failures("修改服务器设置"):
            self._conn.execute(statement)

    def refresh_statistics(self) -> None:
        # Planned without statistics (autovacuum gathers them only a minute or so later), the
        # first searches on a ledger just moved in took 70 ms a kind instead of 1 ms at 10x; and
        # until a vacuum marks the new rows visible, reading ids off an index visits every row too.
        # The move itself is done by now: a failure here only leaves this to autovacuum.
        import logging

        try:
            # Not the stored files: vacuuming them would read every attachment's content again.
            tables = [r[0] for r in self._conn.execute(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename <> 'attachment_files' ORDER BY tablename")]
            self._conn.execute("VACUUM (ANALYZE) " + ", ".join(tables))
            self._conn.execute("ANALYZE attachment_files")
        except Exception:  # noqa: BLE001 - any failure: the ledger is in place either way
            logging.getLogger(__name__).warning("VACUUM (ANALYZE) after loading the ledger failed", exc_info=True)

    def has_table(self, name: str) -> bool:
        return bool(self._conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0])

    def close(self):
        self._conn.close()


CHANGES_CHANNEL = "chuangcheng_changes"


def _open_connection(url: str, password: str | None, purpose: str = "chuangcheng-desk"):
    import psycopg

    extra = {"password": password} if password else {}
    # No server-side prepared statements: a list's plan depends on the values (a LIKE pattern found
    # in three rows or in thirty thousand, one operator among many), and after five runs a prepared
    # statement switches to a generic plan made without them; at 10x that plan walked every row
    # (70 ms instead of 0.3 ms a search). Statements sent unnamed are planned with their values.
    return psycopg.connect(url, autocommit=True, application_name=purpose, connect_timeout=10,
                           prepare_threshold=None, **extra)


def connect(url: str, password: str | None = None) -> PostgresStore:
    """A store on the server named by the URL (postgresql://user@host:port/dbname). The password
    follows libpq (in the URL, PGPASSWORD, the pgpass file) unless one is given."""
    return PostgresStore(_open_connection(url, password), url=url, password=password)


class ChangeListener:
    """Other clients' commits, heard on a connection of its own (LISTEN) in a background thread.

    on_change(pid, tables) is called in that thread for every announced commit (pid: the server
    process of the client that made it); on_change(None, None) after the connection was lost and
    made again, when announcements may have been missed. The thread waits at most `poll` seconds
    for the server, so stop() returns promptly."""

    def __init__(self, url: str, password: str | None, on_change, *, poll: float = 0.5, retry: float = 3.0):
        import threading

        self.url, self._password, self._on_change = url, password, on_change
        self._poll, self._retry = poll, retry
        self._stopping = threading.Event()
        self.listening = threading.Event()  # set while LISTEN is in place
        self._thread = threading.Thread(target=self._run, name="ledger-changes", daemon=True)

    def start(self) -> "ChangeListener":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=self._poll + 11)  # a connect under way times out after 10 s

    def _run(self) -> None:
        import json
        import logging

        import psycopg

        heard_before = False
        while not self._stopping.is_set():
            try:
                with _open_connection(self.url, self._password, "chuangcheng-desk changes") as conn:
                    conn.execute(f"LISTEN {CHANGES_CHANNEL}")
                    self.listening.set()
                    if heard_before:
                        self._on_change(None, None)
                    heard_before = True
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=self._poll):
                            try:
                                payload = json.loads(note.payload)
                                self._on_change(payload.get("pid"), list(payload.get("tables") or []))
                            except (ValueError, AttributeError):
                                self._on_change(None, None)  # not ours to read: refresh everything
            except psycopg.Error as exc:
                logging.getLogger("changes").info("共享台账的变更通知连接中断，稍后重连：%s", exc)
            self.listening.clear()
            self._stopping.wait(self._retry)


def open_server(url: str, password: str | None = None) -> PostgresStore:
    """The shared ledger, schema current: refused when the database was never prepared; steps of a
    newer program make this client read-only; pending steps are applied (by a 管理员)."""
    import psycopg

    from core import migrations_postgres
    from core.errors import AppError

    try:
        store = connect(url, password)
    except psycopg.OperationalError as exc:
        raise AppError(unreachable_message(url, exc), str(exc)) from None
    try:
        if not store.has_table("schema_migrations"):
            raise AppError(f"服务器上的数据库“{store._conn.info.dbname}”还不是创城工作台的共享台账。"
                           "请管理员先运行：main.py --server 地址 server-init")
        if migrations_postgres.unknown_names(store):
            store.read_only_reason = ("共享台账已由更新版本的创城工作台升级（数据版本较新），本程序只能查看，不能修改。"
                                      "请安装最新版本的创城工作台。")
        store.may_write = not store.read_only_reason and bool(
            store.value("SELECT has_table_privilege(current_user, 'audit_log', 'INSERT')"))
        if not store.read_only_reason and migrations_postgres.pending(store):
            try:
                migrations_postgres.upgrade(store)
            except AppError as exc:
                raise AppError("共享台账需要升级数据结构，只有管理员能升级。请管理员用本版本的创城工作台连接一次，"
                               "之后其他人再连接。", exc.details) from None
    except BaseException:
        store.close()
        raise
    return store


def unreachable_message(url: str, exc: Exception) -> str:
    """What to check when the server cannot be reached or refuses the login."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - a malformed address is named as given
        info = {}
    where = f"{info.get('host', '本机')}:{info.get('port', '5432')}"
    text = str(exc).lower()
    if "password" in text or "authentication" in text or "not permitted to log in" in text:
        return (f"共享台账服务器 {where} 拒绝了登录（用户 {info.get('user', '')}）：密码不对或账号已停用。"
                "请检查用户名和密码，或请管理员确认账号。")
    if "does not exist" in text and "database" in text:
        return f"共享台账服务器 {where} 上没有数据库“{info.get('dbname', '')}”。请检查数据库名称。"
    return (f"无法连接共享台账服务器 {where}。请检查：这台电脑能否访问服务器（网络、防火墙），"
            "服务器上的 PostgreSQL 是否已启动，地址和端口是否正确。")
