"""Hostile files, as data: paths that leave the project, links, FIFOs and devices,
dangerous output folders, planted links in the site, page names that collide.

Nothing outside the project is read, nothing outside the output folder is written,
nothing hangs, and every refusal is one line a person can act on. The CLI runs as a
user runs it (a subprocess, with a timeout: a build that waits on a FIFO fails here).
tests/test_source_errors.py has the plain cases (``..``, absolute, ``~``, URLs, NUL,
one link out); tests/test_site_output.py the in-process output-folder refusals.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import errors_of, run_heatdoc
from helpers.site import FIFO, Link, lay_out, leftovers, tree_state

from heatdoc.errors import HeatdocError
from heatdoc.site.build import build_site

OK = "title: Fine\nz: [[1]]\n"
Z = "title: t\nz: {}\n"  # z's value starts at 2:4, a file path at 2:11, a database at 2:30


def make_outside(folder: Path) -> Path:
    """A folder beside the project with things a hostile spec would like to publish."""
    folder.mkdir()
    (folder / "secret.yaml").write_text("title: SECRET-SPEC\nz: [[1]]\n")
    (folder / "secret.html").write_text("SECRET-TEMPLATE")
    (folder / "x.csv").write_text("k,a\nSECRET-DATA,1\n")
    return folder


@pytest.fixture
def outside(tmp_path) -> Path:
    return make_outside(tmp_path / "outside")


# --- data files: one project holds every case, one build reports them all ---------------

DATA = {  # what the project's data/ folder holds
    "data/fifo.csv": FIFO, "data/fifo.sqlite": FIFO, "data/fifo-link.csv": Link("fifo.csv"),
    "data/zero.csv": Link("/dev/zero"), "data/urandom.csv": Link("/dev/urandom"),
    "data/environ.csv": Link("/proc/self/environ"), "data/etc": Link("/etc"),
    "data/outside.csv": Link("{outside}/x.csv"),
    "data/loop.csv": Link("loop.csv"), "data/ping.csv": Link("pong.csv"), "data/pong.csv": Link("ping.csv"),
    "data/dangling.csv": Link("nowhere.csv"),
}
OUT = "leads outside the project folder {root}"
LOOP = "is a symbolic link that leads back to itself"
# (spec name, spec, the error printed for it after "specs/NAME.yaml:")
DATA_CASES = [
    ("fifo", Z.format("{file: ../data/fifo.csv}"), "2:11: z.file: '../data/fifo.csv' is not a file"),
    ("fifo-link", Z.format("{file: ../data/fifo-link.csv}"), "2:11: z.file: '../data/fifo-link.csv' is not a file"),
    ("fifo-text", "title: t\nz: [[1]]\ntext: {file: ../data/fifo.csv, labels: false}\n",
     "3:14: text.file: '../data/fifo.csv' is not a file"),
    ("fifo-database", Z.format("{sql: SELECT 1, database: ../data/fifo.sqlite}"),
     "2:30: z.database: '../data/fifo.sqlite' is not a file"),
    ("dev-zero", Z.format("{file: ../data/zero.csv}"), f"2:11: z.file: '../data/zero.csv' {OUT}"),
    ("dev-urandom-layer", "title: t\nz: [[1]]\ncustomdata: {n: {file: ../data/urandom.csv}}\n",
     f"3:24: customdata.n.file: '../data/urandom.csv' {OUT}"),
    ("dev-zero-database", Z.format("{sql: SELECT 1, database: ../data/zero.csv}"),
     f"2:30: z.database: '../data/zero.csv' {OUT}"),
    ("proc", Z.format("{file: ../data/environ.csv}"), f"2:11: z.file: '../data/environ.csv' {OUT}"),
    ("folder-link", Z.format("{file: ../data/etc/hostname}"), f"2:11: z.file: '../data/etc/hostname' {OUT}"),
    ("file-link", Z.format("{file: ../data/outside.csv}"), f"2:11: z.file: '../data/outside.csv' {OUT}"),
    ("loop", Z.format("{file: ../data/loop.csv}"), f"2:11: z.file: '../data/loop.csv' {LOOP}"),
    ("loop-of-two", Z.format("{file: ../data/ping.csv}"), f"2:11: z.file: '../data/ping.csv' {LOOP}"),
    ("dangling", Z.format("{file: ../data/dangling.csv}"),
     "2:11: z.file: no such file: '../data/dangling.csv' (looked for data/nowhere.csv)"),
    ("name-too-long", Z.format("{file: " + "a" * 300 + ".csv}"),
     f"2:11: z.file: cannot open '{'a' * 60}…': File name too long"),
    ("percent-dots", Z.format("{file: '%2e%2e/%2e%2e/etc/hostname'}"),
     "2:11: z.file: no such file: '%2e%2e/%2e%2e/etc/hostname' (looked for specs/%2e%2e/%2e%2e/etc/hostname)"),
    ("backslash-dots", Z.format("{file: '..\\..\\x.csv'}"),
     "2:11: z.file: no such file: '..\\\\..\\\\x.csv' (looked for specs/..\\..\\x.csv)"),
]


def test_data_files_that_hang_loop_or_lead_out_are_each_one_error(tmp_path, outside):
    root = tmp_path / "project"
    lay_out(root, {"heatdoc.yaml": "title: Files\n", **DATA,
                   **{f"specs/{name}.yaml": spec for name, spec, _ in DATA_CASES}}, outside)
    before = tree_state(outside)
    result = run_heatdoc("build", cwd=root, timeout=60)
    expected = sorted(f"specs/{name}.yaml:{error.format(root=root.resolve())}" for name, _, error in DATA_CASES)
    assert result.returncode == 1, result.stderr
    assert errors_of(result) == expected + [f"heatdoc: {len(DATA_CASES)} errors"]
    assert not (root / "site").exists() and tree_state(outside) == before


def test_a_data_file_that_cannot_be_opened_is_an_error_at_its_path(make_project, monkeypatch):
    from heatdoc.sources import readers

    root = make_project({"specs/a.yaml": Z.format("{file: ../data/locked.csv}"), "data/locked.csv": "k,a\nr,1\n"})

    def refuse(path, *args, **kwargs):  # chmod 000 does not stop root, so the refusal is simulated
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(readers, "open", refuse, raising=False)
    with pytest.raises(HeatdocError) as info:
        build_site(root, quiet=True)
    assert [str(e).split(":", 1)[1] for e in info.value.errors] == [
        "2:11: z.file: cannot read locked.csv: Permission denied"]


# --- spec files, the specs folder and templates that lead out ------------------------------

LEADS_OUT = "leads outside the project folder {root} (to {outside}/secret.yaml); heatdoc reads only files inside the project"
# (case, the project's files, heatdoc.yaml, exit code, stderr lines before the summary)
LAYOUTS = [
    ("spec-file-link", {"specs/ok.yaml": OK, "specs/evil.yaml": Link("{outside}/secret.yaml")}, "", 1,
     [f"specs/evil.yaml:1:1: the spec file {LEADS_OUT}"]),
    ("relative-spec-link", {"specs/ok.yaml": OK, "specs/evil.yaml": Link("../../outside/secret.yaml")}, "", 1,
     [f"specs/evil.yaml:1:1: the spec file {LEADS_OUT}"]),
    ("specs-folder-link", {"specs": Link("{outside}")}, "", 1, [f"specs/secret.yaml:1:1: the spec file {LEADS_OUT}"]),
    ("settings-file-link", {"specs/ok.yaml": OK, "heatdoc.yaml": Link("{outside}/secret.yaml")}, "", 1,
     [f"heatdoc.yaml:1:1: the settings file {LEADS_OUT}"]),
    ("specs-setting-outside", {"specs/ok.yaml": OK}, "specs: ../outside\n", 1,
     [f"../outside/secret.yaml:1:1: the spec file {LEADS_OUT}"]),
    ("data-folder-link", {"specs/a.yaml": Z.format("{file: ../data/x.csv}"), "data": Link("{outside}")}, "", 1,
     ["specs/a.yaml:2:11: z.file: '../data/x.csv' leads outside the project folder {root}"]),
    ("template-link", {"specs/ok.yaml": OK, "templates/main.html": Link("{outside}/secret.html")}, "", 1,
     ["templates/main.html:1:1: the template leads outside its folder {root}/templates (to {outside}/secret.html); "
      "heatdoc reads only files inside the project"]),
    # not followed, not read, not an error: a folder link in specs/, a FIFO or a device as a spec
    ("folder-link-in-specs", {"specs/ok.yaml": OK, "specs/more": Link("{outside}")}, "", 0, []),
    ("spec-fifo", {"specs/ok.yaml": OK, "specs/pipe.yaml": FIFO}, "", 0, []),
    ("spec-dev-zero", {"specs/ok.yaml": OK, "specs/zero.yaml": Link("/dev/zero")}, "", 0, []),
]


def run_all(jobs: list[tuple[Path, list[str], dict[str, str]]]) -> list[subprocess.CompletedProcess]:
    """`heatdoc ARGS` for each (cwd, args, env), all started at once: one test per case
    stays readable, and the table costs about one process start-up, not one each."""
    procs = [subprocess.Popen([sys.executable, "-m", "heatdoc", *args], cwd=cwd, env={**os.environ, **env},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for cwd, args, env in jobs]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


@pytest.fixture(scope="module")
def layouts(tmp_path_factory) -> dict[str, tuple]:
    base = tmp_path_factory.mktemp("layouts")
    outside = make_outside(base / "outside")
    roots = {}
    for case, files, settings, *_ in LAYOUTS:
        roots[case] = base / case
        lay_out(roots[case], {"heatdoc.yaml": "title: Layout\n" + settings, **files}, outside)
    before = tree_state(outside)
    results = run_all([(roots[case], ["build"], {}) for case, *_ in LAYOUTS])
    assert tree_state(outside) == before  # nothing outside the projects was touched
    return {case: (roots[case], outside, result) for (case, *_), result in zip(LAYOUTS, results)}


@pytest.mark.parametrize("case, files, settings, code, errors", LAYOUTS, ids=[c[0] for c in LAYOUTS])
def test_specs_and_templates_that_lead_out_of_the_project_are_refused(layouts, case, files, settings, code,
                                                                       errors):
    root, outside, result = layouts[case]
    assert result.returncode == code, result.stderr
    if code:
        fill = {"root": root.resolve(), "outside": outside.resolve()}
        assert errors_of(result) == [e.format(**fill) for e in errors] + [
            f"heatdoc: {len(errors)} error{'s' if len(errors) > 1 else ''}"]
        assert not (root / "site").exists()
    else:
        assert sorted(p.name for p in (root / "site").glob("*.html")) == ["index.html", "ok.html", "reference.html"]
        assert not [p for p in (root / "site").rglob("*") if p.is_file() and b"SECRET" in p.read_bytes()]


# --- output folders: refused before anything is written ----------------------------------

# (case, project, `heatdoc build` arguments, the reason given). The projects are in a
# repository {tmp}/work; HOME is {tmp}/users/me; every case runs in one layout.
# test_site_output.py refuses the rest in-process (specs/site, data, templates, a file,
# a folder heatdoc did not make, another repository).
PROJECTS = {"project": "", "dot": "output: .\n", "specs": "output: specs\n", "up": "output: ../..\n"}
OUTPUTS = [
    ("home", "project", ["-o", "{home}"], "it is your home folder"),
    ("above-home", "project", ["-o", "{tmp}/users"], "it contains your home folder ({home})"),
    ("link-to-home", "project", ["-o", "{tmp}/home-link"], "it is a symbolic link (give the folder itself)"),
    ("root", "project", ["-o", "/"], "it is the root folder"),
    ("project-setting", "dot", [], "it is the project folder"),
    ("above-project", "project", ["-o", ".."], "it is the repository root"),
    ("far-above-setting", "up", [], "it contains the project folder ({tmp}/work/up)"),
    ("specs-setting", "specs", [], "it is the specs folder"),
]


@pytest.fixture(scope="module")
def refusals(tmp_path_factory) -> tuple[dict, dict]:
    tmp = tmp_path_factory.mktemp("outputs")
    home = tmp / "users" / "me"
    files = {"users/me/notes.txt": "mine", "work/.git/HEAD": "ref: main\n", "home-link": Link(str(home))}
    for name, settings in PROJECTS.items():
        files.update({f"work/{name}/heatdoc.yaml": "title: Out\n" + settings, f"work/{name}/specs/ok.yaml": OK,
                      f"work/{name}/templates/x.html": "", f"work/{name}/data/x.csv": "k,a\nr,1\n"})
    lay_out(tmp, files, tmp)
    fill = {"tmp": tmp, "home": home}
    before = tree_state(tmp)
    results = run_all([(tmp / "work" / project, ["build", *[a.format(**fill) for a in args]], {"HOME": str(home)})
                       for _, project, args, _ in OUTPUTS])
    assert tree_state(tmp) == before  # nothing was written, nor created and removed again
    return fill, {case: result for (case, *_), result in zip(OUTPUTS, results)}


@pytest.mark.parametrize("case, project, args, reason", OUTPUTS, ids=[c[0] for c in OUTPUTS])
def test_dangerous_output_folders_are_refused_and_nothing_is_touched(refusals, case, project, args, reason):
    fill, results = refusals
    result = results[case]
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("heatdoc: refusing to write the site to ")
    assert f": {reason.format(**fill)}; choose another output folder" in result.stderr


# --- the previous site: links planted in it are never written or read through --------------

def test_a_folder_link_planted_in_the_site_is_not_followed(make_project, tmp_path):
    root = make_project({"specs/alpha/one.yaml": OK, "specs/alpha/two.yaml": OK.replace("Fine", "Two")})
    build_site(root, quiet=True)
    planted = tmp_path / "planted"
    os.rename(root / "site" / "alpha", planted)  # the same bytes a rebuild would write
    (root / "site" / "alpha").symlink_to(planted)
    before = tree_state(planted)
    build_site(root, quiet=True)
    assert tree_state(planted) == before
    alpha = root / "site" / "alpha"
    assert alpha.is_dir() and not alpha.is_symlink()
    assert all(os.stat(p).st_ino != os.stat(planted / p.name).st_ino for p in alpha.iterdir())
    assert leftovers(root) == []


def test_a_marker_file_that_is_a_link_does_not_vouch_for_a_folder(make_project, tmp_path):
    root = make_project({"specs/a.yaml": OK})
    build_site(root, tmp_path / "made", quiet=True)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    (mine / ".heatdoc-site").symlink_to(tmp_path / "made" / ".heatdoc-site")
    before = tree_state(mine)
    result = run_heatdoc("build", "-o", mine, cwd=root)
    assert result.returncode == 2 and "heatdoc did not make it" in result.stderr
    assert tree_state(mine) == before


# --- page names that collide: every pair is an error naming both ---------------------------

# (first spec, second spec, the second one's page): each pair in its own folder
COLLISIONS = [
    ("accent/Température.yaml", "accent/Temperature.yaml", "accent/Temperature.html"),
    ("case/READ-ME.yaml", "case/read-me.yaml", "case/read-me.html"),
    ("space/a b.yaml", "space/a-b.yaml", "space/a-b.html"),
    ("markup/<x>.yaml", "markup/x.yaml", "markup/x.html"),
    ("suffix/a.yml", "suffix/a.yaml", "suffix/a.html"),
    ("dashes/-a-.yaml", "dashes/a.yaml", "dashes/a.html"),
    ("ligature/\ufb01le.yaml", "ligature/file.yaml", "ligature/file.html"),
    ("Folder/x.yaml", "folder/x.yaml", "folder/x.html"),
]


def test_pages_that_collide_after_slugs_and_case_folding_are_errors_naming_both(make_project):
    files = {}
    for first, second, _ in COLLISIONS:
        files[f"specs/{first}"] = "title: A\norder: 1\nz: [[1]]\n"
        files[f"specs/{second}"] = "title: B\norder: 2\nz: [[1]]\n"
    root = make_project(files)
    with pytest.raises(HeatdocError) as info:
        build_site(root, quiet=True)
    messages = {str(e) for e in info.value.errors}
    for first, second, page in COLLISIONS:
        other = "the section page of Folder/" if first.startswith("Folder/") else f"the page of specs/{first}"
        what = "its section page folder/index.html" if first.startswith("Folder/") else f"its page {page}"
        assert (f"{root}/specs/{second}:1:1: {what} would collide with {other} (page names are compared "
                "ignoring case); rename one of them") in messages
    assert (f"{root}/specs/folder/x.yaml:1:1: its page folder/x.html would collide with the page of "
            "specs/Folder/x.yaml (page names are compared ignoring case); rename one of them") in messages
    assert len(messages) == len(COLLISIONS) + 1
    assert not (root / "site").exists()
