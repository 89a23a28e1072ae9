"""The one rule for "this path stays inside its folder".

A spec's data file stays inside the project, a spec file and heatdoc.yaml too, a template
or a theme asset inside its templates folder, a file the preview server sends inside the
site. Each of those places words its own refusal; the test is this module's:

- ``resolve`` follows every symbolic link (a link that leads out is out, however deep it
  sits), and reports a link loop as an ``OSError`` with ``errno.ELOOP`` on every Python;
- ``is_inside`` compares two real paths as text, separators honoured (``/a/bc`` is not
  inside ``/a/b``), so a caller that has resolved its folder once pays no system call.
"""
from __future__ import annotations

import errno
import os

StrPath = str | os.PathLike


def resolve(path: StrPath) -> str:
    """``path`` with every symbolic link followed, as text; a missing part is kept as
    written (like ``Path.resolve()``). Raises OSError(ELOOP) for a link that leads back to
    itself and ValueError for a NUL character."""
    real = os.path.realpath(path)
    try:
        os.stat(real)  # realpath leaves a loop unresolved without a word: stat names it
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), os.fspath(path)) from None
    return real


def is_inside(real: StrPath, real_folder: StrPath) -> bool:
    """True when ``real`` is ``real_folder`` or lies under it; both already resolved."""
    text, folder = os.fspath(real), os.fspath(real_folder)
    return text == folder or text.startswith(folder.rstrip(os.sep) + os.sep)


def resolve_inside(path: StrPath, folder: StrPath) -> tuple[str, bool]:
    """``path`` resolved, and whether it stays inside ``folder`` (resolved too)."""
    real = resolve(path)
    return real, is_inside(real, os.path.realpath(folder))
