"""Folders a cloud-sync program (OneDrive, 百度网盘, 坚果云, WPS云文档 …) copies in the background.

A database there is as unsafe as on a network share: the sync program reads and locks the file
while the program writes it, uploads half-written states, and makes "conflict copies" when two
PCs open the same folder."""

from __future__ import annotations

import os
from pathlib import PurePath

# Folder names the sync programs create (compared case-insensitively) → the name users know.
_FOLDER_NAMES = {
    "onedrive": "OneDrive", "dropbox": "Dropbox", "iclouddrive": "iCloud", "icloud drive": "iCloud",
    "google drive": "Google 云端硬盘", "我的云端硬盘": "Google 云端硬盘",
    "baidusyncdisk": "百度网盘", "百度网盘同步空间": "百度网盘", "坚果云": "坚果云", "nutstore": "坚果云",
    "wpsdrive": "WPS云文档", "wps云盘": "WPS云文档", "wps云文档": "WPS云文档", "阿里云盘": "阿里云盘",
    "腾讯微云": "腾讯微云", "synologydrive": "Synology Drive",
}
# Set by OneDrive itself (personal and work or school accounts), wherever the user moved the folder.
_ONEDRIVE_VARIABLES = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")


def sync_service(path) -> str | None:
    """The sync program whose folder holds path, or None."""
    path = PurePath(os.path.abspath(os.fspath(path)))
    for variable in _ONEDRIVE_VARIABLES:
        root = os.environ.get(variable)
        if root and _is_within(path, PurePath(os.path.abspath(root))):
            return "OneDrive"
    for part in path.parts:
        name = part.casefold()
        if name in _FOLDER_NAMES:
            return _FOLDER_NAMES[name]
        if name.startswith("onedrive - "):  # a work or school account: "OneDrive - 单位名称"
            return "OneDrive"
    return None


def sync_folder_warning(path) -> str | None:
    service = sync_service(path)
    if service is None:
        return None
    return (f"数据文件夹 {os.fspath(path)} 位于{service}同步文件夹中。同步程序会在程序写入时复制或占用数据库文件，"
            "可能损坏数据或产生冲突副本，请在“设置”中改用不同步的本机磁盘上的文件夹；备份文件可以放在同步文件夹中。")


def _is_within(path: PurePath, root: PurePath) -> bool:
    folded, root_folded = str(path).casefold(), str(root).casefold()
    return folded == root_folded or folded.startswith(root_folded.rstrip("\\/") + os.sep)
