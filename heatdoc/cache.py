"""The build cache: what earlier builds made, found again by the bytes it was made from.

It lives in the project, in ``.heatdoc-cache/`` (git-ignored by the ``.gitignore`` it
writes into itself, as ``.pytest_cache`` does; backup tools skip it by its CACHEDIR.TAG).
Deleting it is always safe: the next build is a clean build and writes the same bytes.

Everything in it is content-addressed: a chart's key is a SHA-256 of the spec file's
bytes, the bytes of every data file it reads, the project settings, and heatdoc's own
code and the versions of the libraries that shape the output (`BuildCache.code`). A page's
identity is a SHA-256 of its template name and everything the template is given. Times
and paths alone are never trusted:

- ``files.json``: each input file's SHA-256, reused while its size, mtime and inode stay
  the same (git's index does the same); a file changed within the file system's
  timestamp granularity of being hashed is hashed again next time;
- ``catalog.json``: per spec, the last build's chart key, data files and what planning
  needs (title, order, tags, ...), so an unchanged spec is neither parsed nor validated;
- ``charts/KEY``: a chart's parts (thumbnail, figure JSON, page fields), one after
  the other in one file (one file a chart: creating files is what costs most);
- ``sites/OUT.json``: what the last build wrote to an output folder, file by file, so an
  unchanged file is hard-linked from the previous site instead of being made again.

Entries are JSON and plain files, never pickle: a cache folder that came from elsewhere
can make a build slower, but cannot run code. An entry that is missing, truncated,
corrupt or of another format is ignored as if it were not there.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

CACHE_DIR = ".heatdoc-cache"
FORMAT = 2  # bump when the layout of the cache changes: older caches are then ignored
RACY_NS = 2_000_000_000  # FAT keeps mtimes to 2 s; a file this close to its hashing is hashed again
# The libraries whose version can change a byte of the site.
LIBRARIES = ("plotly", "numpy", "orjson", "jinja2", "markupsafe", "markdown_it_py", "pyyaml",
             "jsonschema", "pandas", "pyarrow", "openpyxl")
_HEATDOC = Path(__file__).resolve().parent


def digest_of(*parts: Any) -> str:
    """A SHA-256 (hex) of JSON-able ``parts``."""
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


class BuildCache:
    """The cache of one project. Reading never raises; writing gives up quietly (a full
    disk or a read-only checkout makes a build slower, not broken)."""

    def __init__(self, root: Path, *, lock: bool = False):
        self.root = root
        self.folder = root / CACHE_DIR
        self.existed = self.folder.is_dir()
        self._lock: int | None = None
        if lock:
            self._take_lock()
        self._known = _read_json(self.folder / "files.json", {})
        self._known_changed = False
        self.catalog: dict[str, Any] = _read_json(self.folder / "catalog.json", {})
        if self.catalog.get("format") != FORMAT:
            self.catalog = {}
        self.new_catalog: dict[str, Any] = {"format": FORMAT, "specs": {}}
        self._code: str | None = None
        self._pending: list[tuple[Path, str, list[str]]] = []
        self._mtime = self.folder.stat().st_mtime_ns if self.existed else None

    # --- input files -------------------------------------------------------------

    def digest(self, path: Path | str) -> str | None:
        """The file's SHA-256 (hex), or None when it cannot be read."""
        name = str(path)
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
        self._known_changed = True
        return self._known[name][4]

    def code(self) -> str:
        """heatdoc's own code and theme, and the library versions: a new heatdoc (or an
        edited checkout of it) never reuses what another one made."""
        if self._code is None:
            files = sorted(p for p in _HEATDOC.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            own = [(p.relative_to(_HEATDOC).as_posix(), self.digest(p)) for p in files]
            self._code = digest_of(FORMAT, sys.version, own, _library_versions())
        return self._code

    # --- charts --------------------------------------------------------------------

    def chart_key(self, settings: dict[str, Any], spec: str, spec_digest: str,
                  data: list[tuple[str, str | None]]) -> str:
        return digest_of("chart", self.code(), settings, spec, spec_digest, data)

    def known_chart(self, spec: str, settings: dict[str, Any]) -> dict[str, Any] | None:
        """The catalog record of ``spec`` (a path relative to the project) when the spec and
        every data file it read are byte for byte what they were, else None."""
        record = self.catalog.get("specs", {}).get(spec)
        if not isinstance(record, dict):
            return None
        try:
            root = str(self.root)  # strings, not Paths: this runs once per spec, every build
            spec_digest = self.digest(os.path.join(root, spec))  # type: ignore[arg-type]
            data = [(name, self.digest(os.path.join(root, name))) for name in record["data"]]  # type: ignore[arg-type]
            if spec_digest is None or any(d is None for _, d in data):
                return None
            if record["key"] != self.chart_key(settings, spec, spec_digest, data):
                return None
            entry = os.path.join(self.folder, "charts", record["key"])
            if self.chart_stamps(entry, list(record["stamps"])[1:]) != record["stamps"]:  # type: ignore[arg-type]
                return None
        except (KeyError, TypeError, ValueError, AttributeError, OSError):
            return None
        return record

    def remember_chart(self, spec: str, record: dict[str, Any]) -> None:
        self.new_catalog["specs"][spec] = record

    def chart_entry(self, key: str) -> Path:
        return self.folder / "charts" / key

    def keep_chart(self, made: Path, key: str, alone: list[str]) -> None:
        """Keep a chart's new entry (and its parts kept ``alone``: ENTRY.figure, ...) under its
        key once the build has succeeded (`close`): a failed build changes nothing here."""
        self._pending.append((made, key, alone))

    def chart_stamps(self, entry: Path, alone: list[str]) -> dict[str, list[int]]:
        """Size and mtime of a chart's files. The site hard-links the parts kept alone, so an
        edit made in place to a site file changes the part too: its stamp tells."""
        stamps = {}
        for suffix in ["", *alone]:
            st = os.stat(f"{entry}{'.' + suffix if suffix else ''}")
            stamps[suffix] = [st.st_size, st.st_mtime_ns]
        return stamps

    def _commit(self) -> None:
        """Move the entries this build made to their keys, in place of any left there."""
        if self._pending:
            (self.folder / "charts").mkdir(parents=True, exist_ok=True)
        for made, key, alone in self._pending:
            target = self.chart_entry(key)
            try:
                for suffix in alone:
                    os.replace(f"{made}.{suffix}", f"{target}.{suffix}")
                os.replace(made, target)
            except OSError:  # then the next build makes it again
                self.new_catalog["specs"] = {k: r for k, r in self.new_catalog["specs"].items()
                                             if r["key"] != key}
        self._pending = []

    # --- what was written where ------------------------------------------------------

    def site_record(self, out: Path) -> dict[str, Any]:
        record = _read_json(self._site_path(out), {})
        return record if record.get("format") == FORMAT else {}

    def keep_site_record(self, out: Path, record: dict[str, Any]) -> None:
        self._write(self._site_path(out), {**record, "format": FORMAT})

    def _site_path(self, out: Path) -> Path:
        return self.folder / "sites" / (hashlib.sha256(str(out).encode()).hexdigest()[:32] + ".json")

    # --- the end of a build ----------------------------------------------------------

    def _take_lock(self) -> None:
        """One build of a project at a time uses its cache (a second one waits): a build
        must not prune the parts another one is about to link into its site."""
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; concurrent builds may rebuild more
            return
        self.ensure_folder()
        try:
            self._lock = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._lock, fcntl.LOCK_EX)
        except OSError:
            self._lock = None

    def close(self, keep: bool) -> None:
        """Save what this build learnt (``keep``), or remove the folder if this build made it."""
        try:
            if keep:
                self._commit()
                self.save()
            elif not self.existed:
                shutil.rmtree(self.folder, ignore_errors=True)
            else:
                # A failed build leaves the cache as it found it, to the folder's mtime
                # (tmp/ was made and removed in it).
                shutil.rmtree(self.folder / "tmp", ignore_errors=True)
                with contextlib.suppress(OSError):
                    os.utime(self.folder, ns=(time.time_ns(), self._mtime))
        finally:
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None

    def save(self) -> None:
        """Keep the catalog and the file digests; drop charts no spec uses any more."""
        self.ensure_folder()
        self._write(self.folder / "catalog.json", self.new_catalog)
        self.save_digests()
        used = {r["key"] for r in self.new_catalog["specs"].values()}
        for name in _listdir(self.folder / "charts"):
            if name.split(".")[0] not in used:
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / "charts" / name)
        shutil.rmtree(self.folder / "tmp", ignore_errors=True)

    def save_digests(self) -> None:
        if self._known_changed and (self.folder / ".gitignore").is_file():
            self._write(self.folder / "files.json", self._known)
            self._known_changed = False

    def ensure_folder(self) -> None:
        if (self.folder / ".gitignore").is_file():
            return
        try:
            self.folder.mkdir(exist_ok=True)
            (self.folder / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# heatdoc's build cache; safe to delete\n")
            (self.folder / ".gitignore").write_text("# heatdoc's build cache; safe to delete\n*\n")
        except OSError:
            pass

    def _write(self, path: Path, value: Any) -> None:
        try:
            write_atomic(path, orjson.dumps(value))
        except OSError:
            pass


def new_chart_entry(root: Path) -> Path:
    """A new file name in the cache's tmp/ to write a chart's parts to, then `keep_chart`."""
    tmp = root / CACHE_DIR / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return tmp / f"{os.getpid()}-{os.urandom(8).hex()}"


def name_in_project(path: Path, root: Path) -> str:
    """A spec's or data file's name in the cache: its path relative to the project."""
    text, prefix = str(path), str(root) + os.sep
    if text.startswith(prefix) and ".." not in path.parts:  # a spec file found under the project
        return Path(text[len(prefix):]).as_posix()
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path.resolve())


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


def _read_json(path: Path, default: Any) -> Any:
    try:
        value = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return default
    return value if isinstance(value, type(default)) else default


def _listdir(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _library_versions() -> list[str]:
    """Installed versions, from the names of their dist-info folders: much cheaper than
    importing importlib.metadata, and the same whatever installed them."""
    wanted = {name.replace("_", "-").lower() for name in LIBRARIES}
    found = []
    for folder in dict.fromkeys(sys.path):
        for name in _listdir(Path(folder or ".")):
            if name.endswith(".dist-info"):
                project = name[:-len(".dist-info")].rsplit("-", 1)[0].replace("_", "-").lower()
                if project in wanted:
                    found.append(name)
    return sorted(found)


def files_digest(cache: BuildCache, folder: Path) -> list[tuple[str, str | None]]:
    """Every file under ``folder`` (a project's templates) with its digest."""
    if not folder.is_dir():
        return []
    return [(p.relative_to(folder).as_posix(), cache.digest(p))
            for p in sorted(folder.rglob("*")) if p.is_file()]
