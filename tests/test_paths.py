"""The one rule "this path stays inside its folder" (heatdoc/paths.py), against a table of
hostile paths; then the same paths through the places that use it, each refusing in its
own words. tests/test_hostile_files.py and tests/test_source_errors.py pair the refusals
a user sees with their exact messages; tests/test_serve.py sends hostile URLs over HTTP.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from helpers.site import Link, lay_out

from heatdoc.errors import HeatdocError
from heatdoc.paths import is_inside, resolve, resolve_inside
from heatdoc.serve.server import locate
from heatdoc.sources.dispatch import safe_path
from heatdoc.spec.load import load_yaml

LOOP = "loop"  # expected: an OSError with errno ELOOP

# (what is laid out under tmp/: a file, or a link -> its target, relative to the link)
LAYOUT = {
    "folder/file.txt": "inside",
    "folder/sub/inner.txt": "inside",
    "folder-evil/x.txt": "a sibling whose name starts like the folder's",
    "outside/secret.txt": "SECRET",
    "folder/link-in": Link("file.txt"),
    "folder/link-out": Link("../outside/secret.txt"),
    "folder/dir-out": Link("../outside"),
    "folder/sub/up": Link("../.."),  # a link inside that climbs out
    "folder/abs-link": Link("/etc"),
    "folder/loop": Link("loop"),
    "folder/ping": Link("pong"),
    "folder/pong": Link("ping"),
    "folder/chain": Link("link-out"),  # a link to a link that leads out
}

# (path relative to folder/ as a spec or a URL would give it, stays inside?)
HOSTILE = [
    ("file.txt", True),
    ("sub/inner.txt", True),
    ("sub/../file.txt", True),
    (".", True),  # the folder itself
    ("missing.txt", True),  # inside, though not there: the caller says "no such file"
    ("link-in", True),
    ("..", False),
    ("../outside/secret.txt", False),
    ("sub/../../outside/secret.txt", False),
    ("missing/../../outside/secret.txt", False),
    ("../folder-evil/x.txt", False),  # a prefix of the text is not a folder
    ("/etc/passwd", False),  # absolute: joined, it replaces the folder
    ("//etc/passwd", False),
    ("link-out", False),
    ("chain", False),
    ("dir-out/secret.txt", False),
    ("sub/up/outside/secret.txt", False),
    ("abs-link/hostname", False),
    ("loop", LOOP),
    ("ping", LOOP),
    ("loop/x.txt", LOOP),
    # on POSIX these are plain characters of a name inside the folder, never decoded
    ("..\\outside\\secret.txt", True),
    ("~/secret.txt", True),
    ("~root", True),
    ("%2e%2e/outside/secret.txt", True),
    ("..%2foutside%2fsecret.txt", True),
]


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("paths")
    lay_out(root, LAYOUT, root / "outside")
    return root


@pytest.mark.parametrize("path, inside", HOSTILE, ids=[p for p, _ in HOSTILE])
def test_the_helper_on_hostile_paths(tree, path, inside):
    folder = tree / "folder"
    if inside == LOOP:
        with pytest.raises(OSError) as info:
            resolve_inside(os.path.join(folder, path), folder)
        assert info.value.errno == errno.ELOOP
        return
    real, verdict = resolve_inside(os.path.join(folder, path), folder)
    assert verdict is inside, real
    assert is_inside(real, os.path.realpath(folder)) is inside


def test_a_nul_character_is_refused_before_any_file_is_touched(tree):
    with pytest.raises(ValueError):
        resolve(tree / "folder" / "a\0b")


@pytest.mark.parametrize("real, folder, inside", [
    ("/a/b", "/a/b", True),
    ("/a/b/c", "/a/b", True),
    ("/a/b/c", "/a/b/", True),
    ("/a/bc", "/a/b", False),
    ("/a", "/a/b", False),
    ("/a/b/../c", "/a/b", True),  # text only: resolve first
    ("/anything", "/", True),
])
def test_the_text_rule_honours_separators(real, folder, inside):
    assert is_inside(real, folder) is inside


# --- the same paths through safe_path (a spec's data file) and locate (the preview server)

@pytest.mark.parametrize("path, inside", HOSTILE, ids=[p for p, _ in HOSTILE])
def test_a_spec_reads_no_hostile_path(tree, path, inside):
    spec = tree / "folder" / "spec.yaml"
    if not spec.exists():
        spec.write_text("title: t\nz: [[1]]\n")
    doc = load_yaml(spec)
    try:
        real = safe_path(doc, ("z", "file"), path, tree / "folder")
    except HeatdocError as exc:
        message = str(exc.errors[0])
    else:
        assert inside is True and real.is_file() and real.is_relative_to((tree / "folder").resolve())
        return
    if inside is False:  # refused as leading out, or earlier as absolute
        assert "leads outside the project folder" in message or "is an absolute path" in message, message
    elif inside == LOOP:
        assert message.endswith("is a symbolic link that leads back to itself"), message
    else:  # inside but not a readable file, or refused for its form (~)
        assert any(words in message for words in ("no such file", "is not a file", "home folder")), message


@pytest.mark.parametrize("path, inside", HOSTILE, ids=[p for p, _ in HOSTILE])
def test_the_preview_server_sends_no_hostile_path(tree, path, inside):
    status, found = locate(tree / "folder", "/" + path)
    if status == 200:
        assert inside is True and Path(found).resolve().is_relative_to((tree / "folder").resolve())
    else:
        assert status in (301, 403, 404)


@pytest.mark.parametrize("url, status", [
    ("/file.txt", 200),
    ("/%2e%2e/outside/secret.txt", 404),  # decoded once, then every segment is checked
    ("/..%2foutside%2fsecret.txt", 404),
    ("/%2E%2E%5Coutside%5Csecret.txt", 404),
    ("/file.txt%00.html", 404),
    ("/%ff", 404),
    ("/link-out", 403),
    ("/chain", 403),
    ("/dir-out/secret.txt", 403),
    ("/sub/up/outside/secret.txt", 403),
    ("/loop", 404),
    ("/ping", 404),
])
def test_url_encoded_paths_meet_the_same_rule(tree, url, status):
    assert locate(tree / "folder", url)[0] == status


def test_theme_assets_skip_links_out_and_loops_with_a_warning(tmp_path):
    from heatdoc.site.render.assets import theme_assets

    assets = tmp_path / "templates" / "assets"
    assets.mkdir(parents=True)
    (tmp_path / "secret.css").write_text("SECRET")
    (assets / "mine.css").write_text("body {}")
    (assets / "out.css").symlink_to("../../secret.css")
    (assets / "loop.css").symlink_to("loop.css")
    files, warnings = theme_assets(tmp_path / "templates")
    assert files["assets/mine.css"] == assets / "mine.css"
    assert "assets/out.css" not in files and "assets/loop.css" not in files
    assert sorted(w.split(": ", 1)[1] for w in warnings) == [
        "a symbolic link out of " + str(tmp_path / "templates") + "; not copied into the site",
        "a symbolic link that leads back to itself; not copied into the site"]
