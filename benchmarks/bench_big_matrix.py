"""Big matrices: time and peak memory of heatdoc against the naive way.

    python benchmarks/bench_big_matrix.py [--sizes 500 1000 2000]

For each size N it writes an N x N wide table (labelled rows and columns, random
floats) as CSV and as Parquet in a temporary folder, then runs each case in its own
process and reads that process's peak resident memory from os.wait4:

  heatdoc  heatdoc.load_spec + compile_figure + orjson dump (what a build does per spec)
  naive    pandas.read_csv / read_parquet + px.imshow + fig.write_html (no plotly.js)

"time" is the work alone: each process first runs its case on a 10 x 10 table, so
imports and first calls are not counted. "peak" is the whole process. "extra"
is the peak minus that of the same case on a 10 x 10 table, i.e. what the matrix
itself costs over the interpreter and its libraries; it is compared with the
matrix's own bytes (N * N * 8).

This is a script, not a test: numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_tables(folder: Path, n: int) -> dict[str, Path]:
    import numpy as np
    import pandas as pd

    cells = np.random.default_rng(n).random((n, n))
    frame = pd.DataFrame(cells, columns=[f"c{j}" for j in range(n)])
    frame.insert(0, "name", [f"r{i}" for i in range(n)])
    paths = {"csv": folder / f"m{n}.csv", "parquet": folder / f"m{n}.parquet"}
    frame.to_csv(paths["csv"], index=False)
    frame.to_parquet(paths["parquet"], index=False)
    return paths


def run_case(way: str, fmt: str, path: Path, out: Path) -> float:
    """One case; returns its seconds."""
    start = time.perf_counter()
    if way == "heatdoc":
        import heatdoc
        from heatdoc.jsonout import dumps_bytes
        from heatdoc.spec.compile import compile_figure

        spec_path = path.parent / f"{path.stem}-{fmt}.yaml"
        spec_path.write_text(f"title: {path.name}\nz: {{file: {path.name}}}\n")
        start = time.perf_counter()
        spec = heatdoc.load_spec(spec_path, root=path.parent)
        out.write_bytes(dumps_bytes(compile_figure(spec)))
    else:
        import pandas as pd
        import plotly.express as px

        if fmt == "csv":
            frame = pd.read_csv(path, index_col=0)
        else:
            frame = pd.read_parquet(path).set_index("name")
        px.imshow(frame).write_html(out, include_plotlyjs=False)
    return time.perf_counter() - start


def child(way: str, fmt: str, path: Path, warmup: Path, out: Path) -> None:
    """In its own process: the case on the 10 x 10 table first (imports, first calls),
    then timed on the real one."""
    run_case(way, fmt, warmup, out)
    print(json.dumps({"seconds": run_case(way, fmt, path, out)}))


def measure(way: str, fmt: str, path: Path, warmup: Path) -> tuple[float, float]:
    """(seconds of work, peak MiB of the process)."""
    out = path.parent / f"out-{way}-{fmt}-{path.stem}"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, __file__, "--child", way, fmt, str(path), str(warmup), str(out)],
                             stdout=subprocess.PIPE, env=env, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{way} {fmt} {path.name} failed")
    out.unlink()
    return json.loads(output)["seconds"], usage.ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        way, fmt, path, warmup, out = args.child
        child(way, fmt, Path(path), Path(warmup), Path(out))
        return

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = write_tables(folder, 10)
        base = {(way, fmt): measure(way, fmt, small[fmt], small[fmt])[1]
                for way in ("heatdoc", "naive") for fmt in ("csv", "parquet")}
        print(f"{'case':<22}{'time s':>8}{'peak MiB':>10}{'extra MiB':>11}{'extra/matrix':>14}"
              f"{'naive/heatdoc time':>20}{'naive/heatdoc extra':>21}")
        for n in args.sizes:
            paths = write_tables(folder, n)
            matrix_mib = n * n * 8 / 2**20
            for fmt in ("csv", "parquet"):
                rows = {}
                for way in ("heatdoc", "naive"):
                    seconds, peak = measure(way, fmt, paths[fmt], small[fmt])
                    rows[way] = (seconds, peak, max(peak - base[(way, fmt)], 0.0))
                for way, (seconds, peak, extra) in rows.items():
                    ratios = ""
                    if way == "naive":
                        h = rows["heatdoc"]
                        ratios = f"{seconds / h[0]:>20.1f}{extra / max(h[2], 1):>21.1f}"
                    print(f"{f'{n}² {fmt} {way}':<22}{seconds:>8.2f}{peak:>10.0f}{extra:>11.0f}"
                          f"{extra / matrix_mib:>14.1f}{ratios}")
            print(f"{'':<22}(the matrix: {matrix_mib:.0f} MiB; files: csv "
                  f"{paths['csv'].stat().st_size / 2**20:.0f} MiB, parquet "
                  f"{paths['parquet'].stat().st_size / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
