"""Where the program keeps its data: one folder holding the database, attachments, backups and logs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

ENV_DATA = "CHUANGCHENG_DATA"
DB_NAME = "chuangcheng.db"


class DataDir:
    """The layout of a data folder. Creating the object creates the folders."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).expanduser().resolve()
        for sub in (self.root, self.attachments, self.backups, self.logs):
            sub.mkdir(parents=True, exist_ok=True)

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def attachments(self) -> Path:
        return self.root / "attachments"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def is_empty(self) -> bool:
        """True when no database has been created here yet (first start)."""
        return not self.db_path.exists()


def fallback_log_dir() -> Path:
    """Where logs go when the data folder cannot take them (read-only, full, locked)."""
    import tempfile

    return Path(tempfile.gettempdir()) / "ChuangchengDesk-logs"


def default_data_root() -> Path:
    # Non-roaming: on Windows this is under %LOCALAPPDATA%, never synced to a domain profile.
    return Path(platformdirs.user_data_dir("ChuangchengDesk", appauthor=False, roaming=False))


def resolve_data_dir(cli_value: str | None = None) -> DataDir:
    """--data wins, then the environment variable, then the per-user default."""
    root = cli_value or os.environ.get(ENV_DATA) or default_data_root()
    return DataDir(root)


def network_share_warning(path: Path) -> str | None:
    """A Chinese warning when the folder is on a network share (SQLite locking is unsafe there)
    or in a cloud-sync folder (OneDrive, 网盘), which is as unsafe."""
    from core.sync_folders import sync_folder_warning

    text = str(path)
    synced = sync_folder_warning(path)
    if synced:
        return synced
    if text.startswith("\\\\") or text.startswith("//"):
        return _share_message(text)
    if sys.platform == "win32":
        import ctypes

        drive = os.path.splitdrive(text)[0]
        if drive:
            DRIVE_REMOTE = 4
            if ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE:
                return _share_message(text)
        return None
    return _share_message(text) if _linux_fs_type(path) in _NETWORK_FS else None


_NETWORK_FS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "fuse.sshfs", "9p", "afs", "davfs"}


def _linux_fs_type(path: Path) -> str | None:
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best, best_type = "", None
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
            best, best_type = parts[1], parts[2]
    return best_type


def _share_message(text: str) -> str:
    return (f"数据文件夹 {text} 位于网络共享上。数据库放在网络盘上可能因文件锁失效而损坏，"
            "请在“设置”中改用本机磁盘上的文件夹，并用备份功能把数据复制到网络盘。")
