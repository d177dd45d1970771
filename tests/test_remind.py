"""今日催办: what each unit is chased about on a day, most urgent first; the text for 政务微信/SMS,
the 催办单 PDF, the Excel list, the command line, and recording a 催办 into the item's history."""

from __future__ import annotations

import openpyxl
import pytest
from pypdf import PdfReader

from core import audit, letters, materials, remind, settings, supervision, units
from core.errors import AppError
from conftest import ledger_args
from test_supervision import new_finding, office, place  # noqa: F401 - fixtures
from test_supervision_io import run_cli

TODAY = "2026-11-04"  # a Wednesday: 3 working days ahead is Monday 11-09


@pytest.fixture
def chasing(office, place, monkeypatch):  # noqa: F811
    """区城管局 with one item of every kind (and a few that are not due yet), on TODAY."""
    monkeypatch.setenv("CHUANGCHENG_TODAY", TODAY)
    db = office
    cg = units.resolve_one(db, "区城管局")
    late, soon, later, answered = (new_finding(db, place, found_on="2026-10-20", requested_due=due)
                                   for due in ("2026-11-03", "2026-11-06", "2026-11-20", "2026-11-02"))
    supervision.issue_notice(db, cg, [late, soon, later, answered], issued_on="2026-10-27")
    for fid in (soon, later, answered):
        supervision.sign(db, fid, "李明", "2026-10-28")
    supervision.start_fixing(db, answered, "2026-10-29")
    supervision.feedback(db, answered, "已清理", "2026-10-30")
    edition = settings.get(db, "current_edition_id")
    own = [m for m in materials.checklist(db, edition, unit_id=cg) if m["status"] == materials.PENDING]
    due_soon, needs_more, not_yet = own[0]["id"], own[1]["id"], own[2]["id"]
    materials.update_material(db, due_soon, {"due_on": "2026-11-05"})
    materials.update_material(db, not_yet, {"due_on": "2026-11-10"})
    materials.change_status(db, needs_more, "submit")
    materials.change_status(db, needs_more, "request", comment="缺少盖章页")
    with db.write():
        package = db.insert("unit_packages", {"unit_id": cg, "exported_at": "2026-10-28T10:00:00",
                                              "exported_by": "测试员", "file_name": "区城管局工作包.zip"})
        jt = units.resolve_one(db, "区交通运输局")
        db.insert("unit_packages", {"unit_id": jt, "exported_at": "2026-11-01T10:00:00", "exported_by": "测试员"})
    return {"db": db, "unit": cg, "late": late, "soon": soon, "later": later, "due_soon": due_soon,
            "needs_more": needs_more, "package": package}


def _entry(db, unit_id, day=None):
    return next(e for e in remind.collect(db, day) if e["unit_id"] == unit_id)


def test_a_units_items_are_chased_in_order_of_urgency(chasing):
    db, c = chasing["db"], chasing
    entry = _entry(db, c["unit"])
    letter_id = letters.get_status(db, 2026, c["unit"])["id"]
    found = [(i["kind"], i["record_table"], i["record_id"], i["due_on"], i["overdue_days"]) for i in entry["items"]]
    assert found == [
        ("unsigned", "findings", c["late"], "2026-10-29", 6),  # 交办 10-27, 2 days to 签收
        ("package", "unit_packages", c["package"], "2026-11-02", 2),  # out 10-28, 5 days to come back
        ("finding", "findings", c["late"], "2026-11-03", 1),
        ("material", "materials", c["due_soon"], "2026-11-05", 0),
        ("finding", "findings", c["soon"], "2026-11-06", 0),
        ("material", "materials", c["needs_more"], "2026-12-15", 0),  # 需补充 whatever its date
        ("letter", "letter_status", letter_id, "", 0),  # 已印发 2026-02-24, not signed
    ]
    assert entry["liaison"] == units.get_unit(db, c["unit"])["liaison"] and entry["phone"]
    assert entry["most_overdue"] == 6 and entry["overdue"] == 3 and entry["earliest_due"] == "2026-10-29"
    assert "缺少盖章页" in entry["items"][5]["matter"] and "需补充" in entry["items"][5]["matter"]
    everyone = remind.collect(db)
    keys = [(-e["most_overdue"], e["earliest_due"] or "9999") for e in everyone]
    assert keys == sorted(keys)
    # 区交通运输局's package went out 3 days ago: not yet chased
    assert all(i["kind"] != "package" for e in everyone if e["unit_id"] != c["unit"] for i in e["items"])


def test_the_settings_move_the_window(chasing):
    db, c = chasing["db"], chasing
    settings.set_many(db, {"remind_lead_workdays": 5, "remind_unsigned_days": 10, "remind_package_days": 7})
    kinds = {(i["kind"], i["record_id"]) for i in _entry(db, c["unit"])["items"]}
    assert ("material", c["due_soon"]) in kinds and ("finding", c["soon"]) in kinds
    assert ("unsigned", c["late"]) not in kinds and ("package", c["package"]) not in kinds
    assert settings.get(db, "remind_lead_workdays") == 5
    # 5 working days from Wed 11-04 reach Wed 11-11: the material due 11-10 is chased too
    assert any(i["kind"] == "material" and i["due_on"] == "2026-11-10" for i in _entry(db, c["unit"])["items"])
    with pytest.raises(AppError, match="未签收天数"):
        settings.set(db, "remind_unsigned_days", 0)
    # an earlier day sees fewer things late
    early = _entry(db, c["unit"], "2026-10-28")
    assert all(i["overdue_days"] == 0 for i in early["items"])


def test_the_message_says_what_is_due_and_late(chasing):
    db, c = chasing["db"], chasing
    entry = _entry(db, c["unit"])
    settings.set(db, "notice_contact", "区创城办 王明 0931-8888123")
    text = remind.message(db, entry)
    district = settings.get(db, "district_name")
    short = units.get_unit(db, c["unit"])["short_name"] or units.get_unit(db, c["unit"])["name"]
    assert text.startswith(f"【{district}创城办】{short}：你单位有 1 个督查问题将于 11月6日 到期，1 个已逾期 1 天；"
                           "1 个督查问题已交办尚未签收，已超过签收时限 6 天；")
    assert "1 项档案材料需补充；1 项档案材料将于 11月5日 截止报送；目标责任书已印发尚未签订；工作包尚未交回。" in text
    assert text.endswith("请于11月5日前办结并反馈。联系人：区创城办 王明 0931-8888123")
    settings.set(db, "notice_contact", "联系人：区创城办 王明")  # as the office may type it
    assert remind.message(db, entry).endswith("反馈。联系人：区创城办 王明")


def test_recording_a_chase_shows_in_the_items_history(chasing):
    db, c = chasing["db"], chasing
    n = remind.record(db, c["unit"], "电话", note="答复周五前办结")
    entry = _entry(db, c["unit"])
    assert len(entry["items"]) == 7 and n == 6  # the late finding, also not 签收, is chased once
    assert {i["last_reminded"] for i in entry["items"]} == {f"{TODAY} 电话"}
    rows = db.rows("SELECT unit_id, record_table, record_id, method, note, operator FROM reminders ORDER BY id")
    assert {(r["record_table"], r["record_id"]) for r in rows} == {(i["record_table"], i["record_id"])
                                                                  for i in entry["items"]}
    assert {(r["unit_id"], r["method"], r["note"], r["operator"]) for r in rows} == {
        (c["unit"], "电话", "答复周五前办结", db.operator)}
    finding_history = audit.history(db, "findings", c["late"])
    chased = [h for h in finding_history if h["action"] == "催办（电话）"]
    assert len(chased) == 1 and chased[0]["operator"] == db.operator and chased[0]["at"].startswith(TODAY)
    assert "催办方式：电话" in chased[0]["after_text"] and "答复周五前办结" in chased[0]["after_text"]
    assert [h["action"] for h in audit.history(db, "materials", c["needs_more"])][-1] == "催办（电话）"
    steps = supervision.history(db, c["late"])  # the finding's 处理过程 on the 督查督办 page
    assert [s["action"] for s in steps] == ["录入", "交办", "催办（电话）"]
    assert steps[-1]["person"] == db.operator and steps[-1]["note"] == "答复周五前办结" and steps[-1]["on_date"] == TODAY
    assert remind.reminders_of(db, "unit_packages", c["package"])[0]["method"] == "电话"
    with pytest.raises(AppError, match="催办方式"):
        remind.record(db, c["unit"], "微信")
    quiet = units.resolve_one(db, "区委办公室")
    before = db.value("SELECT count(*) FROM reminders")
    if not any(e["unit_id"] == quiet for e in remind.collect(db)):
        with pytest.raises(AppError, match="没有需要催办"):
            remind.record(db, quiet, "短信")
    assert db.value("SELECT count(*) FROM reminders") == before


def test_excel_and_pdf(chasing, tmp_path):
    db, c = chasing["db"], chasing
    entries = remind.collect(db)
    n = remind.export_xlsx(db, tmp_path / "催办.xlsx")
    assert n == sum(len(e["items"]) for e in entries)
    ws = openpyxl.load_workbook(tmp_path / "催办.xlsx").active
    header = [cell.value for cell in ws[1]]
    assert header[:6] == ["责任单位", "联络员", "联系电话", "事项", "到期日", "逾期天数"]
    unit = units.get_unit(db, c["unit"])
    ours = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2) if row[0].value == unit["name"]]
    assert len(ours) == 7 and ours[0][1:3] == [unit["liaison"], unit["phone"]]
    assert "未签收" in ours[0][3] and ours[0][4].date().isoformat() == "2026-10-29" and ours[0][5] == 6
    assert [r[5] for r in ours] == [6, 2, 1, 0, 0, 0, 0] and ours[-1][4] is None
    assert ws.max_row == n + 1
    mine = next(e for e in entries if e["unit_id"] == c["unit"])
    other = next(e for e in entries if e["unit_id"] != c["unit"])
    result = remind.render_pdf(db, tmp_path / "催办单.pdf", entries=[mine, other])
    reader = PdfReader(tmp_path / "催办单.pdf")
    assert result.page_count == len(reader.pages) == 2  # one page per unit
    text = "".join(reader.pages[0].extract_text().split())
    assert text.startswith("创城工作催办单") and f"{unit['name']}：" in text
    assert "你单位尚有7项创城工作需要抓紧办理（其中3项已逾期）" in text and "2026-10-29" in text
    assert "请于2026年11月5日前办结" in text and "缺少盖章页" in text
    assert text.endswith(settings.get(db, "office_name") + "2026年11月4日—1—")
    second = "".join(reader.pages[1].extract_text().split())
    assert f"{other['name']}：" in second and "上述事项均已逾期，请立即办结" in second


def test_command_line(chasing, data_dir, tmp_path):
    db, c = chasing["db"], chasing
    ledger = ledger_args(db, data_dir)
    unit = units.get_unit(db, c["unit"])
    out = run_cli(ledger, "remind", "--date", TODAY)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    entries = remind.collect(db)
    assert len(lines) == len(entries) + 1
    ours = next(line for line in lines if line.startswith(unit["name"] + "\t"))
    assert "督查问题 2，未签收 1，档案材料 2，目标责任书 1，工作包 1，逾期 3 项（最长 6 天）" in ours
    assert "最早到期 2026-10-29" in ours and ours.endswith(f"{unit['liaison']}　{unit['phone']}")
    assert lines.index(ours) == [e["unit_id"] for e in entries].index(c["unit"])
    assert lines[-1] == f"{TODAY}：{len(entries)} 个单位需要催办，共 {sum(len(e['items']) for e in entries)} 项。"
    out = run_cli(ledger, "remind", "--date", TODAY, "--out", str(tmp_path / "r.xlsx"))
    assert out.returncode == 0, out.stderr
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").active["A2"].value == entries[0]["name"]
    out = run_cli(ledger, "remind", "--date", TODAY, "--out", str(tmp_path / "r.pdf"))
    assert out.returncode == 0, out.stderr
    assert len(PdfReader(tmp_path / "r.pdf").pages) >= len(entries)
    out = run_cli(ledger, "remind", "--date", "2026-13-01")
    assert out.returncode == 2 and "2026-13-01" in out.stderr and "不是有效的日期" in out.stderr
    out = run_cli(ledger, "remind", "--out", str(tmp_path / "r.docx"))
    assert out.returncode == 2 and ".xlsx" in out.stderr
    out = run_cli(ledger, "remind", "--date", TODAY, "--record", "区城管局", "--method", "催办单")
    assert out.returncode == 0, out.stderr
    assert f"已记录：{unit['name']} 催办（催办单），共 6 项事项。" in out.stdout
    assert db.value("SELECT count(*) FROM reminders WHERE method = '催办单'") == 6
    out = run_cli(ledger, "remind", "--record", "区城管局")
    assert out.returncode == 2 and "--method" in out.stderr
