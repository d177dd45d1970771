"""Native behaviour of the window program: error reports a user can send, Qt's own texts in
Chinese, and the Documents folder as the default place to save."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QDialog, QLabel, QPushButton

from gui import crash_report, dialogs


@pytest.fixture
def configured_reports(tmp_path, monkeypatch):
    enabled = []
    monkeypatch.setattr(crash_report.faulthandler, "enable", lambda file, all_threads: enabled.append(file))
    monkeypatch.setattr(crash_report, "_logs_dir", None)
    monkeypatch.setattr(crash_report, "_native_log", None)
    crash_report.configure(tmp_path)
    yield tmp_path, enabled
    crash_report._native_log.close()


def test_configure_sends_native_crashes_to_the_logs_folder(configured_reports):
    logs, enabled = configured_reports
    assert [f.name for f in enabled] == [str(logs / crash_report.NATIVE_CRASH_LOG)]


def test_unexpected_error_writes_a_report_and_the_dialog_names_it(qtbot, configured_reports, monkeypatch):
    logs, _ = configured_reports
    shown = []

    def fake_exec(dialog):
        qtbot.addWidget(dialog)
        shown.append(dialog)
        return 0

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    try:
        raise ValueError("示例故障")
    except ValueError as exc:
        dialogs.show_unexpected(None, exc, "Traceback (most recent call last):\n  示例\n")
    reports = list(logs.glob("错误报告-*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert "创城工作台" in text and "ValueError: 示例故障" in text and "Traceback" in text
    dialog = shown[0]
    assert any(str(reports[0]) in label.text() for label in dialog.findChildren(QLabel))
    assert {b.text() for b in dialog.findChildren(QPushButton)} >= {"打开报告所在文件夹", "复制详情", "关闭"}


def test_without_a_logs_folder_the_dialog_still_shows_details(qtbot, monkeypatch):
    monkeypatch.setattr(crash_report, "_logs_dir", None)
    shown = []
    monkeypatch.setattr(QDialog, "exec", lambda d: shown.append(d) or qtbot.addWidget(d) or 0)
    dialogs.show_unexpected(None, RuntimeError("x"), "tb")
    assert "打开报告所在文件夹" not in {b.text() for b in shown[0].findChildren(QPushButton)}


def test_qt_standard_texts_are_chinese(qapp):
    from gui.app import create_application

    app = create_application()
    assert app.property("qt_translation_loaded")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_save_dialogs_start_in_documents_until_a_folder_is_remembered(qapp, tmp_path, monkeypatch):
    documents = tmp_path / "文档"
    documents.mkdir()
    monkeypatch.setattr(dialogs.QStandardPaths, "writableLocation",
                        lambda kind: str(documents) if kind == QStandardPaths.DocumentsLocation else "")
    kind = "test-installer-never-used"
    assert dialogs._last_folder(kind) == str(documents)
    chosen = tmp_path / "导出"
    chosen.mkdir()
    dialogs.QSettings().setValue(f"folders/{kind}", str(chosen))
    try:
        assert dialogs._last_folder(kind) == str(chosen)
    finally:
        dialogs.QSettings().remove(f"folders/{kind}")


def test_a_session_that_ends_normally_leaves_no_entry_in_the_native_crash_log(tmp_path, monkeypatch):
    log = tmp_path / crash_report.NATIVE_CRASH_LOG
    log.write_text("上次崩溃的记录\n", encoding="utf-8")
    monkeypatch.setattr(crash_report, "_native_log", None)
    monkeypatch.setattr(crash_report.faulthandler, "enable", lambda file, all_threads: None)
    monkeypatch.setattr(crash_report.faulthandler, "disable", lambda: None)
    crash_report.configure(tmp_path)
    # What faulthandler writes on Windows for an exception Qt or COM raised and handled itself.
    os.write(crash_report._native_log.fileno(), b"Windows fatal exception: code 0x8001010d\n")
    crash_report.session_ended_normally()
    assert log.read_text(encoding="utf-8") == "上次崩溃的记录\n"
