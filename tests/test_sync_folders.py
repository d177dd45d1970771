"""A data folder inside OneDrive or a 网盘 sync folder is warned about like a network share."""

from __future__ import annotations

from core.paths import network_share_warning
from core.sync_folders import sync_service


def test_sync_folders_are_recognised_by_their_names(tmp_path):
    assert sync_service(tmp_path / "OneDrive" / "创城台账") == "OneDrive"
    assert sync_service(tmp_path / "OneDrive - 某某区创城办" / "数据") == "OneDrive"
    assert sync_service(tmp_path / "BaiduSyncdisk" / "数据") == "百度网盘"
    assert sync_service(tmp_path / "我的坚果云" / "数据") is None  # only the program's own folder name
    assert sync_service(tmp_path / "坚果云" / "数据") == "坚果云"
    assert sync_service(tmp_path / "WPSDrive" / "123456" / "数据") == "WPS云文档"
    assert sync_service(tmp_path / "创城工作台数据") is None


def test_onedrive_moved_elsewhere_is_found_through_its_variable(tmp_path, monkeypatch):
    moved = tmp_path / "云同步"
    monkeypatch.setenv("OneDriveCommercial", str(moved))
    assert sync_service(moved / "资料" / "数据") == "OneDrive"
    assert sync_service(tmp_path / "云同步副本") is None


def test_the_data_folder_warning_names_the_service(tmp_path):
    warning = network_share_warning(tmp_path / "OneDrive" / "创城数据")
    assert warning and "OneDrive同步文件夹" in warning and "改用不同步的本机磁盘" in warning
    assert network_share_warning(tmp_path / "本机数据") is None
