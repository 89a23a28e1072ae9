"""heatdoc: YAML specs in, annotated Plotly heatmaps and a static gallery out.

    heatdoc.load_spec(path)          -> Spec (validated, matrices read)
    heatdoc.figure(spec_or_path)     -> plotly.graph_objects.Figure
    heatdoc.build(project_dir, out)  -> the site folder

Imports are lazy so that `heatdoc --help` starts fast.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from heatdoc.errors import HeatdocError, SpecError, UsageError

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from heatdoc.spec.model import Spec

__all__ = ["load_spec", "figure", "build", "HeatdocError", "SpecError", "UsageError"]
__version__ = "0.1.0"


def load_spec(path: str | Path, *, root: str | Path | None = None) -> "Spec":
    """Load and validate one spec file; raise HeatdocError listing every problem."""
    from heatdoc.site.project import find_root, open_project
    from heatdoc.sources.dispatch import ReadContext
    from heatdoc.spec.load import load_yaml
    from heatdoc.spec.validate import check_spec

    path = Path(path)
    project = open_project(Path(root) if root else find_root(path.parent))
    ctx = ReadContext.for_project(project.root, project.settings)
    return check_spec(load_yaml(path), ctx)


def figure_dict(spec_or_path: "Spec | str | Path") -> dict[str, Any]:
    """The compiled figure as a plain dict (what `heatdoc figure` prints)."""
    from heatdoc.spec.compile import compile_figure

    spec = spec_or_path if not isinstance(spec_or_path, (str, Path)) else load_spec(spec_or_path)
    return compile_figure(spec)


def figure(spec_or_path: "Spec | str | Path") -> "go.Figure":
    """The compiled figure as a plotly Figure."""
    import plotly.graph_objects as go

    return go.Figure(figure_dict(spec_or_path))


def build(project_dir: str | Path = ".", out: str | Path | None = None) -> Path:
    """Validate every spec of the project, then write its site; return the site folder."""
    from heatdoc.site.build import build_site

    return build_site(Path(project_dir), Path(out) if out is not None else None).site
