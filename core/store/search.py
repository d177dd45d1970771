"""The search index behind global search and the findings list's text filter, one per engine.

Each kind of record has an index table holding a title and a detail text per record (kept current
by the schema's triggers). A query asks for the records where every word occurs in the title or
the detail, case-insensitively for Latin letters: SQLite answers from FTS5 trigram tables, the
server from tables read with ILIKE (trigram GIN indexes when pg_trgm is there). Both give the same
records for the same words.
"""

from __future__ import annotations

from core.text import like_contains

KINDS = ("units", "standards", "materials", "attachments", "findings", "notices", "results")
# The 操作日志's text is indexed too (its list's filter, not global search): on SQLite an FTS5 table
# over the log's own columns, on the server a trigram index on the log's joined text. It is asked
# for words of three or more characters only.
AUDIT = "audit"

# A one- or two-character word is looked up in the FTS5 index vocabulary: the trigrams that begin
# with it (every character begins one: each indexed text ends in two spaces). Up to this many they
# are OR-ed into the MATCH — exact and instant for a rare word; beyond it the word is common, so a
# LIKE scan reaches the limit of hits within the first rows.
MAX_EXPANSION = 200
# Records a server search reads first, in id order, before it takes the matches beyond them off
# the trigram index (LikeIndex.stages): at most about 3 ms of LIKE at 10x.
WINDOW = 10_000


class SearchIndex:
    # How a query starts from the index: "FROM <table> s <join> records r ON r.id = <id>".
    join = "JOIN"
    # Put before a list's id tested against the matches (records_matching).
    filter_only = ""

    def __init__(self, store):
        self.store = store

    def table(self, kind: str) -> str:
        raise NotImplementedError

    def id(self, alias: str = "s") -> str:
        """The record id column of the index table."""
        raise NotImplementedError

    def condition(self, kind: str, words: list[str], alias: str = "s") -> tuple[str, dict] | None:
        """A condition on the index table (under `alias`) that every word meets, and its parameters;
        None when a word occurs in no record of this kind."""
        raise NotImplementedError

    def rebuild(self) -> None:
        """Fill every index table again from its records (inside a write transaction)."""
        raise NotImplementedError

    def stages(self, kind: str, condition: str, words: list[str],
               descending: bool = False) -> list[tuple[str, str, str, dict]]:
        """How a query reads the first hits of these words (their `condition` on the index table)
        in record order, in stages: per stage a WITH clause to put first, the index rows it reads
        ("<index table> s", which the query may join to the records), their condition and its
        parameters. A later stage runs only while
        the ones before found fewer hits than wanted, and finds only records beyond theirs. The
        index's own order needs one stage."""
        return [("", f"{self.table(kind)} s", condition, {})]

    def matching_ids(self, kind: str, words: list[str]) -> tuple[str, dict] | None:
        """A sub-query giving the ids of the records matching every word (None: no record)."""
        found = self.condition(kind, words, "s")
        if found is None:
            return None
        where, params = found
        return f"SELECT {self.id('s')} FROM {self.table(kind)} s WHERE {where}", params

    def records_matching(self, kind: str, words: list[str], id_column: str) -> tuple[str, dict]:
        """A condition on a list's records (`id_column` their id) that keeps those matching every
        word, for a list that orders and cuts by its own columns."""
        found = self.matching_ids(kind, words)
        if found is None:
            return "1 = 0", {}
        ids, params = found
        return f"{self.filter_only}{id_column} IN ({ids})", params


def _like_either(alias: str, name: str) -> str:
    return f"({alias}.title LIKE :{name} ESCAPE '\\' OR {alias}.detail LIKE :{name} ESCAPE '\\')"


class Fts5Index(SearchIndex):
    # "+id": the matches only filter; the list's order and its other conditions choose the index.
    # Led by the matches, SQLite would fetch every record of a common word to sort them.
    filter_only = "+"
    # CROSS JOIN keeps the index first: otherwise SQLite may walk the records by another index
    # (the edition's materials) and run the MATCH once per record — 4.5 s instead of 0.3 ms at 10x.
    join = "CROSS JOIN"

    def table(self, kind):
        return f"fts_{kind}"

    def id(self, alias="s"):
        return f"{alias}.rowid"

    def condition(self, kind, words, alias="s"):
        table = self.table(kind)
        match, conditions, params = [], [], {}
        for i, word in enumerate(words):
            if len(word) >= 3:
                match.append(_quote(word))
                continue
            terms = self.store.column(f"SELECT term FROM {table}_vocab WHERE term >= :low AND term < :high",
                                      {"low": word, "high": word + "\U0010ffff"})
            if not terms:
                return None
            if len(terms) <= MAX_EXPANSION:
                match.append("(" + " OR ".join(_quote(t) for t in terms) + ")")
            else:
                conditions.append(_like_either(alias, f"w{i}"))
                params[f"w{i}"] = like_contains(word)
        if match:
            conditions.insert(0, f"{table} MATCH :match")
            params["match"] = " AND ".join(match)
        return " AND ".join(conditions), params


    def rebuild(self):
        from core.migrations import SEARCH_SOURCES, search_insert_sql

        for table in SEARCH_SOURCES:
            self.store.execute(f"DELETE FROM {table}")
            self.store.execute(search_insert_sql(table))
        self.store.execute("INSERT INTO fts_audit (fts_audit) VALUES ('rebuild')")


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class LikeIndex(SearchIndex):
    """The server's search tables, read with LIKE (ILIKE for a word with Latin letters, see
    core.store.postgres); pg_trgm's GIN indexes answer a word of three or more characters from
    the index when the extension is installed."""

    def __init__(self, store):
        super().__init__(store)
        self._trigram = None

    def table(self, kind):
        return "audit_log" if kind == AUDIT else f"search_{kind}"

    def id(self, alias="s"):
        return f"{alias}.id"

    def trigram(self) -> bool:
        """pg_trgm installed (asked once per connection)."""
        if self._trigram is None:
            self._trigram = bool(self.store.value("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"))
        return self._trigram

    def stages(self, kind, condition, words, descending=False):
        # A word the trigram index answers can be read two ways: walk the records in id order,
        # testing each until enough match (instant when the matches are spread, 75 ms at 10x when
        # a phrase's 19,000 matches are all among the newest attachments), or take every match off
        # the index (cost: the matches, 1 ms for 2,000). The planner cannot tell a spread word from
        # a clustered one (nor estimate a Chinese LIKE well), so both are done in turn: the first
        # WINDOW records, then, if too few matched there, the matches beyond them taken off the
        # index (MATERIALIZED: read once, never walked again per record).
        if not (self.trigram() and any(len(w) >= 3 for w in words)):
            return super().stages(kind, condition, words, descending)
        # The edge is read once, before both: each stage is its own statement, and a colleague's
        # new record in between would otherwise move it (a hit twice, another lost).
        table, direction = self.table(kind), " DESC" if descending else ""
        edge = self.store.value(f"SELECT {'min' if descending else 'max'}(id) FROM"
                                f" (SELECT id FROM {table} ORDER BY id{direction} LIMIT {WINDOW}) w")
        within, beyond = (">=", "<") if descending else ("<=", ">")
        return [("", f"{table} s", f"{condition} AND s.id {within} :edge", {"edge": edge}),
                (f"WITH s AS MATERIALIZED (SELECT * FROM {table} s WHERE {condition}) ", "s", f"s.id {beyond} :edge",
                 {"edge": edge})]

    def records_matching(self, kind, words, id_column):
        if kind == AUDIT:  # the 操作日志's text is indexed on the log itself: no sub-query
            return self.condition(kind, words)
        return super().records_matching(kind, words, id_column)

    def condition(self, kind, words, alias="s"):
        if not words:
            return "TRUE", {}
        params = {f"w{i}": like_contains(w) for i, w in enumerate(words)}
        if kind == AUDIT:  # the expression of the trigram index, so that the index answers
            from core.migrations import AUDIT_TEXT

            return " AND ".join(f"({AUDIT_TEXT}) LIKE :w{i} ESCAPE '\\'" for i in range(len(words))), params
        return " AND ".join(_like_either(alias, f"w{i}") for i in range(len(words))), params

    def rebuild(self):
        from core.migrations_postgres import SEARCH_SOURCES

        for table, (_source, _alias, _columns, select) in SEARCH_SOURCES.items():
            self.store.execute(f"DELETE FROM {table}")
            self.store.execute(f"INSERT INTO {table} (id, title, detail)"
                               f" SELECT id, title || '  ', detail || '  ' FROM ({select}) s")

