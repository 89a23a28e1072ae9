"""Compile speed: heatdoc vs px.imshow, per small spec, as a ratio.

    python benchmarks/bench_compile.py [N]

Writes N (default 1000) small specs (10x10, text_auto) to a temporary folder, then
times, in this process and after a warm-up:
  - px.imshow(z, text_auto=True) per matrix (the naive way, no YAML at all),
  - heatdoc's compile_figure per spec (specs already loaded and validated),
  - heatdoc's whole path per spec: load YAML + validate + compile + JSON,
and prints the median of several rounds and the ratios. Not a test: numbers
depend on the machine; the README quotes them with the machine they came from.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from heatdoc.jsonout import dumps_bytes  # noqa: E402
from heatdoc.sources.dispatch import ReadContext  # noqa: E402
from heatdoc.spec.compile import compile_figure  # noqa: E402
from heatdoc.spec.load import load_yaml  # noqa: E402
from heatdoc.spec.validate import check_spec  # noqa: E402


def write_specs(folder: Path, n: int) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        z = np.round(rng.random((10, 10)), 3).tolist()
        rows = "\n".join(f"  - {row}" for row in z)
        path = folder / f"spec-{i:04d}.yaml"
        path.write_text(f"title: Spec {i}\ntext_auto: \".2f\"\ncolorscale: Viridis\nz:\n{rows}\n")
        paths.append(path)
    (folder / "heatdoc.yaml").write_text("title: bench\n")
    return paths


def best_of(rounds: int, fn) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    import plotly.express as px

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_specs(folder, n)
        ctx = ReadContext(folder)
        specs = [check_spec(load_yaml(p), ctx) for p in paths]
        matrices = [s.z for s in specs]
        px_n = min(n, 200)  # px.imshow is slow; time a sample and scale

        def naive() -> None:
            for z in matrices[:px_n]:
                px.imshow(z, text_auto=".2f", color_continuous_scale="Viridis")

        def compile_only() -> None:
            for s in specs:
                compile_figure(s, template=False)

        def whole() -> None:
            c = ReadContext(folder)
            for p in paths:
                dumps_bytes(compile_figure(check_spec(load_yaml(p), c), template=False))

        naive()  # warm-up: imports, caches
        whole()
        t_px = best_of(3, naive) / px_n
        t_compile = best_of(5, compile_only) / n
        t_whole = best_of(3, whole) / n

    print(f"{n} specs of 10x10, per spec (median of rounds):")
    print(f"  px.imshow                          {t_px * 1e3:8.3f} ms")
    print(f"  heatdoc compile_figure             {t_compile * 1e3:8.3f} ms   {t_px / t_compile:6.0f}x faster")
    print(f"  heatdoc load+validate+compile+JSON {t_whole * 1e3:8.3f} ms   {t_px / t_whole:6.1f}x faster")
    print(f"  {n} specs compile in {t_compile * n:.3f} s; whole path {t_whole * n:.3f} s")


if __name__ == "__main__":
    main()
