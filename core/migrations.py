"""The schema, one step at a time.

Each function is one released schema step: never edit a step once it has shipped, add a new one.
The number of steps is the schema version (also kept in PRAGMA user_version) so that a database
written by a newer program can be recognised and refused.
"""

from sqlite_utils import Migrations

migrations = Migrations("chuangcheng")


@migrations()
def m001_foundation(db):
    db.executescript(
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT
        );

        -- Editable word lists (单位类别, 点位类型, 测评方法 …); `kind` names the list.
        CREATE TABLE vocab (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            UNIQUE (kind, value)
        );

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            action TEXT NOT NULL,
            table_name TEXT NOT NULL,
            record_id TEXT,
            summary TEXT,
            before TEXT,
            after TEXT
        );
        CREATE INDEX audit_log_record ON audit_log (table_name, record_id);
        CREATE INDEX audit_log_at ON audit_log (at);

        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            short_name TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT '其他',
            head TEXT NOT NULL DEFAULT '',
            leader TEXT NOT NULL DEFAULT '',
            liaison TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            retired INTEGER NOT NULL DEFAULT 0,
            merged_into INTEGER REFERENCES units (id),
            position INTEGER NOT NULL DEFAULT 0
        );

        -- Former names (机构改革) and other names a file may use for a unit.
        CREATE TABLE unit_aliases (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units (id),
            alias TEXT NOT NULL UNIQUE,
            reason TEXT NOT NULL DEFAULT ''
        );

        -- A group stands for several units: every active unit of `unit_kind` (各街道 → 街道),
        -- or the explicit members listed in unit_group_members.
        CREATE TABLE unit_groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            unit_kind TEXT,
            builtin INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE unit_group_members (
            group_id INTEGER NOT NULL REFERENCES unit_groups (id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units (id),
            PRIMARY KEY (group_id, unit_id)
        );

        CREATE TABLE editions (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            year INTEGER,
            title TEXT NOT NULL DEFAULT '',
            copied_from INTEGER REFERENCES editions (id),
            created_at TEXT NOT NULL
        );

        -- The 测评体系 tree: level 1 测评项目, 2 测评内容, 3 测评标准.
        CREATE TABLE framework_nodes (
            id INTEGER PRIMARY KEY,
            edition_id INTEGER NOT NULL REFERENCES editions (id),
            parent_id INTEGER REFERENCES framework_nodes (id),
            level INTEGER NOT NULL CHECK (level IN (1, 2, 3)),
            position INTEGER NOT NULL DEFAULT 0,
            code TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL,
            methods TEXT NOT NULL DEFAULT '',
            points REAL,
            working_group TEXT NOT NULL DEFAULT '',
            deadline TEXT NOT NULL DEFAULT '',
            negative INTEGER NOT NULL DEFAULT 0,
            retired INTEGER NOT NULL DEFAULT 0,
            -- The same standard in the edition this one was copied from (year-over-year link).
            origin_id INTEGER REFERENCES framework_nodes (id)
        );
        CREATE INDEX framework_nodes_edition ON framework_nodes (edition_id, level, position);
        CREATE INDEX framework_nodes_parent ON framework_nodes (parent_id, position);
        CREATE UNIQUE INDEX framework_nodes_code ON framework_nodes (edition_id, code)
            WHERE level = 3;
        CREATE INDEX framework_nodes_origin ON framework_nodes (origin_id);

        -- 分解表: a standard's lead (牵头) and supporting (配合) units, each row naming one unit
        -- or one group (expanded to its members when read).
        CREATE TABLE assignments (
            id INTEGER PRIMARY KEY,
            node_id INTEGER NOT NULL REFERENCES framework_nodes (id),
            role TEXT NOT NULL CHECK (role IN ('lead', 'support')),
            unit_id INTEGER REFERENCES units (id),
            group_id INTEGER REFERENCES unit_groups (id),
            position INTEGER NOT NULL DEFAULT 0,
            CHECK ((unit_id IS NULL) <> (group_id IS NULL))
        );
        CREATE INDEX assignments_node ON assignments (node_id, role, position);
        CREATE INDEX assignments_unit ON assignments (unit_id);
        CREATE INDEX assignments_group ON assignments (group_id);

        -- Every unit a standard is assigned to, groups expanded over active units.
        CREATE VIEW assignment_units AS
            SELECT a.node_id, a.role, a.unit_id, NULL AS group_name, a.position
              FROM assignments a WHERE a.unit_id IS NOT NULL
            UNION
            SELECT a.node_id, a.role, u.id, g.name, a.position
              FROM assignments a
              JOIN unit_groups g ON g.id = a.group_id
              JOIN units u ON u.kind = g.unit_kind AND u.retired = 0
             WHERE g.unit_kind IS NOT NULL
            UNION
            SELECT a.node_id, a.role, m.unit_id, g.name, a.position
              FROM assignments a
              JOIN unit_groups g ON g.id = a.group_id
              JOIN unit_group_members m ON m.group_id = g.id;
        """
    )


@migrations()
def m002_attachments(db):
    db.executescript(
        """
        -- Files are stored once, named by their SHA-256 (attachments/ab/<sha256>); a row here per
        -- use of a file by a record of any area (owner_table, owner_id), so one photo can serve
        -- several records and a file stays until no row refers to it.
        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL,
            owner_table TEXT NOT NULL,
            owner_id INTEGER NOT NULL,
            role TEXT NOT NULL DEFAULT '',
            original_name TEXT NOT NULL,
            size INTEGER NOT NULL,
            mime TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL,
            caption TEXT NOT NULL DEFAULT '',
            taken_at TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX attachments_owner ON attachments (owner_table, owner_id, role, position);
        CREATE INDEX attachments_sha ON attachments (sha256);
        """
    )


@migrations()
def m005_scoring(db):
    db.executescript(
        """
        -- 测评轮次: one assessment (自查 / 模拟测评 / 市测 / 省测 / 国测) scored against one edition.
        CREATE TABLE score_rounds (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            held_on TEXT NOT NULL DEFAULT '',
            edition_id INTEGER REFERENCES editions (id),
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );

        -- One scored line of a round: a standard (form a) or a 点位 (form b). Loss = full - score;
        -- a 负面清单 line has full 0 and a score of minus its deduction.
        CREATE TABLE score_results (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES score_rounds (id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            node_id INTEGER REFERENCES framework_nodes (id),
            category_id INTEGER REFERENCES framework_nodes (id),
            category TEXT NOT NULL DEFAULT '',
            item TEXT NOT NULL DEFAULT '',
            code TEXT NOT NULL DEFAULT '',
            site TEXT NOT NULL DEFAULT '',
            site_type TEXT NOT NULL DEFAULT '',
            locality TEXT NOT NULL DEFAULT '',
            locality_unit_id INTEGER REFERENCES units (id),
            full_points REAL NOT NULL,
            score REAL NOT NULL,
            negative INTEGER NOT NULL DEFAULT 0,
            reason TEXT NOT NULL DEFAULT '',
            source_row INTEGER
        );
        CREATE INDEX score_results_round ON score_results (round_id, position);
        CREATE INDEX score_results_node ON score_results (node_id);
        CREATE INDEX score_results_category ON score_results (category_id);
        CREATE INDEX score_results_locality ON score_results (locality_unit_id);

        -- The units a line names as responsible (no uniqueness: a unit merge may repeat one).
        CREATE TABLE score_result_units (
            result_id INTEGER NOT NULL REFERENCES score_results (id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units (id),
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX score_result_units_result ON score_result_units (result_id);
        CREATE INDEX score_result_units_unit ON score_result_units (unit_id);
        """
    )


@migrations()
def m004_supervision(db):
    db.executescript(
        """
        -- 点位 register: a place inspected again and again, with its 属地 (a 街道 unit) and the
        -- units answerable for it by default.
        CREATE TABLE sites (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            site_type TEXT NOT NULL,
            address TEXT NOT NULL DEFAULT '',
            locality_unit_id INTEGER REFERENCES units (id),
            note TEXT NOT NULL DEFAULT '',
            retired INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX sites_type ON sites (site_type);
        CREATE INDEX sites_locality ON sites (locality_unit_id);
        CREATE TABLE site_units (
            site_id INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units (id),
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (site_id, unit_id)
        );
        CREATE INDEX site_units_unit ON site_units (unit_id);

        -- Working-day calendar for years chinese_calendar does not know yet: the office enters
        -- the State Council's schedule (放假 days and 调休 上班 days); a year listed in
        -- workday_years is complete, so deadlines in it are not flagged as uncertain.
        CREATE TABLE workday_overrides (
            day TEXT PRIMARY KEY,
            is_workday INTEGER NOT NULL,
            name TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE workday_years (
            year INTEGER PRIMARY KEY,
            source TEXT NOT NULL DEFAULT '',
            entered_at TEXT NOT NULL
        );

        -- 督办通知单: numbered in a yearly sequence without gaps; a voided notice keeps its number.
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            year INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            number TEXT NOT NULL UNIQUE,
            unit_id INTEGER NOT NULL REFERENCES units (id),
            issued_on TEXT NOT NULL,
            due_on TEXT NOT NULL,
            requirement TEXT NOT NULL DEFAULT '',
            contact TEXT NOT NULL DEFAULT '',
            round INTEGER NOT NULL DEFAULT 1,
            voided INTEGER NOT NULL DEFAULT 0,
            void_reason TEXT NOT NULL DEFAULT '',
            voided_at TEXT NOT NULL DEFAULT '',
            receipt_signer TEXT NOT NULL DEFAULT '',
            receipt_at TEXT NOT NULL DEFAULT '',
            receipt_note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            UNIQUE (year, seq)
        );
        CREATE INDEX notices_unit ON notices (unit_id);

        -- 督查问题. status follows core.supervision.TRANSITIONS; prev_at_site is the date of the
        -- previous finding at the same registered 点位 (for the repeated-problem 挂牌 rule).
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            found_on TEXT NOT NULL,
            source TEXT NOT NULL,
            site_id INTEGER NOT NULL REFERENCES sites (id),
            node_id INTEGER REFERENCES framework_nodes (id),
            description TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units (id),
            severity TEXT NOT NULL,
            limit_days INTEGER,
            requested_due TEXT,
            due_on TEXT,
            status TEXT NOT NULL,
            assigned_on TEXT,
            notice_id INTEGER REFERENCES notices (id),
            supervision_count INTEGER NOT NULL DEFAULT 0,
            fixed_on_spot INTEGER NOT NULL DEFAULT 0,
            prev_at_site TEXT,
            closed_on TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX findings_status ON findings (status, due_on);
        CREATE INDEX findings_unit ON findings (unit_id, status);
        CREATE INDEX findings_site ON findings (site_id, found_on);
        CREATE INDEX findings_found ON findings (found_on);
        CREATE INDEX findings_closed ON findings (closed_on);
        CREATE INDEX findings_node ON findings (node_id);
        CREATE INDEX findings_notice ON findings (notice_id);
        CREATE TABLE finding_units (
            finding_id INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units (id),
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (finding_id, unit_id)
        );
        CREATE INDEX finding_units_unit ON finding_units (unit_id);
        CREATE TABLE notice_findings (
            notice_id INTEGER NOT NULL REFERENCES notices (id),
            finding_id INTEGER NOT NULL REFERENCES findings (id),
            position INTEGER NOT NULL DEFAULT 0,
            due_on TEXT NOT NULL,
            PRIMARY KEY (notice_id, finding_id)
        );
        CREATE INDEX notice_findings_finding ON notice_findings (finding_id);

        -- Every step of a finding, dated: 交办, 签收, 反馈, 复查 (reviewer, result, comment) …
        CREATE TABLE finding_events (
            id INTEGER PRIMARY KEY,
            finding_id INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
            on_date TEXT NOT NULL,
            action TEXT NOT NULL,
            from_status TEXT NOT NULL DEFAULT '',
            to_status TEXT NOT NULL DEFAULT '',
            person TEXT NOT NULL DEFAULT '',
            result TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            notice_id INTEGER REFERENCES notices (id),
            operator TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX finding_events_finding ON finding_events (finding_id, id);
        """
    )


@migrations()
def m003_letters(db):
    db.executescript(
        """
        -- 目标责任书 templates by name ('default' is the one in use); content is JSON.
        CREATE TABLE letter_templates (
            name TEXT PRIMARY KEY,
            content TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        -- Signing state of one unit's letter for one year: 未印发 → 已印发 → 已签订. The scanned
        -- signed copy is an attachment owned by ('letter_status', id). `snapshot` holds the unit's
        -- tasks (JSON) when its letter was last generated, to show what changed since.
        -- Not UNIQUE (year, unit_id): merging units may bring two rows together; readers take
        -- the most advanced one.
        CREATE TABLE letter_status (
            id INTEGER PRIMARY KEY,
            year INTEGER NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units (id),
            state TEXT NOT NULL DEFAULT '未印发' CHECK (state IN ('未印发', '已印发', '已签订')),
            issued_on TEXT NOT NULL DEFAULT '',
            signed_on TEXT NOT NULL DEFAULT '',
            signed_by TEXT NOT NULL DEFAULT '',
            edition_id INTEGER REFERENCES editions (id),
            generated_at TEXT NOT NULL DEFAULT '',
            snapshot TEXT
        );
        CREATE INDEX letter_status_year_unit ON letter_status (year, unit_id);
        CREATE INDEX letter_status_unit ON letter_status (unit_id);
        """
    )


@migrations()
def m006_materials(db):
    db.executescript(
        """
        -- 档案材料: one required piece of evidence for a standard. status follows
        -- core.materials.TRANSITIONS. A removed material keeps its row (and its attachments) so
        -- nothing a user attached is lost; default_kind marks the default checklist's items so
        -- materials-init adds only what is missing. origin_id: last year's material it carries on.
        CREATE TABLE materials (
            id INTEGER PRIMARY KEY,
            edition_id INTEGER NOT NULL REFERENCES editions (id),
            node_id INTEGER NOT NULL REFERENCES framework_nodes (id),
            position INTEGER NOT NULL DEFAULT 0,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            requirement TEXT NOT NULL DEFAULT '',
            unit_id INTEGER REFERENCES units (id),
            due_on TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT '待提交',
            comment TEXT NOT NULL DEFAULT '',
            doc_number TEXT NOT NULL DEFAULT '',
            doc_date TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            box INTEGER,
            item INTEGER,
            pages INTEGER,
            default_kind TEXT,
            origin_id INTEGER REFERENCES materials (id),
            missing_last_year INTEGER NOT NULL DEFAULT 0,
            removed INTEGER NOT NULL DEFAULT 0,
            reviewed_at TEXT NOT NULL DEFAULT '',
            reviewed_by TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL
        );
        CREATE INDEX materials_edition ON materials (edition_id, removed, status);
        CREATE INDEX materials_node ON materials (node_id, position);
        CREATE INDEX materials_unit ON materials (unit_id);
        CREATE INDEX materials_origin ON materials (origin_id);
        CREATE INDEX materials_box ON materials (edition_id, box, item);

        -- Where the 档案审查 walk of an edition stopped, so it resumes there.
        CREATE TABLE material_review_progress (
            edition_id INTEGER PRIMARY KEY REFERENCES editions (id),
            material_id INTEGER REFERENCES materials (id),
            updated_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m007_assignment_units_union_all(db):
    # UNION ALL lets SQLite push a unit or node condition into each branch instead of building the
    # whole expanded view first (110 ms → 2 ms at 10x); every reader already uses DISTINCT or GROUP BY.
    db.executescript(
        """
        DROP VIEW assignment_units;
        CREATE VIEW assignment_units AS
            SELECT a.node_id, a.role, a.unit_id, NULL AS group_name, a.position
              FROM assignments a WHERE a.unit_id IS NOT NULL
            UNION ALL
            SELECT a.node_id, a.role, u.id, g.name, a.position
              FROM assignments a
              JOIN unit_groups g ON g.id = a.group_id
              JOIN units u ON u.kind = g.unit_kind AND u.retired = 0
             WHERE g.unit_kind IS NOT NULL
            UNION ALL
            SELECT a.node_id, a.role, m.unit_id, g.name, a.position
              FROM assignments a
              JOIN unit_groups g ON g.id = a.group_id
              JOIN unit_group_members m ON m.group_id = g.id;
        """
    )


# What global search reads: one FTS5 trigram table per kind of record (trigram finds Chinese at any
# position; the default tokenizer finds no Chinese words), rowid = the record's id so triggers keep
# it current with one indexed delete. Texts are copied, not external content, because several
# kinds index text from joined tables (a finding's 点位, a unit's former names). Each text ends in
# two spaces so that every character starts a trigram: then the index vocabulary (fts5vocab) tells
# exactly which trigrams begin with a one- or two-character query (see core.search).
SEARCH_SOURCES = {
    "fts_units": """SELECT u.id AS id, u.name AS title,
                           u.short_name || ' ' || COALESCE((SELECT group_concat(alias, ' ')
                                                             FROM unit_aliases WHERE unit_id = u.id), '') AS detail
                      FROM units u""",
    "fts_standards": "SELECT n.id AS id, n.code || ' ' || n.title AS title, n.methods AS detail FROM framework_nodes n",
    "fts_materials": "SELECT m.id AS id, m.title AS title, m.requirement || ' ' || m.doc_number AS detail FROM materials m",
    "fts_attachments": "SELECT a.id AS id, a.original_name AS title, a.caption AS detail FROM attachments a",
    "fts_findings": """SELECT f.id AS id, f.description AS title,
                              COALESCE((SELECT name FROM sites WHERE id = f.site_id), '') AS detail
                         FROM findings f""",
    "fts_notices": "SELECT t.id AS id, t.number AS title, t.requirement AS detail FROM notices t",
    "fts_results": """SELECT r.id AS id, r.code || ' ' || r.item AS title,
                             r.site || ' ' || r.category || ' ' || r.reason AS detail
                        FROM score_results r""",
}
# table → (source table, the columns whose change re-indexes the row)
SEARCH_TRIGGERS = {
    "fts_units": ("units", "name, short_name"),
    "fts_standards": ("framework_nodes", "code, title, methods"),
    "fts_materials": ("materials", "title, requirement, doc_number"),
    "fts_attachments": ("attachments", "original_name, caption"),
    "fts_findings": ("findings", "description, site_id"),
    "fts_notices": ("notices", "number, requirement"),
    "fts_results": ("score_results", "code, item, site, category, reason"),
}


def search_insert_sql(table: str, row_id: str | None = None, also: str = "") -> str:
    """INSERT into a search table from its source: every row, or the row whose id is `row_id`."""
    source = SEARCH_SOURCES[table]
    alias = source.split("FROM")[-1].split()[-1]  # "units u" → "u"
    where = f"WHERE {alias}.id = {row_id} {also}" if row_id else ""
    return (f"INSERT INTO {table} (rowid, title, detail) SELECT id, title || '  ', detail || '  '"
            f" FROM ({source} {where});")


@migrations()
def m008_search(db):
    statements = []
    for table, (source, columns) in SEARCH_TRIGGERS.items():
        statements.append(f"CREATE VIRTUAL TABLE {table} USING fts5(title, detail, tokenize = 'trigram');")
        statements.append(f"CREATE VIRTUAL TABLE {table}_vocab USING fts5vocab({table}, 'row');")
        statements.append(search_insert_sql(table))
        statements.append(f"""
            CREATE TRIGGER {table}_ai AFTER INSERT ON {source} BEGIN
                {search_insert_sql(table, 'new.id')}
            END;
            CREATE TRIGGER {table}_au AFTER UPDATE OF {columns} ON {source} BEGIN
                DELETE FROM {table} WHERE rowid = old.id;
                {search_insert_sql(table, 'new.id')}
            END;
            CREATE TRIGGER {table}_ad AFTER DELETE ON {source} BEGIN
                DELETE FROM {table} WHERE rowid = old.id;
            END;""")
    # Texts that live in other tables: a unit's former names, a finding's 点位 name.
    statements.append(f"""
        CREATE TRIGGER fts_units_alias_ai AFTER INSERT ON unit_aliases BEGIN
            DELETE FROM fts_units WHERE rowid = new.unit_id;
            {search_insert_sql('fts_units', 'new.unit_id')}
        END;
        CREATE TRIGGER fts_units_alias_ad AFTER DELETE ON unit_aliases BEGIN
            DELETE FROM fts_units WHERE rowid = old.unit_id;
            {search_insert_sql('fts_units', 'old.unit_id')}
        END;
        CREATE TRIGGER fts_units_alias_au AFTER UPDATE ON unit_aliases BEGIN
            DELETE FROM fts_units WHERE rowid IN (old.unit_id, new.unit_id);
            {search_insert_sql('fts_units', 'old.unit_id')}
            {search_insert_sql('fts_units', 'new.unit_id', 'AND new.unit_id <> old.unit_id')}
        END;
        CREATE TRIGGER fts_findings_site_au AFTER UPDATE OF name ON sites BEGIN
            DELETE FROM fts_findings WHERE rowid IN (SELECT id FROM findings WHERE site_id = new.id);
            INSERT INTO fts_findings (rowid, title, detail)
                SELECT id, description || '  ', new.name || '  ' FROM findings WHERE site_id = new.id;
        END;""")
    db.executescript("\n".join(statements))


@migrations()
def m009_list_speed(db):
    # Filters and counts of the lists at ten times a district's size (DESIGN.md: ≤ 50 ms); the
    # plans are checked in tests/test_query_plans.py.
    # - findings_flags holds every column the overdue and 挂牌 rules read (core.supervision), so
    #   those filters and the page's counts read only this index; it starts with findings_status's
    #   columns, which it replaces.
    # - materials of one unit in an edition (报送模板, the unit filter) without reading the edition.
    # - a unit's standards through its groups (assignment_units with a unit's condition): from
    #   the unit to its groups by kind or membership, then to the groups' assignments, instead of
    #   scanning every assignment.
    db.executescript(
        """
        CREATE INDEX findings_flags ON findings (status, due_on, supervision_count, found_on, prev_at_site);
        DROP INDEX findings_status;
        CREATE INDEX materials_unit_edition ON materials (unit_id, edition_id, removed);
        DROP INDEX materials_unit;
        CREATE INDEX unit_groups_kind ON unit_groups (unit_kind);
        CREATE INDEX unit_group_members_unit ON unit_group_members (unit_id);
        """
    )


# --- From version 10 on every step is written once for both engines --------------------------------
# A shared step takes the Store (SQLite here through sqlite-utils' runner, PostgreSQL through
# core.migrations_postgres.upgrade) and runs portable SQL, asking store.engine only where the engines
# truly differ. It carries the same name, and so the same version number, on both.

SHARED_STEPS: list = []


def shared_step(func):
    SHARED_STEPS.append(func)

    def on_sqlite(db, step=func):
        from core.store.sqlite import SqliteStore

        step(SqliteStore(db, db.conn.execute("PRAGMA database_list").fetchone()[2] or ":memory:", "升级"))

    migrations(name=func.__name__)(on_sqlite)
    return func


# Records two people may edit at once: a save carries the version it was read at and is refused
# when someone saved in between (optimistic check). Every update bumps the version, whatever code
# path made it, so the version is kept by the database itself.
VERSIONED_TABLES = ("units", "unit_groups", "editions", "framework_nodes", "letter_status", "sites",
                    "findings", "notices", "materials", "score_rounds", "score_results")


@shared_step
def m010_versions_and_counters(store):
    # Numbers people see (督办通知单文号, 材料编号, 件号, 通报文号) come from a counter row taken in the
    # write transaction: two clients never get the same number, and a rolled-back change gives its
    # number back (a sequence would skip it).
    store.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    for table in VERSIONED_TABLES:
        store.execute(f"ALTER TABLE {table} ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
        if store.engine == "sqlite":
            store.execute(f"""
                CREATE TRIGGER {table}_version AFTER UPDATE ON {table} FOR EACH ROW
                 WHEN NEW.version = OLD.version
                BEGIN UPDATE {table} SET version = OLD.version + 1 WHERE id = OLD.id; END""")
        else:
            store.execute(f"CREATE TRIGGER {table}_version BEFORE UPDATE ON {table} FOR EACH ROW"
                          " EXECUTE FUNCTION bump_version()")


@shared_step
def m011_bulletin_numbers(store):
    # The 发文字号 each 通报 got when first written (one per kind and period), so writing the same
    # 通报 again prints the same number; numbers come from the counter "bulletin:<year>".
    text, integer = ('TEXT COLLATE "C"', "BIGINT") if store.engine == "postgresql" else ("TEXT", "INTEGER")
    store.execute(f"""
        CREATE TABLE bulletin_numbers (
            kind {text} NOT NULL,
            period {text} NOT NULL,
            year {integer} NOT NULL,
            seq {integer} NOT NULL,
            number {text} NOT NULL,
            title {text} NOT NULL,
            created_at {text} NOT NULL,
            PRIMARY KEY (kind, period),
            UNIQUE (year, seq)
        )""")


@shared_step
def m012_material_document_title(store):
    # 题名: the title the document itself bears, as the unit gives it in its 报送表; the 归档文件目录
    # prints it (the checklist's 材料名称 is only a stand-in, in [ ]).
    text = 'TEXT COLLATE "C"' if store.engine == "postgresql" else "TEXT"
    store.execute(f"ALTER TABLE materials ADD COLUMN doc_title {text} NOT NULL DEFAULT ''")


@shared_step
def m013_photo_captions(store):
    # A photo in the archive is captioned 时间、地点、人物、事由 (taken_at is its 时间).
    collate = ' COLLATE "C"' if store.engine == "postgresql" else ""
    for column in ("place", "people", "subject"):
        store.execute(f"ALTER TABLE attachments ADD COLUMN {column} TEXT{collate} NOT NULL DEFAULT ''")


@shared_step
def m014_loss_findings(store):
    # 转为督查问题 remembers which finding each accountable unit of a loss line became, so that
    # converting again makes nothing new and the line shows (and opens) its findings. A line
    # deleted or imported again forgets its findings; the findings themselves stay.
    store.execute("""
        CREATE TABLE loss_findings (
            result_id BIGINT NOT NULL REFERENCES score_results(id) ON DELETE CASCADE,
            unit_id BIGINT NOT NULL REFERENCES units(id),
            finding_id BIGINT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
            PRIMARY KEY (result_id, unit_id))""")
    store.execute("CREATE INDEX loss_findings_finding ON loss_findings (finding_id)")


# The 操作日志's text (摘要, 动作, 修改前, 修改后) as one text per row, for the server's trigram index
# and its queries (core.store.search); chr(31) keeps a word from spanning two fields.
AUDIT_TEXT = ("COALESCE(summary, '') || chr(31) || action || chr(31) || COALESCE(before, '') || chr(31)"
              " || COALESCE(after, '')")


@shared_step
def m015_audit_text_search(store):
    # The 操作日志 text filter through the search index (words of three or more characters): at ten
    # times a district's year even visiting one quarter's rows to test them took longer than the
    # list's budget. SQLite indexes the log's own columns (FTS5 trigram, external content: the texts
    # are not stored twice); the server gets a trigram index on the joined text where pg_trgm is.
    if store.engine == "sqlite":
        store.execute("CREATE VIRTUAL TABLE fts_audit USING fts5(summary, action, before, after,"
                      " content = 'audit_log', content_rowid = 'id', tokenize = 'trigram')")
        store.execute("INSERT INTO fts_audit (fts_audit) VALUES ('rebuild')")
        store.execute("""
            CREATE TRIGGER fts_audit_ai AFTER INSERT ON audit_log BEGIN
                INSERT INTO fts_audit (rowid, summary, action, before, after)
                VALUES (new.id, new.summary, new.action, new.before, new.after);
            END""")
        store.execute("""
            CREATE TRIGGER fts_audit_ad AFTER DELETE ON audit_log BEGIN
                INSERT INTO fts_audit (fts_audit, rowid, summary, action, before, after)
                VALUES ('delete', old.id, old.summary, old.action, old.before, old.after);
            END""")
    elif store.value("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"):
        store.execute(f"CREATE INDEX audit_log_text_trgm ON audit_log USING gin (({AUDIT_TEXT}) gin_trgm_ops)")


def schema_version() -> int:
    """The schema version this program writes: the number of steps it knows."""
    return len(migrations._migrations)


def known_names() -> set[str]:
    return {m.name for m in migrations._migrations}


@shared_step
def m016_chasing_units(store):
    # 催办: each time the office chases a unit about an item (a finding, a material, its 责任书, a
    # 工作包 not returned), by phone, text or a printed 催办单 — who, when, how. 工作包: each package
    # exported for a unit, until its return workbook is imported (a package not back within
    # 工作包回收天数 is itself chased).
    if store.engine == "postgresql":
        key, integer, text = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BIGINT", 'TEXT COLLATE "C"'
    else:
        key, integer, text = "INTEGER PRIMARY KEY", "INTEGER", "TEXT"
    store.execute(f"""
        CREATE TABLE reminders (
            id {key},
            unit_id {integer} NOT NULL REFERENCES units (id),
            record_table {text} NOT NULL CHECK (record_table IN ('findings', 'materials', 'letter_status',
                                                                 'unit_packages', 'units')),
            record_id {integer} NOT NULL,
            method {text} NOT NULL CHECK (method IN ('电话', '短信', '催办单')),
            note {text} NOT NULL DEFAULT '',
            operator {text} NOT NULL,
            created_at {text} NOT NULL
        )""")
    store.execute("CREATE INDEX reminders_record ON reminders (record_table, record_id)")
    store.execute("CREATE INDEX reminders_unit ON reminders (unit_id, created_at)")
    store.execute(f"""
        CREATE TABLE unit_packages (
            id {key},
            unit_id {integer} NOT NULL REFERENCES units (id),
            exported_at {text} NOT NULL,
            exported_by {text} NOT NULL,
            file_name {text} NOT NULL DEFAULT '',
            imported_at {text} NOT NULL DEFAULT '',
            imported_by {text} NOT NULL DEFAULT ''
        )""")
    store.execute("CREATE INDEX unit_packages_unit ON unit_packages (unit_id, exported_at)")


@shared_step
def m017_working_groups(store):
    # 专项推进组 as records: a group has a name, a 组长 (a leader and the unit leading it), member
    # units, and the standards it pushes (framework_nodes.working_group_id, the one place a standard
    # names its group). The office's list (the word list of the same name) and every text a standard
    # carried become groups; the texts and the word list go.
    if store.engine == "postgresql":
        key, integer, text = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BIGINT", 'TEXT COLLATE "C"'
    else:
        key, integer, text = "INTEGER PRIMARY KEY", "INTEGER", "TEXT"
    store.execute(f"""
        CREATE TABLE working_groups (
            id {key},
            name {text} NOT NULL UNIQUE,
            leader {text} NOT NULL DEFAULT '',
            lead_unit_id {integer} REFERENCES units (id),
            note {text} NOT NULL DEFAULT '',
            position {integer} NOT NULL DEFAULT 0
        )""")
    store.execute(f"""
        CREATE TABLE working_group_units (
            group_id {integer} NOT NULL REFERENCES working_groups (id),
            unit_id {integer} NOT NULL REFERENCES units (id),
            position {integer} NOT NULL DEFAULT 0,
            PRIMARY KEY (group_id, unit_id)
        )""")
    store.execute("CREATE INDEX working_group_units_unit ON working_group_units (unit_id)")
    store.execute(f"ALTER TABLE framework_nodes ADD COLUMN working_group_id {integer} REFERENCES working_groups (id)")
    store.execute("CREATE INDEX framework_nodes_working_group ON framework_nodes (working_group_id)")
    # A new ledger has no word lists yet, so no groups: they come with the 分解表 or are added.
    names = store.column("SELECT value FROM vocab WHERE kind = 'working_group' ORDER BY position, id")
    used = store.column("SELECT DISTINCT working_group FROM framework_nodes WHERE working_group <> ''"
                        " ORDER BY working_group")
    for position, name in enumerate(dict.fromkeys(n.strip() for n in names + used if n.strip()), 1):
        store.execute("INSERT INTO working_groups (name, position) VALUES (:name, :position)",
                      {"name": name, "position": position})
    store.execute("UPDATE framework_nodes SET working_group_id = (SELECT g.id FROM working_groups g"
                  " WHERE g.name = trim(framework_nodes.working_group)) WHERE working_group <> ''")
    store.execute("ALTER TABLE framework_nodes DROP COLUMN working_group")
    store.execute("DELETE FROM vocab WHERE kind = 'working_group'")


@shared_step
def m018_survey_results(store):
    # 问卷调查: a standard measured by survey carries a target rate per indicator (知晓率, 满意率,
    # 支持率 …, e.g. ≥ 85 %); each 测评 round records the rate reached and the target it was held to.
    # Rates are stored as fractions (0.85).
    if store.engine == "postgresql":
        key, integer, real, text = ("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BIGINT",
                                    "DOUBLE PRECISION", 'TEXT COLLATE "C"')
    else:
        key, integer, real, text = "INTEGER PRIMARY KEY", "INTEGER", "REAL", "TEXT"
    store.execute(f"""
        CREATE TABLE survey_targets (
            id {key},
            node_id {integer} NOT NULL REFERENCES framework_nodes (id),
            indicator {text} NOT NULL,
            target {real} NOT NULL,
            UNIQUE (node_id, indicator)
        )""")
    store.execute(f"""
        CREATE TABLE survey_results (
            id {key},
            round_id {integer} NOT NULL REFERENCES score_rounds (id) ON DELETE CASCADE,
            node_id {integer} NOT NULL REFERENCES framework_nodes (id),
            indicator {text} NOT NULL,
            target {real} NOT NULL,
            actual {real} NOT NULL,
            UNIQUE (round_id, node_id, indicator)
        )""")
    store.execute("CREATE INDEX survey_results_node ON survey_results (node_id, indicator)")


@shared_step
def m019_audit_list_indexes(store):
    # The 操作日志 filtered by one operator, one area or one record, newest first, read straight off
    # an index (with the id, the list's second key): walking the whole log by time to find a rare
    # operator's few rows took 130 ms at 10x on the server, and testing the area on every row read
    # by time was the only way to keep SQLite from sorting an area's 200,000 rows. A record's index
    # gives the time order too, or SQLite would prefer the area's.
    store.execute("CREATE INDEX audit_log_operator ON audit_log (operator, at, id)")
    store.execute("CREATE INDEX audit_log_area ON audit_log (table_name, at, id)")
    store.execute("DROP INDEX audit_log_record")
    store.execute("CREATE INDEX audit_log_record ON audit_log (table_name, record_id, at, id)")
