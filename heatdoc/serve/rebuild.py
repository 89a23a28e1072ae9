"""`heatdoc serve`: build into a temporary folder, serve it, and rebuild on every change.

The main thread builds and watches; the HTTP server answers from its own threads. Builds
run in the main thread so that Ctrl-C during a build interrupts the build itself (which
leaves nothing half-written) before the temporary folder is removed.

Every build goes into a fresh folder; the server switches to it only when it is complete,
so a reader never sees half a site. A failed build keeps the last good site on screen,
with its errors over it.
"""
from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Callable, Iterable

from heatdoc.errors import HeatdocError, UsageError
from heatdoc.serve.server import LiveState, is_loopback, open_server

BuildSite = Callable[[Path, Path], object]

# watchfiles yields once the files have been quiet for STEP_MS (an editor saving writes
# several times in a burst), and at the latest after DEBOUNCE_MS of steady changes.
STEP_MS = 100
DEBOUNCE_MS = 1600


def serve(project_dir: Path, port: int = 8000, host: str = "127.0.0.1") -> int:
    """Serve a live preview of the project until Ctrl-C; the exit code."""
    preview = Preview(project_dir, host=host, port=port)
    if not preview.loopback:
        print(f"heatdoc: warning: serving on {host}, not 127.0.0.1: anyone who can reach this "
              f"machine can read the site", file=sys.stderr, flush=True)
    previous = _stop_on_sigterm()
    try:
        preview.start()
        print(f"Serving {preview.root} at {preview.url} (Ctrl-C to stop)", flush=True)
        preview.watch()
    except KeyboardInterrupt:
        pass
    finally:
        preview.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print("heatdoc: stopped", file=sys.stderr)
    return 0


class Preview:
    """A project's live preview: its temporary builds, its server, its watcher."""

    def __init__(self, project_dir: Path, *, host: str = "127.0.0.1", port: int = 8000,
                 build: BuildSite | None = None):
        self.root = Path(project_dir).resolve()
        self.host = host
        self.loopback = is_loopback(host)
        self._build = build or _build_site
        # Bound before anything is built, so that a port in use fails at once.
        self.server = open_server(host, port, check_host=self.loopback)
        self.tmp = Path(tempfile.mkdtemp(prefix="heatdoc-serve-")).resolve()
        self._thread: threading.Thread | None = None
        self.watching = threading.Event()  # set once file changes are being seen
        self._good: list[Path] = []  # folders of good builds, newest last
        self._output = self.root / "site"  # the default, kept while heatdoc.yaml is invalid
        self._output = self._output_folder()

    @property
    def state(self) -> LiveState:
        return self.server.state

    @property
    def port(self) -> int:
        return self.server.server_port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        """The first build, then the server's thread."""
        self.rebuild(())
        self._thread = threading.Thread(target=self.server.serve_forever, name="heatdoc-serve",
                                        daemon=True)
        self._thread.start()

    def rebuild(self, changed: Iterable[str]) -> LiveState:
        changed = sorted(changed)
        if changed:
            what = self._describe(changed)
            print(f"heatdoc: {what} changed; rebuilding", file=sys.stderr, flush=True)
        number = self.state.build + 1
        out = self.tmp / f"build-{number}"
        errors = self._try_build(out)
        self._output = self._output_folder()
        if errors:
            shutil.rmtree(out, ignore_errors=True)
            for line in errors:
                print(line, file=sys.stderr)
            n = len(errors)
            still = "still serving the last good build" if self._good else "nothing to serve yet"
            print(f"heatdoc: {n} error{'s' if n != 1 else ''}; {still}", file=sys.stderr, flush=True)
            # On the page, paths relative to the project read better; the terminal keeps
            # them whole so that editors can open them.
            shown = tuple(line.removeprefix(f"{self.root}{os.sep}") for line in errors)
            self.server.state = LiveState(self.state.site, number, shown)
            return self.server.state
        self.server.state = LiveState(out, number, ())
        self._good.append(out)
        # Keep the previous build for requests still reading it; older ones go.
        while len(self._good) > 2:
            shutil.rmtree(self._good.pop(0), ignore_errors=True)
        if changed:
            print("heatdoc: site updated; open pages reload", file=sys.stderr, flush=True)
        return self.server.state

    def _try_build(self, out: Path) -> list[str]:
        """Build into ``out``; the errors as lines (none when it worked)."""
        try:
            self._build(self.root, out)
        except HeatdocError as exc:
            return [str(e) for e in exc.errors] or [str(exc)]
        except UsageError as exc:
            return [f"heatdoc: {exc}"]
        except Exception as exc:  # noqa: BLE001 - a bug in a build must not stop the preview
            traceback.print_exc()
            return [f"heatdoc: the build crashed ({type(exc).__name__}: {exc}); this is a bug in "
                    f"heatdoc, the traceback is in the terminal"]
        return []

    def watch(self, stop: threading.Event | None = None) -> None:
        """Rebuild on every change under the project folder until Ctrl-C or ``stop``."""
        from watchfiles import watch

        # The short timeout makes the loop come round even when nothing changes, which is
        # how `watching` learns that the watcher is in place.
        for changes in watch(self.root, watch_filter=_ProjectFilter(self), step=STEP_MS,
                             debounce=DEBOUNCE_MS, stop_event=stop, raise_interrupt=True,
                             rust_timeout=500, yield_on_timeout=True):
            self.watching.set()
            if changes:
                self.rebuild({path for _, path in changes})

    def ignores(self, path: str) -> bool:
        """True for changes that are not the project's input: its site, hidden files, our builds."""
        p = Path(path)
        if p.is_relative_to(self.tmp):
            return True
        try:
            rel = p.relative_to(self.root)
        except ValueError:
            return False
        if any(part.startswith(".") for part in rel.parts):
            return True
        # The output folder, and the staging folder a `heatdoc build` writes beside it.
        out = self._output
        if not p.is_relative_to(out.parent) or p == out.parent:
            return False
        first = p.relative_to(out.parent).parts[0]
        return first == out.name or first.startswith(out.name + ".")

    def close(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
        self.server.server_close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _output_folder(self) -> Path:
        from heatdoc.site.project import open_project

        try:
            return open_project(self.root).output_dir.resolve()
        except HeatdocError:
            return self._output  # heatdoc.yaml is being edited: keep the last known value

    def _describe(self, changed: list[str]) -> str:
        if len(changed) > 1:
            return f"{len(changed)} files"
        try:
            return Path(changed[0]).relative_to(self.root).as_posix()
        except ValueError:
            return changed[0]


def _build_site(project_dir: Path, out: Path) -> object:
    from heatdoc.site.build import build_site

    return build_site(project_dir, out)


class _ProjectFilter:
    """watchfiles' default filter (editor swap files, .git, ...) plus Preview.ignores."""

    def __init__(self, preview: Preview):
        from watchfiles import DefaultFilter

        self._default = DefaultFilter()
        self._preview = preview

    def __call__(self, change, path: str) -> bool:
        return self._default(change, path) and not self._preview.ignores(path)


def _stop_on_sigterm():
    """Make SIGTERM stop the preview like Ctrl-C does, so the temporary folder is removed."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, stop)
