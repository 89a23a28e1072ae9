"""A rebuild updates the site heatdoc made in place, as a transaction: only the files
whose bytes change are written, everything else the site holds (stale pages, planted
files and links, emptied folders) goes, and a failure anywhere, in the writing or at
any step of the commit, leaves the previous site exactly as it was.

The site after an update is always compared with a clean build into a new folder."""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.site import (
    FILES,
    HalfWritten,
    leftovers,
    snapshot,
    tree_state,
    write_project,
)

import heatdoc.site.write
from heatdoc.errors import UsageError
from heatdoc.site.build import build_site
from heatdoc.site.cache import CACHE_DIR
from heatdoc.site.uptodate import unchanged_site

PROJECT = {name: FILES[name] for name in ("specs/alpha/one.yaml", "specs/alpha/two.yaml", "specs/alpha/three.yaml",
                                          "specs/beta/from-csv.yaml", "specs/top-level.yaml", "data/scores.csv")}
PROJECT["heatdoc.yaml"] = "title: Updates\n"


@pytest.fixture
def project(tmp_path) -> Path:
    root = write_project(tmp_path / "project", PROJECT)
    age(root)
    build_site(root, quiet=True)
    return root


def age(project: Path) -> None:
    """Date the project's files back: the build cache (rightly) does not keep a chart read
    from a file written within 2 s of the build, and tests run faster than that."""
    past = time.time() - 60
    for path in [*(project / "specs").rglob("*"), *(project / "data").rglob("*"), project / "heatdoc.yaml"]:
        os.utime(path, (past, past))


def entries(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: a file's bytes, "folder" or "link" (empty folders count)."""
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = "link" if path.is_symlink() else "folder" if path.is_dir() else path.read_bytes()
    return out


def clean_build(project: Path, out: Path) -> dict[str, bytes | str]:
    """What a build into a new folder writes, from the same project."""
    build_site(project, out, quiet=True)
    return entries(out)


def edit(project: Path, name: str, old: str, new: str) -> None:
    path = project / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


# --- what an update writes, keeps and removes ----------------------------------------------

def test_an_edit_gives_new_inodes_to_exactly_the_files_whose_bytes_changed(project, tmp_path):
    before = snapshot(project / "site")
    edit(project, "specs/alpha/one.yaml", "[3, null]", "[3, 9]")  # one chart's data
    report = build_site(project, quiet=True)
    after = snapshot(project / "site")
    assert after.keys() == before.keys()
    changed = {rel for rel in after if after[rel][0] != before[rel][0]}
    assert "alpha/one.html" in changed and all(rel.startswith("alpha/one.") for rel in changed)
    assert {rel for rel in after if after[rel][2] != before[rel][2]} == changed  # new inodes
    assert all(after[rel] == before[rel] for rel in after if rel not in changed)  # same bytes, mtime, inode
    assert (report.written, report.unchanged) == (len(changed), len(after) - len(changed))
    assert entries(project / "site") == clean_build(project, tmp_path / "clean")


def test_a_new_title_rewrites_the_pages_that_show_it_and_nothing_else(project, tmp_path):
    before = snapshot(project / "site")
    edit(project, "specs/alpha/two.yaml", "title: Two", "title: Second")
    edit(project, "data/scores.csv", "Red,7,5", "Red,7,6")  # and one data file
    build_site(project, quiet=True)
    after = snapshot(project / "site")
    changed = {rel for rel in after if after[rel][0] != before[rel][0]}
    # the chart of the CSV, and the pages that show the title: its own, the index, its
    # section, its neighbours
    assert {"alpha/two.html", "index.html", "alpha/index.html", "beta/from-csv.html"} <= changed
    assert {rel for rel in after if after[rel][2] != before[rel][2]} == changed
    assert all(after[rel] == before[rel] for rel in after if rel not in changed)
    assert entries(project / "site") == clean_build(project, tmp_path / "clean")


def test_a_removed_spec_takes_its_files_and_emptied_folders_with_it(project, tmp_path):
    (project / "specs/beta/from-csv.yaml").unlink()  # the only chart of its section
    (project / "specs/alpha/three.yaml").unlink()
    build_site(project, quiet=True)
    site = entries(project / "site")
    assert not any(rel == "beta" or rel.startswith(("beta/", "alpha/three.")) for rel in site)
    assert site == clean_build(project, tmp_path / "clean")
    assert leftovers(project) == []


def test_a_new_section_and_a_section_removed_at_once(project, tmp_path):
    (project / "specs/gamma/deeper").mkdir(parents=True)
    (project / "specs/gamma/deeper/new.yaml").write_text("title: New\nz: [[5]]\n")
    (project / "specs/beta/from-csv.yaml").unlink()
    build_site(project, quiet=True)
    assert entries(project / "site") == clean_build(project, tmp_path / "clean")


def test_after_an_update_the_next_build_finds_nothing_to_do(project):
    edit(project, "specs/alpha/one.yaml", "[3, null]", "[3, 9]")
    age(project)
    written = build_site(project, quiet=True)
    assert unchanged_site(project, None).record is not None  # the fast path: the record is the site
    again = build_site(project, quiet=True)
    assert (again.written, again.unchanged) == (0, written.written + written.unchanged)


def test_without_the_build_record_unchanged_files_are_kept_by_their_bytes(project, tmp_path):
    import shutil

    shutil.rmtree(project / CACHE_DIR)  # no record of what the last build wrote
    before = snapshot(project / "site")
    edit(project, "specs/alpha/one.yaml", "[3, null]", "[3, 9]")
    build_site(project, quiet=True)
    after = snapshot(project / "site")
    assert all(after[rel] == before[rel] for rel in after if after[rel][0] == before[rel][0])
    assert entries(project / "site") == clean_build(project, tmp_path / "clean")


# --- what a user left in the site ----------------------------------------------------------

def test_files_links_and_folders_planted_in_the_site_are_removed_never_written_through(project, tmp_path):
    site = project / "site"
    outside = tmp_path / "outside"
    (outside / "beta").mkdir(parents=True)
    (outside / "page.html").write_text("not heatdoc's")
    (outside / "gamma").mkdir()
    for path in (site / "beta").iterdir():  # a section's folder, moved out and linked back
        path.rename(outside / "beta" / path.name)
    (site / "beta").rmdir()
    (site / "beta").symlink_to(outside / "beta")
    (site / "gamma").symlink_to(outside / "gamma")  # where a new section's folder must go
    (project / "specs/gamma").mkdir()
    (project / "specs/gamma/new.yaml").write_text("title: New\nz: [[5]]\n")
    (site / "delta").write_text("a file where a folder must go")
    (project / "specs/delta").mkdir()
    (project / "specs/delta/other.yaml").write_text("title: Other\nz: [[6]]\n")
    (site / "alpha/one.html").unlink()
    (site / "alpha/one.html").symlink_to(outside / "page.html")  # a link where a page must go
    (site / "alpha/two.svg").unlink()
    (site / "alpha/two.svg").mkdir()  # a folder where a file must go
    (site / "alpha/two.svg/inside.txt").write_text("x")
    (site / "alpha/link.html").symlink_to(outside / "page.html")  # a link nobody asked for
    (site / "notes.txt").write_text("dropped in by hand")
    (site / "alpha/extra.html").write_text("<p>old page</p>")
    (site / "empty/deeper").mkdir(parents=True)
    (site / "junk/a").mkdir(parents=True)
    (site / "junk/a/b.txt").write_text("b")
    os.mkfifo(site / "alpha/pipe")
    outside_before = tree_state(outside)

    build_site(project, quiet=True)
    assert tree_state(outside) == outside_before  # nothing written, moved or removed there
    assert entries(site) == clean_build(project, tmp_path / "clean")  # no link, no stray entry
    assert leftovers(project) == []


# --- failures: the previous site stays exactly as it was -----------------------------------

def update_with_every_kind_of_change(project: Path) -> None:
    """An edited chart, a new one in a new folder, a removed one, a planted file where a
    folder must go and a stray file: every kind of step of a commit."""
    edit(project, "specs/alpha/one.yaml", "[3, null]", "[3, 9]")
    (project / "specs/gamma").mkdir()
    (project / "specs/gamma/new.yaml").write_text("title: New\nz: [[5]]\n")
    (project / "specs/alpha/three.yaml").unlink()
    (project / "site/gamma").write_text("in the way")
    (project / "site/stray.txt").write_text("stray")


@pytest.mark.parametrize("fault, raised", [
    (OSError(errno.ENOSPC, "No space left on device"), UsageError),
    (KeyboardInterrupt(), KeyboardInterrupt),  # Ctrl-C while a file is written
])
def test_a_failure_while_writing_the_changes_leaves_the_site_untouched(project, monkeypatch, fault, raised):
    update_with_every_kind_of_change(project)
    before = tree_state(project / "site")
    opened = []

    def failing_open(path, mode="r", *args, **kwargs):
        fh = open(path, mode, *args, **kwargs)
        if "x" in mode:  # a file of the staging folder
            opened.append(path)
            if len(opened) == 3:
                return HalfWritten(fh, fault)
        return fh

    monkeypatch.setattr(heatdoc.site.write, "open", failing_open, raising=False)
    with pytest.raises(raised):
        build_site(project, quiet=True)
    assert len(opened) == 3
    assert tree_state(project / "site") == before  # every entry, its bytes and mtime, folders too
    assert leftovers(project) == []


def fail_at_step(monkeypatch, site: Path, step: int, exchange: bool) -> list[str]:
    """Make the ``step``-th change to ``site`` (a rename, a new folder or an exchange)
    fail with a full disk; returns the steps tried. The undoing steps that follow succeed."""
    tried: list[str] = []
    inside = str(site) + os.sep

    def failing(real, name):
        def call(*args, **kwargs):
            if any(str(arg).startswith(inside) for arg in args[:2]):
                tried.append(f"{name} {args[0]}")
                if len(tried) == step:
                    raise OSError(errno.ENOSPC, "No space left on device", str(args[0]))
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(os, "rename", failing(os.rename, "rename"))
    monkeypatch.setattr(os, "mkdir", failing(os.mkdir, "mkdir"))
    monkeypatch.setattr(heatdoc.site.write, "_exchange",
                        failing(heatdoc.site.write._exchange, "exchange") if exchange else lambda a, b: False)
    return tried


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "no-renameat2"])
def test_a_failure_at_any_step_of_the_commit_leaves_the_previous_site_as_it_was(project, tmp_path, monkeypatch,
                                                                               exchange):
    update_with_every_kind_of_change(project)
    before = tree_state(project / "site")
    step = 0
    while True:
        step += 1
        with monkeypatch.context() as patch:
            tried = fail_at_step(patch, project / "site", step, exchange)
            try:
                build_site(project, quiet=True)
            except UsageError as exc:
                assert str(exc).endswith("; the previous site is unchanged")
            else:
                break  # there were fewer steps: the commit went through
        assert tree_state(project / "site") == before, f"step {step}: {tried[step - 1]}"
        assert leftovers(project) == []
    kinds = {what.split()[0] for what in tried}
    assert step > 10 and kinds == ({"rename", "mkdir", "exchange"} if exchange else {"rename", "mkdir"})
    assert entries(project / "site") == clean_build(project, tmp_path / "clean")


def test_ctrl_c_during_the_commit_waits_until_the_new_site_is_whole(project, tmp_path, monkeypatch):
    update_with_every_kind_of_change(project)
    real_rename, renames = os.rename, []
    inside = str(project / "site") + os.sep

    def rename(src, dst):
        real_rename(src, dst)
        if str(dst).startswith(inside):
            renames.append(dst)
            if len(renames) == 2:
                os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, half-way through the commit

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        build_site(project, quiet=True)
    monkeypatch.undo()
    assert len(renames) > 2  # the commit went on after the signal
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert entries(project / "site") == clean_build(project, tmp_path / "clean")
    assert leftovers(project) == []


# --- two builds at once ----------------------------------------------------------------------

def waits_on_a_lock(pid: int) -> bool:
    """Is process ``pid`` blocked waiting for a file lock? (/proc/locks marks waiters "->")"""
    with open("/proc/locks") as fh:
        return any(parts[1:2] == ["->"] and parts[5] == str(pid) for parts in map(str.split, fh))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/locks")
def test_a_build_waits_for_the_one_writing_the_site(project, tmp_path):
    import fcntl

    edit(project, "specs/alpha/one.yaml", "[3, null]", "[3, 9]")
    before = tree_state(project / "site")
    fd = os.open(project, os.O_RDONLY)  # the lock a build holds while it writes the site
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        run = subprocess.Popen([sys.executable, "-m", "heatdoc", "build"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not waits_on_a_lock(run.pid) and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert run.poll() is None and waits_on_a_lock(run.pid)
        assert tree_state(project / "site") == before and leftovers(project) == []
    finally:
        os.close(fd)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert entries(project / "site") == clean_build(project, tmp_path / "clean")
