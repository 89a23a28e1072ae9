"""A heatdoc project: its folder, its settings (heatdoc.yaml) and its spec files."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from heatdoc.errors import HeatdocError, SpecError, display_path
from heatdoc.paths import is_inside, resolve_inside
from heatdoc.spec.schema import SITE_SCHEMA, defaults

SETTINGS_FILE = "heatdoc.yaml"


@dataclass
class Project:
    root: Path
    settings: dict[str, Any] = field(default_factory=lambda: defaults(SITE_SCHEMA))
    _real_folders: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

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
        found: set[Path] = set()
        settings, output = str((self.root / SETTINGS_FILE).resolve()), str(self.output_dir.resolve())
        for p in paths or [self.specs_dir]:
            if not p.is_dir():
                found.add(p)
                continue
            for entry in _yaml_files(os.fspath(p)):
                # a folder given by hand may be the project itself: its settings file and
                # its built site are not specs
                real = os.path.realpath(entry.path) if entry.is_symlink() else self.real_path(entry.path)
                if real != settings and not is_inside(real, output):
                    found.add(Path(entry.path))
        return sorted(found, key=lambda path: os.fspath(path).split(os.sep))  # Path's own order

    def real_path(self, path: Path | str) -> str:
        """``path`` with every link resolved, as text; each folder is resolved once: a
        thousand specs in four folders cost four resolves and a thousand lstat calls."""
        text = os.fspath(path)
        if os.path.islink(text) or not os.path.isabs(text):
            return os.path.realpath(text)
        folder, name = os.path.split(text)
        if folder not in self._real_folders:
            self._real_folders[folder] = os.path.realpath(folder)
        return os.path.join(self._real_folders[folder], name)

    def check_inside(self, spec_file: Path) -> None:
        """Raise HeatdocError when a spec file is a symbolic link (or lies in a linked
        folder) that leads out of the project: its page would publish a file of the
        building machine, and the spec may read only data inside the project."""
        real = self.real_path(spec_file)
        if not is_inside(real, self.root):
            raise HeatdocError([SpecError(display_path(spec_file), 1, 1, "", (
                f"the spec file leads outside the project folder {self.root} (to {real}); "
                "heatdoc reads only files inside the project"))])


def _yaml_files(folder: str) -> Iterator[os.DirEntry]:
    """The .yaml and .yml files under ``folder``, hidden ones and those in hidden folders
    left out. Like rglob, a linked folder is not entered; a link to a file is a file.
    Directory entries, not Path objects: this runs for every spec, every build, and an
    entry knows its type without a system call."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _yaml_files(entry.path)
            elif entry.name.endswith((".yaml", ".yml")) and entry.is_file():
                yield entry
        except OSError:
            continue


def relative_text(path: Path | str, folder: Path | str) -> str:
    """``path`` relative to ``folder``, in / form, as ``Path.relative_to(...).as_posix()``
    gives it (ValueError when it is not inside), read off the text when both are plain
    (no '.', '..' or doubled separators): this runs for every spec, every build."""
    text, prefix = os.fspath(path), os.fspath(folder).rstrip(os.sep) + os.sep
    if text.startswith(prefix):
        rel = text[len(prefix):].replace(os.sep, "/")
        padded = f"/{rel}/"
        if rel and "/./" not in padded and "/../" not in padded and "//" not in padded:
            return rel
    return Path(path).relative_to(folder).as_posix()


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
        real, inside = resolve_inside(path, root)
        if not inside:  # a link out: never read
            raise HeatdocError([SpecError(display_path(path), 1, 1, "", (
                f"the settings file leads outside the project folder {root} (to {real}); "
                "heatdoc reads only files inside the project"))])
        from heatdoc.spec.load import load_yaml
        from heatdoc.spec.validate import schema_errors

        doc = load_yaml(path)
        errors = schema_errors(doc, SITE_SCHEMA)
        if errors:
            raise HeatdocError(errors)
        settings.update(doc.data)
    settings.setdefault("sections", {})
    return Project(root, settings)
