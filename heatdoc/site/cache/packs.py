"""Packs and big parts: where the bytes of every chart's parts are kept.

- ``packs/NAME``: the small parts of the charts one process made in one build (thumbnail,
  figure JSON, page fields), one chart after the other: creating files is what costs
  most, so a clean build of a thousand charts makes two packs, not a thousand files. A
  pack is never written again once kept; it goes when no chart uses it, and a pack that
  is mostly parts of charts no longer used is copied down to the ones still used;
- ``charts/KEY.PART``: a chart's parts over 1 MB, one file each (the site hard-links them);
- ``tmp/``: what a build makes, until it has succeeded and `Packs.commit` moves it in.

A chart's ``blobs`` give each part's [offset, length] in its pack, or [`ALONE`, length]
for a part in a file of its own, named by `part_file`.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path
from typing import Any

from heatdoc.site.cache.store import CACHE_DIR, listdir

ALONE = -1  # the offset of a part kept in a file of its own (`part_file`)
COMPACT_BYTES = 1 << 20  # a smaller pack is not worth copying down


def part_file(base: Path | str, name: str) -> str:
    """The file of a big part: its chart's base name + "." + the part's name (".svg" and
    "svg" name one part)."""
    return f"{os.fspath(base)}.{name.lstrip('.')}"


def tmp_folder(project_root: Path) -> Path:
    """Where a build (and its workers) makes new packs and big parts."""
    return project_root / CACHE_DIR / "tmp"


def tmp_prefix(build: int) -> str:
    """What every name the build ``build`` makes in tmp/ starts with."""
    return f"{build}-"


def new_pack(tmp: Path, build: int) -> Path:
    """The pack in tmp/ that this process adds this build's charts to, then `Packs.keep`.
    One a process: two processes never write one file."""
    tmp.mkdir(parents=True, exist_ok=True)
    return tmp / f"{tmp_prefix(build)}{os.getpid()}"


def new_alone_base(tmp: Path, build: int) -> Path:
    """A new base name in tmp/ for a chart's big parts (`part_file`), then `Packs.keep`."""
    return tmp / f"{tmp_prefix(build)}{os.getpid()}-{os.urandom(8).hex()}"


class Packs:
    """The packs and big parts of one project's cache, and the ones this build made."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._pending: list[tuple[Path, Path, str, list[str]]] = []
        self._stamps: dict[str, list[int]] = {}  # a pack's stamp, stat'ed once a build
        self._paths: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        if name not in self._paths:  # a few packs, a thousand charts: made once each
            self._paths[name] = self.folder / "packs" / name
        return self._paths[name]

    def alone_base(self, key: str) -> str:
        """The base name of a kept chart's big parts (`part_file`)."""
        return f"{self.folder}{os.sep}charts{os.sep}{key}"

    def stamps(self, record: dict[str, Any]) -> dict[str, list[int]]:
        """Size and mtime of a kept chart's pack and big parts. The site hard-links the big
        parts, so an edit made in place to a site file changes the part too: its stamp tells."""
        stamps = {"": self._pack_stamp(record["pack"])}
        for name, (offset, _) in record["blobs"].items():
            if offset < 0:
                st = os.stat(part_file(self.alone_base(record["key"]), name))
                stamps[name] = [st.st_size, st.st_mtime_ns]
        return stamps

    def _pack_stamp(self, name: str) -> list[int]:
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            raise ValueError(f"not a pack name: {name!r}")
        if name not in self._stamps:
            st = os.stat(self.path(name))
            self._stamps[name] = [st.st_size, st.st_mtime_ns]
        return self._stamps[name]

    def keep(self, pack: Path, alone_base: Path, key: str, blobs: dict[str, list[int]]) -> None:
        """Keep a chart made by this build (its pack, and its big parts) under its key once
        the build has succeeded (`commit`): a failed build changes nothing here."""
        alone = [name for name, (offset, _) in blobs.items() if offset == ALONE]
        self._pending.append((pack, alone_base, key, alone))

    def commit(self) -> set[str]:
        """Move the packs and big parts this build made to their places; return the keys
        of the charts whose files could not be moved (the next build makes them)."""
        if self._pending:
            (self.folder / "charts").mkdir(parents=True, exist_ok=True)
            (self.folder / "packs").mkdir(parents=True, exist_ok=True)
        moved: dict[Path, bool] = {}
        lost = set()
        for pack, alone_base, key, alone in self._pending:
            try:
                if pack not in moved:
                    moved[pack] = False
                    os.replace(pack, self.path(pack.name))
                    moved[pack] = True
                if not moved[pack]:
                    raise OSError(f"{pack} was not kept")
                for name in alone:
                    os.replace(part_file(alone_base, name), part_file(self.alone_base(key), name))
            except OSError:
                lost.add(key)
        self._stamps = {}
        self._pending = []
        return lost

    def compact(self, records: list[dict[str, Any]]) -> None:
        """Copy the parts still used out of a pack that is mostly parts no chart uses any
        more (each edit leaves its chart's old parts behind in an older pack); ``records``
        (the catalog's) are changed to name the new pack."""
        by_pack: dict[str, list[dict[str, Any]]] = {}
        for record in records:
            by_pack.setdefault(record["pack"], []).append(record)
        for name, used in by_pack.items():
            try:
                live = sum(length for r in used for offset, length in r["blobs"].values() if offset >= 0)
                size = used[0]["stamps"][""][0]
                if size < COMPACT_BYTES or live * 2 > size:
                    continue
            except (KeyError, TypeError, ValueError):  # a catalog from elsewhere: never trusted
                continue
            new = self.path(f"{name.split('-c')[0]}-c{time.time_ns()}")
            moved = []
            try:
                with open(self.path(name), "rb") as src, open(new, "xb") as dst:
                    for record in used:
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
            self._stamps = {}
            for record, blobs in moved:
                record.update(pack=new.name, blobs=blobs)
                record["stamps"] = {**record["stamps"], "": self._pack_stamp(new.name)}

    def prune(self, records: list[dict[str, Any]]) -> None:
        """Remove the packs and big parts that no chart of ``records`` uses."""
        for folder, used in [("charts", {r["key"] for r in records}), ("packs", {r["pack"] for r in records})]:
            for name in listdir(self.folder / folder):
                if name.split(".")[0] not in used:
                    with contextlib.suppress(OSError):
                        os.unlink(self.folder / folder / name)

    def clear_tmp(self, prefix: str, locked: bool) -> None:
        """Remove what this build left in tmp/. Holding the lock, everything there is this
        build's or a killed build's; without it (no advisory locks) another build may be
        writing there, so only the names this build made go (``prefix``, `tmp_prefix`)."""
        tmp = self.folder / "tmp"
        if locked:
            shutil.rmtree(tmp, ignore_errors=True)
            return
        for name in listdir(tmp):
            if prefix and name.startswith(prefix):
                with contextlib.suppress(OSError):
                    os.unlink(tmp / name)
