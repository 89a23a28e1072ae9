"""Input digests: each file's SHA-256, kept in ``files.json`` and reused while the file's
size, mtime and inode stay the same (git's index does the same), and the digest of
heatdoc's own code and the library versions that shape the output (`Digests.code`)."""
from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from heatdoc.site.cache.store import FORMAT, listdir, read_json, write_json
from heatdoc.sources.patterns import Outside, is_pattern, matches

RACY_NS = 2_000_000_000  # FAT keeps mtimes to 2 s; a file this close to its hashing is hashed again
# The libraries whose version can change a byte of the site.
LIBRARIES = ("plotly", "numpy", "orjson", "jinja2", "markupsafe", "markdown_it_py", "pyyaml",
             "jsonschema", "pandas", "pyarrow", "openpyxl", "duckdb", "scipy")
_HEATDOC = Path(__file__).resolve().parents[2]


def digest_of(*parts: Any) -> str:
    """A SHA-256 (hex) of JSON-able ``parts``."""
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


class Digests:
    """The digests of the files one build reads, by the path it names them with."""

    def __init__(self, folder: Path, root: Path):
        self._file = folder / "files.json"
        self._folder = folder
        self._root = root  # the project: a glob pattern matches only inside it
        self._known = read_json(self._file, {})
        self._changed = False
        self._code: str | None = None

    def digest(self, path: Path | str) -> str | None:
        """The file's SHA-256 (hex), or None when it cannot be read. A file changed within
        the file system's timestamp granularity of being hashed is hashed again next time.
        A glob pattern's digest covers the name and bytes of every file it matches
        (`sources.patterns`), so a new partition file changes it."""
        name = str(path)
        if is_pattern(name):
            try:
                found = [(str(p), self.digest(p)) for p in matches(Path(name), self._root)]
            except (Outside, OSError):
                return None
            return None if not found or any(d is None for _, d in found) else digest_of("glob", found)
        try:
            st = os.stat(path)
        except OSError:
            return None
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        seen = self._known.get(name)
        if (isinstance(seen, list) and len(seen) == 5 and seen[:3] == stamp
                and isinstance(seen[3], int) and seen[3] - st.st_mtime_ns > RACY_NS):
            return seen[4]
        hashed_at = time.time_ns()
        h = hashlib.sha256()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except OSError:
            return None
        self._known[name] = [*stamp, hashed_at, h.hexdigest()]
        self._changed = True
        return self._known[name][4]

    def tree(self, folder: Path) -> list[tuple[str, str | None]]:
        """Every file under ``folder`` (a project's templates) with its digest."""
        if not folder.is_dir():
            return []
        return [(p.relative_to(folder).as_posix(), self.digest(p))
                for p in sorted(folder.rglob("*")) if p.is_file()]

    def code(self) -> str:
        """heatdoc's own code and theme, and the library versions: a new heatdoc (or an
        edited checkout of it) never reuses what another one made."""
        if self._code is None:
            files = sorted(p for p in _HEATDOC.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            own = [(p.relative_to(_HEATDOC).as_posix(), self.digest(p)) for p in files]
            self._code = digest_of(FORMAT, sys.version, own, _library_versions())
        return self._code

    def save(self) -> None:
        """Keep the digests learnt, in a cache folder that exists already."""
        if self._changed and (self._folder / ".gitignore").is_file():
            write_json(self._file, self._known)
            self._changed = False


def _library_versions() -> list[str]:
    """Installed versions, from the names of their dist-info folders: much cheaper than
    importing importlib.metadata, and the same whatever installed them."""
    wanted = {name.replace("_", "-").lower() for name in LIBRARIES}
    found = []
    for folder in dict.fromkeys(sys.path):
        for name in listdir(Path(folder or ".")):
            if name.endswith(".dist-info"):
                project = name[:-len(".dist-info")].rsplit("-", 1)[0].replace("_", "-").lower()
                if project in wanted:
                    found.append(name)
    return sorted(found)
