"""The JSON Schema of a spec and of heatdoc.yaml: the one source of every key,
its type, default, description and an example.

The validator, `heatdoc schema`, the published ``heatdoc.schema.json`` and the
spec reference page are all generated from the dicts below.
"""
from __future__ import annotations

from typing import Any

DIALECT = "https://json-schema.org/draft/2020-12/schema"
AGGREGATES = ["sum", "mean", "median", "min", "max", "count", "first"]
CORRELATIONS = ["pearson", "spearman", "kendall"]


def _matrix(what: str) -> dict[str, Any]:
    return {
        "description": f"{what} Inline rows, a data file, an SQL query or generated data.",
        "anyOf": [
            {"$ref": "#/$defs/rows"},
            {"$ref": "#/$defs/file_source"},
            {"$ref": "#/$defs/sql_source"},
            {"$ref": "#/$defs/random_source"},
        ],
    }


_LONG_TABLE = {
    "x": {"type": "string", "description": "Long table: the column whose values become the x labels."},
    "y": {"type": "string", "description": "Long table: the column whose values become the y labels."},
    "value": {"type": "string", "description": "Long table: the column that fills the cells."},
    "agg": {"enum": AGGREGATES, "default": "mean",
            "description": "Long table: how values that share an (x, y) cell are combined "
                           "(`text` and `customdata` default to `first`: the text as written)."},
    "labels": {"type": "boolean", "default": True,
               "description": "Wide table: the header row gives the x labels and the first column "
                              "the y labels. `false` reads a bare grid."},
}

ORDERS = ["data", "label", "value", "value desc", "cluster"]
METHODS = ["average", "complete", "single", "ward"]
# scipy.spatial.distance.pdist metrics that need no extra argument
METRICS = ["euclidean", "sqeuclidean", "cityblock", "chebyshev", "cosine", "correlation",
           "canberra", "braycurtis"]
NORMALIZE = ["rows", "columns", "rows_fraction", "columns_fraction", "rows_minmax", "columns_minmax"]
MASKS = ["upper", "lower", "upper_diagonal", "lower_diagonal"]

_AXIS_ORDER = {
    "anyOf": [{"enum": ORDERS}, {"$ref": "#/$defs/labels"}],
    "default": "data",
}

_ORDER = {
    "description": "A number: the sort key inside the gallery section (then title). A mapping: the "
                   "order of the matrix's rows and columns (`data`, `label`, `value`, `value desc`, "
                   "`cluster` or a list of labels), with `method`/`metric` for `cluster`, "
                   "`dendrogram` and `gallery` (the section sort key).",
    "anyOf": [
        {"type": "number"},
        {"type": "object", "additionalProperties": False,
         "properties": {
             "rows": {**_AXIS_ORDER, "description": "Row order: `data` as read, `label` sorted as "
                      "text, `value` by row mean (`value desc` highest first), `cluster` "
                      "(hierarchical clustering, SciPy), or the row labels in the order wanted."},
             "columns": {**_AXIS_ORDER, "description": "Column order, as `rows` (by column mean for "
                         "`value`)."},
             "method": {"enum": METHODS, "default": "average",
                        "description": "Clustering linkage (scipy.cluster.hierarchy.linkage)."},
             "metric": {"enum": METRICS, "default": "euclidean",
                        "description": "Clustering distance (scipy.spatial.distance.pdist); "
                                       "`ward` needs `euclidean`."},
             "dendrogram": {"type": "boolean", "default": False,
                            "description": "Draw the clustering tree beside each clustered axis "
                                           "(columns above, rows at the right)."},
             "gallery": {"type": "number", "description": "Sort key inside the gallery section."},
         }},
    ],
    "examples": [{"rows": "cluster", "columns": "cluster", "method": "average",
                  "metric": "euclidean", "dendrogram": True}, 10],
}

_DEFS: dict[str, Any] = {
    "rows": {
        "description": "Inline rows of cells; `null` is a missing cell.",
        "type": "array",
        "minItems": 1,
        "items": {"type": "array", "minItems": 1,
                  "items": {"type": ["number", "string", "boolean", "null"]}},
        "examples": [[[1, 2], [3, 4]]],
    },
    "file_source": {
        "description": "A table read from a file, relative to the spec: .csv, .tsv, .json, "
                       ".parquet or .xlsx; a long table also from .jsonl, or from every file a glob "
                       "pattern matches (`data/events-*.parquet`).",
        "type": "object",
        "required": ["file"],
        "additionalProperties": False,
        "properties": {
            "file": {"type": "string", "minLength": 1,
                     "description": "Path of the data file, or (long tables) a glob pattern: `*`, `?` "
                                    "and `[...]` match within one folder; every match stays inside "
                                    "the project."},
            **_LONG_TABLE,
            "corr": {"enum": CORRELATIONS,
                     "description": "Use the correlation matrix of the table's numeric columns."},
            "sheet": {"type": ["string", "integer"], "description": "Excel: the sheet to read "
                      "(name or 0-based index; default the first)."},
        },
        "examples": [{"file": "../data/scores.csv"},
                     {"file": "../data/sales.csv", "x": "month", "y": "region", "value": "units",
                      "agg": "sum"}],
    },
    "sql_source": {
        "description": "A query on an SQLite or DuckDB database file opened read-only, or on the "
                       "database server whose SQLAlchemy URL is in an environment variable (`url`).",
        "type": "object",
        "required": ["sql"],
        "additionalProperties": False,
        "properties": {
            "sql": {"type": "string", "minLength": 1, "description": "The SELECT query."},
            "database": {"type": "string", "minLength": 1,
                         "description": "Path of the SQLite or DuckDB file, relative to the spec."},
            "url": {"type": "string", "pattern": r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$",
                    "description": "`${NAME}`: the environment variable that holds the database's "
                                   "SQLAlchemy URL (credentials stay out of the spec). The query runs "
                                   "in a read-only transaction where the database has one."},
            **_LONG_TABLE,
        },
        "examples": [{"sql": "SELECT * FROM scores", "database": "../data/scores.sqlite"},
                     {"sql": "SELECT hour, endpoint, avg(ms) AS ms FROM requests GROUP BY 1, 2",
                      "url": "${WAREHOUSE_URL}", "x": "hour", "y": "endpoint", "value": "ms"}],
    },
    "random_source": {
        "description": "Generated data: `normal` is numpy.random.seed(seed); numpy.random.randn(*shape), "
                       "`uniform` is numpy.random.rand.",
        "type": "object",
        "required": ["random", "shape"],
        "additionalProperties": False,
        "properties": {
            "random": {"enum": ["normal", "uniform"]},
            "shape": {"type": "array", "items": {"type": "integer", "minimum": 1},
                      "minItems": 2, "maxItems": 2, "description": "[rows, columns]"},
            "seed": {"type": "integer", "minimum": 0, "maximum": 4294967295, "default": 0},
        },
        "examples": [{"random": "normal", "shape": [20, 20], "seed": 1}],
    },
    # Labels and tags are text, and the loader reads them so: `x: [1977, 007, true]` gives the
    # labels "1977", "007" and "true". An editor's YAML parser reads numbers and booleans, so
    # the published schema accepts them here (and validate words a type error as "text").
    "labels": {
        "type": "array",
        "items": {"type": ["string", "number", "boolean", "null"]},
        "minItems": 1,
    },
    "tags": {
        "type": "array",
        "items": {"type": ["string", "number", "boolean"], "minLength": 1},
        "uniqueItems": True,
    },
    "colorscale": {
        "description": "A Plotly scale name (`Viridis`, `Greys`, `RdBu_r`: `_r` reverses), a list "
                       "of [stop, colour] pairs, or a list of colours spaced evenly.",
        "anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "minItems": 2,
             "items": {"type": "array", "prefixItems": [{"type": "number", "minimum": 0, "maximum": 1},
                                                         {"type": "string"}],
                       "minItems": 2, "maxItems": 2}},
            {"type": "array", "minItems": 2, "items": {"type": "string"}},
        ],
        "examples": ["Viridis", [[0, "white"], [1, "rgb(255,77,148)"]], ["#fff", "#08306b"]],
    },
    "plotly_object": {"type": "object"},
}

SPEC_SCHEMA: dict[str, Any] = {
    "$schema": DIALECT,
    "$id": "https://heatdoc.dev/heatdoc.schema.json",
    "title": "heatdoc spec",
    "description": "One annotated heatmap: its data, labels, cell text, hover and colours.",
    "type": "object",
    "required": ["title", "z"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1,
                  "description": "Gallery card, page heading and <title>.", "examples": ["Periodic Table"]},
        "description": {"type": "string", "description": "Markdown shown above the chart.",
                        "examples": ["Element symbols as cell text; name and mass on hover."]},
        "tags": {"$ref": "#/$defs/tags", "description": "The gallery can be filtered by tag.",
                 "examples": [["chemistry"]]},
        "order": _ORDER,
        "z": _matrix("The colour matrix."),
        "text": _matrix("Cell text, shown as written; the same shape as `z`."),
        "customdata": {
            "type": "object",
            "description": "Named hover layers, each the shape of `z`, for "
                           "`%{customdata.NAME}` in `hovertemplate` and `texttemplate`.",
            "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
            "additionalProperties": _matrix("A hover layer."),
            "examples": [{"mass": {"file": "../data/mass.csv", "labels": False}}],
        },
        "hovertemplate": {"type": "string", "description": "Plotly hovertemplate; "
                          "`%{customdata.NAME}` names a layer.",
                          "examples": ["%{customdata.element}<br>Mass: %{customdata.mass:.2f}<extra></extra>"]},
        "texttemplate": {"type": "string", "description": "Plotly texttemplate for the cell text "
                         "(`%{z}`, `%{text}`, `%{x}`, `%{y}`, `%{customdata.NAME}`); wins over "
                         "`text_auto` and `text`.", "examples": ["%{z:.1f}"]},
        "text_auto": {"type": ["boolean", "string"], "default": False,
                      "description": "`true` shows each cell's value; a d3-format string formats it.",
                      "examples": [True, ".2f"]},
        "textfont": {"type": "object", "additionalProperties": False,
                     "description": "Cell text font. Without a colour, text contrasts with its cell.",
                     "properties": {"size": {"type": "number", "exclusiveMinimum": 0},
                                    "color": {"type": "string"}, "family": {"type": "string"}},
                     "examples": [{"size": 12}]},
        "x": {"$ref": "#/$defs/labels", "description": "Column labels (default: from the z file, "
              "else 0, 1, 2, ...). With a long table they select and order the columns.",
              "examples": [["Team A", "Team B"]]},
        "y": {"$ref": "#/$defs/labels", "description": "Row labels, top row first with "
              "`origin: upper`, bottom row first with `origin: lower`.", "examples": [["Mon", "Tue"]]},
        "origin": {"enum": ["upper", "lower"], "default": "upper",
                   "description": "`upper`: row 0 at the top (px.imshow). `lower`: row 0 at the bottom "
                                  "(the old figure factory)."},
        "aspect": {"enum": ["equal", "auto"], "default": "equal",
                   "description": "`equal` keeps cells square; `auto` fills the space."},
        "xgap": {"type": "number", "minimum": 0, "description": "Gap between columns, in pixels."},
        "ygap": {"type": "number", "minimum": 0, "description": "Gap between rows, in pixels."},
        "width": {"type": "integer", "minimum": 10, "description": "Figure width in pixels."},
        "height": {"type": "integer", "minimum": 10, "description": "Figure height in pixels."},
        "xaxis": {"$ref": "#/$defs/plotly_object", "description": "Plotly x-axis properties.",
                  "examples": [{"side": "top"}]},
        "yaxis": {"$ref": "#/$defs/plotly_object", "description": "Plotly y-axis properties.",
                  "examples": [{"visible": False}]},
        "colorscale": {"$ref": "#/$defs/colorscale", "default": "Plasma"},
        "reversescale": {"type": "boolean", "default": False, "description": "Reverse the scale."},
        "zmin": {"type": "number", "description": "Value at the bottom of the scale."},
        "zmax": {"type": "number", "description": "Value at the top of the scale."},
        "zmid": {"type": "number", "description": "Value at the middle of the scale. With `zmin` "
                 "and `zmax` too, heatdoc moves the scale's colour stops so that `zmid` gets the "
                 "middle colour (Plotly alone would ignore `zmid`)."},
        "normalize": {"enum": NORMALIZE,
                      "description": "Colour by a normalised value: `rows`/`columns` a z-score "
                                     "(seaborn's z_score), `rows_fraction`/`columns_fraction` the "
                                     "share of the row or column total, `rows_minmax`/`columns_minmax` "
                                     "0 to 1 (seaborn's standard_scale). Hover shows the value as read.",
                      "examples": ["rows"]},
        "mask": {"description": "Cells drawn as gaps (no fill, text or hover): `upper`/`lower` the "
                                "triangle above/below the diagonal (`upper_diagonal`/`lower_diagonal` "
                                "the diagonal too), or a matrix of true/false the shape of z.",
                 "anyOf": [{"enum": MASKS},
                           {"type": "array", "minItems": 1,
                            "items": {"type": "array", "minItems": 1, "items": {"type": "boolean"}}}],
                 "examples": ["upper", [[False, True], [False, False]]]},
        "facet": {"type": "string", "minLength": 1,
                  "description": "A column of z's long table: one panel per value, in label order, "
                                 "titled `column=value`, sharing one colour scale.",
                  "examples": ["year"]},
        "facet_wrap": {"type": "integer", "minimum": 1,
                       "description": "Panels per row (default: all in one row).", "examples": [3]},
        "facet_scale": {"enum": ["shared", "independent"], "default": "shared",
                        "description": "`shared`: one zmin/zmax over all panels; `independent`: each "
                                       "panel coloured by its own range, without a colour bar."},
        "animation": {"type": "string", "minLength": 1,
                      "description": "A column of z's long table: one frame per value, in label order, "
                                     "with a slider and a play button, sharing one colour scale.",
                      "examples": ["year"]},
        "showscale": {"type": "boolean", "default": True, "description": "Show the colour bar."},
        "colorbar": {"$ref": "#/$defs/plotly_object", "description": "Plotly colorbar properties.",
                     "examples": [{"title": {"text": "°C"}}]},
        "layout": {"$ref": "#/$defs/plotly_object", "description": "Plotly layout properties.",
                   "examples": [{"title": {"text": "Periodic Table"}}]},
        "trace": {"$ref": "#/$defs/plotly_object", "description": "Plotly heatmap trace properties.",
                  "examples": [{"hoverongaps": False}]},
    },
    "$defs": _DEFS,
}

SITE_SCHEMA: dict[str, Any] = {
    "$schema": DIALECT,
    "title": "heatdoc.yaml",
    "description": "Site settings; every key has a default.",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "default": "Heatmap gallery", "description": "Site title."},
        "description": {"type": "string", "default": "", "description": "Markdown on the index page."},
        "base_url": {"type": "string", "default": "",
                     "description": "Absolute URL of the published site, for the sitemap."},
        "specs": {"type": "string", "default": "specs", "description": "Folder of spec files."},
        "output": {"type": "string", "default": "site", "description": "Folder the site is written to."},
        "templates": {"type": "string", "default": "templates",
                      "description": "Folder of template overrides."},
        "plotlyjs": {"enum": ["bundled", "cdn"], "default": "bundled",
                     "description": "`bundled`: one local copy in assets/ (offline); `cdn`: a pinned URL."},
        "sections": {"type": "object", "additionalProperties": {"type": "string"},
                     "description": "Section folder -> title, in gallery order."},
        "max_cells": {"type": "integer", "minimum": 1, "default": 5_000_000,
                      "description": "Largest matrix (rows x columns) a spec may draw."},
        "long_tables": {"enum": ["auto", "duckdb", "pandas"], "default": "auto",
                        "description": "Which engine aggregates a long table read from a file: `auto` "
                                       "sends a file of about 20,000 rows or more (Parquet from 128 KB, "
                                       "CSV, TSV or JSON from 256 KB) to DuckDB (GROUP BY inside "
                                       "DuckDB, only the cells come back) and reads a smaller one with "
                                       "heatdoc's own reader and pandas; `duckdb` or `pandas` force one. A glob pattern "
                                       "or a .jsonl file is always read by DuckDB."},
        "duckdb_memory_limit": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
                                "default": "1GB",
                                "description": "DuckDB's memory_limit: beyond it an aggregation spills to "
                                               "a folder in `.heatdoc-cache/` instead of failing."},
        "downloads": {"enum": ["browser", "files"], "default": "browser",
                      "description": "A chart's CSV and JSON downloads. `browser`: made by the page's "
                                     "script when asked (no files in the site); `files`: written into "
                                     "the site beside each chart page as NAME.csv and NAME.json, the same "
                                     "bytes, and linked so they work without JavaScript."},
    },
}


# A short example for every key, for the spec reference page; kept here, beside the
# keys, for the keys whose entry above has none.
for _schema, _examples in (
    (SPEC_SCHEMA, {
        "z": {"file": "../../data/scores.csv"}, "text": [["Win", "Lose"], ["Lose", "Win"]],
        "origin": "lower", "aspect": "auto", "xgap": 1, "ygap": 1, "width": 600, "height": 400,
        "reversescale": True, "zmin": 0, "zmax": 1, "zmid": 0, "showscale": False,
    }),
    (SITE_SCHEMA, {
        "title": "Team metrics", "description": "Every chart of the *metrics* team.",
        "base_url": "https://example.org/gallery/", "specs": "charts", "output": "public",
        "templates": "theme", "plotlyjs": "cdn", "sections": {"basics": "Basics", "chemistry": "Chemistry"},
        "max_cells": 1_000_000, "long_tables": "duckdb", "duckdb_memory_limit": "512MB", "downloads": "files",
    }),
):
    for _key, _example in _examples.items():
        _schema["properties"][_key].setdefault("examples", [_example])

def spec_keys() -> list[str]:
    return list(SPEC_SCHEMA["properties"])


def defaults(schema: dict[str, Any] = SITE_SCHEMA) -> dict[str, Any]:
    return {k: v["default"] for k, v in schema["properties"].items() if "default" in v}
