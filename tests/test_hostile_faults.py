"""Faults, as data: a build that fails half-way, two builds at once, Ctrl-C.

Whatever happens, the output folder holds the previous site byte for byte (same
bytes, same mtimes, same inodes) or the new one whole, nothing else in the project
changes, and no staging folder is left beside the output. test_site_output.py has
the first three faults (an exception, Ctrl-C and a full disk in `_put`) and a failed
commit; test_site_update.py fails the commit at every step; the rows below are the
other places a build can stop.
"""
from __future__ import annotations

import errno
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

from heatdoc.errors import UsageError
from heatdoc.site.build import build_site

SMALL = {name: FILES[name] for name in ("specs/alpha/one.yaml", "specs/alpha/two.yaml",
                                        "specs/beta/from-csv.yaml", "data/scores.csv")}
SMALL["heatdoc.yaml"] = "title: Faults\n"


def disk_full(n: int) -> OSError:
    return OSError(errno.ENOSPC, "No space left on device", f"file-{n}")


def half_written_open(real_open):
    def fake(path, mode="r", *args, **kwargs):
        fh = real_open(path, mode, *args, **kwargs)
        return HalfWritten(fh) if "x" in mode else fh
    return fake


# (case, {what fails: (calls that succeed first, the exception[, how many calls fail])},
# what the build raises, whether a first build (no previous site) meets the fault too).
# A target is "module.attribute"; "heatdoc.site.write.open" is the open() the writer calls.
EROFS = OSError(errno.EROFS, "Read-only file system")
FAULTS = [
    ("disk-full-mid-file", {"heatdoc.site.write.open": (0, "half")}, UsageError, True),
    ("disk-full-making-the-stage", {"os.mkdir": (0, disk_full)}, UsageError, True),
    ("quota-exceeded", {"heatdoc.site.write._put": (4, lambda n: OSError(errno.EDQUOT, "Disk quota exceeded"))},
     UsageError, True),
    # the commit of a rebuild (renames into the site; a first build has only its final rename)
    ("disk-full-in-the-commit", {"os.rename": (2, disk_full, 1)}, UsageError, False),
    ("folder-not-made", {"pathlib.Path.mkdir": (3, lambda n: EROFS)}, UsageError, True),
    ("renames-refused", {"heatdoc.site.write._exchange": (0, lambda n: EROFS), "os.rename": (0, lambda n: EROFS)},
     UsageError, True),
    ("crash-while-rendering", {"heatdoc.site.render.thumbnails.thumbnail_svg": (2, lambda n: RuntimeError("injected"))},
     RuntimeError, True),
    ("ctrl-c-while-rendering", {"heatdoc.site.render.thumbnails.thumbnail_svg": (2, lambda n: KeyboardInterrupt())},
     KeyboardInterrupt, True),
    ("ctrl-c-in-the-commit", {"os.rename": (2, lambda n: KeyboardInterrupt(), 1)}, KeyboardInterrupt, False),
    ("ctrl-c-twice", {"heatdoc.site.write._put": (3, lambda n: KeyboardInterrupt()),
                      "shutil.rmtree": (0, lambda n: KeyboardInterrupt(), 1)}, KeyboardInterrupt, True),
]
CASES = [pytest.param(case, faults, raised, previous, id=f"{case}-{'rebuild' if previous else 'first-build'}")
         for case, faults, raised, first in FAULTS for previous in ([True, False] if first else [True])]


def inject(monkeypatch, faults: dict) -> None:
    import importlib

    for target, (after, make, *times) in faults.items():
        module_name, _, name = target.rpartition(".")
        try:
            owner = importlib.import_module(module_name)
        except ImportError:  # a class attribute, e.g. pathlib.Path.mkdir
            module_name, _, cls = module_name.rpartition(".")
            owner = getattr(importlib.import_module(module_name), cls)
        if make == "half":
            monkeypatch.setattr(owner, name, half_written_open(open), raising=False)
            continue
        real, calls = getattr(owner, name), [0]

        def fake(*args, _real=real, _calls=calls, _after=after, _make=make, _last=after + (times or [10**9])[0],
                 **kwargs):
            _calls[0] += 1
            if _after < _calls[0] <= _last:
                raise _make(_calls[0])
            return _real(*args, **kwargs)

        monkeypatch.setattr(owner, name, fake)


def without_own_mtime(state: dict) -> dict:
    # the staging folder is made and removed beside the site: the project folder's own
    # mtime may change, nothing in it may
    return {k: v for k, v in state.items() if k != "."}


@pytest.mark.parametrize("case, faults, raised, previous", CASES)
def test_a_build_that_stops_half_way_changes_nothing(tmp_path, monkeypatch, case, faults, raised, previous):
    project = write_project(tmp_path / "project", SMALL)
    if previous:
        build_site(project, quiet=True)
    site = snapshot(project / "site") if previous else None
    (project / "specs/alpha/one.yaml").write_text(SMALL["specs/alpha/one.yaml"].replace("One", "Changed"))
    (project / "specs/alpha/new.yaml").write_text("title: New\nz: [[5]]\n")
    (project / "specs/alpha/two.yaml").unlink()
    before = without_own_mtime(tree_state(project))
    with monkeypatch.context() as patch:
        inject(patch, faults)
        with pytest.raises(raised) as info:
            build_site(project, quiet=True)
    if raised is UsageError:
        assert str(info.value).startswith(f"cannot write the site to {project / 'site'}: ")
        assert str(info.value).endswith("; the previous site is unchanged")
    assert without_own_mtime(tree_state(project)) == before
    assert (snapshot(project / "site") if previous else (project / "site").exists()) == (site or False)
    assert leftovers(project) == []
    assert build_site(project, quiet=True).charts == 3  # and the next build works


def test_ctrl_c_after_the_commit_still_removes_the_staging_folder(tmp_path, monkeypatch):
    project = write_project(tmp_path / "project", SMALL)
    build_site(project, quiet=True)
    (project / "specs/alpha/new.yaml").write_text("title: New\nz: [[5]]\n")
    inject(monkeypatch, {"shutil.rmtree": (0, lambda n: KeyboardInterrupt(), 1)})
    with pytest.raises(KeyboardInterrupt):
        build_site(project, quiet=True)
    monkeypatch.undo()
    assert (project / "site" / "alpha" / "new.html").is_file()  # the new site is in place, whole
    assert leftovers(project) == []


# --- builds in other processes ------------------------------------------------------

def files_of(site: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _, _) in snapshot(site).items()}


def start_build(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "heatdoc", "build", *args], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_builds_started_together_leave_one_whole_site_every_time(tmp_path):
    project = write_project(tmp_path / "project", SMALL)
    for round in range(3):  # the first round races to create the site, the others to replace it
        (project / "specs/alpha/one.yaml").write_text(SMALL["specs/alpha/one.yaml"].replace("One", f"Round {round}"))
        runs = [start_build(project) for _ in range(2)]
        for run in runs:
            _, err = run.communicate(timeout=120)
            assert run.returncode == 0 and "Traceback" not in err, err
        build_site(project, tmp_path / f"clean-{round}", quiet=True)
        assert files_of(project / "site") == files_of(tmp_path / f"clean-{round}")
        assert leftovers(project) == []


def test_ctrl_c_during_a_build_leaves_the_previous_site_whole(tmp_path):
    specs = {f"specs/c{i:03}.yaml": f"title: Chart {i}\nz: {{random: normal, shape: [12, 12], seed: {i}}}\n"
             for i in range(150)}
    project = write_project(tmp_path / "project", {"heatdoc.yaml": "title: Big\n", **specs})

    def previous_site() -> dict:
        """Build the site as it was, then edit every spec: a finished build changes every page."""
        write_project(project, specs)
        build_site(project, quiet=True)
        for name in specs:
            (project / name).write_text(specs[name].replace("Chart", "Edited chart"))
        return snapshot(project / "site")

    previous = previous_site()
    started = time.monotonic()
    clean = start_build(project, "-o", str(tmp_path / "clean"))
    assert clean.wait(timeout=120) == 0
    full = time.monotonic() - started  # how long an uninterrupted build takes here
    new = files_of(tmp_path / "clean")

    kept = 0
    # when to press Ctrl-C: once the new site is being written, or half-way through a build
    for when in ("writing", "half-way", "writing", "half-way"):
        run = start_build(project)
        deadline = time.monotonic() + (60 if when == "writing" else full / 2)
        while time.monotonic() < deadline and run.poll() is None:
            if when == "writing" and leftovers(project):
                break
            time.sleep(0.002)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=60)
        assert "Traceback" not in err, err
        assert leftovers(project) == []
        if run.returncode == 0 or snapshot(project / "site") != previous:
            # it finished before the signal came, or the signal came during the commit:
            # the new site is whole; start again from the previous one
            assert run.returncode in (0, 130) and files_of(project / "site") == new
            previous = previous_site()
            continue
        assert (run.returncode, err.splitlines()[-1]) == (130, "heatdoc: interrupted")
        kept += 1
        if kept == 2:
            break
    assert kept == 2
