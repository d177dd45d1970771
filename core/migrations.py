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


def schema_version() -> int:
    """The schema version this program writes: the number of steps it knows."""
    return len(migrations._migrations)


def known_names() -> set[str]:
    return {m.name for m in migrations._migrations}
