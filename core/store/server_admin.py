"""Preparing a PostgreSQL database as the office's shared ledger, and the people who use it.

server-init, run once by the database's owner or a superuser, checks the database (UTF8, a ctype
under which pg_trgm keeps Chinese characters), creates the schema owned by the 管理员 group, the
three group roles and their rights. Rights are the server's: a 只读 login cannot write whatever
the client does. Each person logs in as their own login role, a member of one group.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import AppError

# Group roles (cluster-wide names) and what the office calls them.
ADMIN, CLERK, READER = "chuangcheng_admin", "chuangcheng_clerk", "chuangcheng_reader"
ROLE_LABELS = {ADMIN: "管理员", CLERK: "经办人", READER: "只读"}
ROLE_OF_LABEL = {label: role for role, label in ROLE_LABELS.items()}
SAMPLE_CHINESE = "创建文明城市"

CTYPE_FIX = ("请用 UTF8 编码、LC_CTYPE 为 zh_CN.UTF-8、C.UTF-8 或 en_US.UTF-8 的数据库，例如：\n"
             "  CREATE DATABASE chuangcheng ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;")


@dataclass
class InitReport:
    created_schema: bool
    created_roles: list[str]
    trigram: bool
    notes: list[str]


def _sql():
    from psycopg import sql

    return sql


def _role_exists(store, name: str) -> bool:
    return bool(store.value("SELECT count(*) FROM pg_roles WHERE rolname = :name", {"name": name}))


def check_database(store) -> None:
    """AppError when this database cannot hold Chinese text or search it."""
    info = store.one("SELECT pg_encoding_to_char(encoding) AS encoding, datctype AS ctype FROM pg_database"
                     " WHERE datname = current_database()")
    if info["encoding"] != "UTF8":
        raise AppError(f"数据库的编码是 {info['encoding']}，共享台账需要 UTF8 编码才能保存中文。\n{CTYPE_FIX}")
    if store.value("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"):
        if not store.value("SELECT show_trgm(CAST(:text AS TEXT))", {"text": SAMPLE_CHINESE}):
            raise AppError(f"数据库的字符类别（LC_CTYPE = {info['ctype']}）下，搜索索引（pg_trgm）会丢掉中文字符，"
                           f"中文搜索将无法工作。\n{CTYPE_FIX}")


def _try_trigram(store, notes: list[str]) -> bool:
    """pg_trgm where the server has it (the one extension used); search works without it."""
    if store.value("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"):
        return True
    try:
        with store.write():
            store.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        return True
    except Exception as exc:  # noqa: BLE001 - not installed, not allowed: both mean "search by LIKE"
        notes.append("服务器不能使用 pg_trgm 扩展（" + str(getattr(exc, "details", "") or exc).splitlines()[0]
                     + "），全局搜索改用逐条比对：结果相同，数据很多时略慢。")
        return False


# The planner's cost of a page read out of order, for this database only. PostgreSQL's default (4)
# assumes spinning disks; a ledger of a few hundred MB is read from memory or an SSD, and with the
# default the lists' counts scanned every finding (15 ms at 10x) instead of using the indexes (3 ms).
RANDOM_PAGE_COST = "1.1"


def _tune_planner(store, notes: list[str]) -> None:
    """random_page_cost for this database, unless its administrator set one already (for the
    database, or for the whole server in postgresql.conf or ALTER SYSTEM)."""
    if store.value("SELECT source FROM pg_settings WHERE name = 'random_page_cost'") not in ("default", "database"):
        return
    own = store.value("SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase"
                      " WHERE d.datname = current_database() AND s.setrole = 0"
                      " AND EXISTS (SELECT 1 FROM unnest(s.setconfig) c WHERE c LIKE 'random\\_page\\_cost=%')")
    if own:
        return
    sql = _sql()
    try:
        store.run_composed(sql.SQL("ALTER DATABASE {} SET random_page_cost = {}").format(
            sql.Identifier(store.value("SELECT current_database()")), sql.Literal(RANDOM_PAGE_COST)))
    except Exception as exc:  # noqa: BLE001 - a server that refuses it is only slower
        notes.append("未能为数据库设置 random_page_cost（" + str(exc).splitlines()[0] + "），列表筛选在数据很多时略慢。")


def initialize(store) -> InitReport:
    """server-init: schema, group roles and rights on an empty database (a second run changes nothing)."""
    from core import migrations_postgres
    from core.store import prepare_new_ledger

    notes: list[str] = []
    check_database(store)
    trigram = _try_trigram(store, notes)
    check_database(store)  # with pg_trgm now there, its treatment of Chinese can be checked
    created_roles = []
    sql = _sql()
    with store.write():
        for role in (READER, CLERK, ADMIN):
            if not _role_exists(store, role):
                store.run_composed(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
                created_roles.append(role)
        store.run_script(f"GRANT {READER} TO {CLERK}; GRANT {CLERK} TO {ADMIN};")
        if not store.value("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            # The database's owner hands the schema to the 管理员 group: it must be one of them.
            store.run_script(f"GRANT {ADMIN} TO CURRENT_USER")
        store.run_script(f"GRANT USAGE, CREATE ON SCHEMA public TO {ADMIN}")
    created_schema = not store.has_table("schema_migrations")
    if created_schema:
        migrations_postgres.create(store, trigram=trigram)
    with store.write():
        _grant(store)
    _tune_planner(store, notes)
    if created_schema:
        prepare_new_ledger(store)
    else:
        notes.append("数据库中已有共享台账，未改动其中的数据。")
    return InitReport(created_schema, created_roles, trigram, notes)


def _grant(store) -> None:
    """The rights of the three groups on every object of the ledger, now and for later steps."""
    dbname = store.value("SELECT current_database()")
    owner_sql = """
        SELECT 'ALTER ' || CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END
               || ' ' || quote_ident(c.relname) || ' OWNER TO chuangcheng_admin'
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'S')
           AND pg_get_userbyid(c.relowner) <> 'chuangcheng_admin'
           AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i'))
        UNION ALL
        SELECT 'ALTER FUNCTION ' || p.oid::regprocedure::text || ' OWNER TO chuangcheng_admin'
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = current_schema() AND pg_get_userbyid(p.proowner) <> 'chuangcheng_admin'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"""
    for statement in store.column(owner_sql):
        store.run_script(statement)
    sql = _sql()
    store.run_composed(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(dbname), sql.Identifier(READER)))
    store.run_script(f"""
        GRANT USAGE ON SCHEMA public TO {READER};
        GRANT CREATE ON SCHEMA public TO {ADMIN};
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER};
        GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {CLERK};
        REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM {CLERK};
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {CLERK};
        ALTER DEFAULT PRIVILEGES FOR ROLE {ADMIN} IN SCHEMA public GRANT SELECT ON TABLES TO {READER};
        ALTER DEFAULT PRIVILEGES FOR ROLE {ADMIN} IN SCHEMA public GRANT INSERT, UPDATE, DELETE ON TABLES TO {CLERK};
        ALTER DEFAULT PRIVILEGES FOR ROLE {ADMIN} IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {CLERK};
    """)


# --- people ---------------------------------------------------------------------------------------

def group_of(store, login: str | None = None) -> str | None:
    """The group (ADMIN, CLERK or READER) a login belongs to, the most powerful one; None for none."""
    login = login or store.operator
    for role in (ADMIN, CLERK, READER):
        if store.value("SELECT pg_has_role(:login, :role, 'MEMBER')", {"login": login, "role": role}):
            return role
    return None


def add_user(store, name: str, label: str, password: str) -> None:
    """A login role for one person in the group the office calls `label` (管理员/经办人/只读)."""
    from core import audit

    role = ROLE_OF_LABEL.get(label)
    if role is None:
        raise AppError(f"角色“{label}”无法识别，可选：{'、'.join(ROLE_OF_LABEL)}。")
    name = _check_name(name)
    if not password:
        raise AppError("请提供密码（--password-stdin，从标准输入读入一行）。")
    if _role_exists(store, name):
        raise AppError(f"服务器上已有名为“{name}”的账号。请换一个名字，或先用 server-user list 查看。")
    sql = _sql()
    # CREATEROLE is not inherited from a group: a 管理员 needs it on the login itself.
    statement = sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}{}").format(
        sql.Identifier(name), sql.Literal(password), sql.Identifier(role),
        sql.SQL(" CREATEROLE") if role == ADMIN else sql.SQL(""))
    with store.write():
        store.run_composed(statement)
        audit.log(store, "新增用户", "server_users", name, None, {"角色": label}, f"{name}（{label}）")


def disable_user(store, name: str) -> None:
    """The person can no longer log in (their audit rows stay)."""
    from core import audit

    name = _check_name(name)
    if not _role_exists(store, name):
        raise AppError(f"服务器上没有名为“{name}”的账号。")
    if group_of(store, name) is None:
        raise AppError(f"“{name}”不是共享台账的用户，本程序不会改动它。")
    sql = _sql()
    with store.write():
        store.run_composed(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(name)))
        audit.log(store, "停用用户", "server_users", name, {"可登录": True}, {"可登录": False}, name)


def list_users(store) -> list[dict]:
    """Every login of the ledger's groups: name, 角色 and whether it can log in."""
    found = []
    for r in store.rows("SELECT rolname AS name, rolcanlogin AS can_login FROM pg_roles"
                        " WHERE rolname NOT LIKE 'pg\\_%' ESCAPE '\\' ORDER BY rolname"):
        role = group_of(store, r["name"])
        if role and r["name"] not in ROLE_LABELS:
            found.append({"name": r["name"], "role": ROLE_LABELS[role], "can_login": bool(r["can_login"])})
    return found


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 63 or any(ord(c) < 32 for c in name) or name.lower().startswith("pg_"):
        raise AppError(f"账号名“{name}”不可用：请用不超过 63 个字符的字母、数字或汉字，不要以 pg_ 开头。")
    if name in ROLE_LABELS:
        raise AppError(f"“{name}”是共享台账的角色名，不能作为个人账号。")
    return name
