"""Moving a ledger onto the shared ledger's server: server-import (a single desk's data folder or a
.ccbak into an empty server ledger) and restore onto the server (a .ccbak replaces the server's
ledger). Backing the server up needs nothing of its own: core.safety.backup reads it in one snapshot.

The source is untrusted and never changed: a .ccbak passes every check of verify and is extracted
into a staging folder on this PC; a data folder's database is copied there through SQLite's backup
API. The staged copy is brought up to this program's schema, then moved in one transaction on the
server, every ledger table held against other clients' writes meanwhile: ids kept (the identities
continue after them), counters as they were, every file checked against its hash. A lost
connection or any refusal leaves the server as it was. Both are the 管理员's: the server lets
nobody else take the 管理员 group's role for the move.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core import audit
from core.errors import AppError
from core.paths import DB_NAME, DataDir
from core.safety import leftovers
from core.safety.archive import SUFFIX, is_hash_name
from core.safety.backup import is_own_backup, make_backup
from core.safety.leftovers import temp_name
from core.safety.restore import SAFETY_FOLDER, check_free_space, check_staged_database, extract_backup
from core.safety.verify import verify_backup
from core.store import transfer
from core.store.sqlite import inspect_file, open_file

log = logging.getLogger(__name__)

# What a new server ledger holds before anyone worked in it: server-init's word lists and unit
# groups, and the log of the accounts made for the office.
_NEW_LEDGER_TABLES = ("vocab", "unit_groups", "settings", "counters", "audit_log")
USERS_LOG = "server_users"

# The summary of what moved in: label, unit, the count.
SUMMARY = (
    ("单位", "个", "SELECT count(*) FROM units"),
    ("标准", "条", "SELECT count(*) FROM framework_nodes WHERE level = 3"),
    ("档案材料", "条", "SELECT count(*) FROM materials WHERE removed = 0"),
    ("督查问题", "个", "SELECT count(*) FROM findings"),
    ("督办通知单", "份", "SELECT count(*) FROM notices"),
    ("测评成绩", "条", "SELECT count(*) FROM score_results"),
    ("附件", "个", "SELECT count(*) FROM attachment_files"),
)


@dataclass
class Staged:
    store: object  # the staged copy, a SqliteStore at this program's schema
    files: dict[str, Path]  # every stored file of the source, by its hash
    missing: int  # files the ledger refers to that the source does not hold (an incomplete backup)


def summary_text(counts: dict[str, tuple[int, str]]) -> str:
    return "、".join(f"{label} {n} {unit}" for label, (n, unit) in counts.items())


def _summary(server) -> dict[str, tuple[int, str]]:
    return {label: (server.value(sql), unit) for label, unit, sql in SUMMARY}


def require_admin(server, what: str) -> None:
    """A clear refusal, asked of the server before anything is staged."""
    from core.store import server_admin

    group = server_admin.group_of(server)
    if group != server_admin.ADMIN:
        raise _not_admin(server, what, server_admin.ROLE_LABELS.get(group, "不是共享台账的用户"))


def _not_admin(server, what: str, label: str) -> AppError:
    return AppError(f"只有管理员能{what}。当前登录的账号 {server.operator}（{label}）没有这项权限，共享台账未改动。"
                    "请用管理员账号运行。")


def _as_admin(server, what: str) -> None:
    """The move itself runs as the 管理员 group, which the server lets only its members become:
    whatever a client does, a 经办人 or 只读 login cannot replace the ledger (in the transaction)."""
    from core.store import server_admin

    try:
        server.execute(f"SET LOCAL ROLE {server_admin.ADMIN}")
    except AppError:
        raise _not_admin(server, what, "不是管理员") from None


def ledger_contents(server) -> dict[str, int]:
    """The rows a new server ledger would not hold, per table ({} when nobody worked in it yet)."""
    found = {t: n for t, n in server.table_counts().items() if n and t not in _NEW_LEDGER_TABLES}
    extra = {"unit_groups": "SELECT count(*) FROM unit_groups WHERE builtin = 0",
             "audit_log": f"SELECT count(*) FROM audit_log WHERE table_name <> '{USERS_LOG}'"}
    for table, sql in extra.items():
        n = server.value(sql)
        if n:
            found[table] = n
    return found


# --- the source, staged on this PC ----------------------------------------------------------------

@contextmanager
def staged_ledger(data: DataDir, source: Path, operator: str):
    """The source (a data folder or a .ccbak) copied into a staging folder and brought up to this
    program's schema; removed afterwards."""
    from core.db import open_db

    staging = data.root / temp_name("server-staging")
    try:
        data.root.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        leftovers.hide(staging)
        (staging / "attachments").mkdir()
        if source.is_dir():
            files, missing = _stage_folder(data, DataDir(source), staging)
        elif source.suffix.lower() == SUFFIX:
            files, missing = _stage_backup(data, source, staging)
        else:
            raise AppError(f"“{source}”既不是数据文件夹，也不是 .ccbak 备份文件。"
                           "请指定单机版的数据文件夹（含 chuangcheng.db）或一个 .ccbak 备份。")
        store = open_db(staging / DB_NAME, operator, backup_dir=staging / "premigrate")
        try:
            yield Staged(store, files, missing)
        finally:
            store.close()
    except sqlite3.DatabaseError as exc:
        log.warning("迁移来源 %s 的数据库无法使用：%r", source, exc)
        raise AppError(f"“{source.name}”中的数据库已损坏或无法读取，共享台账未改动。请先在单机上运行“数据体检”，"
                       "或改用一个完好的备份。") from None
    except OSError as exc:
        from core.errors import os_problem

        raise AppError(f"无法在本机数据文件夹 {data.root} 中准备迁移：{os_problem(exc)}。共享台账未改动。") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stage_backup(data: DataDir, path: Path, staging: Path) -> tuple[dict[str, Path], int]:
    manifest = verify_backup(path, hashes=False)
    check_free_space(data, sum(m["size"] for m in manifest["members"].values()))
    extract_backup(path, manifest, staging)
    missing = check_staged_database(staging, path)
    files = {p.name: p for p in (staging / "attachments").glob("*/*") if is_hash_name(p.name)}
    return files, missing


def _stage_folder(data: DataDir, source: DataDir, staging: Path) -> tuple[dict[str, Path], int]:
    from core.attachments.files import FolderFiles
    from core.safety.instance_lock import is_held

    if not source.db_path.is_file() or source.db_path.stat().st_size == 0:
        raise AppError(f"文件夹 {source.root} 中没有创城工作台的台账（{DB_NAME}）。"
                       "请指定单机版的数据文件夹，或一个 .ccbak 备份文件。")
    if is_held(source.root):
        raise AppError(f"程序窗口正打开着数据文件夹 {source.root}。请先关闭程序窗口再迁入（窗口中之后的修改不会被带走）。")
    check_free_space(data, source.db_path.stat().st_size)
    current = open_file(source.db_path)
    try:
        current.snapshot(staging / DB_NAME)
    finally:
        current.close()
    hashes = inspect_file(staging / DB_NAME, counts=False).attachment_hashes
    if not all(is_hash_name(h) for h in hashes):
        raise AppError(f"数据文件夹 {source.root} 的附件记录中有不合规的文件名，已拒绝。请先在单机上运行“数据体检”。")
    files = {sha: path for sha, path in FolderFiles(source.attachments).stored().items() if is_hash_name(sha)}
    absent = [h for h in hashes if h not in files]
    if absent:
        raise AppError(f"数据文件夹 {source.root} 中缺少台账引用的 {len(absent)} 个附件文件，迁入没有进行，共享台账未改动。"
                       f"请先在该文件夹上运行“数据体检”补回附件：main.py --data {source.root} check --repair --yes")
    return files, 0


# --- into the server ------------------------------------------------------------------------------

def _load(server, staged: Staged) -> None:
    """The staged ledger into the server's emptied ledger tables, its files into attachment_files
    (inside the caller's write transaction)."""
    copied = transfer.copy_ledger(staged.store, server)
    wanted = set(staged.store.column("SELECT DISTINCT sha256 FROM attachments"))
    for sha, path in staged.files.items():
        if not server.files.put_named(path, sha):
            if sha in wanted:
                raise AppError(f"附件文件 {path} 的内容与其名称（校验值）不符，迁入没有进行，共享台账未改动。"
                               "请先在单机上运行“数据体检”。")
            log.warning("附件 %s 内容与名称不符，未迁入", path)
    transfer.move_identities_past_ids(server)
    for table in copied:
        server.note_change(table)  # every client's pages show the new ledger


def import_ledger(data: DataDir, server, source) -> dict:
    """server-import: a single desk's ledger (data folder or .ccbak) into the empty server ledger.
    Returns {'summary': {label: (n, unit)}, 'missing_attachments': n}."""
    source = Path(source)
    require_admin(server, "把单机台账迁入共享台账")
    if not source.exists():
        raise AppError(f"找不到 {source}。请指定单机版的数据文件夹或一个 .ccbak 备份文件。")
    with staged_ledger(data, source, server.operator) as staged, server.write():
        _as_admin(server, "把单机台账迁入共享台账")
        transfer.lock_ledger(server)
        found = ledger_contents(server)
        if found:
            raise AppError(f"共享台账中已有数据（{summary_text(_summary(server))}），server-import 只能迁入新建的空共享台账，"
                           "未做任何改动。若要用单机台账替换共享台账，请先备份共享台账，再用 "
                           "restore 备份文件 --yes --server 地址 恢复。")
        # The accounts' log (server-user add) stays, after the moved ledger's own history.
        kept = server.rows("SELECT at, operator, action, table_name, record_id, summary, before, after"
                           " FROM audit_log ORDER BY id")
        transfer.clear_ledger(server, files=False)
        _load(server, staged)
        for row in kept:
            server.insert("audit_log", row, returning_id=False)
        summary = _summary(server)
        audit.log(server, "迁入单机台账", "ledger", None, None,
                  {"来源": str(source), **{label: n for label, (n, _unit) in summary.items()}},
                  f"从 {source.name} 迁入共享台账")
    server.refresh_statistics()
    return {"summary": summary, "missing_attachments": staged.missing}


def restore_to_server(data: DataDir, server, path, *, allow_foreign: bool = False) -> dict:
    """restore FILE --yes --server: the backup replaces the server's ledger in one transaction,
    after a .ccbak of what was there is written into this PC's backups. Returns {'manifest',
    'safety_backup', 'missing_attachments'}."""
    path = Path(path)
    require_admin(server, "用备份替换共享台账")
    if path.suffix.lower() != SUFFIX:
        raise AppError(f"共享台账只能从 .ccbak 备份恢复，“{path.name}”不是。")
    manifest = verify_backup(path, hashes=False)
    own = is_own_backup(data, path)
    with staged_ledger(data, path, server.operator) as staged, server.write():
        _as_admin(server, "用备份替换共享台账")
        transfer.lock_ledger(server)
        before = ledger_contents(server)
        if before and not own and not allow_foreign:
            raise AppError(f"备份“{path.name}”不是由本机制作的（由其他安装制作，或清单被改动过），无法确认来源。"
                           "恢复会用它替换共享台账；确认来源可靠后，请加 --foreign 再恢复。共享台账未改动。")
        safety = make_backup(data, server, data.backups / SAFETY_FOLDER, allow_missing=True) if before else None
        counts_before = _summary(server)
        transfer.clear_ledger(server, files=True)
        _load(server, staged)
        audit.log(server, "从备份恢复", "backup", None,
                  {label: n for label, (n, _unit) in counts_before.items()},
                  {"file": str(path), "made_by": "本机" if own else "其他安装", "created_at": manifest["created_at"],
                   **{label: n for label, (n, _unit) in _summary(server).items()}},
                  f"从 {path.name} 恢复共享台账")
    server.refresh_statistics()
    return {"manifest": manifest, "safety_backup": safety, "missing_attachments": staged.missing}
