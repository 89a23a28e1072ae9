"""The files of a site before they are written: what each one is made from, and
whether the site in the output folder still holds it as the last build wrote it.

A file of the site is its bytes, a file to copy, a `Later` (made only when needed: most
pages) or a `Part` (bytes of a file of the build cache). `Later` and `Part` carry an
*identity* that names their content, so that a build can tell, from the record of the
last build alone, that the site already holds a file without making or reading it.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Union


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
    """``length`` bytes at ``offset`` of a file of the build cache (`heatdoc.site.cache`);
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


def still_written(path: str | Path, entry: list | None, identity: str | None) -> os.stat_result | None:
    """``path``'s status when it is the very file the last build wrote with this identity
    (``entry``: its [size, mtime_ns, inode, identity] in that build's record), untouched
    since; else None. A symbolic link is never such a file."""
    if not isinstance(entry, list) or len(entry) != 4 or not identity or entry[3] != identity:
        return None
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st if stat.S_ISREG(st.st_mode) and [st.st_size, st.st_mtime_ns, st.st_ino] == entry[:3] else None


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


def render_changed(out: Path, files: SiteFiles, previous: dict[str, list] | None) -> None:
    """Make every `Later` file that the previous site in ``out`` does not already hold, so
    that a broken template is reported before anything is written (the first error in
    the order of ``files``). Many pages are rendered by a pool of forked processes."""
    from heatdoc.site import pool

    known = previous or {}
    todo = [rel for rel, data in files.items() if isinstance(data, Later) and data.chunks is None
            and not still_written(out / rel, known.get(rel), data.identity)]
    if not todo:
        return
    # The first page here: the templates are then loaded once, before any fork.
    files[todo[0]] = _made(files[todo[0]], files[todo[0]].make())  # type: ignore[arg-type, union-attr]
    results = pool.run(_make_later, todo[1:], shared=files)
    for rel, result in zip(todo[1:], results):
        if isinstance(result, _Errors):
            from heatdoc.errors import HeatdocError

            raise HeatdocError(result.errors)
        files[rel] = _made(files[rel], result)  # type: ignore[arg-type]


def _made(later: Later, data: bytes) -> Later:
    """``later``, rendered: it keeps its identity for the next build to compare with."""
    return Later(later.identity, lambda: data)


def _make_later(files: SiteFiles, rel: str) -> bytes | Exception:
    """One `Later` file of ``files`` (which a forked worker has from the build: `pool.run`)."""
    from heatdoc.errors import HeatdocError

    try:
        return files[rel].make()  # type: ignore[union-attr]
    except HeatdocError as exc:
        return _Errors(exc.errors)


class _Errors(Exception):
    """A HeatdocError that survives the trip back from a worker (it pickles by its list)."""

    def __init__(self, errors: list) -> None:
        super().__init__(errors)
        self.errors = errors

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_Errors, (self.errors,))
