"""The build cache and the process pool change how fast a site is built, never what it is:
every cached or parallel build is compared byte for byte with a clean serial build."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import orjson
import pytest
from helpers.site import FILES, write_project

import heatdoc.site.cache
import heatdoc.site.charts
import heatdoc.site.pool
import heatdoc.spec.compile
from heatdoc.errors import HeatdocError
from heatdoc.site.build import build_site
from heatdoc.site.cache import CACHE_DIR

PROJECT = {name: FILES[name] for name in ("specs/alpha/one.yaml", "specs/alpha/two.yaml",
                                          "specs/beta/from-csv.yaml", "data/scores.csv")}
PROJECT["heatdoc.yaml"] = "title: Cached\n"
PROJECT["specs/beta/same-csv.yaml"] = "title: Same CSV\nz: {file: ../../data/scores.csv}\n"
PROJECT["specs/beta/other-csv.yaml"] = "title: Other CSV\nz: {file: ../../data/other.csv}\n"
PROJECT["data/other.csv"] = ",a,b\nr,1,2\n"


def age(root: Path, seconds: float = 60) -> None:
    """Date every file back: a file written within the file system's timestamp granularity
    of a build is (rightly) not trusted by the cache, and tests run faster than that."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and CACHE_DIR not in path.parts and "site" not in path.relative_to(root).parts:
            os.utime(path, (past, past))


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def clean_build(root: Path, out: Path) -> dict[str, bytes]:
    """The reference: no cache, no pool."""
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    build_site(root, out, quiet=True)
    shutil.rmtree(root / CACHE_DIR)
    return files_of(out)


@pytest.fixture
def project(tmp_path) -> Path:
    root = write_project(tmp_path / "project", PROJECT)
    age(root)
    return root


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """The specs whose chart was made (not taken from the cache) in the builds of a test."""
    names: list[str] = []
    make = heatdoc.site.charts._make_chart

    def counting(job):  # type: ignore[no-untyped-def]
        names.append(Path(job[0]).name)
        return make(job)

    monkeypatch.setattr(heatdoc.site.charts, "_make_chart", counting)
    return names


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def test_a_cached_build_is_byte_identical_to_a_clean_build(project, tmp_path, made):
    reference = clean_build(project, tmp_path / "reference")
    made.clear()
    build_site(project, quiet=True)
    assert len(made) == 5  # the first build with a cache makes every chart
    made.clear()
    build_site(project, tmp_path / "elsewhere", quiet=True)  # no previous site there
    assert made == []  # ... but every chart comes from the cache
    assert files_of(tmp_path / "elsewhere") == reference
    report = build_site(project, quiet=True)  # nothing changed: nothing to do
    assert (report.written, made) == (0, [])
    assert files_of(project / "site") == reference


def test_the_cache_folder_ignores_itself_in_git_and_backups(project):
    build_site(project, quiet=True)
    assert (project / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (project / CACHE_DIR / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")


def edit_and_rebuild(project: Path, made: list[str], name: str, old: str, new: str
                     ) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Build, replace ``old`` by ``new`` in the file ``name``, build again: both sites."""
    build_site(project, quiet=True)
    before = files_of(project / "site")
    path = project / name
    path.write_text(path.read_text().replace(old, new))
    age(project)
    made.clear()
    build_site(project, quiet=True)
    return before, files_of(project / "site")


def test_editing_a_spec_remakes_its_chart_and_rewrites_only_its_files(project, tmp_path, made):
    before, after = edit_and_rebuild(project, made, "specs/alpha/two.yaml", "0.5, 1.5", "0.25, 1.5")
    assert made == ["two.yaml"]
    assert changed(before, after) == {"alpha/two.html", "alpha/two.svg"}
    assert after == clean_build(project, tmp_path / "reference")


def test_editing_a_data_file_remakes_exactly_the_charts_that_read_it(project, tmp_path, made):
    before, after = edit_and_rebuild(project, made, "data/scores.csv", "Red,7", "Red,6")
    assert sorted(made) == ["from-csv.yaml", "same-csv.yaml"]
    assert {name.split(".")[0] for name in changed(before, after)} == {"beta/from-csv", "beta/same-csv"}
    assert after == clean_build(project, tmp_path / "reference")


def test_a_new_title_rewrites_the_pages_that_show_it_without_remaking_other_charts(project, tmp_path, made):
    _, after = edit_and_rebuild(project, made, "specs/alpha/one.yaml", "title: One", "title: One renamed")
    assert made == ["one.yaml"]
    assert b"One renamed" in after["alpha/two.html"]  # its neighbour links to it by title
    assert after == clean_build(project, tmp_path / "reference")


def test_changing_a_template_rerenders_the_pages_but_remakes_no_chart(project, tmp_path, made):
    build_site(project, quiet=True)
    before = files_of(project / "site")
    (project / "templates").mkdir()
    (project / "templates/main.html").write_text(
        '{% extends "base.html" %}{% block footer %}<p>Team footer</p>{% endblock %}')
    age(project)
    made.clear()
    build_site(project, quiet=True)
    assert made == []
    after = files_of(project / "site")
    pages = {name for name in after if name.endswith(".html")}
    assert changed(before, after) == pages and all(b"Team footer" in after[p] for p in pages)
    assert after == clean_build(project, tmp_path / "reference")


def test_changing_the_settings_is_seen(project, tmp_path):
    build_site(project, quiet=True)
    (project / "heatdoc.yaml").write_text("title: Renamed gallery\n")
    age(project)
    build_site(project, quiet=True)
    assert b"Renamed gallery" in (project / "site/index.html").read_bytes()
    assert files_of(project / "site") == clean_build(project, tmp_path / "reference")


def test_a_site_file_changed_by_hand_is_put_back(project, tmp_path):
    build_site(project, quiet=True)
    page = project / "site/alpha/one.html"
    page.write_text("edited by hand")
    (project / "site/alpha/two.svg").unlink()
    build_site(project, quiet=True)
    assert files_of(project / "site") == clean_build(project, tmp_path / "reference")


CORRUPTIONS = {
    "catalog.json": lambda cache: (cache / "catalog.json").write_bytes(b"{not json"),
    "files.json": lambda cache: (cache / "files.json").write_text('{"x": [1, 2, 3, 4, "nope"]}'),
    "a site record": lambda cache: [p.write_text("[]") for p in (cache / "sites").iterdir()],
    "a pack truncated": lambda cache: [p.write_bytes(p.read_bytes()[:-5]) for p in (cache / "packs").iterdir()],
    "a pack overwritten, same size": lambda cache: [_scramble(p) for p in (cache / "packs").iterdir()],
    "a pack removed": lambda cache: [p.unlink() for p in (cache / "packs").iterdir()],
    "a pack named out of the cache": lambda cache: (cache / "catalog.json").write_bytes(
        (cache / "catalog.json").read_bytes().replace(b'"pack":"', b'"pack":"../../')),
    "a catalog of other types": lambda cache: (cache / "catalog.json").write_text(
        '{"format": 1, "specs": {"specs/alpha/one.yaml": {"key": 3, "data": "x"}}, "settings": []}'),
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_cache_is_ignored_never_trusted(project, tmp_path, corrupt):
    build_site(project, quiet=True)
    spec = project / "specs/alpha/two.yaml"  # a change, so that the build does not stop at stage 0
    spec.write_text(spec.read_text() + "\n")
    age(project)
    corrupt(project / CACHE_DIR)
    build_site(project, quiet=True)
    build_site(project, tmp_path / "second", quiet=True)  # and what it kept is sound
    reference = clean_build(project, tmp_path / "reference")
    assert files_of(project / "site") == reference and files_of(tmp_path / "second") == reference


def test_a_big_part_edited_in_the_site_through_its_hard_link_is_not_reused(project, tmp_path, monkeypatch):
    monkeypatch.setattr(heatdoc.site.charts, "BIG_PART", 10)  # every thumbnail is "big"
    build_site(project, quiet=True)
    svg = project / "site/alpha/one.svg"
    assert svg.stat().st_nlink == 2  # the site's file and the cache's part are one file
    with open(svg, "r+b") as fh:  # an edit in place, as some tools make
        fh.write(b"X")
    build_site(project, tmp_path / "elsewhere", quiet=True)
    assert files_of(tmp_path / "elsewhere") == clean_build(project, tmp_path / "reference")


def test_big_parts_and_pages_written_a_piece_at_a_time_are_the_same_bytes(project, tmp_path, monkeypatch):
    # a typed array (over 1,000 cells) whose base64 is written a piece at a time, the
    # pieces smaller than the text: several of them, and a last one with padding
    (project / "specs/beta/typed.yaml").write_text(
        "title: Typed\nz: {random: normal, shape: [41, 43], seed: 3}\n")
    monkeypatch.setattr(heatdoc.spec.compile.Base64, "PIECE", 3 * 100)
    monkeypatch.setattr(heatdoc.site.charts, "BIG_PART", 10)  # every part and chart page is "big"
    build_site(project, tmp_path / "pieces", quiet=True)
    page = (tmp_path / "pieces/beta/typed.html").read_text()
    assert page.count("heatdoc-figure-") == 0 and '"bdata":"' in page
    monkeypatch.setattr(heatdoc.site.charts, "BIG_PART", 1 << 20)
    assert files_of(tmp_path / "pieces") == clean_build(project, tmp_path / "reference")


def _scramble(path: Path) -> None:
    """Other bytes of the same size, written later: the mtime tells."""
    data = path.read_bytes()
    time.sleep(0.01)
    path.write_bytes(data[::-1])


def test_a_failed_build_leaves_the_cache_as_it_was(project, made):
    bad = project / "specs/alpha/bad.yaml"
    bad.write_text("title: Bad\nz: [[1, 2], [3]]\n")
    with pytest.raises(HeatdocError):
        build_site(project, quiet=True)
    assert not (project / CACHE_DIR).exists()  # a first build that failed made none
    bad.unlink()
    build_site(project, quiet=True)
    cache = {p: p.read_bytes() for p in (project / CACHE_DIR).rglob("*") if p.is_file()}
    bad.write_text("title: Bad\nz: [[1, 2], [3]]\n")
    (project / "specs/alpha/two.yaml").write_text("title: Two, changed\nz: [[2]]\n")
    age(project)
    with pytest.raises(HeatdocError):
        build_site(project, quiet=True)
    assert {p: p.read_bytes() for p in (project / CACHE_DIR).rglob("*") if p.is_file()} == cache
    bad.unlink()
    made.clear()
    build_site(project, quiet=True)
    assert made == ["two.yaml"]  # what the last good build kept is still there


def test_a_parallel_build_is_byte_identical_to_a_serial_one(project, tmp_path, monkeypatch):
    import concurrent.futures

    pools = []
    start = concurrent.futures.ProcessPoolExecutor.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        pools.append(args)
        start(self, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "__init__", counting)
    for i in range(12):
        (project / f"specs/gamma/chart-{i:02d}.yaml").parent.mkdir(exist_ok=True)
        (project / f"specs/gamma/chart-{i:02d}.yaml").write_text(
            f"title: Chart {i}\ntext_auto: true\nz: [[{i}, 1], [2, null]]\n")
    (project / "specs/gamma/broken.yaml").write_text("title: Broken\nz: [[1, 2], [3]]\n")
    age(project)
    monkeypatch.setattr(heatdoc.site.pool, "MIN_ITEMS", 2)
    with pytest.raises(HeatdocError) as parallel_errors:
        build_site(project, tmp_path / "parallel", quiet=True)
    (project / "specs/gamma/broken.yaml").unlink()
    shutil.rmtree(project / CACHE_DIR, ignore_errors=True)
    build_site(project, tmp_path / "parallel", quiet=True)
    assert len(pools) == 3  # charts (twice) and pages were made by the pool's workers
    monkeypatch.setattr(heatdoc.site.pool, "MIN_ITEMS", 10**9)
    assert files_of(tmp_path / "parallel") == clean_build(project, tmp_path / "serial")
    assert [str(e).split(":", 1)[1] for e in parallel_errors.value.errors] == [
        "2:13: z[1]: row 1 has 1 cell; row 0 has 2 cells"]


def test_a_pack_mostly_of_unused_parts_is_copied_down(project, tmp_path, monkeypatch, made):
    """Each edit leaves its chart's old parts in an older pack: a pack mostly of parts no
    chart uses is copied down to the parts still used, and the cache stays sound."""
    monkeypatch.setattr(heatdoc.site.cache, "COMPACT_BYTES", 0)
    build_site(project, quiet=True)
    packs = project / CACHE_DIR / "packs"
    (first,) = os.listdir(packs)
    specs = sorted((project / "specs").rglob("*.yaml"))
    for spec in specs[1:]:  # all but one chart made again: the first pack is mostly unused
        spec.write_text(spec.read_text() + "\n")
    age(project)
    build_site(project, quiet=True)
    assert first not in os.listdir(packs) and len(os.listdir(packs)) == 2
    made.clear()
    build_site(project, tmp_path / "again", quiet=True)
    assert made == [] and files_of(tmp_path / "again") == clean_build(project, tmp_path / "reference")


def test_a_build_without_the_lock_never_removes_another_builds_parts(project, monkeypatch):
    """Without advisory locks (Windows), two builds of a project can overlap: the one that
    ends removes only its own names from the cache's tmp/, never the pack the other one
    is still adding charts to."""
    monkeypatch.setattr(heatdoc.site.cache.BuildCache, "_take_lock", lambda self: None)
    build = time.time_ns()
    first = heatdoc.site.charts._make_chart((project / "specs/alpha/one.yaml", project, 5_000_000, build))
    other = heatdoc.site.cache.BuildCache(project)
    other.tmp_prefix = f"{build + 1}-"
    other.close(keep=True)  # another build ends while this one is half-way
    second = heatdoc.site.charts._make_chart((project / "specs/alpha/two.yaml", project, 5_000_000, build))
    assert first[0] == second[0]  # one pack a process and build
    one = heatdoc.site.charts.ChartParts(None, "k", Path(first[0]), first[1], first[2])
    assert first[2]["fields"][0] < second[2][".svg"][0]  # the second chart follows the first
    assert orjson.loads(heatdoc.site.charts._read(*one.part("fields")))["thumbnail_alt"].startswith("Heatmap “One”")
