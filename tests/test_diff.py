"""`heatdoc diff` as a user runs it, on a real git repository made with git (helpers/diff_repo.py):
each commit changes the charts one way, and each step's report is checked in every
format; then the working tree, folders, errors, exit codes, the Markdown cap, the diff
site in Chromium, and Ctrl-C leaving nothing behind."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_heatdoc
from helpers.diff_repo import commit, git, make_repo, write

MARKDOWN_LIMIT = 65_000


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return make_repo(tmp_path_factory.mktemp("diff") / "repo")


def diff(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_heatdoc("diff", *args, cwd=repo, env=env)


def diff_json(repo: Path, *args: str) -> dict:
    done = diff(repo, "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def by_path(report: dict) -> dict[str, dict]:
    return {chart["path"]: chart for chart in report["charts"]}


NO_LABEL_CHANGE = {"added": [], "removed": [], "reordered": False}

# step -> (the report's text without its first line, then checks of its JSON)
STEPS = {
    "s1": """
changed specs/grid.yaml: 'Grid'
  spec keys changed: z, text, customdata.note
  cells changed: 2 of 6 compared; largest change +3 at (y=r1, x=B)
  gaps: 1 new gap, 0 gaps filled
  cell text: 1 cell changed: (y=r1, x=B) b -> B!
  hover layer note: 1 cell changed: (y=r2, x=C) n -> m
  colour range (zmin..zmax as drawn): 1..6 -> 1..6.5
  top 2 changed cells:
    (y=r1, x=B): 2 -> 5 (+3)
    (y=r2, x=C): 6 -> 6.5 (+0.5)
""",
    "s2": """
changed specs/grid.yaml: 'Grid'
  spec keys changed: x
  x labels: added Bee; removed B
""",
    "s3": """
changed specs/grid.yaml: 'Grid'
  spec keys changed: x, z, text, customdata.note
  x labels: reordered
""",
    "s4": """
changed specs/grid.yaml: 'Grid'
  spec keys changed: x, y, z, text, customdata.note
  shape: 2×3 -> 3×4
  y labels: added r3
  x labels: added D
  colour range (zmin..zmax as drawn): 1..6.5 -> 0..10
""",
    "s5": """
changed specs/csv-a.yaml: 'CSV A'
  data files changed: data/shared.csv
  cells changed: 1 of 4 compared; largest change +36 at (y=r2, x=B)
  colour range (zmin..zmax as drawn): 1..4 -> 1..40
  top 1 changed cell:
    (y=r2, x=B): 4 -> 40 (+36)

changed specs/csv-b.yaml: 'CSV B'
  data files changed: data/shared.csv
  cells changed: 1 of 4 compared; largest change +36 at (y=r2, x=B)
  colour range (zmin..zmax as drawn): 1..4 -> 1..40
  top 1 changed cell:
    (y=r2, x=B): 4 -> 40 (+36)
""",
    "s6": """
changed specs/colours.yaml: 'Colours'
  spec keys changed: colorscale
""",
    "s7": """
removed specs/colours.yaml: 'Colours'
  shape: 2×2

added specs/new.yaml: 'New'
  shape: 1×1

moved specs/csv-b.yaml -> specs/renamed.yaml: 'CSV B'
  the spec moved; nothing in the chart changed
""",
}
SUMMARIES = {"s1": "1 changed, 3 unchanged", "s2": "1 changed, 3 unchanged", "s3": "1 changed, 3 unchanged",
             "s4": "1 changed, 3 unchanged", "s5": "2 changed, 2 unchanged", "s6": "1 changed, 3 unchanged",
             "s7": "0 changed, 1 moved, 1 added, 1 removed, 2 unchanged"}


def previous(step: str) -> str:
    return f"s{int(step[1:]) - 1}"


@pytest.mark.parametrize("step", list(STEPS))
def test_text_report_of_each_step(repo, step):
    done = diff(repo, previous(step), step)
    assert done.returncode == 0, done.stderr
    first, rest = done.stdout.split("\n", 1)
    assert re.fullmatch(rf"{previous(step)} \([0-9a-f]{{10}}\) -> {step} \([0-9a-f]{{10}}\): {SUMMARIES[step]}",
                        first), first
    assert rest == STEPS[step]


def test_json_edit_cells(repo):
    report = diff_json(repo, "s0", "s1")
    assert report["version"] == 1
    assert report["base"] == {"name": "s0", "kind": "revision", "commit": git(repo, "rev-parse", "s0").strip()}
    assert report["head"]["name"] == "s1" and report["tolerance"] is None
    assert report["summary"] == {"changed": 1, "moved": 0, "added": 0, "removed": 0, "unchanged": 3}
    grid = by_path(report)["specs/grid.yaml"]
    assert grid["status"] == "changed"
    assert grid["spec_keys"] == ["z", "text", "customdata.note"]
    assert grid["shape"] == {"base": [2, 3], "head": [2, 3]}
    assert grid["labels"] == {"x": NO_LABEL_CHANGE, "y": NO_LABEL_CHANGE}
    cells = grid["cells"]
    assert cells["compared"] == 6 and cells["changed"] == 2 and cells["added"] == 0 and cells["removed"] == 0
    assert cells["largest"] == {"y": "r1", "x": "B", "base": 2, "head": 5, "change": 3}
    assert cells["top"] == [cells["largest"], {"y": "r2", "x": "C", "base": 6, "head": 6.5, "change": 0.5}]
    assert (cells["became_gaps"], cells["stopped_gaps"]) == (1, 0)
    assert cells["gaps"] == [{"y": "r2", "x": "B", "became_gap": True}]
    assert grid["text"] == {"status": "changed", "changed": 1,
                            "top": [{"y": "r1", "x": "B", "base": "b", "head": "B!"}]}
    assert grid["layers"] == {"note": {"status": "changed", "changed": 1,
                                       "top": [{"y": "r2", "x": "C", "base": "n", "head": "m"}]}}
    assert grid["zrange"] == {"base": [1, 6], "head": [1, 6.5]}
    assert by_path(report)["specs/csv-a.yaml"]["status"] == "unchanged"


def test_json_rename_a_label(repo):
    grid = by_path(diff_json(repo, "s1", "s2"))["specs/grid.yaml"]
    assert grid["labels"]["x"] == {"added": ["Bee"], "removed": ["B"], "reordered": False}
    # the renamed column's cells are on one side only; the others compare equal
    assert (grid["cells"]["compared"], grid["cells"]["changed"]) == (4, 0)
    assert (grid["cells"]["added"], grid["cells"]["removed"]) == (2, 2)


def test_json_reorder_a_column_is_a_reorder_not_a_change(repo):
    grid = by_path(diff_json(repo, "s2", "s3"))["specs/grid.yaml"]
    assert grid["labels"]["x"] == {"added": [], "removed": [], "reordered": True}
    assert grid["labels"]["y"] == NO_LABEL_CHANGE
    cells = grid["cells"]
    assert (cells["compared"], cells["changed"], cells["became_gaps"], cells["stopped_gaps"]) == (6, 0, 0, 0)
    assert grid["text"]["changed"] == 0 and grid["layers"]["note"]["changed"] == 0


def test_json_grow_the_matrix(repo):
    grid = by_path(diff_json(repo, "s3", "s4"))["specs/grid.yaml"]
    assert grid["shape"] == {"base": [2, 3], "head": [3, 4]}
    assert grid["labels"]["y"]["added"] == ["r3"] and grid["labels"]["x"]["added"] == ["D"]
    assert (grid["cells"]["compared"], grid["cells"]["added"], grid["cells"]["changed"]) == (6, 6, 0)
    assert grid["zrange"] == {"base": [1, 6.5], "head": [0, 10]}


def test_json_a_data_file_change_shows_on_every_chart_reading_it(repo):
    charts = by_path(diff_json(repo, "s4", "s5"))
    for name in ("specs/csv-a.yaml", "specs/csv-b.yaml"):
        chart = charts[name]
        assert chart["status"] == "changed" and chart["spec_keys"] == []
        assert chart["data_files"] == [{"path": "data/shared.csv", "changed": True}]
        assert chart["cells"]["largest"] == {"y": "r2", "x": "B", "base": 4, "head": 40, "change": 36}
    assert charts["specs/grid.yaml"]["status"] == "unchanged"


def test_json_only_the_colour_scale(repo):
    chart = by_path(diff_json(repo, "s5", "s6"))["specs/colours.yaml"]
    assert chart["status"] == "changed" and chart["spec_keys"] == ["colorscale"]
    assert chart["cells"]["changed"] == 0 and chart["zrange"]["base"] == chart["zrange"]["head"]


def test_json_add_remove_and_move(repo):
    report = diff_json(repo, "s6", "s7")
    charts = by_path(report)
    assert charts["specs/new.yaml"]["status"] == "added"
    assert charts["specs/new.yaml"]["shape"] == {"base": None, "head": [1, 1]}
    assert charts["specs/new.yaml"]["cells"] is None
    assert charts["specs/colours.yaml"]["status"] == "removed"
    assert charts["specs/colours.yaml"]["head_path"] is None
    moved = charts["specs/renamed.yaml"]
    assert (moved["status"], moved["base_path"], moved["head_path"]) == ("moved", "specs/csv-b.yaml",
                                                                         "specs/renamed.yaml")
    assert "specs/csv-b.yaml" not in charts  # a move is one entry, not a removal and an addition
    # every chart has the same fields, whatever its status
    keys = {frozenset(chart) for chart in report["charts"]}
    assert len(keys) == 1


@pytest.mark.parametrize("step", list(STEPS))
def test_markdown_report_of_each_step(repo, step):
    done = diff(repo, previous(step), step, "--format", "markdown")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith(f"### heatdoc diff: {previous(step)} (")
    assert f"\n\n{SUMMARIES[step]}\n\n| chart | status | shape | cells changed | largest change |\n|---|---|---|---|---|\n" in out
    blocks = re.findall(r"<details><summary>(\w+) <code>([^<]*)</code>: [^<]*</summary>\n\n(.*?)\n\n</details>",
                        out, re.S)
    text = [block for block in STEPS[step].strip().split("\n\n")]
    assert len(blocks) == len(text)
    for (status, path, body), expected in zip(blocks, text):
        head, *lines = expected.splitlines()
        assert head.startswith(f"{status} {path.replace(' → ', ' -> ')}:")
        plain = [re.sub(r"</?code>", "", line) for line in body.splitlines()]
        assert plain == [("  - " if line.startswith("    ") else "- ") + line.strip() for line in lines]
    assert "Left out" not in out


def test_markdown_table_rows(repo):
    out = diff(repo, "s0", "s1", "--format", "markdown").stdout
    assert "| specs/grid.yaml | changed | 2×3 | 2 | +3 at (r1, B) |" in out
    out = diff(repo, "s6", "s7", "--format", "markdown").stdout
    assert "| specs/csv-b.yaml → specs/renamed.yaml | moved | 2×2 | 0 |  |" in out
    assert "| specs/new.yaml | added | none → 1×1 |  |  |" in out


def test_markdown_stays_under_65000_characters_and_says_what_it_left_out(tmp_path):
    repo = tmp_path / "big"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    labels = [f"{'label-' * 30}{i}" for i in range(12)]  # long labels: long lines
    rows = "\n".join("  - [" + ", ".join(str(i * 12 + j) for j in range(12)) + "]" for i in range(12))
    specs = {f"specs/chart-{n:02}.yaml": f"title: Chart {n}\nx: {labels}\ny: {labels}\nz:\n{rows}\n"
             for n in range(40)}
    commit(repo, "before", {"heatdoc.yaml": "title: Big\n", **specs})
    changed_rows = "\n".join("  - [" + ", ".join(str(i * 12 + j + 1) for j in range(12)) + "]" for i in range(12))
    commit(repo, "after", {name: text.replace(rows, changed_rows) + "colorscale: Blues\n"
                           for name, text in specs.items()})
    done = diff(repo, "before", "after", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert len(out) <= MARKDOWN_LIMIT
    assert out.count("| changed |") == 40  # the whole table
    kept = out.count("<details>")
    assert 0 < kept < 40
    assert f"the details of {40 - kept} charts" in out
    full = diff(repo, "before", "after").stdout
    assert len(full) > MARKDOWN_LIMIT


def test_working_tree_is_the_default_head_and_is_never_touched(tmp_path):
    repo = tmp_path / "wt"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "v1", {"heatdoc.yaml": "title: T\n", "specs/a.yaml": "title: A\nz: [[1, 2]]\n",
                        "specs/b.yaml": "title: B\nz: [[3]]\n"})
    write(repo, {"specs/a.yaml": "title: A\nz: [[1, 3]]\n"})  # an edit, not staged
    (repo / "specs/b.yaml").rename(repo / "specs/c.yaml")  # a move git does not know of (untracked)
    git(repo, "add", "specs/a.yaml")  # something in the index too
    before = (git(repo, "status", "--porcelain"), git(repo, "stash", "list"), git(repo, "branch", "-a"),
              git(repo, "worktree", "list"))
    report = diff_json(repo)
    assert (report["base"]["name"], report["head"]["kind"]) == ("HEAD", "working tree")
    charts = by_path(report)
    assert charts["specs/a.yaml"]["cells"]["largest"] == {"y": "0", "x": "1", "base": 2, "head": 3, "change": 1}
    assert charts["specs/c.yaml"]["status"] == "moved"  # the same spec text at a new path
    after = (git(repo, "status", "--porcelain"), git(repo, "stash", "list"), git(repo, "branch", "-a"),
             git(repo, "worktree", "list"))
    assert after == before


def test_an_invalid_spec_is_named_by_its_revision(tmp_path):
    repo = tmp_path / "bad"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "bad", {"heatdoc.yaml": "title: T\n", "specs/a.yaml": "title: A\nz: [[1, 2], [3]]\n",
                         "specs/b.yaml": "title: B\nz: {file: ../data/none.csv}\n"})
    write(repo, {"specs/a.yaml": "title: A\nz: [[1, 2], [3, 4]]\ncolourscale: x\n",
                 "specs/b.yaml": "title: B\nz: [[1]]\n"})
    done = diff(repo)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[:3] == [
        "HEAD:specs/a.yaml:2:13: z[1]: row 1 has 1 cell; row 0 has 2 cells",
        "HEAD:specs/b.yaml:2:11: z.file: no such file: '../data/none.csv' (looked for HEAD:data/none.csv)",
        "specs/a.yaml:3:1: colourscale: unknown key 'colourscale' (did you mean 'colorscale'?)",
    ], done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr


def test_usage_errors_exit_2(repo, tmp_path, make_project):
    done = diff(repo, "no-such-revision", "s1")
    assert done.returncode == 2 and "unknown revision 'no-such-revision'" in done.stderr
    project = make_project({"specs/a.yaml": "title: A\nz: [[1]]\n"})
    done = diff(project)
    assert done.returncode == 2 and "is not in a git repository" in done.stderr
    (tmp_path / "empty").mkdir()
    done = diff(repo, str(project), str(tmp_path / "empty"))
    assert done.returncode == 2 and "give two project folders" in done.stderr
    done = diff(repo, str(project), str(tmp_path / "empty"), "--")
    assert done.returncode == 2 and "empty is not a heatdoc project" in done.stderr
    done = diff(repo, "s0", "s1", "--site", str(repo))
    assert done.returncode == 2 and "refusing to write the site" in done.stderr
    done = diff(repo, "s0", "s1", "s2", "s3", "--")
    assert done.returncode == 2 and "at most two revisions before --" in done.stderr
    done = diff(repo, "s0", "s1", "specs/nothing-here.yaml")
    assert done.returncode == 2 and "specs/nothing-here.yaml: no spec at this path in s0 or s1" in done.stderr
    # a spec that exists only on the base side is still a path to compare
    assert by_path(diff_json(repo, "s6", "s7", "--", "specs/colours.yaml"))["specs/colours.yaml"]["status"] == "removed"


def test_two_folders(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    write(old, {"heatdoc.yaml": "title: T\n", "specs/a.yaml": "title: A\nx: [p, q]\nz: [[1.5, 2]]\n"})
    write(new, {"heatdoc.yaml": "title: T\n", "specs/a.yaml": "title: A\nx: [q, p]\nz: [[2, 1.5000000000001]]\n"})
    report = diff_json(tmp_path, "old", "new")
    assert (report["base"]["kind"], report["head"]["kind"]) == ("folder", "folder")
    chart = by_path(report)["specs/a.yaml"]
    # reordered, and 1.5 -> 1.5000000000001 is within the default 1e-9 relative tolerance
    assert chart["labels"]["x"]["reordered"] and chart["cells"]["changed"] == 0
    chart = by_path(diff_json(tmp_path, "old", "new", "--tolerance", "0"))["specs/a.yaml"]
    assert chart["cells"]["changed"] == 1


def test_exit_code_paths_tolerance_and_top(repo):
    assert diff(repo, "s0", "s0", "--exit-code").returncode == 0
    assert diff(repo, "s0", "s1", "--exit-code").returncode == 1
    assert diff(repo, "s6", "s7", "--exit-code").returncode == 1
    assert diff(repo, "s0", "s1").returncode == 0
    report = diff_json(repo, "s4", "s5", "specs/csv-a.yaml")
    assert [c["path"] for c in report["charts"]] == ["specs/csv-a.yaml"]
    report = diff_json(repo, "s4", "s5", "--", "specs/csv-b.yaml")
    assert [c["path"] for c in report["charts"]] == ["specs/csv-b.yaml"]
    # 2 -> 5 is beyond 10 % of 5, 6 -> 6.5 is not
    grid = by_path(diff_json(repo, "s0", "s1", "--tolerance", "0.1"))["specs/grid.yaml"]
    assert grid["cells"]["changed"] == 1 and grid["cells"]["largest"]["x"] == "B"
    grid = by_path(diff_json(repo, "s0", "s1", "--top", "1"))["specs/grid.yaml"]
    assert len(grid["cells"]["top"]) == 1 and grid["cells"]["changed"] == 2


def test_the_pre_commit_hook_checks_only_spec_files(repo, tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "heatdoc-validate")
    assert hook["language"] == "python" and hook["entry"].startswith("heatdoc validate")
    project = tmp_path / "hooked"
    write(project, {"heatdoc.yaml": "title: T\n", ".pre-commit-config.yaml": "repos: []\n",
                    ".gitlab-ci.yml": "stages: [test]\n", "specs/a.yaml": "title: A\nz: [[1]]\n"})
    staged = [name for name in ("heatdoc.yaml", ".pre-commit-config.yaml", ".gitlab-ci.yml", "specs/a.yaml")
              if re.search(hook["files"], name)]
    entry = hook["entry"].split()[1:]
    done = run_heatdoc(*entry, *staged, cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 spec valid"
    write(project, {"specs/a.yaml": "title: A\nz: [[1], [2, 3]]\n"})
    done = run_heatdoc(*entry, *staged, cwd=project)
    assert done.returncode == 1 and done.stderr.startswith("specs/a.yaml:2:")
    done = run_heatdoc(*entry, "heatdoc.yaml", cwd=project)  # no spec staged: nothing to check
    assert done.returncode == 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_diff_leaves_no_temporary_folder_or_worktree(tmp_path, signum):
    repo = tmp_path / "slow"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    # a big data file: reading it on both sides takes long enough to interrupt the diff
    rows = "\n".join(f"r{i}," + ",".join(str((i * j) % 97) for j in range(600)) for i in range(600))
    header = "," + ",".join(f"c{j}" for j in range(600))
    specs = {f"specs/s{n}.yaml": f"title: S{n}\nz: {{file: ../data/big{n}.csv}}\n" for n in range(4)}
    data = {f"data/big{n}.csv": header + "\n" + rows + "\n" for n in range(4)}
    commit(repo, "v1", {"heatdoc.yaml": "title: T\n", **specs, **data})
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "heatdoc", "diff", "v1", "v1"], cwd=repo,
                               env={**os.environ, "TMPDIR": str(tmp)}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(tmp.glob("heatdoc-diff-*/head/specs")) and process.poll() is None:
        assert time.monotonic() < deadline, "the diff never made its temporary folder"
        time.sleep(0.005)
    assert process.poll() is None, "the diff ended before it could be interrupted"
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.strip().endswith("heatdoc: interrupted") and "Traceback" not in err
    assert list(tmp.iterdir()) == []
    assert git(repo, "worktree", "list").count("\n") == 1
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.browser
def test_the_diff_site_in_chromium(repo, tmp_path, browser):
    from helpers.browser import Tab, axe_script, axe_violations, file_prefix

    site = tmp_path / "diff-site"
    done = diff(repo, "s0", "s4", "--site", str(site))
    assert done.returncode == 0, done.stderr
    assert (site / "index.html").is_file() and (site / "specs/grid.html").is_file()
    # a second run replaces the diff site it made
    assert diff(repo, "s4", "s7", "--site", str(site)).returncode == 0
    assert not (site / "specs/grid.html").exists() and (site / "specs/renamed.html").is_file()
    assert diff(repo, "s0", "s4", "--site", str(site)).returncode == 0

    tab = Tab(browser.new_page(), [file_prefix(site)])
    page = tab.open((site / "index.html").as_uri())
    assert page.locator("table.diff-index tbody tr").count() == 4
    page.click("text=Grid")
    page.wait_for_function("() => document.querySelectorAll('[data-heatdoc-figure] .js-plotly-plot .hm').length"
                           " === 3", timeout=30_000)
    headings = page.locator(".diff-figure h2").all_inner_texts()
    assert headings == ["Before (s0)", "After (s4)", "Difference (s4 − s0)"]
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('[data-heatdoc-figure] .js-plotly-plot'))
        .map(gd => ({x: gd._fullData[0].x, y: gd._fullData[0].y, z: gd._fullData[0].z,
                     zmid: gd._fullData[0].zmid, hover: gd._fullData[0].customdata}))""")
    before, after, difference = drawn
    assert before["x"] == ["A", "B", "C"] and after["x"] == ["C", "A", "Bee", "D"]
    assert difference["x"] == ["C", "A", "Bee", "D", "B"] and difference["y"] == ["r1", "r2", "r3"]
    assert difference["zmid"] == 0
    # (r1, C) 3 -> 3; (r1, A) 1 -> 1; Bee and D only in s4, B only in s0: gaps that say so
    assert difference["z"][0][:2] == [0, 0] and difference["z"][0][2] is None and difference["z"][0][4] is None
    assert difference["hover"][0][2] == "only in s4 (5)"
    assert difference["hover"][0][4] == "only in s0 (2)"
    assert difference["hover"][1][0] == "s0: 6 → s4: 6.5 (+0.5)"
    assert tab.problems == []
    axe_js = axe_script()
    assert axe_violations(page, axe_js) == []
    tab.open((site / "index.html").as_uri())
    assert axe_violations(tab.page, axe_js) == [] and tab.problems == []


def test_text_from_specs_cannot_add_markup_or_break_a_line(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    hostile = '"<img src=x onerror=alert(1)>|`x`\\u001b[31m"'
    write(old, {"heatdoc.yaml": "title: T\n", "specs/a.yaml": f"title: A\nx: [{hostile}, b]\nz: [[1, 2]]\n"})
    write(new, {"heatdoc.yaml": "title: T\n", "specs/a.yaml": f"title: A\nx: [{hostile}, b]\nz: [[5, 2]]\n"})
    markdown = diff(tmp_path, "old", "new", "--format", "markdown").stdout
    assert "<img" not in markdown and "&lt;img src=x onerror=alert(1)&gt;&#124;&#96;x&#96;" in markdown
    assert "\x1b" not in markdown and markdown.count("\n| ") == 2  # the header and one row
    text = diff(tmp_path, "old", "new").stdout
    assert "\x1b" not in text and "\\x1b[31m" in text


def test_markdown_leaves_out_table_rows_when_even_the_table_is_too_long(repo):
    from heatdoc.diff.report import render_markdown

    report = diff_json(repo, "s6", "s7")
    whole = render_markdown(report)
    assert "Left out" not in whole
    cut = render_markdown(report, limit=520)  # the table fits, the details do not
    assert len(cut) <= 520 and cut.count("<details>") == 0
    assert "Left out to keep this comment under 520 characters: the details of 3 charts." in cut
    cut = render_markdown(report, limit=440)  # nor does the table
    assert len(cut) <= 440 and cut.count("\n| ") < whole.count("\n| ")
    assert re.search(r"Left out to keep this comment under 440 characters: \d rows? of the table and the "
                     r"details of 3 charts\.", cut)
