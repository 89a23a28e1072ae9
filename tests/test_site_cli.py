"""`heatdoc build` and `heatdoc init` as a user runs them: a new process, exit codes, messages."""
from __future__ import annotations

import re

from conftest import ROOT, errors_of, run_heatdoc
from helpers.site import FILES, write_project

SMALL = {name: FILES[name] for name in ("specs/alpha/one.yaml", "specs/alpha/two.yaml")}
SMALL["heatdoc.yaml"] = "title: CLI\n"
SUMMARY = re.compile(r"heatdoc: built (?P<site>\S+): (?P<charts>\d+) charts? in (?P<sections>\d+) sections?, "
                     r"(?P<pages>\d+) pages, (?P<written>\d+) files written, (?P<unchanged>\d+) unchanged, "
                     r"\d+\.\d\d s, (?P<warnings>\d+) warnings?\Z")


def summary(stderr: str) -> dict[str, str]:
    match = SUMMARY.match(stderr.strip().splitlines()[-1])
    assert match, stderr
    return match.groupdict()


def test_build_in_the_project_folder_writes_site_and_prints_a_summary(tmp_path):
    project = write_project(tmp_path / "project", SMALL)
    first = run_heatdoc("build", cwd=project)
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    assert summary(first.stderr) == {"site": "site/", "charts": "2", "sections": "1", "pages": "5",
                                     "written": "13", "unchanged": "0", "warnings": "0"}
    assert (project / "site" / "index.html").is_file()
    again = run_heatdoc("build", cwd=project)
    assert summary(again.stderr)["written"] == "0"


def test_build_dir_with_an_output_folder(tmp_path):
    project = write_project(tmp_path / "project", SMALL)
    result = run_heatdoc("build", project, "-o", tmp_path / "public", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert summary(result.stderr)["site"] == "public/"
    assert (tmp_path / "public" / "alpha" / "one.html").is_file()


def test_an_invalid_spec_exits_1_with_every_error_at_its_line(tmp_path):
    project = write_project(tmp_path / "project", {
        **SMALL, "specs/alpha/bad.yaml": "title: Bad\nz: [[1, 2], [3]]\n",
        "specs/beta/worse.yaml": "title: Worse\nz: [[1]]\ncolour: red\n"})
    result = run_heatdoc("build", cwd=project)
    assert result.returncode == 1
    assert errors_of(result) == [
        "specs/alpha/bad.yaml:2:13: z[1]: row 1 has 1 cell; row 0 has 2 cells",
        "specs/beta/worse.yaml:3:1: colour: unknown key 'colour' (did you mean 'colorbar'?)",
        "heatdoc: 2 errors",
    ]
    assert not (project / "site").exists()


def test_a_refused_output_folder_exits_2_before_writing(tmp_path):
    project = write_project(tmp_path / "project", SMALL)
    result = run_heatdoc("build", "-o", ".", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(f"heatdoc: refusing to write the site to .: it is the project folder;")
    assert sorted(p.name for p in project.iterdir()) == ["heatdoc.yaml", "specs"]
    assert not (project / "index.html").exists() and not (project / "site").exists()


def test_a_project_without_specs_is_a_usage_error(tmp_path):
    (tmp_path / "heatdoc.yaml").write_text("title: Empty\n")
    result = run_heatdoc("build", cwd=tmp_path)
    assert result.returncode == 2
    assert "no spec files (*.yaml) in" in result.stderr and "heatdoc new specs/first.yaml" in result.stderr


def test_warnings_are_printed_and_counted(tmp_path):
    project = write_project(tmp_path / "project", {**SMALL, "heatdoc.yaml": "sections: {gone: Gone}\n"})
    result = run_heatdoc("build", cwd=project)
    assert result.returncode == 0
    assert "heatdoc: warning: heatdoc.yaml: sections: no folder 'gone' with specs under specs/" in result.stderr
    assert summary(result.stderr)["warnings"] == "1"


def test_init_writes_a_starter_project_that_builds_as_it_is(tmp_path):
    result = run_heatdoc("init", "starter", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote a starter project in starter; build it with: heatdoc build starter\n"
    built = run_heatdoc("build", "starter", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert summary(built.stderr)["charts"] == "2" and summary(built.stderr)["warnings"] == "0"
    site = tmp_path / "starter" / "site"
    assert (site / "basics" / "first-heatmap.html").is_file()
    assert "Read from files" in (site / "index.html").read_text()
    validated = run_heatdoc("validate", cwd=tmp_path / "starter")
    assert validated.returncode == 0, validated.stderr


def test_init_never_writes_into_a_folder_that_has_files(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    result = run_heatdoc("init", "full", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("heatdoc: full exists and is not an empty folder; heatdoc init writes a new "
                             "project into a new or empty folder\n")
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]


def test_the_example_gallery_of_the_repository_builds(tmp_path):
    result = run_heatdoc("build", ROOT, "-o", tmp_path / "example", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert summary(result.stderr)["warnings"] == "0"
    specs = sorted((ROOT / "specs").rglob("*.yaml"))
    assert summary(result.stderr)["charts"] == str(len(specs))
    for spec in specs:
        page = tmp_path / "example" / spec.relative_to(ROOT / "specs").with_suffix(".html")
        assert page.is_file(), page


def test_two_builds_at_once_leave_one_whole_site(tmp_path):
    import subprocess
    import sys

    project = write_project(tmp_path / "project", SMALL)
    runs = [subprocess.Popen([sys.executable, "-m", "heatdoc", "build"], cwd=project,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    assert sorted(p.name for p in project.iterdir()) == [".heatdoc-cache", "heatdoc.yaml", "site", "specs"]
    assert (project / "site" / "alpha" / "two.html").is_file()
