"""A heatdoc project: its folder, its settings (heatdoc.yaml) and its spec files."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import HeatdocError, SpecError, display_path
from .schema import SITE_SCHEMA, defaults

SETTINGS_FILE = "heatdoc.yaml"


@dataclass
class Project:
    root: Path
    settings: dict[str, Any] = field(default_factory=lambda: defaults(SITE_SCHEMA))
    _real_folders: dict[Path, Path] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def specs_dir(self) -> Path:
        return self.root / self.settings["specs"]

    @property
    def templates_dir(self) -> Path:
        return self.root / self.settings["templates"]

    @property
    def output_dir(self) -> Path:
        return self.root / self.settings["output"]

    def spec_files(self, paths: list[Path] | None = None) -> list[Path]:
        """Spec files under ``paths`` (files or folders), default the specs folder; sorted."""
        found: list[Path] = []
        settings, output = (self.root / SETTINGS_FILE).resolve(), self.output_dir.resolve()
        for p in paths or [self.specs_dir]:
            if p.is_dir():
                # a folder given by hand may be the project itself: its settings file and
                # its built site are not specs
                found.extend(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file()
                             and not any(part.startswith(".") for part in q.relative_to(p).parts)
                             and (real := self.real_path(q)) != settings and not real.is_relative_to(output))
            else:
                found.append(p)
        return sorted(set(found))

    def real_path(self, path: Path) -> Path:
        """``path.resolve()``, with each folder resolved once: a thousand specs in four
        folders cost four resolves and a thousand lstat calls, not a thousand resolves."""
        if path.is_symlink() or not path.is_absolute():
            return path.resolve()
        folders = self._real_folders
        if path.parent not in folders:
            folders[path.parent] = path.parent.resolve()
        return folders[path.parent] / path.name

    def check_inside(self, spec_file: Path) -> None:
        """Raise HeatdocError when a spec file is a symbolic link (or lies in a linked
        folder) that leads out of the project: its page would publish a file of the
        building machine, and the spec may read only data inside the project."""
        real = self.real_path(spec_file)
        if not real.is_relative_to(self.root):
            raise HeatdocError([SpecError(display_path(spec_file), 1, 1, "", (
                f"the spec file leads outside the project folder {self.root} (to {real}); "
                "heatdoc reads only files inside the project"))])


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding heatdoc.yaml, else the current folder."""
    start = start.resolve()
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return Path.cwd().resolve()


def open_project(root: Path) -> Project:
    """Read ``root``/heatdoc.yaml (if any) by the same rules and errors as a spec."""
    root = root.resolve()
    settings = defaults(SITE_SCHEMA)
    path = root / SETTINGS_FILE
    if path.is_file():
        from .load import load_yaml
        from .validate import schema_errors

        doc = load_yaml(path)
        errors = schema_errors(doc, SITE_SCHEMA)
        if errors:
            raise HeatdocError(errors)
        settings.update(doc.data)
    settings.setdefault("sections", {})
    return Project(root, settings)
