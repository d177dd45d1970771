"""Opening a data folder's store, ready for use (defaults in place)."""

from __future__ import annotations

from core import settings, units
from core.db import open_db
from core.paths import DataDir


def open_store(data: DataDir, operator: str | None = None):
    from core.backup import recover_interrupted_restore

    recover_interrupted_restore(data)  # a restore cut off by a crash: old data back, or the swap finished
    db = open_db(data.db_path, operator, backup_dir=data.backups)
    settings.ensure_default_vocab(db)
    units.ensure_builtin_groups(db)
    settings.apply_font_preferences(db)
    return db
