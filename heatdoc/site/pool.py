"""Work shared out over a pool of processes, for a large project only.

A build on 2 cores halves when its per-chart work runs in two processes, but a pool
costs tens of milliseconds to start: below `MIN_ITEMS` a loop in this process wins.
Workers are forked (Linux): they start with everything the build has loaded (modules,
templates, the plan), so a task sends only a name or a path. Elsewhere a worker would
have to import all of heatdoc again, so the work stays in this process.

What a task needs beyond its item is handed to `run` as ``shared``, never left in a
module global by the caller: `_SHARED` below is the one place where a worker receives
a value from the build through the fork.
"""
from __future__ import annotations

import os
import sys
from functools import partial
from typing import Any, Callable, Sequence

MIN_ITEMS = 64  # measured on 2 cores: below this, starting the pool costs more than it saves
MAX_WORKERS = 8


def workers_for(count: int, min_items: int | None = None) -> int:
    """How many processes ``count`` tasks are worth; 1 means: do them here."""
    min_items = MIN_ITEMS if min_items is None else min_items
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if count < min_items or cores < 2 or not sys.platform.startswith("linux"):
        return 1
    return min(cores, MAX_WORKERS)


# In a worker, the ``shared`` value of the `run` that forked it. It comes through the fork
# (the worker's start arguments, which a fork copies and never pickles) because a build's
# shared value is the cheapest to hand over that way, or cannot be pickled at all: the
# site's files, whose pages are closures over the Jinja environment and the chart parts.
_SHARED: Any = None


def run(fn: Callable[..., Any], items: Sequence[Any], *, shared: Any = None, first: Sequence[int] = (),
        min_items: int | None = None) -> list[Any]:
    """``[fn(item) for item in items]``, or ``[fn(shared, item) ...]`` when there is a
    ``shared`` value, over forked processes when there are enough items. ``fn`` must be a
    module-level function. Items whose index is in ``first`` (the slow ones) are sent
    first, one at a time, so that no slow item lands last on its own; the rest go in
    batches, which costs fewer round trips."""
    with_shared = shared is not None
    workers = workers_for(len(items), min_items)
    if workers == 1:
        return [fn(shared, item) if with_shared else fn(item) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    task = partial(_with_shared, fn) if with_shared else fn

    early = [i for i in first if 0 <= i < len(items)]
    skip = set(early)
    rest = [i for i in range(len(items)) if i not in skip]
    results: list[Any] = [None] * len(items)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_receive, initargs=(shared,)) as pool:
        slow = pool.map(task, [items[i] for i in early], chunksize=1)
        fast = pool.map(task, [items[i] for i in rest], chunksize=max(1, len(rest) // (workers * 4)))
        for i, result in zip(early, slow):
            results[i] = result
        for i, result in zip(rest, fast):
            results[i] = result
    return results


def _receive(shared: Any) -> None:
    """A worker's start: keep the ``shared`` value of the `run` that forked it."""
    global _SHARED
    _SHARED = shared


def _with_shared(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    return fn(_SHARED, item)
