"""Helpers for the site tests: a small real project, and reading the HTML it builds."""
from __future__ import annotations

import errno
import os
import textwrap
from html.parser import HTMLParser
from pathlib import Path

# A small project with everything a site has: two named sections in a chosen order, a
# spec at the top of specs/, a data file, ordering by `order`, and a spec full of markup.
HOSTILE_TITLE = "Hostile <script>alert('title')</script> {{ 7*7 }}"
FILES = {
    "heatdoc.yaml": """\
        title: Test <gallery>
        description: |
          A *test* gallery. <b>raw</b>
        base_url: https://example.org/charts/
        sections:
          beta: Beta title
          alpha: Alpha
          missing: Not there
        """,
    "specs/alpha/one.yaml": """\
        title: One
        description: |
          First paragraph of **one**, with `code` and a [link](https://example.org/).

          Second paragraph.
        tags: [shared, one-only]
        order: 2
        z: [[1, 2], [3, null]]
        text_auto: true
        """,
    "specs/alpha/two.yaml": """\
        title: Two
        tags: [shared]
        order: 1
        x: [a, b, c]
        y: [r1, r2]
        z: [[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]]
        colorscale: Viridis
        origin: lower
        """,
    "specs/alpha/three.yaml": """\
        title: Three (no order)
        z: [[1]]
        """,
    "specs/beta/from-csv.yaml": """\
        title: From a CSV file
        description: Scores read from a file.
        tags: [csv]
        z: {file: ../../data/scores.csv}
        text_auto: ".1f"
        """,
    "specs/beta/hostile.yaml": f"""\
        title: "{HOSTILE_TITLE}"
        description: |
          <img src=x onerror=alert('description')> and [click](javascript:alert('link'))
          and <script>alert('inline')</script>
        tags: ["<svg onload=alert('tag')>", "a&b"]
        x: ["</script><script>alert('label')</script>", "<!--", "&amp;"]
        y: ["onerror=alert(1)"]
        z: [[1, 2, 3]]
        text: [["<b>bold</b>", "</script>", "\\u2028"]]
        hovertemplate: "%{{text}} <img src=x onerror=alert('hover')><extra></extra>"
        """,
    "specs/alpha/deeper/four.yaml": """\
        title: Four, one folder deeper
        z: [[1, 2]]
        """,
    "specs/beta/big.yaml": """\
        title: Big
        z: {random: normal, shape: [60, 70], seed: 3}
        """,
    "specs/top-level.yaml": """\
        title: At the top
        z: {random: uniform, shape: [3, 4], seed: 2}
        """,
    "data/scores.csv": "team,Mon,Tue\nRed,7,5\nBlue,3,8\n",
}


def write_project(root: Path, files: dict[str, str] | None = None) -> Path:
    for name, content in (files if files is not None else FILES).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


class Page(HTMLParser):
    """The tags of one HTML page: ``tags`` is [(name, attrs dict)], ``text`` all text, and
    ``script_text`` the text of each <script>, by its id."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_parts: list[str] = []
        self.scripts: dict[str, str] = {}
        self._script_id: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # noqa: D102
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script_id = dict(attrs).get("id") or f"script-{len(self.scripts)}"
            self.scripts[self._script_id] = ""

    def handle_endtag(self, tag):  # noqa: D102
        if tag == "script":
            self._script_id = None

    def handle_data(self, data):  # noqa: D102
        if self._script_id is not None:
            self.scripts[self._script_id] += data
        else:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.tags if attrs.get("id")}


def read_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under ``folder``: its bytes, mtime (ns) and inode."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            out[path.relative_to(folder).as_posix()] = (path.read_bytes(), st.st_mtime_ns, st.st_ino)
    return out


def leftovers(parent: Path) -> list[str]:
    """Staging folders a build left behind (the build cache is not one)."""
    return sorted(name for name in os.listdir(parent) if ".heatdoc-" in name and name != ".heatdoc-cache")


def tree_state(folder: Path) -> dict[str, tuple]:
    """Everything under ``folder`` (itself included): each entry's kind, its bytes or link
    target, and its mtime; a folder's mtime changes when anything is created in it,
    even if it is removed again. Two equal states mean nothing was touched."""
    out = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        st = os.lstat(path)
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = ("link", os.readlink(path), st.st_mtime_ns)
        elif path.is_dir():
            out[rel] = ("folder", None, st.st_mtime_ns)
        elif path.is_file():
            out[rel] = ("file", path.read_bytes(), st.st_mtime_ns)
        else:
            out[rel] = ("other", None, st.st_mtime_ns)
    return out


class HalfWritten:
    """A file of the writer whose first write stops half-way with ``fault`` (by default
    a full disk; Ctrl-C is another)."""

    def __init__(self, fh, fault: BaseException | None = None):
        self.fh = fh
        self.fault = fault if fault is not None else OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()

    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        raise self.fault


FIFO = "<fifo>"  # in a layout: make a named pipe here


class Link(str):
    """In a layout: a symbolic link to this target ({outside} and {root} are filled in)."""


def lay_out(root: Path, entries: dict[str, str], outside: Path) -> None:
    """Files, links (`Link`) and named pipes (`FIFO`) under ``root``, by relative name."""
    for name, what in entries.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(what, Link):
            path.symlink_to(what.format(outside=outside, root=root))
        elif what == FIFO:
            os.mkfifo(path)
        else:
            path.write_text(what)
