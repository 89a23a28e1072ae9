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
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Union

from .errors import UsageError
from .pages import MARKER
from .project import Project

MARKER_TEXT = ("This folder was written by `heatdoc build`, which replaces all of it on every build.\n"
               "Do not keep other files here.\n")

SiteFiles = dict[str, Union[bytes, Path]]  # path in the site -> its bytes, or a file to copy


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int


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


def write_site(out: Path, files: SiteFiles) -> WriteReport:
    """Write ``files`` (plus the marker) as the folder ``out``, replacing it whole."""
    files = {**files, MARKER: MARKER_TEXT.encode("utf-8")}
    out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out.parent):
        # again under the lock: another build may have changed the folder since the check
        _check_marker(out)
        _remove_leftovers(out)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.heatdoc-new-", dir=out.parent))
        old = None
        try:
            report = _fill(stage, out, files)
            old = _swap(stage, out)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    return report


def _fill(stage: Path, previous: Path, files: SiteFiles) -> WriteReport:
    written = unchanged = 0
    for rel in sorted(files):
        if rel.startswith("/") or ".." in rel.split("/"):
            raise ValueError(f"not a path inside the site: {rel!r}")
        target = stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        old = previous / rel
        if _same(old, files[rel]):
            _reuse(old, target)
            unchanged += 1
        else:
            _put(target, files[rel])
            written += 1
    return WriteReport(written, unchanged)


def _put(target: Path, data: bytes | Path) -> None:
    """Create ``target`` (never an existing file, never through a link)."""
    if isinstance(data, Path):
        with open(data, "rb") as src, open(target, "xb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    else:
        with open(target, "xb") as dst:
            dst.write(data)


def _same(old: Path, data: bytes | Path) -> bool:
    """Does the previous site hold exactly these bytes, as a plain file (not a link)?"""
    try:
        st = os.lstat(old)
    except (FileNotFoundError, NotADirectoryError):
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    if st.st_size != size:
        return False
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
