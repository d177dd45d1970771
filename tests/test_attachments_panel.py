"""The attachments panel: drop files on it, thumbnails, refusing non-images where photos are needed."""

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from core import attachments
from gui.context import AppContext


@pytest.fixture
def panel(qtbot, db, data_dir):
    from gui.widgets.attachments_panel import AttachmentsPanel

    p = AttachmentsPanel(AppContext(db, data_dir, "测试员"), "units", images_only=False)
    qtbot.addWidget(p)
    p.set_owner(7)
    return p


def _drop(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(5, 5), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    widget.dropEvent(event)


def test_drop_adds_files_with_thumbnails(panel, db, tmp_path, qtmodeltester):
    from PIL import Image

    photo = tmp_path / "现场.png"
    Image.new("RGB", (300, 200), "blue").save(photo)
    doc = tmp_path / "方案.pdf"
    doc.write_bytes(b"%PDF-1.4")
    _drop(panel, [photo, doc])
    assert [a["original_name"] for a in attachments.list_attachments(db, "units", 7)] == ["现场.png", "方案.pdf"]
    assert panel.model.rowCount() == 2
    icon = panel.model.data(panel.model.index(0), Qt.DecorationRole)
    assert not icon.isNull()
    qtmodeltester.check(panel.model)


def test_images_only_refuses_a_non_image_and_adds_nothing(qtbot, db, data_dir, tmp_path, monkeypatch):
    from gui.widgets.attachments_panel import AttachmentsPanel

    errors = []
    monkeypatch.setattr("gui.dialogs.show_error", lambda parent, title, exc: errors.append(exc.message_zh))
    p = AttachmentsPanel(AppContext(db, data_dir, "测试员"), "findings", role="before", images_only=True)
    qtbot.addWidget(p)
    p.set_owner(1)
    from PIL import Image

    good = tmp_path / "ok.jpg"
    Image.new("RGB", (10, 10)).save(good)
    bad = tmp_path / "bad.jpg"
    bad.write_text("not an image")
    _drop(p, [good, bad])
    assert errors and "bad.jpg" in errors[0]
    assert attachments.list_attachments(db, "findings", 1) == []


def test_remove_asks_and_keeps_the_file(panel, db, tmp_path, monkeypatch):
    f = tmp_path / "a.txt"
    f.write_text("x")
    panel.add_files([str(f)])
    panel.view.setCurrentIndex(panel.model.index(0))
    monkeypatch.setattr("gui.dialogs.confirm", lambda *a, **k: False)
    panel.remove_selected()
    assert panel.model.rowCount() == 1
    monkeypatch.setattr("gui.dialogs.confirm", lambda *a, **k: True)
    sha = panel.selected()["sha256"]
    panel.remove_selected()
    assert panel.model.rowCount() == 0
    assert attachments.stored_path(db, sha).exists()
