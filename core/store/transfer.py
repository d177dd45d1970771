"""Moving a whole ledger from one store to another, rows and ids as they are.

Used to move a single-desk ledger onto the server (server-import, restore onto the server) and to
take the server's ledger into one SQLite file (a backup of the shared ledger, in the same .ccbak
format as a single desk's). Both stores hold the same schema version; tables and columns are those
of the target, read in the order their foreign keys need (a table's parents first; within a table
that refers to itself, a row after the row it names). The search tables are filled by the target's
own triggers as the rows arrive.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from core.store.base import Store, identifier

BATCH = 2000


def table_order(store: Store) -> list[str]:
    """The ledger's tables, every table after the tables its foreign keys point at."""
    tables = store.tables()
    parents = {t: set() for t in tables}
    for table in tables:
        for source, _column in store.foreign_keys_to(table):
            if source in parents and source != table:
                parents[source].add(table)
    ordered, placed = [], set()
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in placed and parents[t] <= placed]
        if not ready:  # a cycle between tables: the schema has none; keep going in name order
            ready = [t for t in tables if t not in placed][:1]
        for t in ready:
            ordered.append(t)
            placed.add(t)
    return ordered


def columns(store: Store, table: str) -> list[str]:
    if store.engine == "sqlite":
        return store.column("SELECT name FROM pragma_table_info(:t) ORDER BY cid", {"t": table})
    return store.column("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                        " AND table_name = :t ORDER BY ordinal_position", {"t": table})


def _stream(store: Store, sql: str) -> Iterator[tuple]:
    """Every row of a query, read in batches (a table of the 10x district does not sit in memory)."""
    if store.engine == "sqlite":
        yield from store._run(sql, {})
        return
    with store._failures("读取台账"), store._conn.cursor(name="ledger_transfer") as cursor:
        cursor.itersize = BATCH
        cursor.execute(sql)
        yield from cursor


def _self_references(store: Store, table: str) -> list[str]:
    return [c for source, c in store.foreign_keys_to(table) if source == table]


def _in_reference_order(rows: list[tuple], names: list[str], refs: list[str]) -> list[tuple]:
    """Rows of a table that refers to itself, each after the rows it names."""
    at = {name: i for i, name in enumerate(names)}
    key = at["id"]
    pending, done, ordered = list(rows), set(), []
    while pending:
        waiting = []
        for row in pending:
            if all(row[at[r]] is None or row[at[r]] in done or row[at[r]] == row[key] for r in refs):
                ordered.append(row)
                done.add(row[key])
            else:
                waiting.append(row)
        if len(waiting) == len(pending):  # refers to a row that is not there: the target says so
            ordered.extend(waiting)
            break
        pending = waiting
    return ordered


def copy_ledger(source: Store, target: Store) -> dict[str, int]:
    """Copy every row of every ledger table from source into target (whose ledger tables are
    empty), inside the target's write transaction; the rows copied per table."""
    copied = {}
    for table in table_order(target):
        names = [c for c in columns(target, table) if c in set(columns(source, table))]
        select = f"SELECT {', '.join(identifier(c) for c in names)} FROM {identifier(table)}"
        select += " ORDER BY id" if "id" in names else ""
        rows: Iterable[tuple] = _stream(source, select)
        refs = _self_references(target, table)
        if refs:
            rows = _in_reference_order(list(rows), names, refs)
        copied[table] = _write_rows(target, table, names, rows)
    return copied


def _write_rows(target: Store, table: str, names: list[str], rows: Iterable[tuple]) -> int:
    if target.engine == "postgresql":
        return _copy_into_server(target, table, names, rows)
    sql = (f"INSERT INTO {identifier(table)} ({', '.join(names)})"
           f" VALUES ({', '.join(':' + c for c in names)})")
    count, batch = 0, []
    for row in rows:
        batch.append(dict(zip(names, row)))
        if len(batch) >= BATCH:
            target.executemany(sql, batch)
            count, batch = count + len(batch), []
    target.executemany(sql, batch)
    return count + len(batch)


def _copy_into_server(target: Store, table: str, names: list[str], rows: Iterable[tuple]) -> int:
    """COPY, the server's bulk load; a value SQLite kept in a looser type is given the column's."""
    kinds = dict(target.tuples("SELECT column_name, data_type FROM information_schema.columns"
                               " WHERE table_schema = current_schema() AND table_name = :t", {"t": table}))
    convert = [_converter(kinds.get(n, "")) for n in names]
    count = 0
    with target._failures("把台账写入服务器"), target._conn.cursor() as cursor, \
            cursor.copy(f"COPY {identifier(table)} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([f(v) for f, v in zip(convert, row)])
            count += 1
    return count


def _converter(data_type: str):
    def as_integer(v):
        return int(v) if isinstance(v, float) and v.is_integer() else v

    def as_text(v):
        return v if v is None or isinstance(v, str) else str(v)

    if data_type in ("bigint", "integer", "smallint"):
        return as_integer
    if data_type == "text":
        return as_text
    return lambda v: v


def clear_ledger(store: Store, *, files: bool) -> None:
    """Remove every row of the server's ledger (and, with files, every stored file), inside the
    write transaction: children before parents. DELETE, not TRUNCATE, so that other clients go
    on reading the ledger as it was until the transaction commits."""
    for table in reversed(table_order(store)):
        store.execute(f"DELETE FROM {identifier(table)}")
    if files:
        store.execute("DELETE FROM attachment_files")


def lock_ledger(store: Store) -> None:
    """Hold every ledger table against other clients' writes until the transaction ends (they
    still read)."""
    store.execute(f"LOCK TABLE {', '.join(identifier(t) for t in store.tables())} IN EXCLUSIVE MODE")


def move_identities_past_ids(store: Store) -> None:
    """After rows came in with their ids: each identity continues after the highest id."""
    for table, column in store.tuples(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name"):
        highest = store.value(f"SELECT max({identifier(column)}) FROM {identifier(table)}")
        store.value("SELECT setval(pg_get_serial_sequence(:t, :c), :v, :called)",
                    {"t": table, "c": column, "v": highest or 1, "called": highest is not None})
