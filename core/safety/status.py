"""Where the backups stand: the last good backup, whether the latest one was incomplete, whether
the second location (a USB disk) is there — one status object that 首页, the 数据安全 page and the
status bar all read, so that each says the same thing.

A backup is good when it holds every file the ledger refers to; one made without some of them is
remembered as incomplete and never counted as good.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core import clock, settings
from core.paths import DataDir

log = logging.getLogger(__name__)


def _state_file(data: DataDir) -> Path:
    return data.backups / "last-backup.json"


def _read_state(data: DataDir) -> dict:
    try:
        state = json.loads(_state_file(data).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(data: DataDir, state: dict) -> None:
    try:
        _state_file(data).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:  # the backup itself is written; only the reminder's date is not
        log.warning("无法记录备份时间：%r", exc)


def record_good_backup(data: DataDir, path: Path) -> None:
    _write_state(data, {"at": clock.stamp(), "path": str(path)})


def record_incomplete_backup(data: DataDir, path: Path, missing: int) -> None:
    """A backup that lacks files the database refers to: remembered, never counted as good."""
    state = {k: v for k, v in _read_state(data).items() if k in ("at", "path")}
    state["incomplete"] = {"at": clock.stamp(), "path": str(path), "missing": missing}
    _write_state(data, state)


def last_good_backup(data: DataDir) -> dict | None:
    state = _read_state(data)
    return state if "at" in state else None


def last_incomplete_backup(data: DataDir) -> dict | None:
    """The most recent backup, when it was incomplete (a good backup made since clears it)."""
    return _read_state(data).get("incomplete")


def backup_age_days(data: DataDir) -> float | None:
    last = last_good_backup(data)
    if not last:
        return None
    return (clock.now() - datetime.fromisoformat(last["at"])).total_seconds() / 86400


@dataclass(frozen=True)
class BackupStatus:
    age_days: float | None  # since the last good backup; None: never backed up
    warn_days: int  # older than this, the office is reminded
    incomplete_at: str = ""  # the latest backup, when it lacked attachments ('' when it did not)
    incomplete_missing: int = 0  # how many it lacked
    second_folder: str = ""  # the second backup location set in 设置 ('' when none)
    second_folder_ok: bool = True  # False when it is set but not there (the USB disk not plugged in)

    @property
    def never(self) -> bool:
        return self.age_days is None

    @property
    def stale(self) -> bool:
        """Never backed up, or not for longer than the reminder allows."""
        return self.age_days is None or self.age_days > self.warn_days

    @property
    def incomplete(self) -> bool:
        return bool(self.incomplete_at)

    @property
    def last_backup(self) -> str:
        """“上次成功备份：3 小时前” ('' when there was none)."""
        if self.age_days is None:
            return ""
        age = self.age_days
        return f"上次成功备份：{age * 24:.0f} 小时前" if age < 2 else f"上次成功备份：{age:.0f} 天前"

    @property
    def incomplete_text(self) -> str:
        if not self.incomplete:
            return ""
        return (f"最近一次备份（{self.incomplete_at.replace('T', ' ')[:16]}）不完整：缺少 {self.incomplete_missing} 个附件，"
                "不算成功备份，请运行“数据体检”")

    @property
    def second_folder_text(self) -> str:
        if self.second_folder_ok:
            return ""
        return f"第二备份位置 {self.second_folder} 不可用（U 盘未插？）"

    @property
    def warning(self) -> str:
        """One line for the status bar, the most pressing first; '' when all is well."""
        if self.incomplete:
            return "⚠" + self.incomplete_text
        if self.never:
            return "还没有备份过"
        if self.stale:
            return f"⚠{self.last_backup}，已超过提醒天数，请尽快备份"
        if not self.second_folder_ok:
            return f"{self.last_backup}　⚠{self.second_folder_text}"
        return ""

    @property
    def summary(self) -> str:
        """Everything, in sentences, for the 数据安全 page."""
        if self.never:
            text = "还没有备份过。建议现在备份一次，并设置第二备份位置（U 盘）。"
        elif self.stale:
            text = f"⚠ {self.last_backup}，已超过提醒天数，请尽快备份。"
        else:
            text = self.last_backup
        if self.incomplete:
            text = f"⚠ {self.incomplete_text}。{text}"
        if not self.second_folder_ok:
            text += f"　⚠ {self.second_folder_text}"
        return text


def backup_status(data: DataDir, db) -> BackupStatus:
    """The backups of this data folder, against the office's reminder settings."""
    values = settings.get_all(db)
    incomplete = last_incomplete_backup(data) or {}
    second = values["backup_second_folder"]
    return BackupStatus(
        age_days=backup_age_days(data), warn_days=values["backup_warn_days"],
        incomplete_at=str(incomplete.get("at", "")), incomplete_missing=int(incomplete.get("missing", 0)),
        second_folder=second, second_folder_ok=not second or Path(second).exists())
