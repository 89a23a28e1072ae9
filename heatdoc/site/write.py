"""Write (the last stage): the output folder, and only ever a folder heatdoc made.

- A dangerous output folder (the project, its specs/data/templates, a repository
  root, home, ``/``) is refused before anything is read or written.
- An existing folder is replaced only when it carries heatdoc's marker file.
- A first site (no output folder yet, or an empty one) is written whole into a staging
  folder beside the output, then renamed into place in one step.
- A site heatdoc made is updated in place, as a transaction, so that an edit costs a
  few renames instead of a new copy of every file:

  1. plan: the site is listed without following links. A file that is still what the
     last build wrote (same size, mtime, inode and identity, or else the same bytes) is
     kept as it is: same inode, same mtime, so rsync, git and a live preview see no change;
  2. prepare: every new or changed file is written into a staging folder beside the
     output. Any failure here (an exception, Ctrl-C, a full disk) removes the staging
     folder, and the site is untouched;
  3. commit: each change is a rename, with Ctrl-C held until the commit is done or undone.
     An entry in the way moves into the staging folder and the new file takes its place
     (on Linux the two swap in one atomic step); missing folders are made; entries the
     new site does not have (pages of removed specs, files dropped in by hand, links,
     folders left empty) go last. On any failure every step is undone, the last first,
     and the previous site is whole again.

  The site's content is replaced whole, but not in one step: while the commit runs
  (milliseconds for an edit) a reader may see some files new and others old, each one
  always whole; files come first, then pages, deeper pages before the index.
- Files are only ever created inside the fresh staging folder and entries of the site
  are only ever renamed, so a symbolic link planted in the site is never written through.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from heatdoc.errors import UsageError

# Later, Part and SiteFiles are what render/pages.py hands to this stage
from heatdoc.site.files import Later, Part, SiteFiles, still_written
from heatdoc.site.plan import MARKER
from heatdoc.site.project import Project

MARKER_TEXT = ("This folder was written by `heatdoc build`, which replaces all of it on every build.\n"
               "Do not keep other files here.\n")

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
    """Make the folder ``out`` hold ``files`` (plus the marker) and nothing else.

    ``previous`` is the ``files`` of the report of the build that wrote ``out``: a file
    of the same identity and unchanged size, mtime and inode is kept without being read."""
    files = {**files, MARKER: MARKER_TEXT.encode("utf-8")}
    for rel in files:
        if rel.startswith("/") or ".." in rel.split("/"):
            raise ValueError(f"not a path inside the site: {rel!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out.parent):
        # again under the lock: another build may have changed the folder since the check
        _check_marker(out)
        _remove_leftovers(out)
        # A site heatdoc made is updated in place: an edit costs a few renames rather than
        # a new copy of thousands of files. Without one (no folder yet, or an empty one)
        # there is nothing to keep whole while writing: the site is made whole beside it
        # and renamed into place, so a reader never sees half of a first site.
        in_place = _is_file(out / MARKER)
        # named before it is made, inside the try: a Ctrl-C just after the folder appears
        # still removes it (mkdtemp's name is only known once it has returned)
        stage = out.parent / f".{out.name}.heatdoc-new-{secrets.token_hex(4)}"
        try:
            # the umask's mode, as any folder a build tool makes: a web server running as
            # another user must be able to read the site
            os.mkdir(stage)
            if in_place:
                return _update(out, stage, files, previous or {})
            return _first(out, stage, files)
        finally:
            # what did not make it, or what the commit replaced (gone once a first site is in place)
            _remove(stage)


def _first(out: Path, stage: Path, files: SiteFiles) -> WriteReport:
    """A first site: written whole into ``stage``, which then becomes ``out``."""
    targets = {rel: os.path.join(stage, rel) for rel in files}
    for folder in sorted({os.path.dirname(target) for target in targets.values()}):
        os.makedirs(folder, exist_ok=True)
    report, _ = _prepare(files, targets, out, set(), {})
    try:
        os.rename(stage, out)  # onto nothing, or onto an empty folder (POSIX replaces it)
    except FileExistsError:
        if sys.platform != "win32":
            raise
        os.rmdir(out)  # Windows renames onto no folder, not even an empty one
        os.rename(stage, out)
    return report


def _update(site: Path, stage: Path, files: SiteFiles, known: dict[str, list]) -> WriteReport:
    """Make the site in ``site`` hold ``files`` and nothing else, touching only what differs."""
    # 1. plan: what the site holds now, links not followed
    found = _scan(str(site))
    names = sorted(files)
    # 2. prepare: new and changed files, flat in the stage (no folders to make there)
    targets = {rel: os.path.join(stage, f"new-{i}") for i, rel in enumerate(names)}
    report, written = _prepare(files, targets, site, {rel for rel, kind in found.items() if kind == "file"},
                               known)
    folders: set[str] = set()  # every folder the new site has
    for rel in names:
        folder = os.path.dirname(rel)
        while folder and folder not in folders:
            folders.add(folder)
            folder = os.path.dirname(folder)
    replaced = set(written)
    stays = {"", *(set(names) - replaced), *(f for f in folders if found.get(f) == "folder")}
    # each entry that does not stay, under one that does: what is under it goes with it
    going = [rel for rel in found if rel not in stays and os.path.dirname(rel) in stays]
    # 3. commit
    _commit(str(site), str(stage),
            in_the_way=[rel for rel in going if rel in folders],
            new_folders=sorted((f for f in folders if found.get(f) != "folder"), key=lambda f: f.count("/")),
            moves=[(targets[rel], rel, found.get(rel) is not None) for rel in sorted(written, key=_reader_order)],
            stale=[rel for rel in going if rel not in folders and rel not in replaced])
    return report


def _scan(site: str) -> dict[str, str]:
    """Every entry of the site by its path in it: "folder", "file" (a regular file) or
    "other" (a symbolic link, a socket...). Links are not followed: nothing outside the
    site is listed, and a file listed is under real folders only."""
    found: dict[str, str] = {}
    todo = [""]
    while todo:  # a loop, not recursion: a planted folder a thousand deep is no crash
        prefix = todo.pop()
        with os.scandir(os.path.join(site, prefix)) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    found[rel] = "folder"
                    todo.append(rel + "/")
                else:
                    found[rel] = "file" if entry.is_file(follow_symlinks=False) else "other"
    return found


def _reader_order(rel: str) -> tuple[bool, int, str]:
    """Files before pages, deeper pages before the index: a page read during the commit
    finds what it links to already in place, as far as can be."""
    return (rel.endswith(".html"), -rel.count("/"), rel)


def _commit(site: str, stage: str, *, in_the_way: list[str], new_folders: list[str],
            moves: list[tuple[str, str, bool]], stale: list[str]) -> None:
    """Put the staged files (``moves``: staged file, path in the site, whether an entry is
    there now) into the site, each change a rename; on any failure undo every step."""
    done: list[tuple[str, str, str]] = []  # (what, a, b), for `_undo`
    times: dict[str, tuple[int, int]] = {}  # each folder of the site changed: its times before
    trash = (os.path.join(stage, f"old-{i}") for i in itertools.count())

    def changing(path: str) -> str:
        folder = os.path.dirname(path)
        if folder not in times:
            st = os.lstat(folder)
            times[folder] = (st.st_atime_ns, st.st_mtime_ns)
        return path

    def move(src: str, dst: str) -> None:
        os.rename(src, dst)
        done.append(("moved", src, dst))

    with _ctrl_c_held():
        try:
            for rel in in_the_way:  # a file or a link where a folder must be
                move(changing(os.path.join(site, rel)), next(trash))
            for rel in new_folders:
                os.mkdir(changing(os.path.join(site, rel)))
                done.append(("made", os.path.join(site, rel), ""))
            for staged, rel, replaces in moves:
                path = changing(os.path.join(site, rel))
                if replaces and _exchange(staged, path):  # never a moment without the file
                    done.append(("exchanged", staged, path))
                    continue
                if replaces:
                    move(path, next(trash))
                move(staged, path)
            for rel in stale:
                move(changing(os.path.join(site, rel)), next(trash))
        except BaseException:
            _undo(done, times)
            raise


def _undo(done: list[tuple[str, str, str]], times: dict[str, tuple[int, int]]) -> None:
    """Take back the steps of a commit, the last first, then the times of the folders they
    changed: the previous site is whole again, as it was to its folders' mtimes. A step that
    cannot be taken back does not keep the others from being taken back."""
    for what, a, b in reversed(done):
        with contextlib.suppress(OSError):
            if what == "made":
                os.rmdir(a)
                times.pop(a, None)  # what is there again is not this folder
            elif what == "exchanged":
                _exchange(a, b)
            else:
                os.rename(b, a)
    for folder, ns in times.items():
        with contextlib.suppress(OSError):  # a folder the commit made is gone again
            os.utime(folder, ns=ns, follow_symlinks=False)


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Ctrl-C waits until the block is over, then interrupts as it would have: a commit is
    finished or undone, never left half-way. Only the main thread receives signals; a
    build run by another thread is not interrupted by Ctrl-C anyway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
        if pressed:
            signal.raise_signal(signal.SIGINT)  # to the handler it was meant for


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


def _prepare(files: SiteFiles, targets: dict[str, str], site: Path, present: set[str],
             known: dict[str, list]) -> tuple[WriteReport, list[str]]:
    """Write each file at its target, except one the site already holds: a file of
    ``present`` (a regular file of the site, under real folders) with the same bytes,
    not even read when the last build's record ``known`` vouches for it.
    The report, and the files written."""
    site_dir = str(site)
    names = sorted(files)
    # Every file goes in the report, so that a later build can tell the site is still as
    # written; files without an identity ("") are compared by their bytes.
    manifest: dict[str, list] = {}
    # Most files of a rebuild are as the last build wrote them: one lstat each, here.
    for rel in names:
        if rel in present:
            st = still_written(os.path.join(site_dir, rel), known.get(rel), _identity(files[rel]))
            if st is not None:
                manifest[rel] = [st.st_size, st.st_mtime_ns, st.st_ino, _identity(files[rel])]

    def place(rel: str) -> tuple[bool, list]:
        """One of the others: (was it written, its manifest entry)."""
        data = files[rel]
        identity = _identity(data)
        old = os.path.join(site_dir, rel)
        if rel in present and not (isinstance(data, Later) and data.chunks is not None):
            if isinstance(data, Later):
                data = data.make()
            if _same(old, data):
                st = os.lstat(old)
                return False, [st.st_size, st.st_mtime_ns, st.st_ino, identity]
        target = targets[rel]
        if isinstance(data, Later) and data.chunks is not None:
            _put_chunks(target, data.chunks())
        else:
            _put(target, data.make() if isinstance(data, Later) else data)
        st = os.lstat(target)
        return True, [st.st_size, st.st_mtime_ns, st.st_ino, identity]

    rest = [rel for rel in names if rel not in manifest]
    placed: list[Any]
    if len(rest) < MIN_FILES_FOR_THREADS:
        placed = [place(rel) for rel in rest]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(WRITER_THREADS) as threads:
            placed = list(threads.map(place, rest))
    written = [rel for rel, (wrote, _) in zip(rest, placed) if wrote]
    manifest.update((rel, entry) for rel, (_, entry) in zip(rest, placed))
    return (WriteReport(len(written), len(names) - len(written), {rel: manifest[rel] for rel in names}),
            written)


def _identity(data: bytes | Path | Later | Part) -> str:
    return data.identity if isinstance(data, (Later, Part)) else ""


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


def _exchange(a: str | Path, b: str | Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two entries in one atomic step, where the system can."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


@lru_cache(maxsize=1)
def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2


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
    except ImportError:  # Windows: no advisory locks; two builds of one site at once may mix their renames
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
