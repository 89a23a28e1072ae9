"""Hostile and broken specs, as data: each case is one line, the spec and the exact
errors `heatdoc validate` must print for it (``LINE:COL: key.path: message``; the
test puts the file's path in front). Exit 1, every error printed, no traceback.

Each case runs in-process (one test each, readable failures), and the whole table
runs once more through the real CLI in a subprocess, as one folder of specs.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from heatdoc.cli import main

B = "title: T\nz: [[1, 2], [3, 4]]\n"  # a valid start to add one mistake to
# "billion laughs": 9 aliases of 9 aliases ... 400 bytes that unfold into 9^9 values
BOMB = "".join(f"{a}: &{a} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
               for p, a in zip([None, *"abcdefgh"], "abcdefghi"))
BIG = b"title: T\nz: [[1]]\n" + b"# padding\n" * (11 * 2**20 // 10)  # 11 MiB, over the 10 MiB cap

FORMS = "use a CSS colour name, #rgb, #rrggbb(aa), rgb(R, G, B) with 0-255 or %, or hsl(H, S%, L%)"
JS = "is beyond ±2^53 and would lose digits in JavaScript"
INF = "is infinite; JavaScript cannot draw it (use null for a gap)"
MATRIX = ("expected a matrix: inline rows ([[1, 2], [3, 4]]), {file: PATH}, {sql: QUERY, database: PATH} "
          "or {random: normal, shape: [ROWS, COLS]}")
CELL = "a cell is one number, text or null, not a list: a matrix has two levels, a list of rows of cells"
DEEP = "nested more than 64 levels deep"
TOP = "a spec is a mapping of keys (title: ..., z: ...) at the top level"
ALMOST_BLACK = "rgb() channels run 0-255, not 0-1, so this is almost black; write rgb(128, 51, 26)"
NOT_D3 = "is not a d3 number format (e.g. .2f, ,d, .1%)"

BAD = [
    # --- YAML ---------------------------------------------------------------
    ("python-tag", B + "x: !!python/object/apply:os.system [echo hacked]\n", "3:4: x: YAML tags such as !!python/object/apply:os.system are not allowed in a spec"),
    ("python-tag-top", "!!python/object/apply:os.system [echo hacked]\n", "1:1: YAML tags such as !!python/object/apply:os.system are not allowed in a spec"),
    ("python-tag-key", B + "? !!python/name:os.system\n: x\n", "3:3: YAML tags such as !!python/name:os.system are not allowed in a spec"),
    ("local-tag", B + "x: !foo [a]\n", "3:4: x: YAML tags such as !foo are not allowed in a spec"),
    ("alias-bomb", B + BOMB, "8:8: aliases (*name) expand this file by more than 100,000 values; write the values out"),
    ("alias-cycle", B + "layout: &a {xaxis: *a}\n", "3:20: the alias *a refers to no anchor (&a) completed before it"),
    ("alias-undefined", B + "x: *nowhere\n", "3:4: the alias *nowhere refers to no anchor (&nowhere) completed before it"),
    ("duplicate-key", B + "title: Again\n", "3:1: title: duplicate key 'title' (first defined at line 1)"),
    ("duplicate-nested-key", B + "textfont: {size: 10, size: 12}\n", "3:22: textfont.size: duplicate key 'size' (first defined at line 3)"),
    ("number-key", B + "1: one\n", '3:1: the key 1 is not text; quote it ("1") if it is meant as text'),
    ("bool-key", B + "true: yes\n", '3:1: the key true is not text; quote it ("true") if it is meant as text'),
    ("null-key", B + "~: nothing\n", '3:1: the key ~ is not text; quote it ("~") if it is meant as text'),
    ("list-key", B + "? [a, b]\n: c\n", "3:3: keys must be text, not a list or a mapping"),
    ("two-documents", B + "---\ntitle: Second\n", "3:1: a spec file holds one YAML document; remove the '---' separator and what follows"),
    ("tab-indent", "title: T\n\tz: [[1]]\n", "2:1: YAML syntax error: a tab cannot indent YAML; indent with spaces"),
    ("int-5000-digits", "title: T\nz: [[" + "9" * 5000 + "]]\n", f"2:6: z[0][0]: the integer 99999999999999999999... (5,000 characters) {JS}"),
    ("int-2-53-plus-1", "title: T\nz: [[1, 9007199254740993]]\n", f"2:9: z[0][1]: the integer 9007199254740993 {JS}"),
    ("int-negative", "title: T\nz: [[-9007199254740993]]\n", f"2:6: z[0][0]: the integer -9007199254740993 {JS}"),
    ("int-hex", "title: T\nz: [[0x20000000000001]]\n", f"2:6: z[0][0]: the integer 0x20000000000001 {JS}"),
    ("float-overflow", "title: T\nz: [[1e400]]\n", "2:6: z[0][0]: 1e400 is too large for a number (beyond ±1.8e308)"),
    ("inf", "title: T\nz: [[.inf, 1]]\n", f"2:6: z[0][0]: .inf {INF}"),
    ("minus-inf", "title: T\nz: [[1, -.Inf]]\n", f"2:9: z[0][1]: -.Inf {INF}"),
    ("inf-in-layout", B + "layout: {width: .inf}\n", f"3:17: layout.width: .inf {INF}"),
    ("deep-flow", "title: T\nz: " + "[" * 100_000 + "]" * 100_000 + "\n", f"2:1003: {DEEP}"),
    ("deep-block", "title: T\nz: [[1]]\nlayout:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(1000)) + " " * 1001 + "1\n", f"67:65: {DEEP}"),
    ("deep-by-aliases", "title: T\nz: [[1]]\na: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n", f"4:34: {DEEP}"),
    ("invalid-utf8", b"title: caf\xe9\nz: [[1]]\n", "1:11: the file is not UTF-8 text (byte 0xe9)"),
    ("utf16", "title: T\nz: [[1]]\n".encode("utf-16"), "1:1: the file is not UTF-8 text (byte 0xff)"),
    ("nul", "title: T\nz: [[1]]\ndescription: a\x00b\n", "3:15: the file contains the character U+0000, which YAML does not allow"),
    ("escape-sequence", "title: T\x1b[31m\nz: [[1]]\n", "1:9: the file contains the character U+001B, which YAML does not allow"),
    ("merge-key", "base: &b {title: T}\n<<: *b\nz: [[1]]\n", "2:1: merge keys (<<) are not part of YAML 1.2; write the keys out"),
    ("merge-key-nested", B + "layout:\n  <<: {width: 300}\n", "4:3: layout: merge keys (<<) are not part of YAML 1.2; write the keys out"),
    ("over-size-cap", BIG, "1:1: the file is larger than 10 MiB; put large matrices in a data file ({file: ...})"),
    ("empty-file", "", "1:1: the file is empty"),
    ("only-comments", "# nothing here\n", "1:1: the file is empty"),
    ("top-list", "- title: T\n- z: [[1]]\n", f"1:1: {TOP}"),
    ("top-scalar", "just text\n", f"1:1: {TOP}"),
    ("top-null", "null\n", f"1:1: {TOP}"),
    ("unclosed-double-quote", 'title: "T\nz: [[1]]\n', "1:8: YAML syntax error: the quote opened here is not closed (found unexpected end of stream at line 3, column 1)"),
    ("unclosed-single-quote", "title: T\nz: [[1]]\ndescription: 'abc\n", "3:14: YAML syntax error: the quote opened here is not closed (found unexpected end of stream at line 4, column 1)"),
    ("unclosed-bracket", "title: T\nz: [[1, 2]\nx: [a, b]\n", "2:4: YAML syntax error: the '[' opened here is not closed (did not find expected ',' or ']' at line 3, column 1)"),
    ("unclosed-brace", "title: T\nz: [[1]]\nlayout: {width: 300\n", "3:9: YAML syntax error: the '{' opened here is not closed (did not find expected ',' or '}' at line 4, column 1)"),
    ("bad-indent", "title: T\n  z: [[1]]\n", "2:4: YAML syntax error: mapping values are not allowed in this context"),
    ("unusual-line-breaks", 'title: "a\u2028b\x85c\rd"\nz: [[1]]\norigin: middle\n', "3:9: origin: 'middle' is not one of upper, lower"),
    ("yes-is-text", B + "showscale: yes\n", "3:12: showscale: expected true or false, got the text 'yes'"),
    ("on-is-text", B + "reversescale: on\n", "3:15: reversescale: expected true or false, got the text 'on'"),
    # --- values ---------------------------------------------------------------
    ("ragged-rows", "title: T\nz: [[1, 2, 3], [4, 5]]\n", "2:16: z[1]: row 1 has 2 cells; row 0 has 3 cells"),
    ("text-shape", B + "text: [[a, b]]\n", "3:7: text: has 1 x 2 cells; z has 2 x 2"),
    ("customdata-shape", B + "customdata:\n  mass: [[1], [2]]\n", "4:9: customdata.mass: has 2 x 1 cells; z has 2 x 2"),
    ("x-label-count", B + "x: [a, b, c]\n", "3:4: x: 3 labels for 2 columns of z"),
    ("y-label-count", B + "y: [only]\n", "3:4: y: 1 labels for 2 rows of z"),
    ("duplicate-x-labels", B + "x: [a, a]\n", "3:8: x[1]: duplicate label 'a' (also at position 0); Plotly would draw both in one place"),
    ("empty-labels", B + "x: [~, null]\n", "3:8: x[1]: duplicate label '' (also at position 0); Plotly would draw both in one place"),
    ("duplicate-y-labels", B + "y: ['1', 1]\n", "3:10: y[1]: duplicate label '1' (also at position 0); Plotly would draw both in one place"),
    ("non-numeric-z", "title: T\nz: [[1, abc]]\n", "2:9: z[0][1]: a z cell must be a number or null, not 'abc'"),
    ("quoted-number-z", 'title: T\nz: [[1, "2"]]\n', "2:9: z[0][1]: a z cell must be a number or null, not '2'"),
    ("boolean-z", "title: T\nz: [[1, true]]\n", "2:9: z[0][1]: a z cell must be a number or null, not true"),
    ("z-3d", "title: T\nz: [[[1, 2]], [[3, 4]]]\n", f"2:6: z[0][0]: {CELL}", f"2:16: z[1][0]: {CELL}"),
    ("z-1d", "title: T\nz: [1, 2, 3]\n", "2:4: z: a matrix is a list of rows: write [[1, 2, 3]] for a single row"),
    ("z-empty", "title: T\nz: []\n", "2:4: z: must not be empty"),
    ("z-empty-row", "title: T\nz: [[]]\n", "2:5: z[0]: must not be empty"),
    ("z-mapping-cell", "title: T\nz: [[1, {a: 1}]]\n", "2:9: z[0][1]: " + CELL.replace("a list:", "a mapping:")),
    ("z-number", "title: T\nz: 5\n", f"2:4: z: {MATRIX}; got the number 5"),
    ("z-empty-mapping", "title: T\nz: {}\n", f"2:4: z: {MATRIX}; got a mapping"),
    ("missing-title", "z: [[1]]\n", "1:1: missing required key 'title'"),
    ("missing-z", "title: T\n", "1:1: missing required key 'z'"),
    ("empty-title", "title: ''\nz: [[1]]\n", "1:8: title: must not be empty"),
    ("title-list", "title: [a]\nz: [[1]]\n", "1:8: title: expected text, got a list"),
    ("unknown-key", B + "colorscal: Viridis\n", "3:1: colorscal: unknown key 'colorscal' (did you mean 'colorscale'?)"),
    ("unknown-nested-key", B + "textfont: {colour: red}\n", "3:12: textfont.colour: unknown key 'colour' (did you mean 'color'?)"),
    ("unknown-source-key", "title: T\nz: {fiel: data.csv}\n", "2:5: z.fiel: unknown key 'fiel' (did you mean 'file'?)"),
    ("unknown-random-key", "title: T\nz: {random: normal, shape: [2, 2], sed: 3}\n", "2:36: z.sed: unknown key 'sed' (did you mean 'seed'?)"),
    ("random-kind", "title: T\nz: {random: gauss, shape: [2, 2]}\n", "2:13: z.random: 'gauss' is not one of normal, uniform"),
    ("random-shape", "title: T\nz: {random: normal, shape: [2]}\n", "2:28: z.shape: needs at least 2 items, has 1"),
    ("sql-without-database", "title: T\nz: {sql: SELECT 1}\n", "2:4: z: missing required key 'database'"),
    ("layer-name", B + "customdata:\n  bad-name: [[1, 2], [3, 4]]\n", "4:3: customdata.bad-name: 'bad-name' is not a valid layer name: use letters, digits and _, not starting with a digit"),
    ("duplicate-tags", B + "tags: [a, b, a]\n", "3:14: tags[2]: 'a' is already in the list"),
    ("origin", B + "origin: middle\n", "3:9: origin: 'middle' is not one of upper, lower"),
    ("width", B + "width: 5\n", "3:8: width: must be at least 10, got 5"),
    ("textfont-size", B + "textfont: {size: 0}\n", "3:18: textfont.size: must be more than 0, got 0"),
    ("scale-unknown", B + "colorscale: Viridiss\n", "3:13: colorscale: unknown colour scale 'Viridiss' (did you mean 'viridis' or 'cividis'?)"),
    ("scale-far", B + "colorscale: Zzzzzz\n", "3:13: colorscale: unknown colour scale 'Zzzzzz'; see `heatdoc schema` for the list"),
    ("scale-number", B + "colorscale: 5\n", "3:13: colorscale: expected a Plotly scale name (`Viridis`, `Greys`, `RdBu_r`: `_r` reverses), a list of [stop, colour] pairs, or a list of colours spaced evenly; got the number 5"),
    ("scale-stop-range", B + "colorscale: [[0, red], [1.5, blue]]\n", "3:25: colorscale[1][0]: must be at most 1, got 1.5"),
    ("scale-stop-order", B + "colorscale: [[0.1, red], [0.6, blue], [0.5, red]]\n", "3:15: colorscale[0][0]: the first stop must be 0, not 0.1", "3:40: colorscale[2][0]: stop 0.5 comes after 0.6; stops must not decrease", "3:40: colorscale[2][0]: the last stop must be 1, not 0.5"),
    ("scale-colour-number", B + "colorscale: [[0, red], [1, 3]]\n", "3:28: colorscale[1][1]: expected text, got the number 3"),
    ("scale-one-colour", B + "colorscale: [red]\n", "3:13: colorscale: needs at least 2 items, has 1"),
    ("colour-rgb-fractions", B + "colorscale: [[0, 'rgb(0.5,0.2,0.1)'], [1, red]]\n", f"3:18: colorscale[0][1]: 'rgb(0.5,0.2,0.1)': {ALMOST_BLACK}"),
    ("colour-hsv", B + "colorscale: ['hsv(0, 100%, 50%)', red]\n", f"3:14: colorscale[0]: 'hsv(0, 100%, 50%)': hsv() colours are not read alike by plotly.js and plotly.py; {FORMS}"),
    ("colour-garbage", B + "colorscale: [garbage, '#12345']\n", f"3:14: colorscale[0]: 'garbage' is not a colour; {FORMS}", f"3:23: colorscale[1]: '#12345' is not a colour; {FORMS}"),
    ("colour-typo", B + "colorscale: [redd, blue]\n", f"3:14: colorscale[0]: 'redd' is not a colour (did you mean 'red'?); {FORMS}"),
    ("colour-out-of-range", B + "colorscale: ['rgb(300, 0, 0)', 'rgba(0, 0, 0, 2)']\n", "3:14: colorscale[0]: 'rgb(300, 0, 0)': rgb() channel 300 is outside 0-255 (or 0%-100%)", "3:32: colorscale[1]: 'rgba(0, 0, 0, 2)': alpha 2 is outside 0-1 (or 0%-100%)"),
    ("colour-transparent", B + "colorscale: [transparent, red]\n", "3:14: colorscale[0]: 'transparent': plotly.py does not know 'transparent'; use rgba(0,0,0,0)"),
    ("textfont-colour", B + "textfont: {color: 'rgb(0.5,0.2,0.1)'}\n", f"3:19: textfont.color: 'rgb(0.5,0.2,0.1)': {ALMOST_BLACK}"),
    ("template-no-layers", B + "hovertemplate: '%{customdata.mass}'\n", "3:16: hovertemplate: %{customdata.mass} names no layer; the layers are: none (add a customdata: mapping)"),
    ("template-missing-layer", B + "customdata:\n  mass: [[1, 2], [3, 4]]\nhovertemplate: '%{customdata.mas}'\n", "5:16: hovertemplate: %{customdata.mas} names no layer (did you mean 'mass'?); the layers are: mass"),
    ("texttemplate-missing-layer", B + "customdata:\n  a: [[1, 2], [3, 4]]\n  b: [[1, 2], [3, 4]]\ntexttemplate: '%{customdata.c}'\n", "6:15: texttemplate: %{customdata.c} names no layer; the layers are: a, b"),
    ("text-auto-printf", B + "text_auto: '%.2f'\n", f"3:12: text_auto: '%.2f' {NOT_D3}"),
    ("text-auto-type", B + "text_auto: '.2q'\n", f"3:12: text_auto: '.2q' {NOT_D3}"),
    ("template-format", B + "texttemplate: '%{z:.2q}'\n", f"3:15: texttemplate: '.2q' {NOT_D3}"),
    # --- Plotly properties (layout, trace, xaxis, yaxis, colorbar) -------------
    ("plotly-unknown", B + "layout: {titel: x}\n", "3:10: layout.titel: unknown Plotly property 'titel' of layout (did you mean 'title'?)"),
    ("plotly-magic-underscore", B + "layout: {title_text: x, title_fnt: {size: 3}}\n", "3:25: layout.title_fnt: unknown Plotly property 'fnt' of layout.title (did you mean 'font'?)"),
    ("plotly-magic-underscore-value", B + "colorbar: {title_side: top, tickfont_size: -1}\n", "3:44: colorbar.tickfont_size: expected a number of at least 1, got the number -1"),
    ("plotly-number", B + "layout: {width: -5}\n", "3:17: layout.width: expected a number of at least 10, got the number -5"),
    ("plotly-colour", B + "layout: {paper_bgcolor: 'rgb(0.5,0.2,0.1)'}\n", f"3:25: layout.paper_bgcolor: 'rgb(0.5,0.2,0.1)': {ALMOST_BLACK}"),
    ("plotly-enum", B + "xaxis: {side: middle}\n", "3:15: xaxis.side: the text 'middle' is not one of 'top', 'bottom', 'left', 'right'"),
    ("plotly-enum-typo", B + "xaxis: {side: bottm}\n", "3:15: xaxis.side: the text 'bottm' is not one of 'top', 'bottom', 'left', 'right' (did you mean 'bottom'?)"),
    ("plotly-angle", B + "xaxis: {tickangle: abc}\n", "3:20: xaxis.tickangle: expected an angle in degrees, got the text 'abc'"),
    ("plotly-bool", B + "trace: {hoverongaps: maybe}\n", "3:22: trace.hoverongaps: expected true or false, got the text 'maybe'"),
    ("plotly-trace-type", B + "trace: {type: scatter}\n", "3:9: trace.type: is always 'heatmap' here; remove it"),
    ("plotly-compound", B + "layout: {font: red}\n", "3:16: layout.font: expected a mapping of font properties, got the text 'red'"),
    ("plotly-array-item", B + "layout: {annotations: [{text: a, showarrow: perhaps}, 5]}\n", "3:45: layout.annotations[0].showarrow: expected true or false, got the text 'perhaps'", "3:55: layout.annotations[1]: expected a mapping of annotations properties, got the number 5"),
    ("plotly-nested-unknown", B + "yaxis: {title: {text: a, font: {colr: red}}}\n", "3:33: yaxis.title.font.colr: unknown Plotly property 'colr' of layout.yaxis.title.font (did you mean 'color'?)"),
    ("plotly-flaglist", B + "trace: {hoverinfo: x+q}\n", "3:20: trace.hoverinfo: expected flags joined by '+' from x, y, z, text, name, or one of all, none, skip; got the text 'x+q'"),
    ("plotly-scale-name", B + "trace: {colorscale: viridis}\n", "3:21: trace.colorscale: plotly.js reads only [stop, colour] pairs here; a scale name or a list of colours belongs in the spec's own colorscale key"),
    ("plotly-scale-colour", B + "trace: {colorscale: [[0, nope], [1, red]]}\n", f"3:26: trace.colorscale[0][1]: 'nope' is not a colour; {FORMS}"),
    ("plotly-scale-stops", B + "trace: {colorscale: [[0, red], [0.5, blue]]}\n", "3:33: trace.colorscale[1][0]: the last stop must be 1, not 0.5"),
    ("plotly-template-name", B + "layout: {template: plotly_dark}\n", "3:20: layout.template: plotly.js does not know template names (only plotly.py does); give the template's properties as a mapping"),
    ("escape-in-key", B + 'layout: {"ti\\x1btle": x}\n', "3:10: layout.ti\\x1btle: unknown Plotly property 'ti\\x1btle' of layout (did you mean 'title'?)"),
]

# Data files read by heatdoc/sources.py: (name, spec, {file: content}, *errors)
BAD_DATA = [
    ("csv-not-a-number", "title: T\nz: {file: ../data/words.csv, labels: false}\n", {"data/words.csv": "1,abc\n"}, "2:11: z.file: words.csv, line 1, column 2: 'abc' is not a number"),
    ("csv-inf", "title: T\nz: {file: ../data/inf.csv, labels: false}\n", {"data/inf.csv": "1,inf\n"}, "2:11: z.file: inf.csv, line 1, column 2: 'inf' is infinite; leave the cell empty for a gap"),
    ("csv-text-shape", "title: T\nz: [[1, 2]]\ntext: {file: ../data/wide.csv, labels: false}\n", {"data/wide.csv": "a,b,c\n"}, "3:7: text: has 1 x 3 cells; z has 1 x 2"),
    ("csv-int-beyond-2-53", "title: T\nz: {file: ../data/big.csv, labels: false}\n", {"data/big.csv": "1,9007199254740993\n"}, "2:11: z.file: big.csv, line 1, column 2: '9007199254740993' is an integer beyond ±2^53 and would lose digits in JavaScript"),
    ("random-huge-shape", "title: T\nz: {random: normal, shape: [1000000, 1000000]}\n", {}, "2:4: z: the matrix has 1,000,000 x 1,000,000 = 1,000,000,000,000 cells, more than max_cells (5,000,000)"),
    ("csv-label-duplicates", "title: T\nz: {file: ../data/labels.csv}\n", {"data/labels.csv": ",a,a\nr,1,2\n"}, "2:11: z.file: labels.csv: columns 2 and 3 are both labelled 'a'; labels must be unique"),
]

# Accepted, and read as YAML 1.2 says: (name, spec, key of the heatmap trace, value)
GOOD = [
    ("bom", b"\xef\xbb\xbftitle: T\nz: [[1]]\n", "z", [[1]]),
    ("nan-is-a-gap", "title: T\nz: [[.nan, 1], [.NaN, null]]\n", "z", [[None, 1], [None, None]]),
    ("country-codes", "title: T\nz: [[1], [2], [3]]\ny: [NO, SE, DK]\n", "y", ["NO", "SE", "DK"]),
    ("labels-as-written", "title: T\nz: [[1, 2, 3]]\nx: [2019, 007, 1e3]\n", "x", ["2019", "007", "1e3"]),
    ("yes-no-on-off-text", "title: T\nz: [[1, 2, 3, 4]]\ntext: [[yes, no, on, off]]\n", "text", [["yes", "no", "on", "off"]]),
    ("octal-is-yaml-1-2", "title: T\nz: [[010, 0o10, 0x10]]\n", "z", [[10, 8, 16]]),
    ("int-2-53", "title: T\nz: [[9007199254740992, -9007199254740992]]\n", "z", [[9007199254740992, -9007199254740992]]),
    ("long-float", "title: T\nz: [[1." + "5" * 5000 + "]]\n", "z", [[1.5555555555555556]]),
    ("one-document-markers", "---\ntitle: T\nz: [[1]]\n...\n", "z", [[1]]),
    ("crlf", "title: T\r\nz: [[1, 2]]\r\n", "z", [[1, 2]]),
    ("aliases-in-bounds", "title: T\nz: [&row [1, 2], *row]\n", "z", [[1, 2], [1, 2]]),
    ("magic-underscore-expanded", "title: T\nz: [[1]]\ntrace: {colorbar_title_text: units}\n", "colorbar", {"title": {"text": "units"}}),
]


def _lines(path: str, errors: tuple[str, ...]) -> list[str]:
    return [f"{path}:{e}" for e in errors]


def _write(root: Path, name: str, spec: str | bytes) -> str:
    path = root / "specs" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(spec if isinstance(spec, bytes) else spec.encode("utf-8"))
    return f"specs/{name}.yaml"


def _validate(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err.splitlines()


def _summary(n: int) -> str:
    return f"heatdoc: {n} error{'s' if n != 1 else ''}"


@pytest.fixture
def project(make_project, monkeypatch) -> Path:
    root = make_project({})
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("name, spec, errors", [(c[0], c[1], c[2:]) for c in BAD], ids=[c[0] for c in BAD])
def test_bad_spec(project, capsys, name, spec, errors):
    path = _write(project, name, spec)
    code, lines = _validate(capsys, path)
    assert lines == _lines(path, errors) + [_summary(len(errors))]
    assert code == 1


@pytest.mark.parametrize("name, spec, files, errors", [(c[0], c[1], c[2], c[3:]) for c in BAD_DATA],
                         ids=[c[0] for c in BAD_DATA])
def test_bad_data_file(project, capsys, name, spec, files, errors):
    for rel, content in files.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(content)
    path = _write(project, name, spec)
    code, lines = _validate(capsys, path)
    assert lines == _lines(path, errors) + [_summary(len(errors))]
    assert code == 1


def test_every_bad_spec_through_the_cli(project, heatdoc_cli):
    """The whole table at once, as a user runs it: one folder, one process."""
    expected = []
    for name, spec, *errors in sorted(BAD, key=lambda c: f"specs/{c[0]}.yaml"):
        expected += _lines(_write(project, name, spec), tuple(errors))
    result = heatdoc_cli("validate", "specs", cwd=project)
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == expected + [_summary(len(expected))]
    assert result.returncode == 1


@pytest.mark.parametrize("name, spec, key, value", GOOD, ids=[c[0] for c in GOOD])
def test_accepted(project, capsys, name, spec, key, value):
    path = _write(project, name, spec)
    assert main(["figure", path]) == 0
    trace = json.loads(capsys.readouterr().out)["data"][0]
    assert trace[key] == value


def test_a_valid_spec_beside_bad_ones_is_not_blamed(project, capsys):
    good = _write(project, "good", B)
    bad = _write(project, "bad", B + "origin: middle\n")
    code, lines = _validate(capsys, good, bad)
    assert lines == [f"{bad}:3:9: origin: 'middle' is not one of upper, lower", _summary(1)]
    assert code == 1
