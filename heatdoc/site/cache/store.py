"""The cache folder itself: where it is, and how an entry is read and written.

Entries are JSON and plain files, never pickle: a cache folder that came from elsewhere
can make a build slower, but cannot run code. An entry that is missing, truncated,
corrupt or of another type is read as the default, as if it were not there; writing
gives up quietly (a full disk or a read-only checkout makes a build slower, not broken).
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

CACHE_DIR = ".heatdoc-cache"
FORMAT = 2  # bump when the layout of the cache changes: older caches are then ignored


def ensure_folder(folder: Path) -> None:
    """Make the cache folder, with the files that keep git and backup tools out of it."""
    if (folder / ".gitignore").is_file():
        return
    try:
        folder.mkdir(exist_ok=True)
        (folder / "CACHEDIR.TAG").write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n# heatdoc's build cache; safe to delete\n")
        (folder / ".gitignore").write_text("# heatdoc's build cache; safe to delete\n*\n")
    except OSError:
        pass


def read_json(path: Path, default: Any) -> Any:
    try:
        value = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return default
    return value if isinstance(value, type(default)) else default


def write_json(path: Path, value: Any) -> None:
    try:
        write_atomic(path, orjson.dumps(value))
    except OSError:
        pass


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def listdir(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []
