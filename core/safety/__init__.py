"""数据安全: backups (.ccbak), automatic snapshots, verifying and restoring a backup, 数据体检 (the
health check with its quarantine), the window's lock on a data folder, and where the backups
stand (backup_status, read by 首页, the 数据安全 page and the status bar).

    archive      what a .ccbak holds; copying while hashing; paths that stay inside
    backup       making a .ccbak, its manifest and the data folder's backup key
    verify       the one validation of a backup, used by verify and restore
    restore      staging, the safety copy, the journalled swap, recovery of an interrupted restore
    snapshots    the automatic backups, their attachment mirror and pruning
    status       the last good backup and the BackupStatus object
    leftovers    temporary files, and what killed runs left of them
    health       数据体检 and its repairs
    instance_lock  one window per data folder
"""

from core.safety import health, instance_lock
from core.safety.archive import DB_MEMBER, MANIFEST, SUFFIX
from core.safety.backup import MissingAttachments, is_own_backup, make_backup
from core.safety.leftovers import clean_leftovers
from core.safety.restore import (JOURNAL, SAFETY_FOLDER, needs_foreign_confirmation, recover_interrupted_restore,
                                 restore_backup)
from core.safety.snapshots import auto_backup, list_backups
from core.safety.status import BackupStatus, backup_age_days, backup_status, last_good_backup, last_incomplete_backup
from core.safety.verify import verify_backup

__all__ = [
    "health", "instance_lock", "DB_MEMBER", "MANIFEST", "SUFFIX", "MissingAttachments",
    "is_own_backup", "make_backup", "clean_leftovers", "JOURNAL", "SAFETY_FOLDER", "needs_foreign_confirmation",
    "recover_interrupted_restore", "restore_backup", "auto_backup", "list_backups", "BackupStatus",
    "backup_age_days", "backup_status", "last_good_backup", "last_incomplete_backup", "verify_backup",
]
