"""Stage 6, write: the output folder, and only ever a folder heatdoc made.

- A dangerous output folder (the project, its specs/data/templates, a repository
  root, home, ``/``) is refused before anything is read or written.
- An existing folder is replaced only when it carries heatdoc's marker file.
- The new site is built in a staging folder beside the output and swapped in whole,
  so the previous site stays complete until the new one is; on any failure
  (an exception, Ctrl-C, a full disk) the staging folder is removed.
- A file whose bytes did not change is hard-linked from the previous site instead of
  written: same inode, same mtime, so rsync, git and a live preview see no change.
- Files are only ever created inside the fresh staging folder, so a symbolic link
  planted in the previous site is never written through.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Union

from .errors import UsageError
from .pages import MARKER
from .project import Project

MARKER_TEXT = ("This folder was written by `heatdoc build`, which replaces all of it on every build.\n"
               "Do not keep other files here.\n")

@dataclass(frozen=True)
class Later:
    """A file made only when the previous site does not already hold it. ``identity``
    names its content: two files of one identity have the same bytes."""

    identity: str
    make: Callable[[], bytes]
    # when set, the file is made as it is written, a piece at a time (a page of a big matrix)
    chunks: Callable[[], Iterator[bytes]] | None = None


@dataclass(frozen=True)
class Part:
    """``length`` bytes at ``offset`` of a file of the build cache (`heatdoc.cache`);
    ``identity`` names them, as for `Later`."""

    path: Path
    offset: int
    length: int
    identity: str
    link: bool = False  # the whole file, which may be hard-linked rather than copied

    def chunks(self) -> Iterator[bytes]:
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            left = self.length
            while left:
                chunk = fh.read(min(left, 1 << 20))
                if not chunk:
                    raise OSError(f"{self.path} is shorter than the build cache says")
                left -= len(chunk)
                yield chunk


# path in the site -> its bytes, a file to copy, or a file named by its content
SiteFiles = dict[str, Union[bytes, Path, Later, Part]]


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    # path in the site -> [size, mtime_ns, inode, identity or ""] of each file written:
    # what the next build compares with, instead of reading the file
    files: dict[str, list] = field(default_factory=dict)


def check_output(out: Path, project: Project) -> Path:
    """The absolute output folder, or UsageError when heatdoc must not write there."""
    def refuse(reason: str) -> UsageError:
        return UsageError(f"refusing to write the site to {out}: {reason}; choose another output "
                          "folder (heatdoc build -o OUT, or `output:` in heatdoc.yaml)")

    if out.is_symlink():
        raise refuse("it is a symbolic link (give the folder itself)")
    target = Path(os.path.abspath(out)).resolve()
    if target == Path(target.anchor):
        raise refuse("it is the root folder")
    protected = [(project.root, "the project folder"), (project.specs_dir, "the specs folder"),
                 (project.root / "data", "the data folder"),
                 (project.templates_dir, "the templates folder")]
    repo = _repository_root(project.root)
    if repo is not None:
        protected.append((repo, "the repository root"))
    with contextlib.suppress(RuntimeError, KeyError):
        protected.append((Path.home(), "your home folder"))
    protected = [(folder.resolve(), name) for folder, name in protected]
    for folder, name in protected:
        if folder == target:
            raise refuse(f"it is {name}")
    for folder, name in protected:
        if folder.is_relative_to(target):
            raise refuse(f"it contains {name} ({folder})")
    # a site inside specs/ or templates/ would be read back as specs or templates
    for folder, name in [(project.specs_dir, "the specs folder"), (project.templates_dir, "the templates folder")]:
        if target.is_relative_to(folder.resolve()):
            raise refuse(f"it is inside {name}")
    if (target / ".git").exists():
        raise refuse("it is a repository root")
    _check_marker(target, refuse)
    return target


def _check_marker(target: Path, refuse: Callable[[str], UsageError] | None = None) -> None:
    """An existing output folder must be empty or carry heatdoc's marker file."""
    if refuse is None:
        def refuse(reason: str) -> UsageError:
            return UsageError(f"refusing to write the site to {target}: {reason}")
    if not os.path.lexists(target):
        return
    if not target.is_dir():
        raise refuse("it exists and is not a folder")
    if any(target.iterdir()) and not _is_file(target / MARKER):
        raise refuse(f"it exists and heatdoc did not make it (no {MARKER} file in it); heatdoc only "
                     "replaces a folder it made")


def _repository_root(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def write_site(out: Path, files: SiteFiles, previous: dict[str, list] | None = None) -> WriteReport:
    """Write ``files`` (plus the marker) as the folder ``out``, replacing it whole.

    ``previous`` is the ``files`` of the report of the build that wrote ``out``: a file
    of the same identity and unchanged size, mtime and inode is kept without being read."""
    files = {**files, MARKER: MARKER_TEXT.encode("utf-8")}
    out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out.parent):
        # again under the lock: another build may have changed the folder since the check
        _check_marker(out)
        _remove_leftovers(out)
        # named before it is made, inside the try: a Ctrl-C just after the folder appears
        # still removes it (mkdtemp's name is only known once it has returned)
        stage = out.parent / f".{out.name}.heatdoc-new-{secrets.token_hex(4)}"
        old = None
        try:
            # the umask's mode, as any folder a build tool makes: a web server running as
            # another user must be able to read the site
            os.mkdir(stage)
            report = _fill(stage, out, files, previous or {})
            old = _swap(stage, out)
        except BaseException:
            _remove(stage)
            raise
        finally:
            if old is not None:
                _remove(old)
    return report


def _remove(folder: Path) -> None:
    """Remove a staging folder; a Ctrl-C that lands during the removal is held until the
    folder is gone, so no half-removed copy of a site is left beside the output."""
    try:
        shutil.rmtree(folder, ignore_errors=True)
    except KeyboardInterrupt:
        shutil.rmtree(folder, ignore_errors=True)
        raise


WRITER_THREADS = 4  # creating a file mostly waits on the disk, with the GIL released
MIN_FILES_FOR_THREADS = 256


def _fill(stage: Path, previous: Path, files: SiteFiles, known: dict[str, list]) -> WriteReport:
    names = sorted(files)
    folders: set[str] = set()
    for rel in names:
        if rel.startswith("/") or ".." in rel.split("/"):
            raise ValueError(f"not a path inside the site: {rel!r}")
        folder = os.path.dirname(rel)
        if folder not in folders:
            os.makedirs(os.path.join(stage, folder), exist_ok=True)
            folders.add(folder)
    # Plain strings, not Path objects: this runs once per file of the site.
    stage_dir, previous_dir = str(stage), str(previous)
    base = os.path.realpath(previous)
    # a folder link planted in the previous site leads elsewhere: a file there is neither
    # compared (read) nor hard-linked into the new site
    plain = {folder: os.path.realpath(os.path.join(previous_dir, folder)) == os.path.normpath(os.path.join(base, folder))
             for folder in folders}

    def place(rel: str) -> tuple[bool, list]:
        """Put one file in the stage: (was it written, its manifest entry)."""
        target = Path(os.path.join(stage_dir, rel))
        old = Path(os.path.join(previous_dir, rel))
        data = files[rel]
        identity = data.identity if isinstance(data, (Later, Part)) else None
        wrote = True
        reusable = plain[os.path.dirname(rel)]
        if reusable and identity is not None and _still(old, known.get(rel), identity):
            _reuse(old, target)
            wrote = False
        elif isinstance(data, Later) and data.chunks is not None:
            _put_chunks(target, data.chunks())
        else:
            if isinstance(data, Later):
                data = data.make()
            if reusable and _same(old, data):
                _reuse(old, target)
                wrote = False
            else:
                _put(target, data)
        # every file, so that a later build can tell the site is still as written; files
        # without an identity ("") are compared by their bytes when they are written again
        st = os.lstat(target)
        return wrote, [st.st_size, st.st_mtime_ns, st.st_ino, identity or ""]

    if len(names) < MIN_FILES_FOR_THREADS:
        placed = [place(rel) for rel in names]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(WRITER_THREADS) as threads:
            placed = list(threads.map(place, names, chunksize=32))
    written = sum(1 for wrote, _ in placed if wrote)
    return WriteReport(written, len(names) - written, {rel: entry for rel, (_, entry) in zip(names, placed)})


def render_changed(out: Path, files: SiteFiles, previous: dict[str, list] | None) -> None:
    """Make every `Later` file that the previous site in ``out`` does not already hold, so
    that a broken template is reported before anything is written (the first error in
    the order of ``files``). Many pages are rendered by a pool of forked processes."""
    from . import pool

    known = previous or {}
    todo = [rel for rel, data in files.items() if isinstance(data, Later) and data.chunks is None
            and not _still(out / rel, known.get(rel), data.identity)]
    if not todo:
        return
    # The first page here: the templates are then loaded once, before any fork.
    files[todo[0]] = _made(files[todo[0]], files[todo[0]].make())  # type: ignore[arg-type, union-attr]
    global _PENDING
    _PENDING = files
    try:
        results = pool.run(_make_later, todo[1:])
    finally:
        _PENDING = {}
    for rel, result in zip(todo[1:], results):
        if isinstance(result, _Errors):
            from .errors import HeatdocError

            raise HeatdocError(result.errors)
        files[rel] = _made(files[rel], result)  # type: ignore[arg-type]


def _made(later: Later, data: bytes) -> Later:
    """``later``, rendered: it keeps its identity for the next build to compare with."""
    return Later(later.identity, lambda: data)


_PENDING: SiteFiles = {}


def _make_later(rel: str) -> bytes | Exception:
    """One `Later` file of the build that forked this worker (or of this process)."""
    from .errors import HeatdocError

    try:
        return _PENDING[rel].make()  # type: ignore[union-attr]
    except HeatdocError as exc:
        return _Errors(exc.errors)


class _Errors(Exception):
    """A HeatdocError that survives the trip back from a worker (it pickles by its list)."""

    def __init__(self, errors: list) -> None:
        super().__init__(errors)
        self.errors = errors

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_Errors, (self.errors,))


def site_is_intact(out: Path, manifest: dict[str, list]) -> bool:
    """Does ``out`` still hold every file of ``manifest`` as it was written?"""
    folder = str(out)
    for rel, entry in manifest.items():
        try:
            st = os.lstat(os.path.join(folder, rel))
        except OSError:
            return False
        if not isinstance(entry, list) or [st.st_size, st.st_mtime_ns, st.st_ino] != entry[:3]:
            return False
    return bool(manifest)


def _still(old: Path, entry: list | None, identity: str) -> bool:
    """Is ``old`` the very file the last build wrote with this identity, untouched since?"""
    if not isinstance(entry, list) or len(entry) != 4 or not identity or entry[3] != identity:
        return False
    try:
        st = os.lstat(old)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and [st.st_size, st.st_mtime_ns, st.st_ino] == entry[:3]


def _put(target: Path, data: bytes | Path | Part) -> None:
    """Create ``target`` (never an existing file, never through a link)."""
    if isinstance(data, Part):
        if not data.link:
            _put_chunks(target, data.chunks())
            return
        if data.link:
            try:
                os.link(data.path, target, follow_symlinks=False)
                return
            except OSError:  # another file system, or one without hard links: copy
                _put_chunks(target, data.chunks())
                return
    if isinstance(data, Path):
        with open(data, "rb") as src, open(target, "xb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    else:
        with open(target, "xb") as dst:
            dst.write(data)


def _put_chunks(target: Path, chunks: Iterable[bytes]) -> None:
    with open(target, "xb") as dst:
        for chunk in chunks:
            dst.write(chunk)


def _same(old: Path, data: bytes | Path | Part) -> bool:
    """Does the previous site hold exactly these bytes, as a plain file (not a link)?"""
    try:
        st = os.lstat(old)
    except (FileNotFoundError, NotADirectoryError):
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    size = data.stat().st_size if isinstance(data, Path) else data.length if isinstance(data, Part) else len(data)
    if st.st_size != size:
        return False
    if isinstance(data, Part):
        with open(old, "rb") as fh:
            return all(fh.read(len(chunk)) == chunk for chunk in data.chunks())
    if isinstance(data, Path):
        import filecmp

        return filecmp.cmp(old, data, shallow=False)
    with open(old, "rb") as fh:
        return fh.read() == data


def _reuse(old: Path, target: Path) -> None:
    """The previous site's file, unchanged: a hard link keeps its inode and mtime."""
    try:
        os.link(old, target, follow_symlinks=False)
    except OSError:  # a file system without hard links
        shutil.copy2(old, target, follow_symlinks=False)


def _swap(stage: Path, out: Path) -> Path | None:
    """Put ``stage`` in place of ``out``; return the folder now holding the previous site."""
    if not os.path.lexists(out):
        os.rename(stage, out)
        return None
    if _exchange(stage, out):  # Linux: one atomic step, no moment without a site
        return stage
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.heatdoc-old-", dir=out.parent))
    os.rename(out, old)  # replaces the empty folder `old`
    try:
        os.rename(stage, out)
    except BaseException:
        os.rename(old, out)
        raise
    return old


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two folders atomically, where the system can."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _remove_leftovers(out: Path) -> None:
    """Staging folders of a build that was killed (SIGKILL leaves no chance to clean up)."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.heatdoc-(?:new|old)-[a-z0-9_]{{8}}\Z")
    for entry in out.parent.iterdir():
        if pattern.match(entry.name) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One build at a time writes into ``folder`` (two builds of one site do not interleave)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the swap is still all-or-nothing
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _is_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
