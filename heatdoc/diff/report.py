"""A diff as text (a terminal), Markdown (a pull-request comment) or JSON (CI scripts).

The JSON shape is documented field by field in docs/diff.md and only grows: a script
written against version 1 keeps working.
"""
from __future__ import annotations

import html
from typing import Any, Callable

from heatdoc.diff.compare import Pair
from heatdoc.diff.revisions import Sides, Side
from heatdoc.errors import visible
from heatdoc.jsonout import dumps

JSON_VERSION = 1
MARKDOWN_LIMIT = 65_000  # GitHub refuses a comment of more than 65,536 characters
STATUSES = ("changed", "moved", "added", "removed", "unchanged")


def as_json(sides: Sides, pairs: list[Pair], tolerance: float | None) -> dict[str, Any]:
    counts = {status: sum(1 for p in pairs if p.status == status) for status in STATUSES}
    return {
        "version": JSON_VERSION,
        "base": _side(sides.base),
        "head": _side(sides.head),
        "tolerance": tolerance,
        "summary": counts,
        "charts": [_chart(p) for p in pairs],
    }


def _side(side: Side) -> dict[str, Any]:
    return {"name": side.name, "kind": side.kind, "commit": side.commit}


def _chart(pair: Pair) -> dict[str, Any]:
    return {
        "path": pair.path,
        "base_path": pair.base.rel if pair.base else None,
        "head_path": pair.head.rel if pair.head else None,
        "status": pair.status,
        "title": {"base": pair.base.spec.title if pair.base else None,
                  "head": pair.head.spec.title if pair.head else None},
        **pair.changes,
    }


def render_json(data: dict[str, Any]) -> str:
    return dumps(data, indent=True) + "\n"


# --- text ----------------------------------------------------------------------------------


def summary_line(data: dict[str, Any]) -> str:
    counts = data["summary"]
    parts = [f"{counts[s]} {s}" for s in STATUSES if counts[s] or s == "changed"]
    return f"{_side_name(data['base'])} -> {_side_name(data['head'])}: {', '.join(parts)}"


def _side_name(side: dict[str, Any]) -> str:
    if side["kind"] == "revision":
        return f"{side['name']} ({side['commit'][:10]})"
    return side["name"]


def render_text(data: dict[str, Any]) -> str:
    lines = [summary_line(data)]
    for chart in data["charts"]:
        if chart["status"] == "unchanged":
            continue
        lines.append("")
        lines.append(visible(f"{chart['status']} {_moved(chart)}: {_title(chart)}"))
        lines.extend("  " + line for line in chart_lines(chart, visible))
    return "\n".join(lines) + "\n"


def _moved(chart: dict[str, Any], arrow: str = "->") -> str:
    if chart["status"] == "moved":
        return f"{chart['base_path']} {arrow} {chart['head_path']}"
    return chart["path"]


def _title(chart: dict[str, Any]) -> str:
    t = chart["title"]
    if t["base"] and t["head"] and t["base"] != t["head"]:
        return f"{t['base']!r} -> {t['head']!r}"
    return repr(t["head"] or t["base"])


def chart_lines(chart: dict[str, Any], code: Callable[[str], str]) -> list[str]:
    """What changed in one chart, a line each; ``code`` marks up a label or key."""
    shape = chart["shape"]
    if chart["status"] in ("added", "removed"):
        return [f"shape: {_shape(shape['base'] or shape['head'])}"]
    lines = []
    if chart["spec_keys"]:
        lines.append("spec keys changed: " + ", ".join(code(k) for k in chart["spec_keys"]))
    changed_files = [f["path"] for f in chart["data_files"] if f["changed"]]
    if changed_files:
        lines.append("data files changed: " + ", ".join(code(f) for f in changed_files))
    if shape["base"] != shape["head"]:
        lines.append(f"shape: {_shape(shape['base'])} -> {_shape(shape['head'])}")
    for axis in ("y", "x"):
        labels = chart["labels"][axis]
        said = []
        if labels["added"]:
            said.append("added " + _labels(labels["added"], code))
        if labels["removed"]:
            said.append("removed " + _labels(labels["removed"], code))
        if labels["reordered"]:
            said.append("reordered")
        if said:
            lines.append(f"{axis} labels: " + "; ".join(said))
    cells = chart["cells"]
    if cells["changed"]:
        big = cells["largest"]
        lines.append(f"cells changed: {cells['changed']} of {cells['compared']} compared; largest change "
                     f"{_signed(big['change'])} at (y={code(big['y'])}, x={code(big['x'])})")
    if cells["became_gaps"] or cells["stopped_gaps"]:
        lines.append(f"gaps: {_count(cells['became_gaps'], 'new gap')}, "
                     f"{_count(cells['stopped_gaps'], 'gap')} filled")
    for name, layer in [("cell text", chart["text"]),
                        *((f"hover layer {code(n)}", v) for n, v in chart["layers"].items())]:
        if layer["status"] == "changed":
            lines.append(f"{name}: {_count(layer['changed'], 'cell')} changed: " + ", ".join(
                f"(y={code(c['y'])}, x={code(c['x'])}) {code(c['base'])} -> {code(c['head'])}" for c in layer["top"]))
        elif layer["status"] in ("added", "removed"):
            lines.append(f"{name}: {layer['status']}")
    zr = chart["zrange"]
    if zr["base"] != zr["head"]:
        lines.append(f"colour range (zmin..zmax as drawn): {_range(zr['base'])} -> {_range(zr['head'])}")
    if cells["top"]:
        lines.append(f"top {_count(len(cells['top']), 'changed cell')}:")
        lines.extend(f"  (y={code(c['y'])}, x={code(c['x'])}): {_num(c['base'])} -> {_num(c['head'])} "
                     f"({_signed(c['change'])})" for c in cells["top"])
    if not lines:
        lines.append("the spec moved; nothing in the chart changed")
    return lines


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _shape(shape: list[int] | None) -> str:
    return "none" if shape is None else f"{shape[0]}×{shape[1]}"


def _labels(labels: list[str], code: Callable[[str], str], shown: int = 10) -> str:
    more = f" and {len(labels) - shown} more" if len(labels) > shown else ""
    return ", ".join(code(label) for label in labels[:shown]) + more


def _num(v: Any) -> str:
    if v is None:
        return "gap"
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _signed(v: Any) -> str:
    text = _num(v)
    return text if text.startswith("-") else "+" + text


def _range(r: list | None) -> str:
    return "none" if r is None else f"{_num(r[0])}..{_num(r[1])}"


# --- Markdown ------------------------------------------------------------------------------


def render_markdown(data: dict[str, Any], limit: int = MARKDOWN_LIMIT) -> str:
    """A pull-request comment: the summary table, then each chart in a collapsed
    <details>; never longer than ``limit`` characters, saying what was left out."""
    shown = [c for c in data["charts"] if c["status"] != "unchanged"]
    head = [f"### heatdoc diff: {_md(_side_name(data['base']))} → {_md(_side_name(data['head']))}", "",
            ", ".join(f"{n} {s}" for s, n in data["summary"].items() if n or s == "changed"), ""]
    if not shown:
        return "\n".join(head + ["No chart changed."]) + "\n"
    rows = ["| chart | status | shape | cells changed | largest change |", "|---|---|---|---|---|"]
    rows += [_row(c) for c in shown]
    details = [_details(c) for c in shown]

    def note(rows_out: int, details_out: int) -> str:
        if not rows_out and not details_out:
            return ""
        said = []
        if rows_out:
            said.append(f"{_count(rows_out, 'row')} of the table")
        if details_out:
            said.append(f"the details of {_count(details_out, 'chart')}")
        return (f"\n*Left out to keep this comment under {limit:,} characters: {' and '.join(said)}. "
                "Run `heatdoc diff` for the whole report.*\n")

    reserve = len(note(len(shown), len(shown))) + 8
    out = "\n".join(head) + "\n"
    budget = limit - reserve
    kept_rows = 0
    for row in rows:
        if len(out) + len(row) + 1 > budget:
            break
        out += row + "\n"
        kept_rows += 1
    kept_rows = max(0, kept_rows - 2)
    kept_details = 0
    if kept_rows == len(shown):
        for block in details:
            if len(out) + len(block) + 1 > budget:
                break
            out += "\n" + block
            kept_details += 1
    out += note(len(shown) - kept_rows, len(shown) - kept_details)
    return out


def _row(chart: dict[str, Any]) -> str:
    shape, cells = chart["shape"], chart.get("cells")
    sizes = _shape(shape["base"]) if shape["base"] == shape["head"] else f"{_shape(shape['base'])} → {_shape(shape['head'])}"
    changed = str(cells["changed"]) if cells else ""
    big = cells["largest"] if cells else None
    largest = f"{_signed(big['change'])} at ({_md(big['y'])}, {_md(big['x'])})" if big else ""
    return f"| {_md(_moved(chart, '→'))} | {chart['status']} | {sizes} | {changed} | {largest} |"


def _details(chart: dict[str, Any]) -> str:
    lines = chart_lines(chart, lambda text: f"<code>{_md(text)}</code>")
    # labels and keys are escaped inside <code>; the words around them are heatdoc's own
    body = "\n".join(f"- {line}" if not line.startswith("  ") else f"  - {line.strip()}" for line in lines)
    return (f"<details><summary>{chart['status']} <code>{_md(_moved(chart, '→'))}</code>: "
            f"{_md(_title(chart))}</summary>\n\n{body}\n\n</details>\n")


def _md(text: Any) -> str:
    """Text from a spec, safe in a Markdown table cell or HTML: no tag, no cell break."""
    return html.escape(visible(text), quote=False).replace("|", "&#124;") \
        .replace("`", "&#96;").replace("*", "&#42;").replace("_", "&#95;").replace("[", "&#91;")
