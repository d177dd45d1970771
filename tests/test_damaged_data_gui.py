"""The window when the disk fails under it: the automatic backup on a full disk warns in the status
bar instead of reaching the crash dialog."""

import sqlite3

from core import backup


def test_automatic_backup_on_a_full_disk_warns_in_the_status_bar(window, monkeypatch):
    def full(db, target):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup, "snapshot_database", full)
    window.run_auto_backup()
    message = window.statusBar().currentMessage()
    assert message.startswith("自动备份失败") and "磁盘空间不足" in message
