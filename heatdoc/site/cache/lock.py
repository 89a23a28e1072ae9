"""The lock: one build of a project at a time uses its cache (a second one waits), so
that a build never prunes the parts another one is about to link into its site."""
from __future__ import annotations

import os
from pathlib import Path

from heatdoc.site.cache.store import ensure_folder


def take(folder: Path) -> int | None:
    """Wait for, then hold, the lock of the cache ``folder`` (made first, when there are locks); None where there
    are no advisory locks (Windows: concurrent builds may then rebuild more) or on error."""
    try:
        import fcntl
    except ImportError:
        return None
    ensure_folder(folder)
    try:
        fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        return None
    return fd


def release(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)
