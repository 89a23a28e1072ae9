"""A matrix row of plain numbers is read in one orjson call (heatdoc.spec.load._plain_numbers):
it must give exactly what reading the row item by item gives, errors included."""
from __future__ import annotations

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import heatdoc.spec.load as load
from heatdoc.errors import HeatdocError

SCALARS = ["0", "-0", "+1", "007", "00", "1.", ".5", "-.5", "1e5", "1E+5", "1e-400", "1e400", "-1e400",
           "0x1F", "0o17", "9007199254740992", "9007199254740993", "-9007199254740993",
           "18446744073709551616", "123456789012345678901234567890123456789012", "true", "True", "false",
           "null", "Null", "~", ".nan", ".NaN", ".inf", "-.inf", "NaN", "Infinity", "yes", "abc",
           "1,2", "1 2", "'q'", '"q"', "a\"b", "1]", "-", "", "é", "1,[2", "3]", '1,"a', 'b"', "1,{", "}"]
scalar = st.one_of(st.sampled_from(SCALARS), st.floats(allow_nan=False).map(repr),
                   st.integers(-2**70, 2**70).map(str))


EMPTY = "''"


def read(text: str, tmp_path, fast: bool):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    saved = load._plain_numbers
    if not fast:
        load._plain_numbers = lambda items: None
    try:
        return "ok", load.load_yaml(path).data
    except HeatdocError as exc:
        return "errors", [str(e) for e in exc.errors]
    finally:
        load._plain_numbers = saved


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=600, deadline=None, derandomize=True, database=None)
@example(rows=[["1,[2", "3]"], ["4", "5"]], layout="block")  # one JSON list out of two items
@example(rows=[['1,"a', 'b"']], layout="block")  # one JSON string out of two items
@given(rows=st.lists(st.lists(scalar, min_size=1, max_size=5), min_size=1, max_size=3),
       layout=st.sampled_from(["flow", "block of flow rows", "block"]))
def test_a_row_read_at_once_is_the_row_read_item_by_item(tmp_path_factory, rows, layout):
    tmp_path = tmp_path_factory.mktemp("rows")
    def flow(row):
        return "[" + ", ".join(v or EMPTY for v in row) + "]"
    if layout == "block":  # a plain scalar in a block may hold ", " and "]"
        text = "title: t\nz:\n" + "".join("  -\n" + "".join(f"    - {v or EMPTY}\n" for v in row)
                                             for row in rows)
    elif layout == "block of flow rows":
        text = "title: t\nz:\n" + "".join(f"  - {flow(row)}\n" for row in rows)
    else:
        text = "title: t\nz: [" + ", ".join(flow(row) for row in rows) + "]\n"
    fast, slow = read(text, tmp_path, True), read(text, tmp_path, False)
    assert fast[0] == slow[0] and same(fast[1], slow[1]), text


@pytest.mark.parametrize("row", ["[1, 2.5, -0, 1e5, null, true]", "[0.1, 0.2]"])
def test_plain_rows_take_the_one_call_way(tmp_path, row, monkeypatch):
    calls = []
    real = load._plain_numbers
    monkeypatch.setattr(load, "_plain_numbers", lambda items: calls.append(real(items)) or calls[-1])
    data = load.load_yaml(_write(tmp_path, f"title: t\nz: [{row}]\n")).data
    assert calls[-1] is not None and data["z"] == [calls[-1]]


def _write(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path
