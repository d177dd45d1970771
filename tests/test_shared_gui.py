"""The window on the shared ledger, as two colleagues use it: connecting at start (right and wrong
password), the status bar naming the ledger and the login, a colleague's change reaching an open page
within 2 seconds without losing what is being typed or selected, the second of two saves of one
record refused with who and when and reloaded, and a connection lost in the middle of an action."""

import pytest

PASSWORD_A, PASSWORD_B = "clerk-a-secret", "clerk-b-secret"
CLERK_A, CLERK_B = "gui_clerk_a", "gui_clerk_b"
MANAGER, PASSWORD_MANAGER = "gui_manager", "manager-secret"
DATABASE = "office_gui"


@pytest.fixture(scope="module")
def office(pg_server, tmp_path_factory):
    """A shared ledger prepared by server-init, with the demo district and two clerks (经办人)."""
    from core.demo import load_demo
    from core.paths import DataDir
    from core.store import open_store, postgres, server_admin

    admin = postgres.connect(pg_server.url())
    admin.run_script(f"CREATE DATABASE {DATABASE} TEMPLATE template0 ENCODING 'UTF8'"
                     " LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
    owner = postgres.connect(pg_server.url(DATABASE))
    server_admin.initialize(owner)
    server_admin.add_user(owner, CLERK_A, "经办人", PASSWORD_A)
    server_admin.add_user(owner, CLERK_B, "经办人", PASSWORD_B)
    server_admin.add_user(owner, MANAGER, "管理员", PASSWORD_MANAGER)
    owner.close()
    owner = open_store(DataDir(tmp_path_factory.mktemp("owner_pc")), None, server=pg_server.url(DATABASE))
    load_demo(owner)
    owner.close()
    yield pg_server
    admin.run_script(f"DROP DATABASE {DATABASE} WITH (FORCE)")
    for login in (CLERK_A, CLERK_B, MANAGER):
        admin.run_script(f"DROP ROLE IF EXISTS {login}")
    admin.close()


def _connection(office, user=CLERK_A):
    from core.connection import Connection

    return Connection("127.0.0.1", office.port, DATABASE, user, "prefer", remember_password=True)


def _url(office, user):
    return _connection(office, user).url()


@pytest.fixture
def window_a(qtbot, office, data_dir):
    """clerk A's window on the shared ledger."""
    from core.store import open_store
    from gui.main_window import MainWindow

    db = open_store(data_dir, None, server=_url(office, CLERK_A), password=PASSWORD_A)
    w = MainWindow(db, data_dir, "忽略的名字", PASSWORD_A)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
    db.close()


@pytest.fixture
def clerk_b(office, tmp_path):
    """clerk B's client on another PC."""
    from core.paths import DataDir
    from core.store import open_store

    db = open_store(DataDir(tmp_path / "pc_b"), None, server=_url(office, CLERK_B), password=PASSWORD_B)
    yield db
    db.close()


def test_connect_dialog_opens_the_shared_ledger_and_remembers_the_password_only_in_the_credential_store(
        qtbot, office, data_dir, isolated_connection_settings):
    from core import connection
    from gui.dialogs.connect import ConnectDialog

    connection.save(_connection(office))
    dialog = ConnectDialog(connection.active(), data_dir)
    qtbot.addWidget(dialog)
    assert dialog.user.text() == CLERK_A and dialog.password_edit.text() == ""
    dialog.password_edit.setText(PASSWORD_A)
    dialog.remember.setChecked(True)
    dialog.connect_button.click()
    assert dialog.result() == ConnectDialog.Accepted and dialog.choice == "server"
    assert dialog.store.operator == CLERK_A and dialog.store.shared
    dialog.store.close()
    assert connection.remembered_password(_connection(office)) == PASSWORD_A
    saved = (connection.config_dir() / connection.FILE_NAME).read_text(encoding="utf-8")
    assert PASSWORD_A not in saved and CLERK_A in saved
    again = ConnectDialog(connection.active(), data_dir)  # the next start: the password is filled in
    qtbot.addWidget(again)
    assert again.password_edit.text() == PASSWORD_A


def test_connect_dialog_with_a_wrong_password_names_the_server_and_offers_the_local_folder(qtbot, office, data_dir):
    from core import connection
    from gui.dialogs.connect import LOCAL, ConnectDialog

    connection.save(_connection(office))
    dialog = ConnectDialog(connection.active(), data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password_edit.setText("not-the-password")
    dialog.connect_button.click()
    assert dialog.store is None and dialog.isVisible()
    problem = dialog.problem.text()
    assert f"127.0.0.1:{office.port}" in problem and "密码" in problem and "改用本机数据" in problem
    assert connection.remembered_password(_connection(office)) is None
    dialog.local_button.click()
    assert dialog.result() == ConnectDialog.Accepted and dialog.choice == LOCAL


def test_status_bar_names_the_shared_ledger_and_the_login(window_a, office):
    assert window_a.ledger_text() == f"共享台账 · 127.0.0.1:{office.port}/{DATABASE} · 用户 {CLERK_A}"
    assert window_a.ledger_text() in window_a._status.text()


def test_a_colleagues_change_reaches_the_open_page_within_two_seconds_keeping_selection_and_filter_text(
        qtbot, window_a, clerk_b):
    from core import units

    page = window_a.show_page("units")
    page.refresh()
    page.filter.setText("")
    page.filter.insert("局")  # being typed: the list is filtered by it
    typed = page.filter.text()
    page.table.selectRow(1)
    selected_before = [r["id"] for r in _selected(page.table)]
    assert len(selected_before) == 1

    units.update_unit(clerk_b, selected_before[0], {"liaison": "王联络（B改）"})
    qtbot.waitUntil(lambda: any(r.get("liaison") == "王联络（B改）" for r in page.model.rows()), timeout=2000)
    assert page.filter.text() == typed
    assert [r["id"] for r in _selected(page.table)] == selected_before


def _selected(view):
    from gui.widgets.tables import selected_rows

    return selected_rows(view)


def test_the_second_save_of_a_material_is_refused_with_who_and_when_and_the_form_reloads(
        qtbot, window_a, clerk_b, monkeypatch):
    from core import materials

    page = window_a.show_page("materials")
    page.refresh()
    material = page.current
    assert material is not None
    page.detail.title_edit.setText("A 正在改的名称")  # typed, not saved yet

    materials.update_material(clerk_b, material["id"], {**page.detail.edited(), "title": material["title"],
                                                        "requirement": "B 保存的要求"})
    qtbot.waitUntil(lambda: page.current and page.current["requirement"] == "B 保存的要求", timeout=2000)
    assert page.detail.title_edit.text() == "A 正在改的名称"  # the refresh left what A is typing alone

    told = []
    monkeypatch.setattr("gui.dialogs.offer_reload", lambda parent, title, exc: told.append(exc.message_zh) or True)
    page.save_current()
    assert len(told) == 1 and CLERK_B in told[0] and "修改过" in told[0]
    stored = materials.get_material(clerk_b, material["id"])
    assert stored["title"] == material["title"] and stored["requirement"] == "B 保存的要求"
    # 重新载入: the form shows what B saved, and a save from there goes through
    assert page.detail.title_edit.text() == material["title"]
    assert page.detail.requirement_edit.toPlainText() == "B 保存的要求"
    page.detail.title_edit.setText("A 重新载入后改的名称")
    page.save_current()
    assert len(told) == 1
    assert materials.get_material(clerk_b, material["id"])["title"] == "A 重新载入后改的名称"


def test_a_connection_lost_mid_action_saves_nothing_says_so_and_the_next_action_reconnects(
        window_a, office, monkeypatch):
    from core import settings
    from core.store import postgres

    page = window_a.show_page("settings")
    page.refresh()
    before = settings.get_all(window_a.ctx.db)["office_name"]
    admin = postgres.connect(office.url(DATABASE))
    try:
        admin.value("SELECT pg_terminate_backend(:pid)", {"pid": window_a.ctx.db.backend_pid})
    finally:
        admin.close()
    shown = []
    monkeypatch.setattr("gui.dialogs.show_error", lambda parent, title, exc: shown.append(exc.message_zh))
    page.office_name.setText("断线时保存的名称")
    page.save()
    assert len(shown) == 1 and "连接断开" in shown[0] and "没有保存" in shown[0]
    page.save()  # the server is there: the program connects again and the save goes through
    assert len(shown) == 1
    assert settings.get_all(window_a.ctx.db)["office_name"] == "断线时保存的名称" != before


def test_settings_tab_test_connection_reports_the_login_or_what_to_check(qtbot, office, window):
    tab = window.show_page("settings").shared_tab
    tab.server_choice.setChecked(True)
    tab.host.setText("127.0.0.1")
    tab.port.setValue(office.port)
    tab.database.setText(DATABASE)
    tab.user.setText(CLERK_B)
    tab.password.setText(PASSWORD_B)
    tab.test_button.click()
    assert tab.result.text() == f"连接成功：127.0.0.1:{office.port}/{DATABASE}，用户 {CLERK_B}（经办人）。"
    tab.password.setText("wrong")
    tab.test_button.click()
    assert f"127.0.0.1:{office.port}" in tab.result.text() and "密码" in tab.result.text()


def test_the_command_line_of_a_pc_set_to_the_shared_ledger_opens_it_unless_a_data_folder_is_named(
        office, tmp_path):
    import os
    import subprocess
    import sys

    from conftest import ROOT
    from core import connection

    connection.save(_connection(office))
    env = {k: v for k, v in os.environ.items() if k not in ("CHUANGCHENG_DATA", "CHUANGCHENG_SERVER")}
    env.update(PGPASSWORD=PASSWORD_A, XDG_DATA_HOME=str(tmp_path / "xdg-data"), QT_QPA_PLATFORM="offscreen")

    def run(*args):
        return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                              encoding="utf-8", env=env, timeout=120, stdin=subprocess.DEVNULL)

    shared = run("server-user", "list")
    assert shared.returncode == 0, shared.stderr
    assert f"{CLERK_A}\t经办人\t可登录" in shared.stdout.splitlines()
    assert (tmp_path / "xdg-data" / "ChuangchengDesk" / "logs").is_dir()  # this PC's folder, not the user's
    local = run("--data", str(tmp_path / "laptop"), "server-user", "list")
    assert local.returncode == 2 and "--server" in local.stderr


def test_a_step_on_a_finding_a_colleague_took_first_is_refused_with_who_and_the_list_reads_again(
        window_a, clerk_b, monkeypatch):
    from core import supervision

    tab = window_a.show_page("supervision").findings
    tab.refresh()
    shown = next(r for r in tab.findings_model.rows() if r["status"] == "已交办")  # as A's list shows it
    supervision.sign(clerk_b, shown["id"], "乙签收")  # today
    told = []
    monkeypatch.setattr("gui.dialogs.offer_reload", lambda parent, title, exc: told.append(exc.message_zh) or True)
    tab._step("签收", supervision.sign, shown, "甲签收")
    assert len(told) == 1 and CLERK_B in told[0]
    assert supervision.history(clerk_b, shown["id"])[-1]["person"] == "乙签收"
    assert next(r for r in tab.findings_model.rows() if r["id"] == shown["id"])["status"] == "已签收"  # read again


def test_a_letter_mark_on_units_a_colleague_marked_first_is_refused_and_the_list_reads_again(
        window_a, clerk_b, monkeypatch):
    from core import letters
    from gui.views.letters import page as letters_page

    page = window_a.show_page("letters")
    page.refresh()
    row = next(i for i, r in enumerate(page.model.rows()) if r["state"] == "已印发")
    unit = page.model.rows()[row]
    page.table.selectRow(page.table.model().mapFromSource(page.model.index(row, 0)).row())
    letters.set_state(clerk_b, page.year.value(), unit["unit_id"], "已签订", on="2026-03-09", signed_by="乙经手")
    monkeypatch.setattr(letters_page.MarkDialog, "exec", lambda self: letters_page.QDialog.Accepted)
    monkeypatch.setattr(letters_page.MarkDialog, "values", lambda self: ("2026-03-10", "甲经手"))
    told = []
    monkeypatch.setattr("gui.dialogs.offer_reload", lambda parent, title, exc: told.append(exc.message_zh) or True)
    page.mark("已签订")
    assert len(told) == 1 and CLERK_B in told[0]
    assert letters.get_status(clerk_b, page.year.value(), unit["unit_id"])["signed_by"] == "乙经手"
    assert next(r for r in page.model.rows() if r["unit_id"] == unit["unit_id"])["state"] == "已签订"


def test_restoring_from_the_window_replaces_the_shared_ledger_and_only_a_manager_may(
        qtbot, office, window_a, data_dir, tmp_path, monkeypatch):
    """Last in the module: the ledger it restores is the one it found."""
    from core import safety, units
    from core.paths import DataDir
    from core.store import open_store
    from gui.main_window import MainWindow

    errors, infos = [], []
    monkeypatch.setattr("gui.dialogs.show_error", lambda parent, title, exc: errors.append(str(exc)))
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: infos.append(text))
    manager_pc = DataDir(tmp_path / "manager_pc")
    db = open_store(manager_pc, None, server=_url(office, MANAGER), password=PASSWORD_MANAGER)
    manager = MainWindow(db, manager_pc, "忽略的名字", PASSWORD_MANAGER)
    qtbot.addWidget(manager)
    try:
        backup = safety.make_backup(manager_pc, db)
        units.create_unit(db, {"name": "恢复后不应存在"})
        window_a.restore_from(str(backup))  # a 经办人
        qtbot.waitUntil(lambda: bool(errors), timeout=60000)
        assert "只有管理员能" in errors[0] and "共享台账未改动" in errors[0]
        assert units.resolver(db).lookup("恢复后不应存在") is not None
        manager.restore_from(str(backup))
        qtbot.waitUntil(lambda: bool(infos), timeout=120000)
        assert "共享台账已替换" in infos[0] and "替换前的共享台账已备份到本机" in infos[0]
        assert manager.ctx.db is db  # the window kept its connection
        assert units.resolver(db).lookup("恢复后不应存在") is None
        assert units.resolver(window_a.ctx.db).lookup("恢复后不应存在") is None
    finally:
        manager.close()
        db.close()
