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


def test_a_second_start_hands_over_to_the_open_window(qapp, tmp_path):
    """Two real program starts on one folder (offscreen): the second asks the first to come forward
    and ends at once, without a window or a dialog waiting for a click."""
    import os
    import subprocess
    import sys
    import time

    from PySide6.QtNetwork import QLocalSocket

    from conftest import ROOT
    from core.demo import load_demo
    from core.paths import DataDir
    from core.store import open_store

    data = DataDir(tmp_path / "data")
    db = open_store(data)
    load_demo(db)
    db.conn.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHUANGCHENG_OPERATOR": "测试员",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path / "home")}
    start = [sys.executable, str(ROOT / "main.py"), "--data", str(data.root)]
    first = subprocess.Popen(start, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        server = SingleInstance(data.root).server_name
        deadline = time.monotonic() + 120
        while True:  # until the first window listens for later starts
            assert first.poll() is None, "the first window closed by itself"
            assert time.monotonic() < deadline, "the first window never opened"
            probe = QLocalSocket()
            probe.connectToServer(server)
            if probe.waitForConnected(200):
                probe.disconnectFromServer()
                break
            time.sleep(0.2)
        second = subprocess.run(start, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert first.poll() is None  # the first window stays open
        log = data.logs / "chuangcheng.log"
        deadline = time.monotonic() + 30
        while "另一次启动请求显示已打开的窗口" not in log.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "the open window never heard from the second start"
            time.sleep(0.2)
        assert "已交给已打开的窗口" in log.read_text(encoding="utf-8")
    finally:
        first.kill()
        first.wait()
