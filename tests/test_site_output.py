"""Output you can trust: nothing written on invalid input, refused folders, the marker
file, atomic replacement under failure, byte-identical rebuilds that touch nothing."""
from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest
from helpers.site import FILES, leftovers, snapshot, write_project

import heatdoc.site.write
from heatdoc.errors import HeatdocError, UsageError
from heatdoc.site.build import build_site
from heatdoc.site.plan import MARKER
from heatdoc.site.render.assets import plotly_js

SMALL = {name: FILES[name] for name in ("specs/alpha/one.yaml", "specs/alpha/two.yaml",
                                        "specs/beta/from-csv.yaml", "data/scores.csv")}
SMALL["heatdoc.yaml"] = "title: Small\n"


@pytest.fixture
def project(tmp_path) -> Path:
    return write_project(tmp_path / "project", SMALL)


def test_rebuilding_unchanged_specs_writes_nothing_and_keeps_every_file(project):
    first = build_site(project, quiet=True)
    before = snapshot(project / "site")
    second = build_site(project, quiet=True)
    assert first.written == len(before) and second.written == 0
    assert second.unchanged == len(before)
    assert snapshot(project / "site") == before  # same bytes, same mtime, same inode
    assert leftovers(project) == []


def test_two_builds_into_different_folders_are_byte_identical(project, tmp_path):
    build_site(project, tmp_path / "a", quiet=True)
    build_site(project, tmp_path / "b", quiet=True)
    a = {k: v[0] for k, v in snapshot(tmp_path / "a").items()}
    b = {k: v[0] for k, v in snapshot(tmp_path / "b").items()}
    assert a == b


def test_an_edit_rewrites_only_the_files_it_changes_and_removes_stale_ones(project):
    build_site(project, quiet=True)
    before = snapshot(project / "site")
    (project / "specs/alpha/one.yaml").write_text(SMALL["specs/alpha/one.yaml"].replace("[3, null]", "[3, 9]"))
    (project / "specs/beta/from-csv.yaml").unlink()
    report = build_site(project, quiet=True)
    after = snapshot(project / "site")
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"alpha/one.html", "alpha/one.svg", "index.html"}
    assert report.written == len(changed)
    assert not (project / "site/beta").exists()


def test_plotlyjs_cdn_loads_the_pinned_version_with_its_integrity_hash(project):
    (project / "heatdoc.yaml").write_text("plotlyjs: cdn\n")
    build_site(project, quiet=True)
    version = plotly_js("bundled").version
    assert not list((project / "site" / "assets").glob("plotly-*.min.js"))
    text = (project / "site" / "alpha" / "one.html").read_text()
    assert re.search(rf'<script src="https://cdn\.plot\.ly/plotly-{re.escape(version)}\.min\.js" '
                     r'integrity="sha256-[A-Za-z0-9+/]+=*" crossorigin="anonymous" defer></script>', text)


def test_an_invalid_spec_writes_nothing_and_reports_every_error(project):
    build_site(project, quiet=True)
    before = snapshot(project / "site")
    (project / "specs/alpha/bad.yaml").write_text("title: Bad\nz: [[1, 2], [3]]\ncolorscale: Viridiss\n")
    (project / "specs/beta/worse.yaml").write_text("title: [not text]\nz: [[1]]\n")
    with pytest.raises(HeatdocError) as info:
        build_site(project, quiet=True)
    messages = [str(e) for e in info.value.errors]
    assert any(m.startswith(f"{project}/specs/alpha/bad.yaml:2:") for m in messages)
    assert any("Viridiss" in m for m in messages)
    assert any(m.startswith(f"{project}/specs/beta/worse.yaml:1:8: title:") for m in messages)
    assert snapshot(project / "site") == before and leftovers(project) == []


def test_nothing_is_created_for_a_first_build_with_an_invalid_spec(project):
    (project / "specs/alpha/bad.yaml").write_text("title: Bad\n")
    with pytest.raises(HeatdocError):
        build_site(project, quiet=True)
    assert not (project / "site").exists() and leftovers(project) == []


def test_pages_that_collide_after_case_folding_are_an_error_naming_both(project):
    (project / "specs/alpha/One.yaml").write_text("title: Other one\nz: [[1]]\n")
    with pytest.raises(HeatdocError) as info:
        build_site(project, quiet=True)
    [error] = info.value.errors
    assert str(error) == (f"{project}/specs/alpha/One.yaml:1:1: its page alpha/One.html would collide "
                          "with the page of specs/alpha/one.yaml (page names are compared ignoring "
                          "case); rename one of them")
    assert not (project / "site").exists()


@pytest.mark.parametrize("name, other", [
    ("specs/index.yaml", "the site's index page"),
    ("specs/alpha/index.yaml", "the section page of alpha/"),
    ("specs/reference.yml", "the site's spec reference page"),
    ("specs/assets/x.yaml", "the site's assets folder"),
])
def test_a_spec_may_not_take_a_page_of_the_site(project, name, other):
    (project / name).parent.mkdir(parents=True, exist_ok=True)
    (project / name).write_text("title: Squatter\nz: [[1]]\n")
    with pytest.raises(HeatdocError) as info:
        build_site(project, quiet=True)
    assert other in str(info.value)


@pytest.mark.parametrize("fault", [RuntimeError("injected"), KeyboardInterrupt(),
                                   OSError(errno.ENOSPC, "No space left on device")])
def test_a_build_failing_half_way_leaves_the_previous_site_whole(project, monkeypatch, fault):
    build_site(project, quiet=True)
    before = snapshot(project / "site")
    (project / "specs/alpha/one.yaml").write_text(SMALL["specs/alpha/one.yaml"].replace("One", "Changed"))
    (project / "specs/alpha/new.yaml").write_text("title: New\nz: [[5]]\n")
    real_put, calls = heatdoc.site.write._put, []

    def failing_put(target, data):
        calls.append(target)
        if len(calls) > 3:
            raise fault
        real_put(target, data)

    monkeypatch.setattr(heatdoc.site.write, "_put", failing_put)
    expected = UsageError if isinstance(fault, OSError) else type(fault)
    with pytest.raises(expected):
        build_site(project, quiet=True)
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def test_a_failed_commit_restores_the_previous_site(project, monkeypatch):
    build_site(project, quiet=True)
    before = snapshot(project / "site")
    (project / "specs/alpha/new.yaml").write_text("title: New\nz: [[5]]\n")
    monkeypatch.setattr(heatdoc.site.write, "_exchange", lambda a, b: False)  # a system without renameat2
    real_rename, renames = os.rename, []

    def rename(src, dst):
        renames.append(src)
        if len(renames) == 2:  # the second change of the commit
            raise OSError(errno.EIO, "injected")
        real_rename(src, dst)

    monkeypatch.setattr(heatdoc.site.write.os, "rename", rename)
    with pytest.raises(UsageError, match="the previous site is unchanged"):
        build_site(project, quiet=True)
    assert snapshot(project / "site") == before and leftovers(project) == []


def test_leftovers_of_a_killed_build_are_removed(project):
    (project / ".site.heatdoc-new-abcd1234").mkdir()
    (project / ".site.heatdoc-new-abcd1234" / "index.html").write_text("half")
    build_site(project, quiet=True)
    assert leftovers(project) == []


def refusals(project: Path) -> list[tuple[Path, str]]:
    (project / "templates").mkdir(exist_ok=True)
    return [
        (project, "it is the project folder"),
        (project.parent, "it contains the project folder"),
        (project / "specs", "it is the specs folder"),
        (project / "specs" / "site", "it is inside the specs folder"),
        (project / "data", "it is the data folder"),
        (project / "templates", "it is the templates folder"),
        (Path("/"), "it is the root folder"),
        (Path.home(), "your home folder"),
    ]


@pytest.mark.parametrize("case", range(8))
def test_dangerous_output_folders_are_refused_before_anything_is_written(project, case):
    out, reason = refusals(project)[case]
    before = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
    with pytest.raises(UsageError) as info:
        build_site(project, out, quiet=True)
    assert reason in str(info.value) and str(info.value).startswith("refusing to write the site to ")
    assert {p: p.stat().st_mtime_ns for p in project.rglob("*")} == before
    assert not (project / "specs" / "site").exists()


def test_the_repository_root_is_refused(tmp_path):
    repo = tmp_path / "repo"
    project = write_project(repo / "docs", SMALL)
    (repo / ".git").mkdir()
    with pytest.raises(UsageError, match="it is the repository root"):
        build_site(project, repo, quiet=True)
    other = tmp_path / "other-repo"
    (other / ".git").mkdir(parents=True)
    with pytest.raises(UsageError, match="it is a repository root"):
        build_site(project, other, quiet=True)


def test_a_folder_heatdoc_did_not_make_is_never_replaced(project, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    with pytest.raises(UsageError, match=f"no {MARKER} file in it"):
        build_site(project, out, quiet=True)
    assert (out / "notes.txt").read_text() == "precious" and len(list(out.iterdir())) == 1


def test_an_empty_folder_or_one_with_the_marker_is_replaced(project, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    build_site(project, out, quiet=True)
    assert (out / MARKER).is_file() and (out / "index.html").is_file()
    (out / "stale.html").write_text("old page")
    build_site(project, out, quiet=True)
    assert not (out / "stale.html").exists()


def test_an_output_that_is_a_file_or_a_symlink_is_refused(project, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="it exists and is not a folder"):
        build_site(project, tmp_path / "file", quiet=True)
    build_site(project, tmp_path / "real", quiet=True)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(UsageError, match="symbolic link"):
        build_site(project, tmp_path / "link", quiet=True)


def test_a_symlink_planted_in_the_site_is_not_written_through(project, tmp_path):
    build_site(project, quiet=True)
    outside = tmp_path / "outside.html"
    outside.write_text("not heatdoc's")
    page = project / "site" / "alpha" / "one.html"
    page.unlink()
    page.symlink_to(outside)
    build_site(project, quiet=True)
    assert outside.read_text() == "not heatdoc's"
    assert not page.is_symlink() and "<!doctype html>" in page.read_text()


def test_the_python_api_builds_and_returns_the_site_folder(project, tmp_path):
    import heatdoc

    assert heatdoc.build(project, tmp_path / "api") == (tmp_path / "api").resolve()
    assert (tmp_path / "api" / "alpha" / "one.html").is_file()


def test_a_slow_build_names_each_stage_on_one_line(monkeypatch):
    import io

    from heatdoc.site.build import Progress

    monkeypatch.setattr(Progress, "DELAY", 0.0)
    log = io.StringIO()
    progress = Progress(log, 0.0)
    for i in range(1, 4):
        progress.show("reading 3 specs", i, 3)
    progress.show("writing site/", 1, 1)
    assert log.getvalue() == "heatdoc: reading 3 specs…\nheatdoc: writing site/…\n"
