"""Opening a data folder's store, ready for use (defaults in place)."""

from __future__ import annotations

from core import settings, units
from core.db import open_db
from core.paths import DataDir


def open_store(data: DataDir, operator: str | None = None):
    db = open_db(data.db_path, operator, backup_dir=data.backups)
    settings.ensure_default_vocab(db)
    units.ensure_builtin_groups(db)
    return db
