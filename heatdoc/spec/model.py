"""The compiled spec: what validation hands to the compiler and the site builder."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from heatdoc.spec.load import Document

Kind = Literal["z", "text", "layer"]


@dataclass
class Matrix:
    """Cells in rows, plus the labels the source carried (None when it had none)."""

    cells: Any  # np.ndarray (z) or list of rows (text, layers)
    x: list[str] | None = None
    y: list[str] | None = None
    # a long table split by a column (facet, animation): (value, matrix) in label order;
    # ``cells`` are the first panel's
    panels: list[tuple[str, "Matrix"]] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        if isinstance(self.cells, np.ndarray):
            return self.cells.shape  # type: ignore[return-value]
        return len(self.cells), len(self.cells[0]) if self.cells else 0


@dataclass
class Panel:
    """One panel of a facet, or one frame of an animation: its value of the split column
    and its matrices (``read``: the values as read, when `normalize` coloured others)."""

    label: str
    z: np.ndarray
    text: list[list[Any]] | None = None
    layers: dict[str, list[list[Any]]] = field(default_factory=dict)
    read: np.ndarray | None = None


@dataclass
class Spec:
    """One valid heatmap spec with its matrices read.

    ``z`` is float64 with NaN for a missing cell; ``text`` and each customdata
    layer are lists of rows; ``x``/``y`` are the labels (None: 0, 1, 2, ...).
    ``options`` holds every other key the user wrote, as written.
    """

    doc: Document
    title: str
    z: np.ndarray
    x: list[str] | None = None
    y: list[str] | None = None
    text: list[list[Any]] | None = None
    layers: dict[str, list[list[Any]]] = field(default_factory=dict)
    description: str = ""
    tags: list[str] = field(default_factory=list)
    order: float | None = None
    options: dict[str, Any] = field(default_factory=dict)
    # set by `analysis.analyse`: the values as read when `normalize` coloured others; the
    # clustering trees ("rows"/"columns": scipy's dendrogram icoord, dcoord); the panels
    # of a facet or frames of an animation (z, text and layers above are the first's)
    read: np.ndarray | None = None
    trees: dict[str, tuple[list, list]] = field(default_factory=dict)
    panels: list[Panel] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.doc.path

    @property
    def shape(self) -> tuple[int, int]:
        return self.z.shape  # type: ignore[return-value]
