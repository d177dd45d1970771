"""Word beside PDF in the window: where a 督办通知单, a 通报 or a 失分通报 is saved, the save dialog offers
Word (*.docx) and the name chosen decides the format."""

import docx
import pytest

pytest.importorskip("PySide6")


def texts(path) -> list[str]:
    return [p.text for p in docx.Document(path).paragraphs if p.text.strip()]


@pytest.fixture
def saved(monkeypatch):
    """The save dialog answered with a path set by the test; what it offered, and the message shown."""
    seen = {"filters": [], "messages": [], "answer": ""}

    def save_file(parent, title, name, filters, kind="export"):
        seen["filters"].append(filters)
        return seen["answer"]

    monkeypatch.setattr("gui.dialogs.save_file", save_file)
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: seen["messages"].append(text))
    return seen


def test_notices_saved_as_word(qtbot, window, saved, tmp_path):
    tab = window.show_page("supervision").notices
    tab.notice_table.selectRow(0)
    number = tab.notice_model.row_at(0)["number"]
    saved["answer"] = str(tmp_path / "通知单.docx")
    tab.print_notices()
    qtbot.waitUntil(lambda: bool(saved["messages"]), timeout=60000)
    assert "Word 文档 (*.docx)" in saved["filters"][0] and "PDF 文件 (*.pdf)" in saved["filters"][0]
    assert saved["messages"] == [f"已保存 1 份（Word 文档）：\n{tmp_path / '通知单.docx'}"]
    assert number in texts(tmp_path / "通知单.docx")


def test_bulletin_saved_as_word_or_as_pdf_without_extension(qtbot, window, saved, tmp_path):
    tab = window.show_page("supervision").bulletin
    saved["answer"] = str(tmp_path / "通报.docx")
    tab.write_bulletin(".pdf")
    qtbot.waitUntil(lambda: bool(saved["messages"]), timeout=60000)
    assert "Word 文档 (*.docx)" in saved["filters"][0]
    assert texts(tmp_path / "通报.docx")[2].startswith("创城督查通报")
    saved["answer"] = str(tmp_path / "通报")  # no extension typed: the PDF stays the default
    tab.write_bulletin(".pdf")
    qtbot.waitUntil(lambda: len(saved["messages"]) == 2, timeout=60000)
    assert (tmp_path / "通报.pdf").stat().st_size > 0
    assert not (tmp_path / "通报").exists()


def test_loss_notice_saved_as_word(qtbot, window, saved, tmp_path):
    page = window.show_page("scoring")
    report = page.report_tab
    report.show_by_unit()
    saved["answer"] = str(tmp_path / "失分通报.docx")
    report.export_report("pdf")
    qtbot.waitUntil(lambda: bool(saved["messages"]), timeout=60000)
    assert "Word 文档 (*.docx)" in saved["filters"][0]
    assert f"关于{page.round_name()}失分情况的通报" in texts(tmp_path / "失分通报.docx")
