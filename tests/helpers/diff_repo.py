"""A git repository made with git, whose commits change charts in every way `heatdoc diff`
reports: tagged step by step (s0 ... s7), so a test diffs one step against the last."""
from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})
    assert done.returncode == 0, done.stderr
    return done.stdout


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def commit(repo: Path, tag: str, files: dict[str, str] | None = None) -> None:
    write(repo, files or {})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", tag)
    git(repo, "tag", tag)


def grid(x: str, y: str, z: str, extra: str = "") -> str:
    return f"title: Grid\nx: {x}\ny: {y}\nz: {z}\n{extra}"


def make_repo(repo: Path) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "s0", {
        "heatdoc.yaml": "title: Diff test\n",
        "data/shared.csv": ",A,B\nr1,1,2\nr2,3,4\n",
        "specs/csv-a.yaml": "title: CSV A\nz: {file: ../data/shared.csv}\n",
        "specs/csv-b.yaml": "title: CSV B\nz: {file: ../data/shared.csv}\ncolorscale: Blues\n",
        "specs/colours.yaml": "title: Colours\nz: [[1, 2], [3, 4]]\ncolorscale: Viridis\n",
        "specs/grid.yaml": grid("[A, B, C]", "[r1, r2]", "[[1, 2, 3], [4, 5, 6]]",
                                "text: [[a, b, c], [d, e, f]]\ncustomdata:\n  note: [[n, n, n], [n, n, n]]\n"),
    })
    # s1: edit cells: two values, one becomes a gap, a cell text and a hover layer value
    commit(repo, "s1", {"specs/grid.yaml": grid(
        "[A, B, C]", "[r1, r2]", "[[1, 5, 3], [4, null, 6.5]]",
        "text: [[a, B!, c], [d, e, f]]\ncustomdata:\n  note: [[n, n, n], [n, n, m]]\n")})
    # s2: rename a label (B -> Bee)
    commit(repo, "s2", {"specs/grid.yaml": grid(
        "[A, Bee, C]", "[r1, r2]", "[[1, 5, 3], [4, null, 6.5]]",
        "text: [[a, B!, c], [d, e, f]]\ncustomdata:\n  note: [[n, n, n], [n, n, m]]\n")})
    # s3: reorder a column (C first): every value stays with its labels
    commit(repo, "s3", {"specs/grid.yaml": grid(
        "[C, A, Bee]", "[r1, r2]", "[[3, 1, 5], [6.5, 4, null]]",
        "text: [[c, a, B!], [f, d, e]]\ncustomdata:\n  note: [[n, n, n], [m, n, n]]\n")})
    # s4: grow the matrix: a row r3 and a column D
    commit(repo, "s4", {"specs/grid.yaml": grid(
        "[C, A, Bee, D]", "[r1, r2, r3]", "[[3, 1, 5, 0], [6.5, 4, null, 0], [7, 8, 9, 10]]",
        "text: [[c, a, B!, x], [f, d, e, x], [g, h, i, x]]\n"
        "customdata:\n  note: [[n, n, n, n], [m, n, n, n], [n, n, n, n]]\n")})
    # s5: only the data file changes: both charts that read it change
    commit(repo, "s5", {"data/shared.csv": ",A,B\nr1,1,2\nr2,3,40\n"})
    # s6: only the colour scale changes
    commit(repo, "s6", {"specs/colours.yaml": "title: Colours\nz: [[1, 2], [3, 4]]\ncolorscale: RdBu\n"})
    # s7: add, remove and move specs
    (repo / "specs/colours.yaml").unlink()
    git(repo, "mv", "specs/csv-b.yaml", "specs/renamed.yaml")
    commit(repo, "s7", {"specs/new.yaml": "title: New\nz: [[1]]\n"})
    return repo
