"""One window per data folder: a second start is refused and asks the first to come forward."""

from gui.single_instance import SingleInstance


def test_second_instance_is_refused_and_raises_the_first(qtbot, tmp_path):
    first = SingleInstance(tmp_path)
    assert first.acquire()
    raised = []
    first.listen(lambda: raised.append(True))
    second = SingleInstance(tmp_path)
    assert not second.acquire()
    qtbot.waitUntil(lambda: bool(raised), timeout=5000)
    first.release()
    third = SingleInstance(tmp_path)
    assert third.acquire()  # free again once the first window closed
    third.release()


def test_other_data_folders_are_independent(qtbot, tmp_path):
    a, b = SingleInstance(tmp_path / "a"), SingleInstance(tmp_path / "b")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert a.acquire() and b.acquire()
    a.release()
    b.release()


def test_operator_name_is_asked_and_remembered(qtbot, monkeypatch, tmp_path):
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QInputDialog

    from gui import app

    QCoreApplication.setOrganizationName("ChuangchengDeskTests")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path))
    seen = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (seen.append(k.get("text")), ("  王小明 ", True))[1])
    assert app.ask_operator() == "王小明"
    assert app.ask_operator() == "王小明"
    assert seen == ["", "王小明"]  # the last name is offered next time
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    assert app.ask_operator() == ""
