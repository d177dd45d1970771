"""The window when the disk fails under it: the automatic backup on a full disk warns in the status
bar instead of reaching the crash dialog."""

import sqlite3

from core.store.sqlite import SqliteStore


def test_automatic_backup_on_a_full_disk_warns_in_the_status_bar(window, monkeypatch):
    def full(store, target):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SqliteStore, "snapshot", full)
    window.run_auto_backup()
    message = window.statusBar().currentMessage()
    assert message.startswith("自动备份失败") and "磁盘空间不足" in message
