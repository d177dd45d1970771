"""附件 store: content addressing, size limit, nothing lost on removal, verification."""


import pytest

from core import attachments, settings
from core.errors import AppError


def test_same_content_stored_once_and_removal_keeps_the_file(db, tmp_path):
    a = tmp_path / "甲.txt"
    b = tmp_path / "乙.txt"
    a.write_bytes(b"same content")
    b.write_bytes(b"same content")
    id1 = attachments.add_attachment(db, "units", 1, a)
    id2 = attachments.add_attachment(db, "units", 2, b, caption="说明")
    r1, r2 = attachments.get_attachment(db, id1), attachments.get_attachment(db, id2)
    assert r1["sha256"] == r2["sha256"] and r1["original_name"] == "甲.txt" and r1["size"] == 12
    assert db.files.hashes() == {r1["sha256"]}  # one stored file, in the folder or on the server
    assert attachments.stored_path(db, r1["sha256"]).read_bytes() == b"same content"
    attachments.remove_attachment(db, id1)
    assert attachments.stored_path(db, r1["sha256"]).exists()
    attachments.remove_attachment(db, id2)
    assert attachments.stored_path(db, r1["sha256"]).exists()  # only an explicit clean-up removes it
    assert attachments.unreferenced_files(db) == [attachments.stored_path(db, r1["sha256"])]
    assert db.value("SELECT count(*) FROM audit_log WHERE action = '移除附件'") == 2


def test_over_the_size_limit_is_refused_before_copying(db, tmp_path):
    settings.set(db, "attachment_max_mb", 1)
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(2 * 1024 * 1024)  # sparse
    with pytest.raises(AppError, match="超过附件上限"):
        attachments.add_attachment(db, "units", 1, big)
    assert db.files.hashes() == set()
    assert db.value("SELECT count(*) FROM attachments") == 0


def test_verify_finds_tampered_and_missing_files(db, tmp_path):
    f = tmp_path / "a.pdf"
    f.write_bytes(b"%PDF-1.4 demo")
    aid = attachments.add_attachment(db, "units", 1, f)
    assert attachments.verify(db) == []
    sha = attachments.get_attachment(db, aid)["sha256"]
    _change_stored_file(db, sha, b"changed")
    assert attachments.verify(db)[0]["problem"].startswith("内容已被改动")
    _change_stored_file(db, sha, None)
    assert attachments.verify(db)[0]["problem"] == "文件缺失"


def _change_stored_file(db, sha, content):
    """Someone changes (or, with None, deletes) a stored file behind the program's back: the file in
    the data folder, or the row on the server."""
    if db.files.in_database:
        with db.write():
            if content is None:
                db.execute("DELETE FROM attachment_files WHERE sha256 = :sha", {"sha": sha})
            else:
                db.execute("UPDATE attachment_files SET content = :content WHERE sha256 = :sha",
                           {"sha": sha, "content": content})
        return
    path = attachments.stored_path(db, sha)
    path.unlink() if content is None else path.write_bytes(content)


def test_photo_date_from_exif_and_image_check(db, tmp_path):
    from PIL import Image

    photo = tmp_path / "p.jpg"
    img = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[306] = "2026:05:17 09:30:00"
    img.save(photo, exif=exif)
    aid = attachments.add_attachment(db, "units", 1, photo)
    assert attachments.get_attachment(db, aid)["taken_at"] == "2026-05-17"
    attachments.check_image(photo)
    text = tmp_path / "not-image.jpg"
    text.write_text("hello")
    with pytest.raises(AppError, match="不是可识别的图片"):
        attachments.check_image(text)
    assert attachments.photo_date(text) == ""


def test_the_check_names_a_changed_stored_file_and_repair_leaves_it_without_a_good_copy(db, tmp_path):
    from core.safety import health

    f = tmp_path / "a.pdf"
    f.write_bytes(b"%PDF-1.4 demo")
    sha = attachments.get_attachment(db, attachments.add_attachment(db, "units", 1, f))["sha256"]
    _change_stored_file(db, sha, b"changed")
    problems = health.check(db)
    # no copy in a backup mirror to re-link from: named, not repaired
    assert [(p["problem"], p["repair"]) for p in problems] == [("内容已被改动（哈希不符）", "")]
    assert health.repair(db, problems) == 0
    assert health.check(db) == problems
