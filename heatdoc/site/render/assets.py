"""The site's shared files in ``assets/``: plotly.js, plotly's default template, and
the theme's CSS and JavaScript (any file of a project's ``templates/assets/`` wins)."""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from heatdoc.jsonout import script_json
from heatdoc.paths import resolve_inside

THEME_DIR = Path(__file__).resolve().parents[2] / "templates"
CDN_URL = "https://cdn.plot.ly/plotly-{version}.min.js"
TEMPLATE_JS = "assets/plotly-template.js"
_VERSION = re.compile(rb"plotly\.js v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)")


@dataclass(frozen=True)
class PlotlyJs:
    """The plotly.js that every chart page loads: ``url`` is relative to the site root
    (bundled) or absolute (cdn); ``file`` is the local copy to write, when bundled."""

    version: str
    url: str
    file: Path | None
    integrity: str | None  # Subresource Integrity of the CDN copy: the same bytes as the bundle


@lru_cache(maxsize=1)
def _bundle() -> tuple[Path, str]:
    """The plotly.min.js of the installed plotly package, and its version from its header."""
    import importlib.util

    found = importlib.util.find_spec("plotly")
    assert found is not None and found.origin is not None
    path = Path(found.origin).parent / "package_data" / "plotly.min.js"
    with open(path, "rb") as fh:
        match = _VERSION.search(fh.read(512))
    if not match:
        raise RuntimeError(f"cannot read the plotly.js version from the header of {path}")
    return path, match.group(1).decode("ascii")


def plotly_js(mode: str) -> PlotlyJs:
    """``bundled``: one local copy named by its version; ``cdn``: the pinned URL of that version."""
    path, version = _bundle()
    if mode == "cdn":
        digest = hashlib.sha256(path.read_bytes()).digest()
        return PlotlyJs(version, CDN_URL.format(version=version), None,
                        "sha256-" + base64.b64encode(digest).decode("ascii"))
    return PlotlyJs(version, f"assets/plotly-{version}.min.js", path, None)


def template_js() -> bytes:
    """plotly's default template, once for the whole site: chart pages carry only their
    own figure and the page's script applies this template (as plotly.py would have);
    and plotly's ``plotly_dark``, which the script applies instead while the page is dark
    (a chart embedded in a host's page gets it with a clear paper, to sit on the page's
    own background)."""
    from heatdoc.spec.compile import plotly_template

    return (f"window.heatdocPlotlyTemplate = {script_json(plotly_template())};\n"
            f"window.heatdocPlotlyDarkTemplate = {script_json(plotly_template('plotly_dark'))};\n"
            ).encode("utf-8")


def theme_assets(project_templates: Path | None) -> tuple[dict[str, Path], list[str]]:
    """Every file under ``assets/`` of the default theme and of the project's templates
    folder (the project's file wins), and warnings for files skipped.

    A file that is, or lies under, a symbolic link leading out of its folder is skipped:
    such a link could copy any file of the building machine into a published site.
    """
    files: dict[str, Path] = {}
    warnings: list[str] = []
    for folder in [THEME_DIR, project_templates]:
        if folder is None or not (folder / "assets").is_dir():
            continue
        for path in sorted((folder / "assets").rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if any(part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            try:
                inside = resolve_inside(path, folder)[1]
            except OSError:  # a link that leads back to itself
                warnings.append(f"{path}: a symbolic link that leads back to itself; "
                                "not copied into the site")
                continue
            if not inside:
                warnings.append(f"{path}: a symbolic link out of {folder}; not copied into the site")
            elif path.is_file():
                files[rel] = path
    return files, warnings
