"""The CSV download of a matrix: the fast writer (orjson a row at a time) writes exactly
what the plain one (repr() per cell) writes."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from heatdoc.table import _csv_line, _exact, inert, labels, matrix_csv


def plain_csv(spec) -> bytes:  # type: ignore[no-untyped-def]
    """The CSV as written before, one Python call per cell."""
    x, y = labels(spec)
    lines = [_csv_line(["", *map(inert, x)])]
    for label, row in zip(y, spec.z.tolist()):
        lines.append(_csv_line([inert(label), *("" if math.isnan(v) else _exact(v) for v in row)]))
    return "".join(lines).encode("utf-8")


def spec(z: np.ndarray, y: list[str] | None = None):  # type: ignore[no-untyped-def]
    return SimpleNamespace(z=z, x=None, y=y, shape=z.shape)


cells = st.one_of(st.floats(allow_infinity=False, width=64), st.integers(-2**60, 2**60).map(float),
                  st.sampled_from([0.0, -0.0, 1e-4, 9.9999e-5, 1e16, 1e16 - 2, 5e-324, math.nan]))


@settings(max_examples=300, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=cells),
       st.lists(st.text(alphabet=',"\r\n ab\\é=+-@\t1', max_size=4), min_size=6, max_size=6))
def test_the_fast_csv_is_the_plain_csv(z, names):
    assert matrix_csv(spec(z)) == plain_csv(spec(z))
    assert matrix_csv(spec(z, names[:z.shape[0]])) == plain_csv(spec(z, names[:z.shape[0]]))


def test_a_big_random_matrix():
    z = np.random.default_rng(0).normal(size=(300, 300)) * np.logspace(-8, 20, 300)
    z[::7, ::5] = np.nan
    z[3] = np.round(z[3])
    assert matrix_csv(spec(z)) == plain_csv(spec(z))
