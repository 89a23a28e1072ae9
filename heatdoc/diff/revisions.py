"""The two sides of a diff, each a project folder on disk.

A git revision is extracted with `git archive` into a temporary folder: the working
tree, the index and the branches are never touched, and the folder is removed when the
diff ends, also on Ctrl-C or SIGTERM. The working tree and a folder given by hand are
read where they are.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from heatdoc.errors import HeatdocError, SpecError, UsageError, display_path
from heatdoc.site.project import SETTINGS_FILE

WORKING_TREE = "working tree"


@dataclass(frozen=True)
class Side:
    """One side of a diff: ``name`` as the user gave it, ``root`` the project folder to
    read, ``kind`` "revision", "working tree" or "folder", ``commit`` the full hash of a
    revision. ``exists``: False when the revision has no project folder at all."""

    name: str
    kind: str
    root: Path
    commit: str | None = None
    shown_root: str = ""  # what an error path starts with instead of ``root``
    exists: bool = True

    def shown(self, rel: str) -> str:
        """A project-relative path as the user should read it: ``HEAD~1:specs/a.yaml``."""
        return f"{self.shown_root}{rel}"

    def errors(self, exc: HeatdocError) -> list[SpecError]:
        """``exc``'s errors with paths inside a revision's temporary folder named by the revision."""
        if self.kind != "revision":
            return list(exc.errors)
        out = []
        inside = str(self.root) + os.sep
        for error in exc.errors:
            path = Path(error.path)
            with contextlib.suppress(ValueError):
                error = replace(error, path=self.shown(path.resolve().relative_to(self.root).as_posix()))
            # a message may name a file of the revision too ("looked for ...")
            out.append(replace(error, message=error.message.replace(inside, self.shown_root)))
        return out


@dataclass
class Sides:
    base: Side
    head: Side
    project: Path  # the project folder in the working tree (the HEAD folder between folders)
    # project-relative spec paths git saw renamed between the sides: new path -> old path
    renames: dict[str, str] = field(default_factory=dict)


def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)


def split_arguments(given: list[str], after_dashes: list[Path] | None,
                    ) -> tuple[str | None, str | None, list[Path]]:
    """BASE, HEAD and the PATHs of ``heatdoc diff [BASE [HEAD]] [PATH ...]``, read as git
    reads them: after ``--`` everything is a path; before it, an argument that names a
    file or folder (but not a project folder) starts the paths."""
    if after_dashes is not None:
        if len(given) > 2:
            raise UsageError(f"at most two revisions before --, got {len(given)}: {' '.join(given)}")
        sides, paths = given, list(after_dashes)
    else:
        count = 0
        while count < min(2, len(given)) and not (os.path.exists(given[count]) and not _is_project(given[count])):
            count += 1
        sides, paths = given[:count], [Path(p) for p in given[count:]]
    base, head = (list(sides) + [None, None])[:2]
    return base, head, paths


def _is_project(name: str) -> bool:
    return os.path.isdir(name) and (os.path.isfile(os.path.join(name, SETTINGS_FILE))
                                    or os.path.isdir(os.path.join(name, "specs")))


@contextlib.contextmanager
def open_sides(base: str | None, head: str | None, project_dir: Path) -> Iterator[Sides]:
    """The two sides, their temporary folders removed when the block ends, however it ends."""
    if base is not None and _is_folder(base):
        if head is None or not _is_folder(head):
            raise UsageError(f"{base} is a folder: give two project folders to compare "
                             f"(heatdoc diff OLD_DIR NEW_DIR), or two git revisions")
        head_side = _folder_side(head)
        yield Sides(_folder_side(base), head_side, head_side.root)
        return
    if head is not None and _is_folder(head):
        raise UsageError(f"{head} is a folder but {base} is not: give two project folders, or two git revisions")
    project_dir = project_dir.resolve()
    done = git(project_dir, "rev-parse", "--show-toplevel", "--show-prefix")
    if done.returncode != 0:
        raise UsageError(f"{display_path(project_dir)} is not in a git repository; to compare two "
                         "copies of a project, give two folders: heatdoc diff OLD_DIR NEW_DIR")
    repo_text, prefix = (done.stdout.splitlines() + ["", ""])[:2]
    repo = Path(repo_text)
    base = base or "HEAD"
    with _temporary_folder() as tmp:
        base_side = _revision_side(repo, prefix, base, tmp / "base")
        if head is None:
            head_side = Side(WORKING_TREE, WORKING_TREE, project_dir,
                             shown_root=_shown_root(project_dir))
        else:
            head_side = _revision_side(repo, prefix, head, tmp / "head")
        yield Sides(base_side, head_side, project_dir, _renames(repo, prefix, base_side, head_side))


def _is_folder(name: str) -> bool:
    return os.path.isdir(name)


def _folder_side(name: str) -> Side:
    root = Path(name).resolve()
    if not _is_project(name):
        raise UsageError(f"{name} is not a heatdoc project (it has neither {SETTINGS_FILE} nor a specs/ folder)")
    return Side(name, "folder", root, shown_root=_shown_root(root))


def _shown_root(root: Path) -> str:
    shown = display_path(root)
    return "" if shown == "." else shown.rstrip("/") + "/"


def _revision_side(repo: Path, prefix: str, rev: str, folder: Path) -> Side:
    """``rev`` of the project at ``prefix`` in ``repo``, extracted into ``folder``."""
    done = git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if done.returncode != 0 or rev.startswith("-"):
        raise UsageError(f"unknown revision {rev!r} in the git repository {display_path(repo)}")
    commit = done.stdout.strip()
    folder.mkdir()
    # error paths read as git names a file of a revision: REV:path/from/the/repository/root
    side = Side(rev, "revision", folder.resolve(), commit, shown_root=f"{rev}:{prefix}")
    listed = git(repo, "ls-tree", "--name-only", commit, "--", prefix or ".")
    if listed.returncode != 0 or not listed.stdout.strip():
        return replace(side, exists=False)  # the project did not exist yet in that revision
    archive = subprocess.Popen(["git", "-C", str(repo), "archive", "--format=tar", commit, "--", prefix or "."],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        assert archive.stdout is not None
        with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
            tar.extractall(folder, filter=_inside_only)
    finally:
        archive.stdout.close()  # type: ignore[union-attr]
        error = archive.stderr.read().decode("utf-8", "replace") if archive.stderr else ""
        archive.wait()
    if archive.returncode != 0:
        raise UsageError(f"git archive {rev} failed: {error.strip()}")
    return replace(side, root=(folder / prefix).resolve())


def _inside_only(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter (no absolute paths, no device files, no link out of the
    folder), skipping a refused member rather than failing: a committed link to
    /srv/data is simply absent from the copy, and a spec that reads through it says so."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None


def _renames(repo: Path, prefix: str, base: Side, head: Side) -> dict[str, str]:
    """Files git's rename detection pairs between the sides (new -> old, project-relative)."""
    if base.commit is None:
        return {}
    args = ["diff", "--name-status", "-z", "--find-renames", "--no-ext-diff", base.commit]
    if head.commit is not None:
        args.append(head.commit)
    done = git(repo, *args, "--", prefix or ".")
    if done.returncode != 0:
        return {}
    fields = done.stdout.split("\0")
    renames, i = {}, 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status.startswith(("R", "C")):
            old, new = fields[i + 1], fields[i + 2]
            if status.startswith("R") and old.startswith(prefix) and new.startswith(prefix):
                renames[new[len(prefix):]] = old[len(prefix):]
            i += 3
        else:
            i += 2
    return renames


@contextlib.contextmanager
def _temporary_folder() -> Iterator[Path]:
    """A temporary folder removed when the block ends: on an error, on Ctrl-C (Python's
    KeyboardInterrupt unwinds through here) and on SIGTERM (turned into the same)."""
    previous = signal.getsignal(signal.SIGTERM)

    def terminated(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, terminated)
    except ValueError:  # not the main thread: the caller's own handling applies
        previous = None
    # named before it is made, inside the try: a Ctrl-C just after the folder appears
    # still removes it (mkdtemp's name is only known once it has returned)
    tmp = Path(tempfile.gettempdir()) / f"heatdoc-diff-{secrets.token_hex(6)}"
    try:
        os.mkdir(tmp, 0o700)
        yield tmp
    finally:
        with _signals_held():  # a second Ctrl-C must not cut the removal short
            shutil.rmtree(tmp, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends (where the system allows it)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
