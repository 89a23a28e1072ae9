"""The build cache: what earlier builds made, found again by the bytes it was made from.

It lives in the project, in ``.heatdoc-cache/`` (git-ignored by the ``.gitignore`` it
writes into itself, as ``.pytest_cache`` does; backup tools skip it by its CACHEDIR.TAG).
Deleting it is always safe: the next build is a clean build and writes the same bytes.

Everything in it is content-addressed: a chart's key is a SHA-256 of every byte its parts
come from; a page's identity is a SHA-256 of its template name and everything the
template is given. Times and paths alone are never trusted. Each job has one owner:

- `digests`: ``files.json``, each input file's SHA-256, and the digest of heatdoc's code;
- `catalog`: ``catalog.json``, per spec the last build's chart key, data files and summary;
- `packs`: ``packs/``, ``charts/`` and ``tmp/``, the bytes of the charts' parts;
- `sites`: ``sites/OUT.json``, what the last build wrote to an output folder;
- `lock`: one build of a project at a time;
- `store`: the folder itself, and how an entry is read and written (JSON, never pickle).

`BuildCache` holds them for one build, and ends it (`BuildCache.close`). Reading never
raises; writing gives up quietly. The cache imports nothing else of heatdoc: the build
hands it names and paths, it never calls back into a stage.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

from heatdoc.site.cache import lock
from heatdoc.site.cache.catalog import Catalog
from heatdoc.site.cache.digests import Digests, digest_of
from heatdoc.site.cache.packs import Packs, tmp_prefix
from heatdoc.site.cache.sites import SiteRecords
from heatdoc.site.cache.store import CACHE_DIR, FORMAT, ensure_folder

__all__ = ["BuildCache", "CACHE_DIR", "FORMAT", "digest_of"]


class BuildCache:
    """The cache of the project in ``root``, for one build (``lock``: the build that
    writes a site) or one up-to-date check (no lock, nothing kept but digests)."""

    def __init__(self, root: Path, *, lock: bool = False):
        self.folder = root / CACHE_DIR
        self.existed = self.folder.is_dir()
        self._mtime = self.folder.stat().st_mtime_ns if self.existed else 0
        self._lock: int | None = None
        if lock:
            self._take_lock()
        # this build's stamp: what its names in tmp/ start with, and the time before which
        # an input file must have been written for its chart to be kept
        self.build = time.time_ns()
        self.tmp_prefix = tmp_prefix(self.build)
        self.digests = Digests(self.folder, root)
        self.packs = Packs(self.folder)
        self.catalog = Catalog(root, self.folder, self.digests, self.packs)
        self.sites = SiteRecords(self.folder)

    def _take_lock(self) -> None:
        self._lock = lock.take(self.folder)

    def ensure_folder(self) -> None:
        ensure_folder(self.folder)

    def close(self, keep: bool) -> None:
        """Save what this build learnt (``keep``), or remove the folder if this build made it."""
        try:
            if keep:
                self.catalog.stamp(self.packs.commit())
                self._save()
            elif not self.existed:
                shutil.rmtree(self.folder, ignore_errors=True)
            else:
                # A failed build leaves the cache as it found it, to the folder's mtime
                # (tmp/ was made and removed in it).
                self.packs.clear_tmp(self.tmp_prefix, locked=self._lock is not None)
                with contextlib.suppress(OSError):
                    os.utime(self.folder, ns=(time.time_ns(), self._mtime))
        finally:
            lock.release(self._lock)
            self._lock = None

    def _save(self) -> None:
        """Keep the catalog and the file digests; drop charts no spec uses any more."""
        ensure_folder(self.folder)
        self.packs.compact(self.catalog.records())
        self.catalog.save()
        self.digests.save()
        self.packs.prune(self.catalog.records())
        self.packs.clear_tmp(self.tmp_prefix, locked=self._lock is not None)
