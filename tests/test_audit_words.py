"""操作日志 in a user's words: 修改前/修改后 name each field in Chinese and show names for ids, on the
page, in a record's history and in the export."""

import re

import openpyxl

from core import audit, supervision, units

RAW = re.compile(r'[a-z]+_[a-z]+|\{"|"\s*:|\[\d')  # a key like due_on, or JSON


def _a_waiting_finding(db):
    rows, _ = supervision.list_findings(db, supervision.FindingFilter(status=supervision.PENDING))
    return supervision.get_finding(db, rows[0]["id"])


def test_a_change_reads_as_labels_and_names(demo_db, tmp_path):
    db = demo_db
    finding = _a_waiting_finding(db)
    other = units.resolve_one(db, "区住建局")
    supervision.update_finding(db, finding["id"], {"unit_id": other, "limit_days": 3})
    entry = audit.search(db, record_id=str(finding["id"]), table="findings", limit=1)[0]
    assert f"责任单位：{finding['unit']}" in entry["before_text"]
    assert "责任单位：区住建局" in entry["after_text"] and "整改时限（工作日）：3" in entry["after_text"]
    assert not RAW.search(entry["before_text"] + entry["after_text"])
    history = audit.history(db, "findings", finding["id"])
    assert history[-1]["after_text"] == entry["after_text"]
    out = tmp_path / "log.xlsx"
    audit.export(db, out, [entry])
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("修改后") + 1).value == entry["after_text"]


def test_no_field_key_or_json_reaches_the_page_for_the_demo_year(demo_db):
    for entry in audit.search(demo_db, limit=None):
        text = entry["before_text"] + entry["after_text"]
        assert not RAW.search(text), (entry["action"], text)


def test_the_log_page_shows_the_words(qtbot, window, demo_db):
    finding = _a_waiting_finding(demo_db)
    supervision.update_finding(demo_db, finding["id"], {"severity": "严重"})
    page = window.show_page("audit")
    page.reload()
    model = page.model
    keys = [c.key for c in model.columns]
    row = next(r for r in range(model.rowCount())
               if model.data(model.index(r, keys.index("after_text"))) == "严重程度：严重")
    assert model.data(model.index(row, keys.index("before_text"))) == "严重程度：一般"
