"""Fuzzing: generated and mutated specs never make heatdoc raise anything but a
clean HeatdocError.

Every case goes through load -> validate -> compile in-process. It either compiles
(the figure serialises, and one in ten also passes plotly's own validation,
`plotly.graph_objects.Figure`) or raises HeatdocError whose every error has a line
and column inside the file, one line of text, and the file's path in front.

Four batches of 2,500 cases, derandomized so CI sees the same cases every run.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heatdoc.errors import HeatdocError
from heatdoc.jsonout import dumps
from heatdoc.sources.dispatch import ReadContext
from heatdoc.spec.compile import compile_figure
from heatdoc.spec.load import load_yaml
from heatdoc.spec.validate import check_spec

BATCH = settings(max_examples=2500, deadline=None, derandomize=True, database=None,
                 suppress_health_check=list(HealthCheck))

# --- values --------------------------------------------------------------------
TRICKY_TEXT = ["NO", "yes", "off", "~", "null", ".nan", ".inf", "1e999", "0x1F", "0o17", "007", "1:20",
               "#fff", "rgb(0.5,0.2,0.1)", "hsv(0,1,1)", "rgba(0,0,0,0)", "transparent", "Viridis", "rdbu_r",
               "%{z}", "%{z:.2f}", "%{customdata.a}", "%{customdata.zz:,d}", "%{x|%Y}", "<script>alert(1)</script>",
               "{{ 7*7 }}", "é", "\u2028", "\x1b[31m", "", " ", "a\nb", "-", "*", "&a", "!!str", "<<"]
text = st.one_of(st.text(max_size=12), st.sampled_from(TRICKY_TEXT))
wild_numbers = st.one_of(st.integers(-2**60, 2**60), st.floats(allow_nan=True, allow_infinity=True),
                         st.sampled_from([2**53, 2**53 + 1, -2**53, 1e308, 5e-324, 0.1]))
tame_numbers = st.one_of(st.integers(-100, 100), st.floats(-1e6, 1e6))
# one number in ten is wild, so a matrix of a dozen cells is often still valid
numbers = st.integers(0, 9).flatmap(lambda i: wild_numbers if i == 5 else tame_numbers)
scalars = st.one_of(st.none(), st.booleans(), numbers, text)
json_like = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(text, inner, max_size=4)), max_leaves=6)
cells = st.one_of(numbers, st.none(), scalars)


@st.composite
def matrices(draw, cell=cells):
    """Mostly rectangular inline rows, sometimes ragged, flat, 3-D or another source."""
    kind = draw(st.sampled_from(["rows", "rows", "rows", "ragged", "flat", "deep", "random", "file", "other"]))
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    if kind == "rows":
        return [[draw(cell) for _ in range(cols)] for _ in range(rows)]
    if kind == "ragged":
        return [[draw(cell) for _ in range(draw(st.integers(0, 4)))] for _ in range(rows)]
    if kind == "flat":
        return [draw(cell) for _ in range(cols)]
    if kind == "deep":
        return [[[draw(cell)] for _ in range(cols)] for _ in range(rows)]
    if kind == "random":
        # small shapes only: see KNOWN_BUGS in test_hostile.py for huge ones
        return draw(st.fixed_dictionaries({"random": st.sampled_from(["normal", "uniform", "gauss"]),
                                           "shape": st.lists(st.integers(-1, 5), min_size=0, max_size=3)},
                                          optional={"seed": st.integers(-1, 2**33)}))
    if kind == "file":  # the files Runner writes, read in every way a source can ask
        return draw(st.fixed_dictionaries(
            {"file": st.sampled_from(list(DATA_FILES) + ["missing.csv", "../outside.csv", "/etc/passwd", ""])},
            optional={"labels": st.booleans(), "x": st.sampled_from(["day", "size", "nope"]),
                      "y": st.sampled_from(["day", "size"]), "value": st.sampled_from(["tip", "day"]),
                      "agg": st.sampled_from(["sum", "mean", "first", "median", "bogus"]),
                      "corr": st.sampled_from(["pearson", "kendall", "nope"])}))
    return draw(json_like)


# data files beside the fuzzed spec: wide with labels, a bare grid, a long table
DATA_FILES = {
    "wide.csv": ",a,b,c\nr1,1,2,3\nr2,4,,6\n",
    "grid.csv": "1,2\n3,NA\n",
    "long.csv": "day,size,tip\nMon,2,1.5\nMon,3,2\nTue,2,abc\nTue,2,4\n",
    "odd.csv": "a,b\n1\n1,2,3\n\"unclosed\n",
}


PLOTLY_NAMES = ["title", "title_text", "title_font_size", "title_fnt", "titel", "width", "height", "font",
                "paper_bgcolor", "plot_bgcolor", "margin", "xaxis", "yaxis2", "xaxis_title_text", "hovermode",
                "annotations", "showlegend", "template", "colorway", "side", "visible", "tickangle", "ticks",
                "showgrid", "dtick", "range", "type", "hoverongaps", "zsmooth", "colorscale", "colorbar",
                "colorbar_title_text", "hoverinfo", "opacity", "len", "thickness", "tickformat", "text",
                "size", "color", "family", "l", "r", "t", "b", "pad", "x", "y", "showarrow", "autorange"]
plotly_values = st.recursive(
    st.one_of(scalars, st.sampled_from(["top", "bottom", "red", "x+y", "reversed", "fast", "all", "plotly"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(PLOTLY_NAMES), inner, max_size=3)),
    max_leaves=5)
plotly_objects = st.dictionaries(st.sampled_from(PLOTLY_NAMES), plotly_values, max_size=4)
layer_names = st.one_of(st.sampled_from(["a", "mass", "zz", "_x", "bad-name", "1st"]), text)
colours = st.one_of(st.sampled_from(["red", "#fff", "#123456", "rgb(255, 0, 0)", "rgb(0.5,0.2,0.1)",
                                     "hsl(120, 50%, 50%)", "hsv(0,100%,50%)", "redd", "transparent"]), text)
scales = st.one_of(st.sampled_from(["Viridis", "viridis", "RdBu_r", "Greys", "Plasma", "Viridiss", ""]), text,
                   st.lists(colours, max_size=4),
                   st.lists(st.tuples(st.one_of(st.floats(-0.5, 1.5), st.sampled_from([0, 1]), text), colours)
                            .map(list), max_size=4))
formats = st.one_of(st.booleans(), st.sampled_from([".2f", ",d", ".1%", "%.2f", ".2q", "~s", "$,.2f", ""]), text)
templates = st.one_of(text, st.lists(st.sampled_from(["%{z}", "%{z:.2f}", "%{text}", "%{x}", "<br>", "%{customdata.a}",
                                                      "%{customdata.mass:.1f}", "%{customdata[0]}", "%{z:%.2q}",
                                                      "<extra></extra>", "%{", "}"]), max_size=5).map("".join))

OPTIONAL = {
    "description": text, "tags": st.lists(text, max_size=3), "order": st.one_of(numbers, text),
    "text": matrices(), "customdata": st.dictionaries(layer_names, matrices(), max_size=3),
    "hovertemplate": templates, "texttemplate": templates, "text_auto": formats,
    "textfont": st.dictionaries(st.sampled_from(["size", "color", "family", "colour"]), st.one_of(colours, numbers),
                                max_size=3),
    "x": st.lists(st.one_of(text, st.integers(0, 3), st.none()), min_size=0, max_size=5),
    "y": st.lists(st.one_of(text, st.integers(0, 3), st.none()), min_size=0, max_size=5),
    "origin": st.sampled_from(["upper", "lower", "middle"]), "aspect": st.sampled_from(["equal", "auto", 1]),
    "xgap": numbers, "ygap": numbers, "width": numbers, "height": numbers,
    "colorscale": scales, "reversescale": scalars, "zmin": numbers, "zmax": numbers, "zmid": numbers,
    "showscale": scalars, "colorbar": plotly_objects, "layout": plotly_objects, "trace": plotly_objects,
    "xaxis": plotly_objects, "yaxis": plotly_objects, "colorscal": scalars, "titel": text,
}
specs = st.fixed_dictionaries({"title": st.one_of(text, scalars), "z": matrices(st.one_of(numbers, st.none()))},
                              optional=OPTIONAL)

# --- valid specs ----------------------------------------------------------------
label_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=6)
good_colours = st.sampled_from(["red", "RebeccaPurple", "#fff", "#123456", "#12345678", "rgb(255, 0, 0)",
                                "rgba(0,0,0,0.5)", "rgb(10%, 20%, 30%)", "hsl(120, 50%, 50%)",
                                "hsla(120deg, 50%, 50%, 0.3)", "rgb(1 2 3 / 50%)"])
good_scales = st.one_of(
    st.sampled_from(["Viridis", "viridis", "RdBu_r", "Greys", "Plasma", "Hot", "ice_r", "Turbo"]),
    st.lists(good_colours, min_size=2, max_size=5),
    st.lists(st.floats(0, 1), min_size=0, max_size=3).flatmap(
        lambda mids: st.tuples(*[good_colours] * (len(mids) + 2)).map(
            lambda cs: [[stop, c] for stop, c in zip([0, *sorted(mids), 1], cs)])))
GOOD_PLOTLY = {
    "layout": {"title": st.fixed_dictionaries({"text": label_text}), "title_text": label_text,
               "width": st.integers(10, 2000), "height": st.integers(10, 2000), "paper_bgcolor": good_colours,
               "font": st.fixed_dictionaries({}, optional={"size": st.integers(1, 40), "color": good_colours}),
               "margin": st.fixed_dictionaries({}, optional={k: st.integers(0, 100) for k in "lrtb"}),
               "xaxis_title_text": label_text, "hovermode": st.sampled_from(["closest", "x", False]),
               "title_font_size": st.integers(1, 40)},
    "xaxis": {"side": st.sampled_from(["top", "bottom"]), "visible": st.booleans(), "showgrid": st.booleans(),
              "tickangle": st.integers(-180, 180), "title_text": label_text, "ticks": st.sampled_from(["", "outside"])},
    "yaxis": {"side": st.sampled_from(["left", "right"]), "visible": st.booleans(), "autorange": st.booleans(),
              "title": st.fixed_dictionaries({"text": label_text}), "showticklabels": st.booleans()},
    "trace": {"hoverongaps": st.booleans(), "zsmooth": st.sampled_from([False, "fast", "best"]),
              "colorbar_title_text": label_text, "opacity": st.floats(0, 1), "xgap": st.integers(0, 5),
              "colorscale": good_scales.filter(lambda v: isinstance(v, list) and isinstance(v[0], list))},
    "colorbar": {"title_text": label_text, "thickness": st.integers(1, 50), "len": st.floats(0.1, 1),
                 "tickfont": st.fixed_dictionaries({"size": st.integers(1, 30)})},
}


@st.composite
def valid_specs(draw):
    rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))

    def matrix(cell):
        return draw(st.lists(st.lists(cell, min_size=cols, max_size=cols), min_size=rows, max_size=rows))

    z_cell = st.one_of(st.integers(-1000, 1000), st.floats(-1e9, 1e9), st.none())
    spec = {"title": draw(label_text),
            "z": draw(st.one_of(st.just(None), st.sampled_from(["normal", "uniform"])))}
    spec["z"] = matrix(z_cell) if spec["z"] is None else {"random": spec["z"], "shape": [rows, cols],
                                                            "seed": draw(st.integers(0, 2**32 - 1))}
    layers = draw(st.lists(st.sampled_from(["a", "mass", "name", "_x"]), unique=True, max_size=3))
    fields = ["%{z}", "%{x}", "%{y}", "%{z:.2f}", "%{z:,d}", "<br>", " ", "<b>b</b>"]
    fields += [f"%{{customdata.{n}}}" for n in layers] + [f"%{{customdata.{n}:.1f}}" for n in layers]
    if draw(st.booleans()):
        spec["text"] = matrix(st.one_of(label_text, st.integers(0, 99), st.none()))
        fields.append("%{text}")
    if layers:
        spec["customdata"] = {n: matrix(st.one_of(st.integers(-9, 9), label_text, st.none())) for n in layers}
    for axis, count in (("x", cols), ("y", rows)):
        if draw(st.booleans()):
            spec[axis] = draw(st.lists(label_text, min_size=count, max_size=count, unique=True))
    template = st.lists(st.sampled_from(fields), min_size=1, max_size=4).map("".join)
    options = {
        "hovertemplate": template, "texttemplate": template, "origin": st.sampled_from(["upper", "lower"]),
        "text_auto": st.one_of(st.booleans(), st.sampled_from([".2f", ",d", ".1%", "~s", ".3", "+.1e"])),
        "aspect": st.sampled_from(["equal", "auto"]), "colorscale": good_scales, "reversescale": st.booleans(),
        "zmin": st.floats(-100, 0), "zmax": st.floats(0, 100), "zmid": st.floats(-1, 1),
        "showscale": st.booleans(), "xgap": st.integers(0, 5), "ygap": st.floats(0, 5),
        "width": st.integers(10, 2000), "height": st.integers(10, 2000),
        "textfont": st.fixed_dictionaries({}, optional={"size": st.integers(1, 30), "color": good_colours,
                                                         "family": st.sampled_from(["Arial", "monospace"])}),
        "tags": st.lists(label_text, max_size=3, unique=True), "order": st.integers(-5, 5),
        "description": st.text(max_size=20),
        **{key: st.fixed_dictionaries({}, optional=props) for key, props in GOOD_PLOTLY.items()},
    }
    for key in draw(st.lists(st.sampled_from(sorted(options)), unique=True, max_size=8)):
        spec[key] = draw(options[key])
    if draw(st.integers(0, 9)) == 5:  # now and then one wrong value (not 0: hypothesis favours it)
        spec[draw(st.sampled_from(sorted(OPTIONAL)))] = draw(scalars)
    return spec


# --- YAML text -------------------------------------------------------------------
SEEDS = [
    "title: Seed\nz: [[1, 2, 3], [4, .nan, 6]]\nx: [a, b, c]\ny: [NO, SE]\ntext_auto: '.1f'\n",
    "# yaml-language-server: $schema=x\ntitle: \"Quoted: title\"\nz:\n  - [1, 2]\n  - [3, 4]\ntext:\n  - [a, b]\n"
    "  - ['', \"d\"]\ncustomdata:\n  mass: [[1.5, 2], [3, 4]]\nhovertemplate: \"%{customdata.mass:.2f}<extra></extra>\"\n",
    "title: Anchors\nz: &row [[1, 2], [3, 4]]\ntext: *row\ncolorscale: [[0, '#fff'], [0.5, 'rgb(1, 2, 3)'], "
    "[1, red]]\nlayout: {title: {text: Big}, margin: {l: 1, r: 1}}\nxaxis: {side: top}\n",
    "title: |\n  Multi\n  line\ndescription: >\n  folded\n  text\ntags: [a, b]\norder: 3\nz: {random: normal, "
    "shape: [3, 3], seed: 1}\ntrace: {hoverongaps: false, colorbar_title_text: u}\ncolorscale: RdBu_r\n",
]
YAML_BITS = list("[]{}:,-#&*!|>'\"%@`?\t\n ") + ["---", "...", "<<: ", "!!python/object/apply:os.system ",
                                                 "&a ", "*a", "\\x00", ": ", "- ", "  ", "\t", "é", "\ufeff",
                                                 "1e999", ".inf", "99999999999999999999", "null", "~"]


@st.composite
def mutated_texts(draw) -> bytes:
    data = bytearray(draw(st.one_of(st.sampled_from(SEEDS), specs.map(_dump))).encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "duplicate-line", "swap-lines", "byte"]))
        at = draw(st.integers(0, len(data)))
        if op == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=3))).encode("utf-8")
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        elif op == "replace":
            data[at:at + 1] = draw(st.sampled_from(YAML_BITS)).encode("utf-8")
        elif op == "byte":
            data[at:at] = bytes([draw(st.integers(0, 255))])
        else:
            lines = bytes(data).split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if op == "duplicate-line":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def _dump(spec: dict) -> str:
    return yaml.dump(spec, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=None, width=80)


# --- the property ----------------------------------------------------------------
class Runner:
    """Writes each case to one file and checks what heatdoc does with it."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "heatdoc.yaml").write_text("title: fuzz\n")
        for name, content in DATA_FILES.items():
            (folder / name).write_text(content)
        self.path = folder / "spec.yaml"
        self.ctx = ReadContext(folder, max_cells=10_000)
        self.compiled = self.refused = 0

    def batch(self, test, at_least: int = 50) -> None:
        """Run one hypothesis test; each batch must reach both outcomes, or the
        generator has stopped exploring."""
        compiled, refused = self.compiled, self.refused
        test()
        outcomes = self.compiled - compiled, self.refused - refused
        assert min(outcomes) >= at_least, f"compiled, refused: {outcomes}"

    def __call__(self, content: bytes | str) -> None:
        raw = content if isinstance(content, bytes) else content.encode("utf-8")
        self.path.write_bytes(raw)
        try:
            figure = compile_figure(check_spec(load_yaml(self.path), self.ctx))
        except HeatdocError as exc:
            self.refused += 1
            lines = raw.count(b"\n") + 1
            assert exc.errors
            for error in exc.errors:
                text = str(error)
                assert 1 <= error.line <= lines + 1, text
                assert error.col >= 1, text
                assert text.startswith(f"{self.path}:{error.line}:{error.col}: "), text
                assert "\n" not in text and "\r" not in text, text
            return
        self.compiled += 1
        dumps(figure)
        if self.compiled % 10 == 1:
            import plotly.graph_objects as go

            go.Figure(figure)


@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> Runner:
    return Runner(tmp_path_factory.mktemp("fuzz"))


def test_generated_specs(runner):
    @BATCH
    @given(specs)
    def run(spec):
        runner(_dump(spec))
    runner.batch(run)


def test_generated_valid_specs(runner):
    """Specs built to be valid, with a rare wrong value: they reach compile and
    plotly's own validation in every combination of options."""
    @BATCH
    @given(valid_specs())
    def run(spec):
        runner(_dump(spec))
    runner.batch(run, at_least=20)


def test_mutated_yaml_text(runner):
    @BATCH
    @given(mutated_texts())
    def run(content):
        runner(content)
    runner.batch(run)


def test_mutated_spec_values(runner):
    """A valid spec with one value somewhere replaced, removed or added."""
    base = {"title": "T", "z": [[1, 2], [3, None]], "x": ["a", "b"], "y": ["c", "d"],
            "text": [["p", "q"], ["r", "s"]], "customdata": {"mass": [[1, 2], [3, 4]]},
            "hovertemplate": "%{customdata.mass:.1f}", "text_auto": ".1f", "textfont": {"size": 10},
            "colorscale": [[0, "red"], [1, "blue"]], "layout": {"title": {"text": "T"}, "width": 400},
            "xaxis": {"side": "top"}, "trace": {"hoverongaps": False}}

    def paths(value, prefix=()):
        yield prefix
        if isinstance(value, dict):
            for k, v in value.items():
                yield from paths(v, prefix + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from paths(v, prefix + (i,))

    all_paths = [p for p in paths(base) if p]

    @BATCH
    @given(st.sampled_from(all_paths), st.sampled_from(["replace", "delete", "add"]), json_like, text)
    def run(path, op, value, new_key):
        import copy

        spec = copy.deepcopy(base)
        parent = spec
        for k in path[:-1]:
            parent = parent[k]
        last = path[-1]
        if op == "replace":
            parent[last] = value
        elif op == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[new_key] = value
        else:
            parent.insert(last, value)
        runner(_dump(spec))
    runner.batch(run)
