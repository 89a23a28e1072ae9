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
- ``packs/NAME``: the small parts of the charts one process made in one build (thumbnail,
  figure JSON, page fields), one chart after the other: creating files is what costs
  most, so a clean build of a thousand charts makes two packs, not a thousand files. A
  pack is never written again once kept; it goes when no chart uses it, and a pack that
  is mostly parts of charts no longer used is copied down to the ones still used;
- ``charts/KEY.PART``: a chart's parts over 1 MB, one file each (the site hard-links them);
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

from heatdoc.sources.patterns import Outside, is_pattern, matches
from heatdoc.site.project import relative_text

CACHE_DIR = ".heatdoc-cache"
FORMAT = 2  # bump when the layout of the cache changes: older caches are then ignored
COMPACT_BYTES = 1 << 20  # a smaller pack is not worth copying down
RACY_NS = 2_000_000_000  # FAT keeps mtimes to 2 s; a file this close to its hashing is hashed again
# The libraries whose version can change a byte of the site.
LIBRARIES = ("plotly", "numpy", "orjson", "jinja2", "markupsafe", "markdown_it_py", "pyyaml",
             "jsonschema", "pandas", "pyarrow", "openpyxl")
_HEATDOC = Path(__file__).resolve().parents[1]


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
        self._pending: list[tuple[Path, Path, str, list[str]]] = []
        self._packs: dict[str, list[int]] = {}  # a pack's stamp, stat'ed once a build
        self._pack_paths: dict[str, Path] = {}
        self.tmp_prefix = ""  # what this build's names in tmp/ start with (`new_pack`)
        self._mtime = self.folder.stat().st_mtime_ns if self.existed else None

    # --- input files -------------------------------------------------------------

    def digest(self, path: Path | str) -> str | None:
        """The file's SHA-256 (hex), or None when it cannot be read. A glob pattern's
        digest covers the name and bytes of every file it matches (`sources.patterns`)."""
        name = str(path)
        if is_pattern(name):
            try:
                found = [(str(p), self.digest(p)) for p in matches(Path(name), self.root)]
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
            if self.chart_stamps(record) != record["stamps"]:
                return None
        except (KeyError, TypeError, ValueError, AttributeError, OSError):
            return None
        return record

    def remember_chart(self, spec: str, record: dict[str, Any]) -> None:
        self.new_catalog["specs"][spec] = record

    def pack_path(self, name: str) -> Path:
        if name not in self._pack_paths:  # a few packs, a thousand charts: made once each
            self._pack_paths[name] = self.folder / "packs" / name
        return self._pack_paths[name]

    def alone_base(self, key: str) -> str:
        """Where a kept chart's big parts are: this name + "." + the part's name."""
        return f"{self.folder}{os.sep}charts{os.sep}{key}"

    def keep_chart(self, pack: Path, alone_base: Path, key: str, alone: list[str]) -> None:
        """Keep a chart made by this build (its pack, and its parts kept ``alone``) under its
        key once the build has succeeded (`close`): a failed build changes nothing here."""
        self._pending.append((pack, alone_base, key, alone))

    def chart_stamps(self, record: dict[str, Any]) -> dict[str, list[int]]:
        """Size and mtime of a kept chart's pack and big parts. The site hard-links the big
        parts, so an edit made in place to a site file changes the part too: its stamp tells."""
        stamps = {"": self._pack_stamp(record["pack"])}
        for name, (offset, _) in record["blobs"].items():
            if offset < 0:
                st = os.stat(f"{self.alone_base(record['key'])}.{name.lstrip('.')}")
                stamps[name] = [st.st_size, st.st_mtime_ns]
        return stamps

    def _pack_stamp(self, name: str) -> list[int]:
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            raise ValueError(f"not a pack name: {name!r}")
        if name not in self._packs:
            st = os.stat(self.pack_path(name))
            self._packs[name] = [st.st_size, st.st_mtime_ns]
        return self._packs[name]

    def _commit(self) -> None:
        """Move the packs and big parts this build made to their places, and note their
        stamps; a chart whose files cannot be moved is forgotten (the next build makes it)."""
        if self._pending:
            (self.folder / "charts").mkdir(parents=True, exist_ok=True)
            (self.folder / "packs").mkdir(parents=True, exist_ok=True)
        moved: dict[Path, bool] = {}
        lost = set()
        for pack, alone_base, key, alone in self._pending:
            try:
                if pack not in moved:
                    moved[pack] = False
                    os.replace(pack, self.pack_path(pack.name))
                    moved[pack] = True
                if not moved[pack]:
                    raise OSError(f"{pack} was not kept")
                for suffix in alone:
                    os.replace(f"{alone_base}.{suffix}", f"{self.alone_base(key)}.{suffix}")
            except OSError:
                lost.add(key)
        self._packs = {}
        specs = self.new_catalog["specs"]
        for name, record in list(specs.items()):
            if "stamps" in record:
                continue
            try:
                if record["key"] in lost:
                    raise OSError
                record["stamps"] = self.chart_stamps(record)
            except OSError:
                del specs[name]
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
                self._clear_tmp()
                with contextlib.suppress(OSError):
                    os.utime(self.folder, ns=(time.time_ns(), self._mtime))
        finally:
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None

    def save(self) -> None:
        """Keep the catalog and the file digests; drop charts no spec uses any more."""
        self.ensure_folder()
        self._compact()
        self._write(self.folder / "catalog.json", self.new_catalog)
        self.save_digests()
        records = self.new_catalog["specs"].values()
        for folder, used in [("charts", {r["key"] for r in records}), ("packs", {r["pack"] for r in records})]:
            for name in _listdir(self.folder / folder):
                if name.split(".")[0] not in used:
                    with contextlib.suppress(OSError):
                        os.unlink(self.folder / folder / name)
        self._clear_tmp()

    def _clear_tmp(self) -> None:
        """Remove what this build left in tmp/. Holding the lock, everything there is this
        build's or a killed build's; without it (no advisory locks) another build may be
        writing there, so only the names this build made go (`tmp_prefix`)."""
        tmp = self.folder / "tmp"
        if self._lock is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            return
        for name in _listdir(tmp):
            if self.tmp_prefix and name.startswith(self.tmp_prefix):
                with contextlib.suppress(OSError):
                    os.unlink(tmp / name)

    def _compact(self) -> None:
        """Copy the parts still used out of a pack that is mostly parts no chart uses any
        more (each edit leaves its chart's old parts behind in an older pack)."""
        by_pack: dict[str, list[dict[str, Any]]] = {}
        for record in self.new_catalog["specs"].values():
            by_pack.setdefault(record["pack"], []).append(record)
        for name, records in by_pack.items():
            try:
                live = sum(length for r in records for offset, length in r["blobs"].values() if offset >= 0)
                size = records[0]["stamps"][""][0]
                if size < COMPACT_BYTES or live * 2 > size:
                    continue
            except (KeyError, TypeError, ValueError):  # a catalog from elsewhere: never trusted
                continue
            new = self.pack_path(f"{name.split('-c')[0]}-c{time.time_ns()}")
            moved = []
            try:
                with open(self.pack_path(name), "rb") as src, open(new, "xb") as dst:
                    for record in records:
                        blobs = dict(record["blobs"])
                        for part, (offset, length) in record["blobs"].items():
                            if offset >= 0:
                                src.seek(offset)
                                blobs[part] = [dst.tell(), length]
                                if dst.write(src.read(length)) != length or src.tell() != offset + length:
                                    raise OSError(f"{name} is shorter than its charts say")
                        moved.append((record, blobs))
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(new)
                continue
            self._packs = {}
            for record, blobs in moved:
                record.update(pack=new.name, blobs=blobs)
                record["stamps"] = {**record["stamps"], "": self._pack_stamp(new.name)}

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


def new_pack(root: Path, build: int) -> Path:
    """The pack in the cache's tmp/ that this process adds this build's charts to, then
    `keep_chart`. One a process: two processes never write one file."""
    tmp = root / CACHE_DIR / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return tmp / f"{build}-{os.getpid()}"


def new_alone_base(root: Path, build: int) -> Path:
    """A new name in the cache's tmp/ for a chart's big parts (NAME.PART), then `keep_chart`."""
    return root / CACHE_DIR / "tmp" / f"{build}-{os.getpid()}-{os.urandom(8).hex()}"


def name_in_project(path: Path, root: Path) -> str:
    """A spec's or data file's name in the cache: its path relative to the project."""
    try:
        if ".." not in os.fspath(path):  # a spec file found under the project: by its text
            return relative_text(path, root)
    except ValueError:
        pass
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
