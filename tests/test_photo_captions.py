"""Photo captions (时间、地点、人物、事由): from the unit's 报送表, from the photo's EXIF data, editable,
and printed under each photo (the 督办通知单, the 迎检资料包's index.html)."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from core import attachments, framework, materials, supervision
from core.errors import AppError
from test_materials_io import _fill, _pending, _template


def _photo(path: Path, *, taken: str = "", description: str = "", colour="red") -> Path:
    from PIL import Image

    image = Image.new("RGB", (64, 48), colour)
    exif = Image.Exif()
    if taken:
        exif[306] = taken  # DateTime
    if description:
        exif[0x9C9F] = description.encode("utf-16-le") + b"\x00\x00"  # XPSubject, as Windows writes it
    image.save(path, exif=exif)
    return path


def test_exif_gives_a_photo_its_time_and_subject(db, tmp_path):
    photo = _photo(tmp_path / "p.jpg", taken="2026:05:17 09:30:00", description="背街小巷环境整治")
    got = attachments.get_attachment(db, attachments.add_attachment(db, "units", 1, photo))
    assert (got["taken_at"], got["subject"], got["place"], got["people"]) == ("2026-05-17", "背街小巷环境整治", "", "")
    assert attachments.photo_caption(got) == "时间：2026-05-17　事由：背街小巷环境整治"


def test_the_return_carries_the_captions_of_its_photos(demo_db, tmp_path):
    template, headers, rows = _template(demo_db, tmp_path)
    assert {"照片时间", "照片地点", "照片人物", "照片事由"} <= set(headers)
    target = _pending(rows, headers, "实景图片")[0]
    files = tmp_path / "报送文件"
    files.mkdir()
    _photo(files / "志愿服务1.jpg", taken="2026:06:01 10:00:00", colour="blue")
    _photo(files / "志愿服务2.jpg", colour="green")
    (files / "活动方案.pdf").write_bytes(b"%PDF-1.4 plan")
    filled = tmp_path / "交回.xlsx"
    _fill(template, filled, {target: {"文件名": "志愿服务1.jpg\n志愿服务2.jpg\n活动方案.pdf", "照片地点": "人民广场",
                                      "照片人物": "区文明办志愿者", "照片事由": "学雷锋志愿服务"}})
    e = framework.current_edition_id(demo_db)
    materials.import_file(demo_db, filled, e, files)
    got = {a["original_name"]: a for a in materials.files_of(demo_db, materials.parse_code(target))}
    first, second, plan = got["志愿服务1.jpg"], got["志愿服务2.jpg"], got["活动方案.pdf"]
    assert attachments.photo_caption(first) == "时间：2026-06-01　地点：人民广场　人物：区文明办志愿者　事由：学雷锋志愿服务"
    assert attachments.photo_caption(second) == "地点：人民广场　人物：区文明办志愿者　事由：学雷锋志愿服务"
    assert attachments.photo_caption(plan) == ""  # not a photo

    # the unit corrects the caption and sends the same photos again: the caption follows, no new file
    _fill(template, filled, {target: {"文件名": "志愿服务1.jpg\n志愿服务2.jpg", "照片时间": "2026年6月2日",
                                      "照片地点": "人民广场东侧", "照片人物": "区文明办志愿者", "照片事由": "学雷锋志愿服务"}})
    result = materials.import_file(demo_db, filled, e, files)
    assert result.attached == 0
    got = {a["original_name"]: a for a in materials.files_of(demo_db, materials.parse_code(target))}
    assert [(got[n]["taken_at"], got[n]["place"]) for n in ("志愿服务1.jpg", "志愿服务2.jpg")] == [
        ("2026-06-02", "人民广场东侧")] * 2

    _fill(template, filled, {target: {"文件名": "志愿服务1.jpg", "照片时间": "六月初"}})
    with pytest.raises(AppError) as refused:
        materials.import_file(demo_db, filled, e, files)
    assert any(p.column == "照片时间" for p in refused.value.problems)


def test_captions_print_under_the_photos_of_a_notice(demo_db, tmp_path):
    from pypdf import PdfReader

    photo = _photo(tmp_path / "现场.jpg", taken="2026:11:20 15:00:00")
    site = demo_db.value("SELECT id FROM sites WHERE name = '东方红广场'")
    finding = supervision.create_finding(demo_db, {"found_on": "2026-11-20", "source": "明察暗访", "site_id": site,
                                                   "description": "广场地面有垃圾", "severity": "一般"},
                                         photos=[photo])
    unit = supervision.get_finding(demo_db, finding)["unit_id"]
    before = attachments.list_attachments(demo_db, "findings", finding, role="before")[0]
    attachments.update_caption(demo_db, before["id"], "", place="东方红广场北门", people="区城管局巡查员",
                               subject="日常巡查发现垃圾")
    notice = supervision.issue_notice(demo_db, unit, [finding], issued_on="2026-11-21")
    out = tmp_path / "通知单.pdf"
    supervision.render_notices(demo_db, [notice["id"]], out)
    text = "".join(page.extract_text() for page in PdfReader(out).pages).replace("\n", "").replace(" ", "")
    assert "时间：2026-11-20" in text and "地点：东方红广场北门" in text
    assert "人物：区城管局巡查员" in text and "事由：日常巡查发现垃圾" in text


def test_the_package_shows_each_photo_with_its_caption(demo_db, tmp_path):
    out = tmp_path / "资料包"
    materials.build_package(demo_db, out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<figcaption>时间：2026-03-12　地点：区委常委会议室　人物：区委理论学习中心组成员　事由：第三次集中学习</figcaption>" in index


def test_captions_are_edited_in_the_attachments_panel(qtbot, demo_db, data_dir, monkeypatch):
    pytest.importorskip("PySide6")
    from gui.context import AppContext
    from gui.dialogs.caption import CaptionDialog
    from gui.widgets.attachments_panel import AttachmentsPanel

    material = materials.review_order(demo_db, framework.current_edition_id(demo_db))[2]  # 1.1.1 实景图片
    panel = AttachmentsPanel(AppContext(demo_db, data_dir, "测试员"), materials.OWNER)
    qtbot.addWidget(panel)
    panel.set_owner(material)
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    photo = panel.selected()
    dialog = CaptionDialog(panel, photo)
    qtbot.addWidget(dialog)
    assert [dialog.edits[k].text() for k in ("taken_at", "place", "people", "subject")] == [
        photo["taken_at"], photo["place"], photo["people"], photo["subject"]]
    monkeypatch.setattr("gui.dialogs.ask_caption",
                        lambda parent, a: {**CaptionDialog(parent, a).values(), "people": "中心组全体成员"})
    panel.edit_caption()
    assert attachments.get_attachment(demo_db, photo["id"])["people"] == "中心组全体成员"
    assert "人物：中心组全体成员" in panel.model.data(panel.model.index(0, 0), 3)  # the tooltip

    errors = []
    monkeypatch.setattr("gui.dialogs.show_error", lambda parent, title, exc: errors.append(exc))
    monkeypatch.setattr("gui.dialogs.ask_caption", lambda parent, a: {"taken_at": "上周", "caption": ""})
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    panel.edit_caption()
    assert errors and "时间" in errors[0].message_zh
    assert attachments.get_attachment(demo_db, photo["id"])["people"] == "中心组全体成员"


def test_template_keeps_its_first_columns(demo_db, tmp_path):
    template, headers, _rows = _template(demo_db, tmp_path)
    assert headers[:2] == ("材料编号", "责任单位")
    assert load_workbook(template).active.cell(1, len(headers)).value == "照片事由"
