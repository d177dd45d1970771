"""This PC's connection to the shared ledger: kept in the user's config folder (a test's own folder
here), never in the ledger and never with the password; a remembered password only in the
credential store; 设置 → 共享台账 saves it and goes back to 本机数据."""

import json

from core import connection


def _office_server():
    return connection.Connection("192.168.1.20", 5433, "chuangcheng", "clerk1", "require", remember_password=True)


def test_the_connection_is_kept_in_the_config_folder_named_by_the_environment_without_a_password(tmp_path):
    assert connection.config_dir() == tmp_path / "config"
    assert connection.active() is None  # nothing configured: the data folder's own ledger
    connection.save(_office_server())
    stored = json.loads((tmp_path / "config" / connection.FILE_NAME).read_text(encoding="utf-8"))
    assert stored["use_server"] is True and stored["server"]["host"] == "192.168.1.20"
    assert set(stored["server"]) == {"host", "port", "database", "user", "sslmode", "remember_password"}
    assert connection.active() == _office_server()
    assert connection.active().url() == "postgresql://clerk1@192.168.1.20:5433/chuangcheng?sslmode=require"
    connection.use_local()
    assert connection.active() is None and connection.saved() == _office_server()


def test_a_remembered_password_lives_in_the_credential_store_and_can_be_forgotten(isolated_connection_settings):
    server = _office_server()
    assert connection.remembered_password(server) is None
    connection.remember_password(server, "s3cret")
    assert connection.remembered_password(server) == "s3cret"
    assert "s3cret" in isolated_connection_settings.passwords.values()
    connection.forget_password(server)
    connection.forget_password(server)  # forgetting twice is no error
    assert connection.remembered_password(server) is None


def test_settings_tab_saves_the_server_and_switches_back_to_local_data(window, monkeypatch,
                                                                       isolated_connection_settings):
    told = []
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: told.append(text))
    page = window.show_page("settings")
    page.tabs.setCurrentWidget(page.shared_tab)
    tab = page.shared_tab
    assert tab.local_choice.isChecked() and not tab.server_box.isEnabled()
    tab.server_choice.setChecked(True)
    tab.host.setText(" 192.168.1.20 ")
    tab.port.setValue(5433)
    tab.database.setText("chuangcheng")
    tab.user.setText("clerk1")
    tab.password.setText("s3cret")
    tab.remember.setChecked(True)
    tab.sslmode.setCurrentIndex(tab.sslmode.findData("require"))
    tab.save_button.click()
    assert connection.active() == _office_server()
    assert connection.remembered_password(_office_server()) == "s3cret"
    assert "192.168.1.20:5433/chuangcheng" in told[-1] and "重新打开" in told[-1]
    text = (connection.config_dir() / connection.FILE_NAME).read_text(encoding="utf-8")
    assert "s3cret" not in text

    tab.local_choice.setChecked(True)
    tab.save_button.click()
    assert connection.active() is None
    assert "本机数据" in told[-1]


def test_settings_tab_refuses_a_server_without_its_address(window, monkeypatch):
    shown = []
    monkeypatch.setattr("gui.dialogs.show_error", lambda parent, title, exc: shown.append(exc.message_zh))
    tab = window.show_page("settings").shared_tab
    tab.server_choice.setChecked(True)
    tab.user.setText("clerk1")
    tab.save_button.click()
    assert shown == ["请填写服务器地址、数据库名称。"]
    assert connection.active() is None
