"""The 目标责任书 page driven with qtbot on the demo district."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QDialog, QLabel  # noqa: E402

from core import framework, letters, units  # noqa: E402


@pytest.fixture
def page(window):
    p = window.show_page("letters")
    p.wait_for_jobs = True
    return p


def select_unit(page, name: str) -> None:
    proxy = page.table.model()
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data() == name:
            page.select_rows([row])
            return
    raise AssertionError(f"{name} not listed")


def test_status_model_passes_qtmodeltester(qtmodeltester, demo_db):
    from gui.models.table import RowsTableModel
    from gui.views.letters.page import STATUS_COLUMNS

    model = RowsTableModel(STATUS_COLUMNS)
    model.set_rows(letters.status_rows(demo_db, 2026, framework.current_edition_id(demo_db)))
    qtmodeltester.check(model)


def test_page_lists_units_filters_by_state_and_shows_changes(page, window, demo_db):
    assert page.model.rowCount() == len(units.list_units(demo_db))
    page.state_filter.setCurrentText("未签订")
    unsigned = letters.unsigned_count(demo_db, 2026)
    assert page.model.rowCount() == unsigned
    assert f"责任书未签订：{unsigned} 个单位" in window._status.text()
    page.state_filter.setCurrentText("分解表有变化")
    assert page.model.rowCount() == 2
    select_unit(page, "区城管局")
    assert "区城管局" in page.unit_heading.text()
    assert "新增 1 项：6.2.2" in page.change_label.text()
    page.text.setText("交通")  # QTest cannot type non-ASCII keys
    assert page.table.model().rowCount() == 1


def test_mark_signed_updates_list_and_status_bar(page, window, demo_db, monkeypatch):
    from gui.views.letters import dialogs as view

    page.state_filter.setCurrentText("未签订")
    select_unit(page, "区城管局")
    before = letters.unsigned_count(demo_db, 2026)

    def fake_exec(dialog):
        assert dialog.signer.text() == units.get_unit(demo_db, units.resolve_one(demo_db, "区城管局"))["head"]
        dialog.signer.setText("王局长")
        return QDialog.Accepted

    monkeypatch.setattr(view.MarkDialog, "exec", fake_exec)
    page.buttons["signed"].click()
    status = letters.get_status(demo_db, 2026, units.resolve_one(demo_db, "区城管局"))
    assert status["state"] == "已签订" and status["signed_by"] == "王局长"
    assert letters.unsigned_count(demo_db, 2026) == before - 1
    assert f"责任书未签订：{before - 1} 个单位" in window._status.text()
    assert page.model.rowCount() == before - 1  # the filter 未签订 drops it


def test_scan_panel_is_bound_to_the_selected_units_record(page, demo_db, tmp_path):
    select_unit(page, "区委组织部")
    scan = tmp_path / "签字盖章.pdf"
    scan.write_bytes(b"%PDF-1.4 signed copy")
    assert page.scans.isEnabled()
    page.scans.add_files([str(scan)])
    status = letters.get_status(demo_db, 2026, units.resolve_one(demo_db, "区委组织部"))
    assert page.scans.owner_id == status["id"]
    assert [r["scan_count"] for r in page.model.rows() if r["name"] == "区委组织部"] == [1]
    select_unit(page, "区政协办公室")  # no tasks: no letter, nothing to attach to
    assert not page.scans.isEnabled() and not page.buttons["preview"].isEnabled()


def test_preview_shows_the_letter_pages(page, demo_db):
    select_unit(page, "区城管局")
    snapshot = letters.get_status(demo_db, 2026, units.resolve_one(demo_db, "区城管局"))["snapshot"]
    page.buttons["preview"].click()
    labels = [w for w in page.preview_widget.findChildren(QLabel) if w.pixmap() and not w.pixmap().isNull()]
    assert len(labels) >= 2
    assert labels[0].pixmap().height() > labels[0].pixmap().width()
    assert letters.get_status(demo_db, 2026, units.resolve_one(demo_db, "区城管局"))["snapshot"] == snapshot


def test_template_dialog_refuses_unknown_placeholder(page, demo_db, monkeypatch):
    from gui.views.letters.dialogs import TemplateDialog

    shown = []
    monkeypatch.setattr("gui.dialogs.show_error", lambda parent, title, exc: shown.append(exc.message_zh))
    dialog = TemplateDialog(page, demo_db)
    dialog.edits["title"].setText("{年度}年度{责任单位}责任书")
    dialog.save()
    assert shown and "{责任单位}" in shown[0]
    assert letters.get_template(demo_db)["title"] == letters.default_template()["title"]
    dialog.edits["title"].setText("{年度}年度{单位简称}创城责任状")
    dialog.save()
    assert dialog.result() == QDialog.Accepted
    assert letters.get_template(demo_db)["title"] == "{年度}年度{单位简称}创城责任状"


def test_batch_generation_and_unsigned_export(page, demo_db, tmp_path, monkeypatch):
    infos = []
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: infos.append(text))
    out = tmp_path / "全部.pdf"
    monkeypatch.setattr("gui.dialogs.save_file", lambda *a, **k: str(out))
    page.duplex.setChecked(True)
    page.generate_one_pdf()
    assert out.exists() and "份责任书" in infos[-1] and "未生成" in infos[-1]
    folder = tmp_path / "每单位"
    monkeypatch.setattr("gui.dialogs.choose_folder", lambda *a, **k: str(folder))
    select_unit(page, "区城管局")
    page.only_selected.setChecked(True)
    page.generate_separate()
    assert [p.name for p in folder.iterdir()] == ["区城管局.pdf"]
    xlsx = tmp_path / "未签订.xlsx"
    monkeypatch.setattr("gui.dialogs.save_file", lambda *a, **k: str(xlsx))
    page.export_unsigned()
    assert xlsx.exists() and f"已导出 {letters.unsigned_count(demo_db, 2026)} 个" in infos[-1]


def test_print_sends_the_letter_to_the_chosen_printer(page, tmp_path, monkeypatch):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    printed = tmp_path / "打印机输出.pdf"

    class ChoosePdfPrinter:  # the person picks a printer (here: a PDF file) and clicks 打印
        def __init__(self, printer, parent):
            printer.setOutputFormat(QPrinter.PdfFormat)
            printer.setOutputFileName(str(printed))

        def setOption(self, *args):
            pass

        def setMinMax(self, first, last):
            self.pages = last

        def exec(self):
            return QDialog.Accepted

    monkeypatch.setattr("gui.printing.QPrintDialog", ChoosePdfPrinter)
    select_unit(page, "区城管局")
    page.buttons["print"].click()
    letter = PdfReader(printed)
    assert len(letter.pages) >= 2
    assert round(float(letter.pages[0].mediabox.width)) == 595  # A4, as generated
