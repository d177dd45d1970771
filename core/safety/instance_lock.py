"""One program window per data folder: an operating-system lock on gui.lock in the folder, held
while the window is open.

The lock (flock on Linux, a byte-range lock on Windows) goes away with the process holding it, so a
crashed window never leaves the folder locked, and a command-line restore can tell without Qt
whether a window has the folder open."""

from __future__ import annotations

import os
import sys
from pathlib import Path

LOCK_NAME = "gui.lock"


def _try_lock(f) -> bool:
    if sys.platform == "win32":
        import msvcrt

        f.seek(0)
        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(f) -> None:
    if sys.platform == "win32":
        import msvcrt

        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


class InstanceLock:
    """The window's hold on a data folder."""

    def __init__(self, data_root: str | os.PathLike):
        self.path = Path(data_root) / LOCK_NAME
        self._file = None

    def acquire(self) -> bool:
        """True when this process now holds the folder; False when another window does."""
        if self._file is not None:
            return True
        f = open(self.path, "a+b")
        if not _try_lock(f):
            f.close()
            return False
        self._file = f
        return True

    def release(self) -> None:
        if self._file is not None:
            _unlock(self._file)
            self._file.close()
            self._file = None


def is_held(data_root: str | os.PathLike) -> bool:
    """Whether a window holds the data folder. Never creates the lock file."""
    try:
        f = open(Path(data_root) / LOCK_NAME, "rb")
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot even look: assume a window, the caller can insist (--force)
    with f:
        if _try_lock(f):
            _unlock(f)
            return False
        return True
