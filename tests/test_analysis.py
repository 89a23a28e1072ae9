"""The analysis keys (issue 15), each compared with the tool it follows on the same data:
facets and animation frames with px.imshow, clustering with SciPy's leaf order,
normalising with seaborn's formulas (ClusterGrid.z_score and standard_scale: pandas'
mean and std, ddof=1), masks cell by cell, zmid by the colours at zmin, zmid and zmax."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pytest
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist

import heatdoc
from heatdoc.errors import HeatdocError
from heatdoc.site.render.datatable import data_table
from heatdoc.spec.colours import colour_at, resolve_scale
from heatdoc.spec.compile import compile_figure

RNG = np.random.default_rng(7)
# a long table: 3 years x 4 regions x 5 products, one gap (2002, north, e)
YEARS, REGIONS, PRODUCTS = ["2001", "2002", "2003"], ["north", "south", "east", "west"], list("abcde")
LONG = pd.DataFrame([(y, r, p, round(float(RNG.normal(10, 3)), 3))
                     for y in YEARS for r in REGIONS for p in PRODUCTS
                     if (y, r, p) != ("2002", "north", "e")],
                    columns=["year", "region", "product", "units"])
MATRIX = RNG.normal(size=(6, 5)).round(3)
LABELS_X, LABELS_Y = list("VWXYZ"), ["r0", "r1", "r2", "r3", "r4", "r5"]


def rows_yaml(matrix: np.ndarray) -> str:
    return "[" + ", ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in matrix) + "]"


@pytest.fixture
def spec_of(make_project):
    """spec_of(yaml text) -> the checked Spec; the long table is data/long.csv."""
    def make(text: str):
        root = make_project({"specs/s.yaml": text, "data/long.csv": LONG.to_csv(index=False)})
        return heatdoc.load_spec(root / "specs" / "s.yaml")
    return make


@pytest.fixture
def figure_of(spec_of):
    def make(text: str) -> dict:
        figure = compile_figure(spec_of(text))
        go.Figure(figure)  # plotly accepts it
        return figure
    return make


@pytest.fixture
def errors_of(spec_of):
    def make(text: str) -> list[str]:
        with pytest.raises(HeatdocError) as info:
            spec_of(text)
        return [str(e) for e in info.value.errors]
    return make


def matrix_spec(extra: str, matrix: np.ndarray = MATRIX) -> str:
    return (f"title: t\nz: {rows_yaml(matrix)}\nx: {LABELS_X}\ny: {LABELS_Y}\n"
            f"text: {[[f'{r}{c}' for c in LABELS_X] for r in LABELS_Y]}\n{extra}\n")


def pivoted(year: str) -> np.ndarray:
    """One year of the long table as a matrix, with pandas (rows region, columns product)."""
    table = LONG[LONG.year == year].pivot_table(index="region", columns="product", values="units",
                                                aggfunc="mean")
    return table.reindex(index=sorted(REGIONS), columns=PRODUCTS).to_numpy()


LONG_Z = "z: {file: ../data/long.csv, x: product, y: region, value: units}"


# --- facets and animation, against px.imshow -------------------------------------

def test_facets_match_px_imshow_panel_by_panel(figure_of):
    figure = figure_of(f"title: t\n{LONG_Z}\nfacet: year\nfacet_wrap: 2\n")
    img = np.stack([pivoted(y) for y in YEARS])
    px_figure = px.imshow(img, facet_col=0, facet_col_wrap=2, labels={"facet_col": "year"},
                          x=PRODUCTS, y=sorted(REGIONS))
    reference = px_figure.to_plotly_json()
    ours = figure["data"]
    assert [t["name"] for t in ours] == YEARS  # panels in label order
    by_index = {t["name"]: t for t in reference["data"]}
    for i, trace in enumerate(ours):
        theirs = by_index[str(i)]
        z = next(t.z for t in px_figure.data if t.name == str(i))
        np.testing.assert_array_equal(np.array(trace["z"], dtype=float), z)
        # the same place in the grid as px.imshow's panel
        ref_x = reference["layout"][theirs["xaxis"].replace("x", "xaxis")]["domain"]
        ref_y = reference["layout"][theirs["yaxis"].replace("y", "yaxis")]["domain"]
        ours_x = figure["layout"][trace["xaxis"].replace("x", "xaxis")]["domain"]
        ours_y = figure["layout"][trace["yaxis"].replace("y", "yaxis")]["domain"]
        assert np.allclose(ours_x, ref_x) and np.allclose(ours_y, ref_y), trace["name"]
    # titles as px.imshow writes them (it numbers the panels; we name their values)
    titles = {(round(a["x"], 6), round(a["y"], 6)): a["text"] for a in figure["layout"]["annotations"]}
    ref_titles = {(round(a["x"], 6), round(a["y"], 6)): a["text"] for a in reference["layout"]["annotations"]}
    assert titles == {place: "year=" + YEARS[int(text.split("=")[1])] for place, text in ref_titles.items()}
    # one colour scale over all panels, one colour bar
    assert {(t["zmin"], t["zmax"]) for t in ours} == {(np.nanmin(img), np.nanmax(img))}
    assert [t.get("showscale", True) for t in ours] == [True, False, False]


def test_independent_facet_scales_have_no_shared_range_and_no_colour_bar(figure_of):
    figure = figure_of(f"title: t\n{LONG_Z}\nfacet: year\nfacet_scale: independent\n")
    assert all("zmin" not in t and t["showscale"] is False for t in figure["data"])
    assert len(figure["data"]) == 3 and figure["layout"]["xaxis3"]["domain"][1] == pytest.approx(1)


def test_animation_matches_px_imshow_frame_by_frame(figure_of):
    figure = figure_of(f"title: t\n{LONG_Z}\nanimation: year\ntext_auto: true\n")
    img = np.stack([pivoted(y) for y in YEARS])
    px_figure = px.imshow(img, animation_frame=0, labels={"animation_frame": "year"},
                          zmin=np.nanmin(img), zmax=np.nanmax(img))
    reference = px_figure.to_plotly_json()
    assert [f["name"] for f in figure["frames"]] == YEARS
    for ours, theirs in zip(figure["frames"], px_figure.frames, strict=True):
        np.testing.assert_array_equal(np.array(ours["data"][0]["z"], dtype=float), theirs.data[0].z)
    np.testing.assert_array_equal(np.array(figure["data"][0]["z"], dtype=float), img[0])
    trace, layout = figure["data"][0], figure["layout"]
    axis = reference["layout"]["coloraxis"]
    assert (trace["zmin"], trace["zmax"]) == (axis["cmin"], axis["cmax"])  # one scale for every frame
    slider, ref_slider = layout["sliders"][0], reference["layout"]["sliders"][0]
    assert [s["label"] for s in slider["steps"]] == YEARS
    assert slider["currentvalue"] == ref_slider["currentvalue"] == {"prefix": "year="}
    assert [b["label"] for b in layout["updatemenus"][0]["buttons"]] == \
        [b["label"] for b in reference["layout"]["updatemenus"][0]["buttons"]]


def test_a_split_long_layer_follows_the_panels(spec_of):
    spec = spec_of(f"title: t\n{LONG_Z}\nanimation: year\n"
                   "customdata: {n: {file: ../data/long.csv, x: product, y: region, value: units, agg: count}}\n")
    assert [p.layers["n"][sorted(REGIONS).index("north")][4] for p in spec.panels] == ["1", "", "1"]


def test_facet_thumbnail_and_table_show_the_first_panel(spec_of):
    from heatdoc.site.charts import panels_alt

    spec = spec_of(f"title: t\n{LONG_Z}\nfacet: year\n")
    np.testing.assert_array_equal(spec.z, pivoted("2001"))
    assert panels_alt(spec) == "; its first panel of 3 (year=2001)"
    assert data_table(spec).rows[0].label == "east"


# --- order ------------------------------------------------------------------------

def scipy_leaves(observations: np.ndarray, method: str, metric: str) -> list[int]:
    distances = pdist(observations, metric=metric)
    return hierarchy.leaves_list(hierarchy.optimal_leaf_ordering(
        hierarchy.linkage(distances, method=method), distances)).tolist()


@pytest.mark.parametrize("method, metric", [("average", "euclidean"), ("complete", "correlation"),
                                            ("single", "cityblock"), ("ward", "euclidean")])
def test_cluster_order_is_scipys_leaf_order(spec_of, method, metric):
    spec = spec_of(matrix_spec(f"order: {{rows: cluster, columns: cluster, method: {method}, metric: {metric}}}"))
    rows, cols = scipy_leaves(MATRIX, method, metric), scipy_leaves(MATRIX.T, method, metric)
    assert spec.y == [LABELS_Y[i] for i in rows] and spec.x == [LABELS_X[j] for j in cols]
    np.testing.assert_array_equal(spec.z, MATRIX[rows][:, cols])
    # the text layer follows the same order
    assert spec.text[0][0] == f"{LABELS_Y[rows[0]]}{LABELS_X[cols[0]]}"


def test_dendrogram_draws_scipys_tree_beside_the_cells(figure_of):
    figure = figure_of(matrix_spec("order: {rows: cluster, columns: cluster, dendrogram: true}"))
    distances = pdist(MATRIX.T)
    tree = hierarchy.dendrogram(hierarchy.optimal_leaf_ordering(hierarchy.linkage(distances, "average"),
                                                                distances), no_plot=True)
    top = next(t for t in figure["data"] if t.get("xaxis") == "x2")
    xs = [x for x in top["x"] if x is not None]
    assert xs == [(x - 5) / 10 for link in tree["icoord"] for x in link]
    assert [y for y in top["y"] if y is not None] == [y for link in tree["dcoord"] for y in link]
    layout = figure["layout"]
    assert layout["xaxis2"]["domain"] == layout["xaxis"]["domain"]  # the leaves sit over their columns
    assert layout["yaxis3"]["range"] == [5.5, -0.5]  # row 0 at the top, as the heatmap


@pytest.mark.parametrize("rows, expect", [
    ("label", sorted(LABELS_Y)),
    ("value", [LABELS_Y[i] for i in np.argsort(MATRIX.mean(axis=1), kind="stable")]),
    ("value desc", [LABELS_Y[i] for i in np.argsort(-MATRIX.mean(axis=1), kind="stable")]),
    ("[r5, r4, r3, r2, r1, r0]", LABELS_Y[::-1]),
    ("data", LABELS_Y),
])
def test_row_orders(spec_of, rows, expect):
    spec = spec_of(matrix_spec(f"order: {{rows: {rows}}}"))
    assert spec.y == expect
    np.testing.assert_array_equal(spec.z, MATRIX[[LABELS_Y.index(label) for label in expect]])


def test_column_order_by_value_without_labels_names_the_columns_by_index(spec_of):
    spec = spec_of("title: t\nz: [[3, 1, 2], [3, 1, 2]]\norder: {columns: value}\n")
    assert spec.x == ["1", "2", "0"] and spec.z.tolist() == [[1, 2, 3], [1, 2, 3]]


def test_a_number_or_gallery_is_the_section_sort_key(spec_of):
    assert spec_of("title: t\nz: [[1]]\norder: 3\n").order == 3
    assert spec_of("title: t\nz: [[1]]\norder: {rows: label, gallery: 4}\n").order == 4


# --- normalize --------------------------------------------------------------------

def seaborn_like(how: str) -> np.ndarray:
    """seaborn's ClusterGrid.z_score / standard_scale (axis 0: rows), in pandas, and shares."""
    frame = pd.DataFrame(MATRIX)
    data = frame.T if how.startswith("rows") else frame
    if how.endswith("_fraction"):
        out = data / data.sum()
    elif how.endswith("_minmax"):
        out = (data - data.min()) / (data.max() - data.min())
    else:
        out = (data - data.mean()) / data.std()
    return (out.T if how.startswith("rows") else out).to_numpy()


@pytest.mark.parametrize("how", ["rows", "columns", "rows_fraction", "columns_fraction",
                                 "rows_minmax", "columns_minmax"])
def test_normalize_follows_seaborns_formulas_and_hover_keeps_the_value(spec_of, how):
    spec = spec_of(matrix_spec(f"normalize: {how}"))
    np.testing.assert_allclose(spec.z, seaborn_like(how), rtol=1e-12)
    np.testing.assert_array_equal(spec.read, MATRIX)
    trace = compile_figure(spec)["data"][0]
    assert [[cell[-1] for cell in row] for row in trace["customdata"]] == MATRIX.tolist()
    assert "value: %{customdata[0]}" in trace["hovertemplate"]
    assert data_table(spec).rows[0].cells[0].endswith(str(MATRIX[0, 0]).rstrip("0"))


def test_z_score_of_a_row_with_gaps_leaves_them_out(spec_of):
    spec = spec_of("title: t\nz: [[1, null, 3, 5]]\nnormalize: rows\n")
    row = pd.Series([1, np.nan, 3, 5])
    np.testing.assert_allclose(spec.z[0], ((row - row.mean()) / row.std()).to_numpy())


# --- mask -------------------------------------------------------------------------

SQUARE = RNG.normal(size=(4, 4)).round(3)


@pytest.mark.parametrize("how, hidden", [
    ("upper", np.triu(np.ones((4, 4), bool), 1)),
    ("lower", np.tril(np.ones((4, 4), bool), -1)),
    ("upper_diagonal", np.triu(np.ones((4, 4), bool))),
    ("lower_diagonal", np.tril(np.ones((4, 4), bool))),
])
def test_triangle_masks_cell_by_cell(figure_of, how, hidden):
    figure = figure_of(f"title: t\nz: {rows_yaml(SQUARE)}\ntext: {[[f'{i}{j}' for j in range(4)] for i in range(4)]}\n"
                       f"customdata: {{n: {[[i * 4 + j for j in range(4)] for i in range(4)]}}}\nmask: {how}\n")
    trace = figure["data"][0]
    for i in range(4):
        for j in range(4):
            if hidden[i, j]:
                assert trace["z"][i][j] is None and trace["text"][i][j] == "" and trace["customdata"][i][j] == [""]
            else:
                assert trace["z"][i][j] == SQUARE[i, j] and trace["text"][i][j] == f"{i}{j}"
    assert trace["hoverongaps"] is False  # a masked cell has no hover


def test_a_mask_matrix_follows_its_cells_through_the_order(spec_of):
    mask = [[False] * 5 for _ in range(6)]
    mask[0][0] = True  # r0, V
    spec = spec_of(matrix_spec(f"mask: {mask}\norder: {{rows: [r5, r4, r3, r2, r1, r0]}}".replace("False", "false")
                               .replace("True", "true")))
    assert np.isnan(spec.z[5, 0]) and np.isnan(spec.z).sum() == 1 and spec.text[5][0] == ""


# --- zmid with zmin and zmax ---------------------------------------------------------

@pytest.mark.parametrize("scale, reverse", [("RdBu", False), ("RdBu", True), ("Viridis", False),
                                            ("[[0, '#000000'], [0.3, '#ff0000'], [1, '#ffffff']]", False)])
def test_zmid_between_zmin_and_zmax_gets_the_middle_colour(figure_of, scale, reverse):
    trace = figure_of(f"title: t\nz: [[0, 10]]\nzmin: -2\nzmax: 10\nzmid: 1\ncolorscale: {scale}\n"
                      f"reversescale: {str(reverse).lower()}\n")["data"][0]
    original = resolve_scale(__import__("yaml").safe_load(scale))
    if reverse:
        original = [[1 - s, c] for s, c in reversed(original)]
    drawn = trace["colorscale"]
    assert "zmid" not in trace and "reversescale" not in trace

    def at(value: float) -> tuple:  # where plotly.js looks a value up: zmin..zmax onto 0..1
        return tuple(round(c, 6) for c in colour_at(drawn, (value + 2) / 12))

    for value, t in ((-2, 0), (1, 0.5), (10, 1), (-0.5, 0.25), (5.5, 0.75)):
        assert at(value) == tuple(round(c, 6) for c in colour_at(original, t)), value


# --- errors, at their line -------------------------------------------------------------

@pytest.mark.parametrize("extra, message", [
    ("order: {rows: clustre}", "s.yaml:6:15: order.rows: 'clustre' is not one of"),
    ("order: {rows: [r0, r9, r1, r2, r3, r4, r5]}", "s.yaml:6:20: order.rows[1]: 'r9' is not a row label"),
    ("order: {rows: [r0, r1]}", "s.yaml:6:15: order.rows: lists 2 of the 6 rows; missing: 'r2'"),
    ("order: {rows: cluster, method: ward, metric: cosine}",
     "s.yaml:6:46: order.metric: method ward needs metric euclidean"),
    ("order: {rows: label, method: ward}", "s.yaml:6:22: order.method: applies to clustering"),
    ("mask: [[true]]", "s.yaml:6:7: mask: has 1 x 1 cells; z has 6 x 5"),
    ("zmin: 0\nzmax: 1\nzmid: 2", "s.yaml:8:7: zmid: must lie between zmin (0) and zmax (1)"),
    ("facet: year", "s.yaml:6:8: facet: splits a long table by one of its columns; z is not a long table"),
    ("facet_wrap: 2", "s.yaml:6:1: facet_wrap: applies to facet panels"),
])
def test_errors_name_the_line(errors_of, extra, message):
    errors = errors_of(matrix_spec(extra))
    assert any(message in e for e in errors), errors


def test_clustering_a_gap_is_an_error_naming_it(errors_of):
    errors = errors_of("title: t\nz: [[1, 2], [3, null], [5, 6]]\ny: [a, b, c]\nx: [p, q]\n"
                       "order: {rows: cluster}\n")
    assert len(errors) == 1
    assert errors[0].endswith("s.yaml:5:15: order.rows: clustering needs a value in every cell; the row 'b' "
                              "has a gap at 'q' (1 gaps in all). Fill them, or order by value, label or a list")


def test_long_table_split_errors(errors_of):
    errors = errors_of(f"title: t\n{LONG_Z}\nfacet: yaer\n")
    assert any("facet: no column 'yaer' in long.csv (did you mean 'year'?)" in e for e in errors), errors
    errors = errors_of(f"title: t\n{LONG_Z}\nfacet: year\nanimation: year\n")
    assert any("animation: use facet or animation, not both" in e for e in errors), errors
    errors = errors_of(f"title: t\n{LONG_Z}\nfacet: year\ntext: [[a]]\n")
    assert any("facet: splits a long table by one of its columns; text is not a long table" in e for e in errors)


def test_validate_on_the_command_line(make_project, heatdoc_cli):
    root = make_project({"specs/s.yaml": "title: t\nz: [[1, 2]]\norder: {rows: clusterr}\n"})
    done = heatdoc_cli("validate", root / "specs" / "s.yaml")
    assert done.returncode == 1 and "order.rows: 'clusterr' is not one of" in done.stderr
    assert "did you mean 'cluster'" in done.stderr and "Traceback" not in done.stderr


def test_the_examples_are_valid():
    from conftest import ROOT

    specs = sorted((ROOT / "specs" / "analysis").glob("*.yaml"))
    assert len(specs) >= 6
    for path in specs:
        go.Figure(compile_figure(heatdoc.load_spec(path)))


def test_a_layer_split_into_other_panels_is_an_error(make_project):
    short = LONG[LONG.year != "2003"].to_csv(index=False)
    root = make_project({"specs/s.yaml": f"title: t\n{LONG_Z}\nfacet: year\n"
                                         "text: {file: ../data/short.csv, x: product, y: region, value: units}\n",
                         "data/long.csv": LONG.to_csv(index=False), "data/short.csv": short})
    with pytest.raises(HeatdocError) as info:
        heatdoc.load_spec(root / "specs" / "s.yaml")
    assert [e.message for e in info.value.errors] == \
        ["splits into 2001, 2002 by 'year'; z into 2001, 2002, 2003"]
