"""Site records, ``sites/OUT.json``: what the last build wrote to an output folder, file
by file, so that an unchanged file is hard-linked or kept from the previous site instead
of being made again."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from heatdoc.site.cache.store import FORMAT, read_json, write_json


class SiteRecords:
    def __init__(self, folder: Path):
        self._folder = folder / "sites"

    def get(self, out: Path) -> dict[str, Any]:
        """The record of the last build of the output folder ``out``, or {}."""
        record = read_json(self._path(out), {})
        return record if record.get("format") == FORMAT else {}

    def keep(self, out: Path, record: dict[str, Any]) -> None:
        write_json(self._path(out), {**record, "format": FORMAT})

    def _path(self, out: Path) -> Path:
        return self._folder / (hashlib.sha256(str(out).encode()).hexdigest()[:32] + ".json")
