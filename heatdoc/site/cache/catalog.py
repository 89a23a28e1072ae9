"""The chart catalog, ``catalog.json``: per spec, the last build's chart key, the data
files it read, where its parts are and what planning needs (title, order, tags, ...), so
that an unchanged spec is neither parsed nor validated; and heatdoc.yaml as the last
build read it (for the up-to-date check).

A chart's key is a SHA-256 of the spec file's bytes, the bytes of every data file it
reads, the project settings, and heatdoc's own code (`Digests.code`).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from heatdoc.site.cache.digests import Digests, digest_of
from heatdoc.site.cache.packs import Packs
from heatdoc.site.cache.store import FORMAT, read_json, write_json


class Catalog:
    """What the last build kept (read) and what this one keeps (written at its end).
    Specs and data files are named by their path relative to the project ``root``."""

    def __init__(self, root: Path, folder: Path, digests: Digests, packs: Packs):
        self._root, self._file = str(root), folder / "catalog.json"
        self._digests, self._packs = digests, packs
        last: dict[str, Any] = read_json(self._file, {})
        self._last = last if last.get("format") == FORMAT else {}
        self._new: dict[str, Any] = {"format": FORMAT, "specs": {}}

    def chart_key(self, settings: dict[str, Any], spec: str, spec_digest: str | None,
                  data: list[tuple[str, str | None]]) -> str:
        return digest_of("chart", self._digests.code(), settings, spec, spec_digest, data)

    def known(self, spec: str, settings: dict[str, Any]) -> dict[str, Any] | None:
        """The last build's record of ``spec`` when the spec and every data file it read
        are byte for byte what they were and its parts are as kept, else None."""
        record = self._last.get("specs", {}).get(spec)
        if not isinstance(record, dict):
            return None
        try:
            root = self._root  # strings, not Paths: this runs once per spec, every build
            spec_digest = self._digests.digest(os.path.join(root, spec))
            data = [(name, self._digests.digest(os.path.join(root, name))) for name in record["data"]]
            if spec_digest is None or any(d is None for _, d in data):
                return None
            if record["key"] != self.chart_key(settings, spec, spec_digest, data):
                return None
            if self._packs.stamps(record) != record["stamps"]:
                return None
        except (KeyError, TypeError, ValueError, AttributeError, OSError):
            return None
        return record

    def remember(self, spec: str, record: dict[str, Any]) -> None:
        """Keep ``record`` for ``spec``: one taken from the last build (`known`) as it is,
        or a new one, stamped once its parts are kept (`stamp`)."""
        self._new["specs"][spec] = record

    def last_settings(self) -> Any:
        """heatdoc.yaml as the last build kept it (`keep_settings`), or None."""
        return self._last.get("settings")

    def keep_settings(self, record: dict[str, Any]) -> None:
        self._new["settings"] = record

    def records(self) -> list[dict[str, Any]]:
        """The records this build keeps."""
        return list(self._new["specs"].values())

    def stamp(self, lost: set[str]) -> None:
        """Note the stamps of the new records' parts, now kept; forget the charts whose
        parts were ``lost`` (or cannot be found): the next build makes them."""
        specs = self._new["specs"]
        for name, record in list(specs.items()):
            if "stamps" in record:
                continue
            try:
                if record["key"] in lost:
                    raise OSError
                record["stamps"] = self._packs.stamps(record)
            except OSError:
                del specs[name]

    def save(self) -> None:
        write_json(self._file, self._new)
