"""The store: PRAGMAs, migrations on an older database, refusing a newer one, audit in the same transaction."""

import sqlite3

import pytest

from core import audit, settings
from core.db import open_db
from core.errors import AppError
from core.migrations import schema_version


def test_new_database_has_wal_foreign_keys_and_version(db):
    if db.engine != "sqlite":
        pytest.skip("WAL, the foreign-key switch and user_version are settings of SQLite's own file")
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == schema_version()
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_older_database_is_copied_aside_then_migrated(tmp_path):
    path = tmp_path / "old.db"
    # A database as an earlier release left it: no migrations applied yet but a user table of its own.
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE legacy_notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO legacy_notes (text) VALUES ('保留我')")
    conn.commit()
    conn.close()
    db = open_db(path, backup_dir=tmp_path / "backups")
    assert db.has_table("units")
    assert db.value("SELECT text FROM legacy_notes") == "保留我"
    copies = list((tmp_path / "backups").glob("*.db"))
    assert len(copies) == 1
    copy = sqlite3.connect(copies[0])
    assert copy.execute("SELECT text FROM legacy_notes").fetchone()[0] == "保留我"
    assert copy.execute("SELECT count(*) FROM sqlite_master WHERE name = 'units'").fetchone()[0] == 0
    copy.close()
    db.conn.close()


def test_partly_migrated_database_gets_the_remaining_steps(tmp_path):
    path = tmp_path / "partial.db"
    db = open_db(path)
    # Pretend the last step had not run: forget it and drop a table it would create is not
    # possible for the first step, so check that a re-open applies nothing and keeps data.
    settings.set(db, "office_name", "甲区创城办")
    db.conn.close()
    db = open_db(path)
    assert settings.get(db, "office_name") == "甲区创城办"
    assert db.value("SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'chuangcheng'") == schema_version()
    db.conn.close()


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "newer.db"
    db = open_db(path)
    db.execute(f"PRAGMA user_version = {schema_version() + 1}")
    db.conn.close()
    with pytest.raises(AppError, match="更新版本"):
        open_db(path)


def test_unknown_migration_name_is_refused(tmp_path):
    path = tmp_path / "newer2.db"
    db = open_db(path)
    db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('chuangcheng', 'm999_future', 'x')")
    db.conn.close()
    with pytest.raises(AppError, match="更新版本"):
        open_db(path)


def test_not_a_database_gives_a_chinese_message(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(AppError, match="无法打开数据库"):
        open_db(path)


def test_audit_row_rolls_back_with_the_change(db):
    with pytest.raises(RuntimeError):
        with db.write():
            db.execute("INSERT INTO units (name) VALUES ('临时单位')")
            audit.log(db, "新增单位", "units", 1, None, {"name": "临时单位"})
            raise RuntimeError("boom")
    assert db.value("SELECT count(*) FROM units") == 0
    assert db.value("SELECT count(*) FROM audit_log") == 0


def test_audit_outside_a_transaction_is_a_bug(db):
    with pytest.raises(RuntimeError):
        audit.log(db, "x", "units", 1)


def test_settings_change_is_audited_with_operator(db):
    settings.set(db, "doc_code", "甲创城督")
    log = db.rows("SELECT * FROM audit_log WHERE table_name = 'settings'")
    assert log[-1]["operator"] == db.operator  # the login on the server
    assert "甲创城督" in log[-1]["after"]


def test_bad_settings_are_refused(db):
    with pytest.raises(AppError):
        settings.set(db, "current_year", 1999)
    with pytest.raises(AppError):
        settings.set(db, "next_assessment_date", "明年春天")
    with pytest.raises(AppError):
        settings.set(db, "office_name", "  ")
    assert settings.get(db, "office_name") == settings.SETTINGS["office_name"][1]


def test_vocab_defaults_and_editing(db):
    assert "材料审核" in settings.vocab(db, "method")
    assert "背街小巷" in settings.vocab(db, "site_type")
    settings.set_vocab(db, "site_type", settings.vocab(db, "site_type") + ["城中村"])
    assert settings.vocab(db, "site_type")[-1] == "城中村"
    with pytest.raises(AppError):
        settings.set_vocab(db, "method", [])
