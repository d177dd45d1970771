"""Loss lines of a round become 督查 findings for the units accountable for them."""

import pytest
from PySide6.QtCore import Qt

from core import scoring, supervision
from core.errors import AppError
from core.scoring import findings_from_losses


def _round_lines(db, name):
    round_id = scoring.find_round(db, name)
    return round_id, scoring.lines(db, round_id)


def test_selected_losses_become_findings_per_accountable_unit(demo_db):
    db = demo_db
    round_id, lines = _round_lines(db, "2026年模拟测评")
    lossy = [l for l in lines if l["loss"] > 0 and l["site"]]
    assert lossy
    shares, _ = scoring.attribute(db, round_id)
    expected = [(s["unit_id"], s["line"]["site"]) for s in shares if s["line"]["id"] in {l["id"] for l in lossy}
                and s["loss"] > 0]
    before = supervision.list_findings(db)[1]  # (rows, total)
    result = findings_from_losses(db, [l["id"] for l in lossy])
    assert len(result["created"]) == len(expected)
    assert supervision.list_findings(db)[1] == before + len(expected)
    got = [supervision.get_finding(db, f) for f in result["created"]]
    assert all(f["source"] == "测评反馈" and f["status"] == "待交办" for f in got)
    assert all("2026年模拟测评失分" in f["description"] for f in got)
    assert sorted(f["unit_id"] for f in got) == sorted(u for u, _ in expected)


def test_lines_without_loss_are_ignored_and_nothing_selected_is_refused(demo_db):
    db = demo_db
    _, lines = _round_lines(db, "2026年模拟测评")
    clean = [l["id"] for l in lines if l["loss"] == 0][:3]
    assert findings_from_losses(db, clean)["created"] == []
    with pytest.raises(AppError):
        findings_from_losses(db, [])


def test_scoring_page_turns_selected_losses_into_findings(qtbot, window, demo_db, monkeypatch):
    from PySide6.QtCore import QItemSelectionModel

    infos = []
    monkeypatch.setattr("gui.dialogs.confirm", lambda *a, **k: True)
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: infos.append(text))
    page = window.show_page("scoring")
    table = page.lines_tab.table
    model = table.model()
    selection = table.selectionModel()
    for row in range(model.rowCount()):
        line = model.data(model.index(row, 0), page.lines_tab.model.ROW_ROLE)
        if line["loss"] > 0 and line["site"]:
            selection.select(model.index(row, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)
    before = supervision.list_findings(demo_db)[1]
    page.lines_tab.to_findings()
    assert infos and infos[0].startswith("已生成")
    assert supervision.list_findings(demo_db)[1] > before


def test_converting_again_creates_nothing_and_the_line_shows_its_findings(demo_db):
    db = demo_db
    round_id, lines = _round_lines(db, "2026年模拟测评")
    lossy = [l["id"] for l in lines if l["loss"] > 0 and l["site"]][:3]
    first = findings_from_losses(db, lossy)
    assert first["created"]
    total = supervision.list_findings(db)[1]
    again = findings_from_losses(db, lossy)
    assert again["created"] == []
    assert sorted(again["existing"]) == sorted(first["created"])
    assert supervision.list_findings(db)[1] == total
    shown = {l["id"]: l["findings"] for l in scoring.lines(db, round_id)}
    made = sorted(first["created"])
    assert any(str(made[0]) in shown[i] and shown[i].startswith("已转") for i in lossy)
    assert all(shown[i] == "" for i in shown if i not in lossy)


def test_a_converted_loss_line_opens_its_finding_instead_of_making_another(qtbot, window, demo_db, monkeypatch):
    from PySide6.QtCore import QItemSelectionModel

    monkeypatch.setattr("gui.dialogs.confirm", lambda *a, **k: pytest.fail("asked to convert again"))
    page = window.show_page("scoring")
    lines_tab = page.lines_tab
    line = next(l for l in scoring.lines(demo_db, page.current_round_id()) if l["loss"] > 0 and l["site"])
    made = findings_from_losses(demo_db, [line["id"]])["created"]
    lines_tab.filter.clear()
    page.refresh()  # as when the page is next shown after the change
    model = lines_tab.table.model()
    shown = [model.data(model.index(r, 0), lines_tab.model.ROW_ROLE) for r in range(model.rowCount())]
    assert next(l for l in shown if l["id"] == line["id"])["findings"] == f"已转 {made[0]} 号问题"
    headers = [lines_tab.model.headerData(c, Qt.Horizontal) for c in range(lines_tab.model.columnCount())]
    assert "督查问题" in headers
    for r in range(model.rowCount()):
        if model.data(model.index(r, 0), lines_tab.model.ROW_ROLE)["id"] == line["id"]:
            lines_tab.table.selectionModel().select(model.index(r, 0),
                                                    QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
    total = supervision.list_findings(demo_db)[1]
    lines_tab.to_findings()
    assert supervision.list_findings(demo_db)[1] == total
    assert window.current_page().key == "supervision"
    assert window.current_page().selected_finding_ids() == [made[0]]
