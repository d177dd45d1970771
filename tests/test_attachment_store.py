"""Stored files on both engines: in the data folder for one desk, inside the database for the
shared ledger (read through this PC's cache), once per content, checked against the hash, and
taken back when the change that stored them fails."""

import hashlib

import pytest

from core import attachments
from core.errors import AppError


def _photo(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_a_file_is_stored_once_and_read_back(db, tmp_path):
    content = "整改前照片".encode() * 1000
    first = attachments.add_attachment(db, "findings", 1, _photo(tmp_path, "前.jpg", content), role="before")
    second = attachments.add_attachment(db, "findings", 2, _photo(tmp_path, "同一张.jpg", content), role="before")
    a, b = attachments.get_attachment(db, first), attachments.get_attachment(db, second)
    assert a["sha256"] == b["sha256"] == hashlib.sha256(content).hexdigest()
    assert db.files.hashes() == {a["sha256"]}
    assert attachments.stored_path(db, a["sha256"]).read_bytes() == content
    assert attachments.verify(db) == []
    copy = attachments.export_copy(db, first, tmp_path / "out" / "前.jpg")
    assert copy.read_bytes() == content


def test_a_failed_change_leaves_no_stored_file(db, tmp_path):
    path = _photo(tmp_path, "半途.jpg", b"never kept")
    with pytest.raises(AppError):
        with attachments.files_kept_only_on_success(db), db.write():
            attachments.store_file(db, path)
            raise AppError("导入被拒绝")
    assert db.files.hashes() == set()


def test_a_missing_file_is_reported(db, tmp_path):
    attachment_id = attachments.add_attachment(db, "materials", 7, _photo(tmp_path, "统计表.xlsx", b"table"))
    sha = attachments.get_attachment(db, attachment_id)["sha256"]
    if db.files.in_database:
        with db.write():
            db.execute("DELETE FROM attachment_files WHERE sha256 = :sha", {"sha": sha})
    else:
        attachments.stored_path(db, sha).unlink()
    assert [p["problem"] for p in attachments.verify(db)] == ["文件缺失"]
