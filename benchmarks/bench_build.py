"""Build speed: `heatdoc build` against the script a user would otherwise write (issue 7).

    python benchmarks/bench_build.py [--quick] [--runs N] [--specs N] [--keep DIR] [--json PATH]

Generates a project in a temporary folder: N small specs (default 1,000; 10x10 inline,
`text_auto`, in four sections), three 300x300 specs read from CSV and one 2000x2000
read from Parquet (`{file: ../../data/...}`, relative to the spec). Then, each run:

  naive     the naive script, as a new process: for each spec `yaml.safe_load`, pandas
            for its data file, `px.imshow(..., text_auto=...)`,
            `fig.write_html(..., include_plotlyjs="directory")`, into its own folder;
  clean     `python -m heatdoc build DIR -o OUT` from scratch (no site, no cache);
  no change the same command again;
  one edit  after changing one cell of one small spec and one cell of one CSV file.

Every command runs as a new process (imports included). Its wall time, CPU time and
peak memory are measured per child: `os.wait4` gives the child's own rusage
(ru_maxrss: the largest single process, pool workers included), and a sampler adds
up the proportional set size (PSS) of the whole process tree, which is what a pool
really costs. Then: the bytes of each site, the startup of `heatdoc --help` and of
`heatdoc validate ONE_SPEC`, and the peak memory of a build of the 2000x2000 spec
alone over a build of that spec with a 10x10 file. Prints medians over the runs, each time as a
ratio to the naive script, and says for each target of issue 7 whether it is met,
or missed by how much.

Not a test: the numbers depend on the machine and its load. `--quick` is a smoke run.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ("basics", "chemistry", "finance", "genomics")
CACHE_DIR = ".heatdoc-cache"  # where heatdoc keeps its build cache, in the project folder

# Targets of issue 7, and the thresholds this script reads into their words.
FULL_SPEEDUP, FULL_SPEEDUP_AIM = 10.0, 25.0
NO_CHANGE_SHARE, ONE_EDIT_SHARE = 0.05, 0.10
STARTUP_S = 0.3
SMALL_PAGE_BYTES = 8 * 1024       # "a few KB per small chart page"
INDEX_BYTES_PER_CARD = 1024       # "the index page of 1,000 cards stays light": less than one small figure's JSON a card
BIG_MEMORY_TIMES = 4.0            # "within a few times the matrix's own bytes"


# --- the project -----------------------------------------------------------------

@dataclass
class Sizes:
    small: int
    mid: int      # edge of the CSV matrices
    mid_count: int
    big: int      # edge of the Parquet matrix
    big_format: str = "parquet"


def labels(n: int, prefix: str) -> list[str]:
    return [f"{prefix}{k}" for k in range(n)]


def write_matrix(path: Path, z: np.ndarray) -> Path:
    """A wide table with labels: y labels in the first column, x labels as the header."""
    rows, cols = z.shape
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {"row": labels(rows, "r")}
        columns.update({name: z[:, j] for j, name in enumerate(labels(cols, "c"))})
        pq.write_table(pa.table(columns), path)
    else:
        import pandas as pd

        pd.DataFrame(z, index=labels(rows, "r"), columns=labels(cols, "c")).to_csv(path)
    return path


def write_project(root: Path, sizes: Sizes) -> dict[str, Path]:
    """The benchmark project; returns the files the edit step changes."""
    rng = np.random.default_rng(7)
    (root / "heatdoc.yaml").write_text(
        "title: Benchmark gallery\nsections:\n" + "".join(f"  {s}: {s.title()}\n" for s in SECTIONS))
    data = root / "data"
    data.mkdir(parents=True)
    for s in SECTIONS:
        (root / "specs" / s).mkdir(parents=True)
    for i in range(sizes.small):
        z = np.round(rng.random((10, 10)), 3).tolist()
        rows = "\n".join(f"  - {row}" for row in z)
        section = SECTIONS[i % len(SECTIONS)]
        (root / "specs" / section / f"small-{i:04d}.yaml").write_text(
            f"title: Small chart {i}\ntags: [small, {section}]\ntext_auto: \".2f\"\n"
            f"colorscale: Viridis\nz:\n{rows}\n")
    for k in range(sizes.mid_count):
        z = np.round(rng.normal(size=(sizes.mid, sizes.mid)), 4)
        lines = [",".join(["", *labels(sizes.mid, "c")])]
        lines += [f"r{r}," + ",".join(map(str, row)) for r, row in enumerate(z.tolist())]
        (data / f"matrix-{sizes.mid}-{k}.csv").write_text("\n".join(lines) + "\n")
        (root / "specs" / SECTIONS[k % 4] / f"table-{k}.yaml").write_text(
            f"title: A {sizes.mid}x{sizes.mid} table {k}\ncolorscale: RdBu\n"
            f"z: {{file: ../../data/matrix-{sizes.mid}-{k}.csv}}\n")
    big_file = write_matrix(data / f"matrix-{sizes.big}.{sizes.big_format}", rng.normal(size=(sizes.big, sizes.big)))
    (root / "specs" / SECTIONS[3] / "big.yaml").write_text(
        f"title: A {sizes.big}x{sizes.big} matrix\ncolorscale: Cividis\n"
        f"z: {{file: ../../data/{big_file.name}}}\n")
    return {"spec": root / "specs" / SECTIONS[1] / "small-0001.yaml",
            "data": data / f"matrix-{sizes.mid}-0.csv",
            "small": root / "specs" / SECTIONS[0] / "small-0000.yaml",
            "big_spec": root / "specs" / SECTIONS[3] / "big.yaml",
            "big_data": big_file}


def edit_project(files: dict[str, Path], run: int) -> None:
    """One cell of one small spec and one cell of one CSV file, different every run."""
    spec = files["spec"]
    lines = spec.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  - ["))
    lines[first] = "  - [" + f"{0.5 + run / 1000:.3f}, " + lines[first].split(", ", 1)[1]
    spec.write_text("\n".join(lines) + "\n")
    data = files["data"]
    rows = data.read_text().splitlines()
    cells = rows[1].split(",")
    cells[1] = f"{1 + run / 1000:.4f}"
    rows[1] = ",".join(cells)
    data.write_text("\n".join(rows) + "\n")


NAIVE = '''\
"""The script a user writes without heatdoc: one Plotly HTML file per spec."""
import sys
from pathlib import Path
from typing import Callable

import pandas as pd
import plotly.express as px
import yaml

project, out = Path(sys.argv[1]), Path(sys.argv[2])
links = []
for path in sorted((project / "specs").rglob("*.yaml")):
    spec = yaml.safe_load(path.read_text())
    z = spec["z"]
    if isinstance(z, dict):
        data = path.parent / z["file"]
        if data.suffix == ".parquet":
            table = pd.read_parquet(data)
            z = table.set_index(table.columns[0])
        else:
            z = pd.read_csv(data, index_col=0)
    fig = px.imshow(z, text_auto=spec.get("text_auto", False),
                    color_continuous_scale=spec.get("colorscale"), title=spec["title"])
    page = path.relative_to(project / "specs").with_suffix(".html")
    (out / page).parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(out / page, include_plotlyjs="directory")
    links.append(f'<li><a href="{page.as_posix()}">{spec["title"]}</a></li>')
(out / "index.html").write_text("<!doctype html><title>Gallery</title><ul>" + "".join(links) + "</ul>")
'''


WARM = '''\
"""Rebuilds in one process after each edit, as `heatdoc serve` rebuilds."""
import sys
import time
from pathlib import Path

import heatdoc

project, site = Path(sys.argv[1]), Path(sys.argv[2])
heatdoc.build(project, site)  # nothing to do: the site is up to date
print("ready", flush=True)
for _ in sys.stdin:  # the benchmark edits the project, then says go
    started = time.perf_counter()
    heatdoc.build(project, site)
    print(time.perf_counter() - started, flush=True)
'''


def measure_warm(script: Path, project: Path, site: Path, edits: list[Callable[[], None]]) -> Run:
    """The wall time of the rebuild after the last of ``edits``, in one process that rebuilt
    after each of the others first: serve's rebuild once it has rebuilt before."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, str(script), str(project), str(site)], env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        ok, wall = proc.stdout.readline() == "ready\n", ""
        for edit in edits:
            edit()
            proc.stdin.write("go\n")
            proc.stdin.flush()
            wall = proc.stdout.readline()
        proc.stdin.close()
        proc.wait(timeout=600)
        return Run(ok and proc.returncode == 0, float(wall or "nan"), float("nan"), float("nan"), float("nan"))
    finally:
        proc.kill()


# --- measuring one process ---------------------------------------------------------

@dataclass
class Run:
    ok: bool
    wall: float
    cpu: float
    maxrss_mb: float     # largest single process (wait4's ru_maxrss)
    tree_mb: float       # sampled peak PSS of the whole process tree
    output: str = ""


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids += [int(k) for k in fh.read().split()]
    except OSError:
        pass
    return kids


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(cmd: list[str], *, cwd: Path | None = None) -> Run:
    """Run ``cmd`` as a new process; its wall and CPU time, and its peak memory."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    log = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            tree, total = [proc.pid], 0
            while tree:
                pid = tree.pop()
                total += _pss_kb(pid)
                tree += _children(pid)
            peak[0] = max(peak[0], total)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    log.seek(0)
    output = log.read().decode("utf-8", "replace")
    maxrss = usage.ru_maxrss / 1024
    # a process too short for one sample: its own peak stands for the tree
    tree = peak[0] / 1024 if peak[0] else maxrss
    return Run(proc.returncode == 0, wall, usage.ru_utime + usage.ru_stime, maxrss, tree, output)


def heatdoc(*args: str) -> list[str]:
    return [sys.executable, "-m", "heatdoc", *args]


# --- looking at a site -------------------------------------------------------------

def site_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def site_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(q for q in folder.rglob("*") if q.is_file()):
        h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


@dataclass
class Weight:
    plotly_js: int = 0
    small_page: float = 0.0     # median bytes of a small chart's page
    small_chart: float = 0.0    # median bytes of everything a small chart writes
    index: int = 0
    index_json: bool = False    # figure JSON on the index page
    index_eager_images: int = 0
    index_images: int = 0
    big_typed: bool = False     # the big matrix written as a base64 typed array
    notes: list[str] = field(default_factory=list)


def _is_plotly_js(path: Path) -> bool:
    """A copy of the plotly.js library (its header names it), not a small script about it."""
    with open(path, "rb") as fh:
        return b"plotly.js v" in fh.read(1024) and path.stat().st_size > 1 << 20


def site_weight(site: Path, files: dict[str, Path], project: Path) -> Weight:
    import re

    w = Weight()
    w.plotly_js = sum(1 for p in site.rglob("*.js") if _is_plotly_js(p))
    pages, charts = [], []
    for spec in sorted((project / "specs").rglob("small-*.yaml"))[:200]:
        stem = spec.relative_to(project / "specs").with_suffix("")
        page = site / stem.with_suffix(".html")
        if not page.is_file():
            w.notes.append(f"no page {page.relative_to(site)} for {spec.name}")
            break
        pages.append(page.stat().st_size)
        charts.append(sum(p.stat().st_size for p in page.parent.glob(stem.name + ".*")))
    if pages:
        w.small_page, w.small_chart = statistics.median(pages), statistics.median(charts)
    index = site / "index.html"
    if index.is_file():
        text = index.read_text(encoding="utf-8", errors="replace")
        w.index = len(text.encode())
        w.index_json = '"type":"heatmap"' in text or '"bdata"' in text
        images = re.findall(r"<img\b[^>]*>", text)
        w.index_images = len(images)
        w.index_eager_images = sum(1 for tag in images if 'loading="lazy"' not in tag)
    # the big chart's page carries its figure (its downloads are made in the browser)
    big = site / files["big_spec"].relative_to(project / "specs").with_suffix(".html")
    if big.is_file():
        with open(big, "rb") as fh:
            w.big_typed = b'"bdata"' in fh.read(4 << 20)
    return w


# --- the benchmark -----------------------------------------------------------------

def clean(*folders: Path) -> None:
    for f in folders:
        shutil.rmtree(f, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run: few specs, small matrices, 1 run")
    ap.add_argument("--runs", type=int, help="runs of each step (default 3; --quick 1)")
    ap.add_argument("--specs", type=int, help="small specs (default 1000; --quick 40)")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive script (no ratios)")
    ap.add_argument("--big-format", choices=("parquet", "csv"), default="parquet",
                    help="the big matrix's file format (csv: for a heatdoc that cannot read Parquet)")
    ap.add_argument("--keep", type=Path, help="generate the project here and keep it")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    a = ap.parse_args()
    runs = a.runs or (1 if a.quick else 3)
    sizes = Sizes(a.specs or (40 if a.quick else 1000), 100 if a.quick else 300, 1 if a.quick else 3,
                  400 if a.quick else 2000, a.big_format)

    tmp = Path(tempfile.mkdtemp(prefix="heatdoc-bench-"))
    base = a.keep.resolve() if a.keep else tmp
    project, naive_out, site = base / "project", base / "naive-site", base / "site"
    if a.keep:
        clean(project, naive_out, site)
    project.mkdir(parents=True)
    print(f"generating {sizes.small} small specs, {sizes.mid_count} x {sizes.mid}x{sizes.mid} CSV, "
          f"1 x {sizes.big}x{sizes.big} {sizes.big_format} in {project} ...", flush=True)
    files = write_project(project, sizes)
    (base / "naive.py").write_text(NAIVE)
    (base / "warm.py").write_text(WARM)
    steps: dict[str, list[Run]] = {"naive": [], "clean": [], "no change": [], "one edit": [],
                                   "one edit, warm": []}
    sites: dict[str, tuple[int, int]] = {}
    build_ok = True
    try:
        for run in range(runs):
            if not a.no_naive:
                clean(naive_out)
                r = measure([sys.executable, str(base / "naive.py"), str(project), str(naive_out)])
                if not r.ok:
                    sys.exit(f"the naive script failed:\n{r.output[-3000:]}")
                steps["naive"].append(r)
                sites["naive"] = site_bytes(naive_out)
                print(f"run {run + 1}: naive {r.wall:.2f} s", end="", flush=True)
            if build_ok:
                clean(site, project / CACHE_DIR)
                age(project)
                r = measure(heatdoc("build", str(project), "-o", str(site)))
                if not r.ok:
                    build_ok = False
                    print(f"\n`heatdoc build` failed, so its steps are skipped:\n{r.output[-2000:]}")
                else:
                    steps["clean"].append(r)
                    sites["heatdoc"] = site_bytes(site)
                    steps["no change"].append(measure(heatdoc("build", str(project), "-o", str(site))))
                    edit_project(files, run)
                    steps["one edit"].append(measure(heatdoc("build", str(project), "-o", str(site))))
                    steps["one edit, warm"].append(measure_warm(
                        base / "warm.py", project, site,
                        [lambda: edit_project(files, run + 500), lambda: edit_project(files, run + 600)]))
                    print("  heatdoc " + ", ".join(f"{k} {v[-1].wall:.3f} s" for k, v in steps.items()
                                                    if k != "naive"), end="")
            print(flush=True)
        identical = None
        weight = None
        if build_ok:
            failed = [k for k in ("no change", "one edit", "one edit, warm") for r in steps[k] if not r.ok]
            if failed:
                print(f"a rebuild failed ({', '.join(failed)}):\n" + next(
                    r.output for k in failed for r in steps[k] if not r.ok)[-2000:])
            # The cached site must be the site a clean build makes.
            fresh = base / "site-fresh"
            clean(fresh, project / CACHE_DIR)
            r = measure(heatdoc("build", str(project), "-o", str(fresh)))
            identical = r.ok and site_digest(fresh) == site_digest(site)
            weight = site_weight(site, files, project)
        startup = measure_startup(files["small"], runs=max(5, runs))
        memory = measure_big_memory(base, files, sizes) if build_ok else None
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    report(sizes, runs, steps, sites, startup, memory, weight, identical, a.json)


def age(project: Path) -> None:
    """Date every file of the project a minute back, as the files of a checkout are: a file
    changed within the build cache's 2 s window is used but not kept, so the previous
    run's edits would make the next 'no change' step remake their charts. Only done
    with no cache left, so no record of the old dates exists that it could fool."""
    past = time.time() - 60
    for path in project.rglob("*"):
        os.utime(path, (past, past))


def measure_startup(spec: Path, runs: int) -> dict[str, list[Run]]:
    cmds = {"python -c pass": [sys.executable, "-c", "pass"],
            "heatdoc --help": heatdoc("--help"),
            "heatdoc validate ONE_SPEC": heatdoc("validate", str(spec))}
    out: dict[str, list[Run]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            out[name].append(measure(cmd, cwd=spec.parent))
    return out


def measure_big_memory(base: Path, files: dict[str, Path], sizes: Sizes) -> dict[str, float] | None:
    """Peak memory of building the big spec alone, over building the same spec with a
    10x10 file of the same format (so both pay for the same imports)."""
    result = {}
    big = files["big_data"]
    for name, shape in (("baseline", 10), ("big", sizes.big)):
        proj = base / f"memory-{name}"
        clean(proj, base / "memory-site")
        (proj / "specs" / "s").mkdir(parents=True)
        (proj / "data").mkdir()
        (proj / "heatdoc.yaml").write_text("title: memory\n")
        shutil.copy(files["big_spec"], proj / "specs" / "s" / "big.yaml")
        if shape == sizes.big:
            shutil.copy(big, proj / "data" / big.name)
        else:
            write_matrix(proj / "data" / big.name, np.ones((shape, shape)))
        r = measure(heatdoc("build", str(proj), "-o", str(base / "memory-site")))
        if not r.ok:
            print(f"building the {name} spec alone failed:\n{r.output[-1500:]}")
            return None
        result[name] = r.tree_mb
    result["matrix"] = sizes.big * sizes.big * 8 / 2**20
    return result


# --- the report --------------------------------------------------------------------

def med(rs: list[Run], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in rs)


def report(sizes, runs, steps, sites, startup, memory, weight, identical, json_path) -> None:
    import plotly

    from heatdoc import __version__

    machine = (f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python "
               f"{platform.python_version()}, plotly {plotly.__version__}, heatdoc {__version__}")
    print(f"\n{sizes.small} small specs (10x10, text_auto) in {len(SECTIONS)} sections + {sizes.mid_count} x "
          f"{sizes.mid}x{sizes.mid} CSV + 1 x {sizes.big}x{sizes.big} {sizes.big_format}; median of {runs} run(s)")
    print(f"machine: {machine}\n")
    naive = med(steps["naive"], "wall") if steps["naive"] else None
    clean_wall = med(steps["clean"], "wall") if steps["clean"] else None
    print(f"{'step':<22}{'wall s':>9}{'vs naive':>11}{'vs clean':>10}{'CPU s':>8}"
          f"{'peak MiB':>9}{'tree MiB':>9}{'site MiB':>9}{'files':>7}")
    figures: dict = {"machine": machine, "runs": runs, "sizes": sizes.__dict__, "steps": {}}
    for name, rs in steps.items():
        if not rs:
            print(f"{name:<22}{'skipped':>9}")
            continue
        wall = med(rs, "wall")
        vs_naive = f"{naive / wall:.1f}x" if naive else "-"
        vs_clean = f"{wall / clean_wall:.1%}" if clean_wall and name != "naive" and name != "clean" else ""
        size, count = sites.get("naive" if name == "naive" else "heatdoc", (0, 0))
        print(f"{name:<22}{wall:>9.3f}{vs_naive:>11}{vs_clean:>10}{med(rs, 'cpu'):>8.2f}"
              f"{med(rs, 'maxrss_mb'):>9.0f}{med(rs, 'tree_mb'):>9.0f}{size / 2**20:>9.1f}{count:>7}")
        figures["steps"][name] = {"wall": wall, "cpu": med(rs, "cpu"), "maxrss_mb": med(rs, "maxrss_mb"),
                                  "tree_mb": med(rs, "tree_mb"), "all_walls": [r.wall for r in rs]}
    print("  (peak MiB: the largest single process; tree MiB: sampled peak PSS of all its processes;\n"
          "   one edit, warm: the same edit rebuilt by a process that rebuilt after an edit before, as `heatdoc serve`)")
    print()
    for name, rs in startup.items():
        print(f"{name:<28}{med(rs, 'wall'):>7.3f} s  (median of {len(rs)})")
    figures["startup"] = {k: med(v, "wall") for k, v in startup.items()}
    if memory:
        extra = memory["big"] - memory["baseline"]
        print(f"\nbuild of the {sizes.big}x{sizes.big} spec alone: {memory['big']:.0f} MiB peak, "
              f"{extra:.0f} MiB over the same spec with a 10x10 file; the matrix is {memory['matrix']:.0f} MiB "
              f"({extra / memory['matrix']:.1f}x)")
        figures["memory"] = memory
    if weight:
        print(f"\nsite: {weight.plotly_js} plotly.js file(s); a small chart's page {weight.small_page / 1024:.1f} KB "
              f"(all its files {weight.small_chart / 1024:.1f} KB); index.html {weight.index / 1024:.0f} KB "
              f"({weight.index_images} images, {weight.index_eager_images} not lazy)")
        for note in weight.notes:
            print(f"  note: {note}")
        figures["weight"] = weight.__dict__
    if identical is not None:
        print(f"site after the rebuilds is byte-identical to a clean build: {'yes' if identical else 'NO'}")
        figures["identical"] = identical
    print("\ntargets of issue 7:")
    for line in verdicts(sizes, steps, startup, memory, weight, identical):
        print("  " + line)
    if json_path:
        json_path.write_text(json.dumps(figures, indent=2, default=str) + "\n")


def verdicts(sizes, steps, startup, memory, weight, identical) -> list[str]:
    def say(ok: bool, text: str, miss: str = "") -> str:
        return f"{'met   ' if ok else 'MISSED'} {text}" + (f" -- {miss}" if not ok and miss else "")

    out = []
    if steps["clean"] and steps["naive"]:
        x = med(steps["naive"], "wall") / med(steps["clean"], "wall")
        aim = "aim of 25x met" if x >= FULL_SPEEDUP_AIM else f"aim of 25x missed by {FULL_SPEEDUP_AIM / x:.1f}x"
        out.append(say(x >= FULL_SPEEDUP, f"full build >= 10x faster than the naive script: {x:.1f}x ({aim})",
                       f"{FULL_SPEEDUP / x:.1f}x too slow"))
    elif not steps["clean"]:
        out.append("n/a    full build: `heatdoc build` did not run")
    if steps["clean"]:
        c = med(steps["clean"], "wall")
        for name, share in (("no change", NO_CHANGE_SHARE), ("one edit", ONE_EDIT_SHARE),
                            ("one edit, warm", ONE_EDIT_SHARE)):
            if not steps[name]:
                continue
            s = med(steps[name], "wall") / c
            out.append(say(s <= share, f"rebuild, {name}, <= {share:.0%} of a full build: {s:.1%}",
                           f"{s / share:.1f}x over"))
    for name in ("heatdoc --help", "heatdoc validate ONE_SPEC"):
        t = med(startup[name], "wall")
        out.append(say(t < STARTUP_S, f"{name} starts in < {STARTUP_S} s: {t:.3f} s", f"{t - STARTUP_S:.3f} s over"))
    if weight:
        out.append(say(weight.plotly_js == 1, f"one plotly.js for the whole site: {weight.plotly_js}"))
        out.append(say(0 < weight.small_page <= SMALL_PAGE_BYTES,
                       f"a small chart page <= {SMALL_PAGE_BYTES // 1024} KB: {weight.small_page / 1024:.1f} KB",
                       f"{weight.small_page / SMALL_PAGE_BYTES:.1f}x over" if weight.small_page else "no page found"))
        out.append(say(weight.big_typed, "the big matrix as a base64 typed array"))
        per_card = weight.index / max(1, sizes.small + sizes.mid_count + 1)
        out.append(say(per_card <= INDEX_BYTES_PER_CARD and not weight.index_json and weight.index_eager_images == 0,
                       f"index light: {per_card:.0f} B a card (<= {INDEX_BYTES_PER_CARD}), figure JSON on it: "
                       f"{'yes' if weight.index_json else 'no'}, images not lazy: {weight.index_eager_images}"))
    if memory:
        extra = memory["big"] - memory["baseline"]
        times = extra / memory["matrix"]
        out.append(say(times <= BIG_MEMORY_TIMES, f"big chart's peak memory <= {BIG_MEMORY_TIMES:.0f}x its matrix "
                       f"({memory['matrix']:.0f} MiB): {times:.1f}x", f"{times / BIG_MEMORY_TIMES:.1f}x over"))
    if identical is not None:
        out.append(say(identical, "cached build byte-identical to a clean build"))
    return out


if __name__ == "__main__":
    main()
