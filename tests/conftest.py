"""Shared test fixtures: run the CLI as a user does, and make small projects."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A browser test without Chromium is skipped, or fails where HEATDOC_REQUIRE_BROWSER=1 (CI)."""
    if item.get_closest_marker("browser"):
        from helpers.browser import browser_missing, unavailable

        reason = browser_missing()
        if reason:
            unavailable(reason)


def run_heatdoc(*args: str, cwd: Path | str | None = None, timeout: float = 120,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`heatdoc ARGS` in a new process, as a user runs it (``env``: variables to set)."""
    return subprocess.run([sys.executable, "-m", "heatdoc", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **env} if env else None)


def errors_of(result: subprocess.CompletedProcess) -> list[str]:
    """stderr without the progress lines a slow build prints ("heatdoc: reading 9 specs…"),
    which appear only when the build takes over a second (a loaded machine)."""
    return [line for line in result.stderr.splitlines() if not line.endswith("…")]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one for the module (helpers.browser.CHROMIUM)."""
    from helpers.browser import CHROMIUM, LAUNCH_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def heatdoc_cli():
    return run_heatdoc


@pytest.fixture
def make_project(tmp_path: Path):
    """make_project({"specs/a.yaml": "...", "data/x.csv": "..."}) -> project folder with heatdoc.yaml."""
    def make(files: dict[str, str | bytes], settings: str = "title: Test gallery\n") -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        (root / "heatdoc.yaml").write_text(settings)
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content))
        return root
    return make
