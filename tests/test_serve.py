"""`heatdoc serve`: a real server on 127.0.0.1 and real HTTP requests.

The HTTP and security tests serve a small fixed folder of files (the server's job does
not depend on what the build wrote); the live-reload tests run the real build_site and a
real watcher, and the command-line tests run `heatdoc serve` as a user does.
"""
from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_heatdoc

from heatdoc.errors import HeatdocError, SpecError
from heatdoc.serve.rebuild import Preview
from heatdoc.serve.server import LiveState, host_name, inject, is_loopback

SECRET = "TOP-SECRET-NOT-IN-THE-SITE"

# The stand-in site: one file per content type, a folder with and without index.html.
SITE_FILES = {
    "index.html": "<!doctype html><html><head><title>Home</title></head><body><h1>Home</h1></body></html>",
    "chemistry/index.html": "<html><body><p>Chemistry</p></body></html>",
    "chemistry/table.html": "<html><BODY class=x><p>Table</p></BODY></html>",
    "assets/app.js": "console.log(1);",
    "assets/style.css": "body{}",
    "assets/thumb.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "data/figure.json": "{}",
    "data/matrix.csv": "a,b\n1,2\n",
    "sitemap.xml": "<urlset/>",
    "heatdoc.schema.json": "{}",
    ".heatdoc-site": "marker",
    "evil.example/index.html": "<html><body>a folder named like a host</body></html>",
}


def write_site(project: Path, out: Path) -> None:
    for name, text in SITE_FILES.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


def fetch(port: int, path: str, *, method: str = "GET", host: str | None = "127.0.0.1:{port}") -> Reply:
    """One request with the path sent exactly as given (no client-side normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host.format(port=port))
        conn.endheaders()
        r = conn.getresponse()
        return Reply(r.status, r.headers, r.read())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A running preview of the stand-in site, with a secret beside it and symlinks in it."""
    project = tmp_path_factory.mktemp("project")
    (project / "secret.txt").write_text(SECRET)
    preview = Preview(project, port=0, build=write_site)
    preview.start()
    served = preview.state.site
    (preview.tmp / "secret.txt").write_text(SECRET)  # the folder that holds the builds
    (served / "leak.txt").symlink_to(project / "secret.txt")
    (served / "leakdir").symlink_to(project, target_is_directory=True)
    (served / "chemistry" / "leak-index").mkdir()
    (served / "chemistry" / "leak-index" / "index.html").symlink_to(project / "secret.txt")
    (served / "alias.html").symlink_to(served / "index.html")
    try:
        yield preview
    finally:
        preview.close()


# --- what is served ----------------------------------------------------------------------

CONTENT_TYPES = [
    ("/", "text/html; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/assets/app.js", "text/javascript; charset=utf-8"),
    ("/assets/style.css", "text/css; charset=utf-8"),
    ("/assets/thumb.svg", "image/svg+xml"),
    ("/data/figure.json", "application/json"),
    ("/data/matrix.csv", "text/csv; charset=utf-8"),
    ("/sitemap.xml", "application/xml"),
    ("/heatdoc.schema.json", "application/json"),
    ("/__heatdoc__/reload.js", "text/javascript; charset=utf-8"),
    ("/__heatdoc__/build", "application/json"),
]


@pytest.mark.parametrize("path,ctype", CONTENT_TYPES)
def test_files_are_served_with_their_type_and_no_caching(site, path, ctype):
    r = fetch(site.port, path)
    assert r.status == 200
    assert r.headers["Content-Type"] == ctype
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert int(r.headers["Content-Length"]) == len(r.body)


def test_files_are_served_as_built(site):
    assert fetch(site.port, "/data/matrix.csv").text == SITE_FILES["data/matrix.csv"]
    assert fetch(site.port, "/alias.html").status == 200  # a symlink that stays inside is fine


def test_html_gets_the_reload_script_but_the_built_file_does_not(site):
    page = fetch(site.port, "/").text
    tag = f'<script src="/__heatdoc__/reload.js" data-build="{site.state.build}"></script>'
    assert page == SITE_FILES["index.html"].replace("</body>", tag + "</body>")
    assert (site.state.site / "index.html").read_text() == SITE_FILES["index.html"]
    assert fetch(site.port, "/chemistry/table.html").text.endswith(tag + "</BODY></html>")


def test_build_endpoint_reports_the_build(site):
    assert json.loads(fetch(site.port, "/__heatdoc__/build").body) == {
        "build": site.state.build, "ok": True, "errors": []}


def test_head_sends_headers_only(site):
    r = fetch(site.port, "/assets/app.js", method="HEAD")
    assert (r.status, r.body, r.headers["Content-Length"]) == (200, b"", str(len(SITE_FILES["assets/app.js"])))


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head(site, method):
    r = fetch(site.port, "/index.html", method=method)
    assert (r.status, r.headers["Allow"]) == (405, "GET, HEAD")


# --- what is not served: (path, status) ----------------------------------------------------

REFUSED = [
    ("/../secret.txt", 404),
    ("/../../secret.txt", 404),
    ("/chemistry/../../secret.txt", 404),
    ("/%2e%2e/secret.txt", 404),
    ("/%2E%2E/%2e%2e/secret.txt", 404),
    ("/%2e%2e%2fsecret.txt", 404),
    ("/..%2f..%2fsecret.txt", 404),
    ("/chemistry/%2e%2e/%2e%2e/secret.txt", 404),
    ("/..%5csecret.txt", 404),
    ("/.%2e/secret.txt", 404),
    ("/./index.html", 404),
    ("/.heatdoc-site", 404),
    ("/index.html%00.csv", 404),
    ("/%ff%fe", 404),
    ("/assets/", 404),  # a folder without index.html: no listing
    ("/data/", 404),
    ("/nope.html", 404),
    ("/__heatdoc__/nope", 404),
    ("/leak.txt", 403),  # symlinks inside the site that point out of it
    ("/leakdir/secret.txt", 403),
    ("/leakdir/", 403),
    ("/chemistry/leak-index/", 403),
]


@pytest.mark.parametrize("path,status", REFUSED)
def test_paths_outside_the_site_are_refused(site, path, status):
    r = fetch(site.port, path)
    assert r.status == status
    assert SECRET not in r.text
    assert "Index of" not in r.text


@pytest.mark.parametrize("path,location", [
    ("/chemistry", "/chemistry/"),
    ("/chemistry?tag=x", "/chemistry/?tag=x"),
    ("//evil.example", "/evil.example/"),  # never a protocol-relative, off-site redirect
])
def test_folders_redirect_to_their_slash(site, path, location):
    r = fetch(site.port, path)
    assert (r.status, r.headers["Location"]) == (301, location)
    assert fetch(site.port, location).status == 200


HOSTS = [
    ("127.0.0.1:{port}", 200),
    ("localhost:{port}", 200),
    ("LOCALHOST:{port}", 200),
    ("[::1]:{port}", 200),
    ("localhost", 200),
    ("evil.example:{port}", 403),  # DNS rebinding: a foreign name that resolves to 127.0.0.1
    ("evil.example", 403),
    ("localhost.evil.example:{port}", 403),
    ("127.0.0.1.nip.io:{port}", 403),
    ("localhost:{port}@evil.example", 403),
    ("localhost:notaport", 403),
    ("", 403),
    (None, 403),  # no Host header at all
]


@pytest.mark.parametrize("host,status", HOSTS)
def test_foreign_host_header_is_refused(site, host, status):
    for path in ("/", "/__heatdoc__/build"):
        r = fetch(site.port, path, host=host)
        assert r.status == status
        if status == 403:
            assert "Home" not in r.text


def test_host_names():
    assert [host_name(h) for h in ("[::1]:80", "LocalHost", "a.b:1", "x:y", "a/b", "")] == [
        "::1", "localhost", "a.b", None, None, None]


def test_only_loopback_addresses_are_quiet():
    assert [is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "localhost")] == [True] * 4
    assert [is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.20", "example.org")] == [False] * 4


def test_an_explicit_loopback_address_answers_to_its_own_name(tmp_path):
    preview = Preview(tmp_path, host="127.0.0.2", port=0, build=write_site)
    try:
        preview.start()
        conn_host = f"127.0.0.2:{preview.port}"
        conn = http.client.HTTPConnection("127.0.0.2", preview.port, timeout=10)
        conn.request("GET", "/", headers={"Host": conn_host})
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        preview.close()
    assert not preview.tmp.exists()


# --- the error box ---------------------------------------------------------------------------

def test_errors_are_shown_escaped_over_the_page():
    state = LiveState(Path("."), 7, ("specs/a.yaml:3:8: title: <script>alert(1)</script>",))
    page = inject(b"<html><body class='x'><h1>Old</h1></body></html>", state).decode()
    assert page.startswith("<html><body class='x'><div id=\"heatdoc-errors\" role=\"alert\"")
    assert "specs/a.yaml:3:8: title: &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "heatdoc: 1 error</strong> (showing the last good build;" in page
    assert page.endswith('<h1>Old</h1><script src="/__heatdoc__/reload.js" data-build="7"></script></body></html>')


def test_changes_to_the_site_and_hidden_files_do_not_rebuild(tmp_path):
    (tmp_path / "heatdoc.yaml").write_text("output: public\n")
    preview = Preview(tmp_path, port=0, build=write_site)
    try:
        ignored = ["public/index.html", "public.tmp-12/x.html", ".git/HEAD", "specs/.a.yaml.swp"]
        watched = ["specs/a.yaml", "data/x.csv", "templates/base.html", "heatdoc.yaml", "publication.csv"]
        assert [preview.ignores(str(tmp_path / p)) for p in ignored] == [True] * len(ignored)
        assert [preview.ignores(str(tmp_path / p)) for p in watched] == [False] * len(watched)
        assert preview.ignores(str(preview.tmp / "build-3" / "index.html"))
    finally:
        preview.close()


def test_a_crashing_build_keeps_the_preview_running(tmp_path, capsys):
    calls = []

    def build(project, out):
        calls.append(out)
        if len(calls) == 2:
            raise ZeroDivisionError("boom")
        if len(calls) == 3:
            raise HeatdocError([SpecError("specs/a.yaml", 2, 4, "z", "not a matrix")])
        write_site(project, out)

    preview = Preview(tmp_path, port=0, build=build)
    try:
        preview.start()
        first = preview.state.site
        assert preview.rebuild([str(tmp_path / "x")]).errors[0].startswith(
            "heatdoc: the build crashed (ZeroDivisionError: boom); this is a bug")
        state = preview.rebuild([str(tmp_path / "x")])
        assert (state.site, state.build, state.errors) == (first, 3, ("specs/a.yaml:2:4: z: not a matrix",))
        assert fetch(preview.port, "/data/matrix.csv").text == SITE_FILES["data/matrix.csv"]
        assert not calls[1].exists() and not calls[2].exists()
        err = capsys.readouterr().err
        assert "Traceback" in err and "ZeroDivisionError: boom" in err
        assert "specs/a.yaml:2:4: z: not a matrix\nheatdoc: 1 error; still serving the last good build\n" in err
        for _ in range(3):  # only the newest two good builds are kept
            preview.rebuild([])
        assert sorted(p.name for p in preview.tmp.iterdir()) == ["build-5", "build-6"]
    finally:
        preview.close()
    assert not preview.tmp.exists()


# --- live reload with the real build ---------------------------------------------------------

SPEC = "title: {title}\nz: [[1, 2], [3, 4]]\n"
BAD_SPEC = "title: Renamed heatmap\nz: [[1, 2], [3, 4]]\ncolourscale: Viridis\n"
BAD_SPEC_ERROR = ":3:1: colourscale: unknown key 'colourscale' (did you mean 'colorscale'?)"


@pytest.fixture
def live(make_project):
    """A preview of a one-spec project with the real build and a watcher in a thread."""
    previews = []

    def start(spec_text: str, others: dict[str, str] | None = None) -> Preview:
        files = {"specs/basics/first.yaml": spec_text, **(others or {})}
        project = make_project(files, settings="title: Live gallery\n")
        preview = Preview(project, port=0)
        stop = threading.Event()
        watcher = threading.Thread(target=preview.watch, args=(stop,), daemon=True)
        previews.append((preview, stop, watcher))
        preview.start()
        watcher.start()
        assert preview.watching.wait(timeout=20), "the watcher did not start"
        return preview

    yield start
    for preview, stop, watcher in previews:
        stop.set()
        watcher.join(timeout=20)
        preview.close()
        assert not watcher.is_alive() and not preview.tmp.exists()


def edit(preview: Preview, text: str, name: str = "specs/basics/first.yaml", timeout: float = 60) -> dict:
    """Write the file, then wait (bounded) until the server reports a newer build; its status."""
    before = json.loads(fetch(preview.port, "/__heatdoc__/build").body)["build"]
    (preview.root / name).parent.mkdir(parents=True, exist_ok=True)
    (preview.root / name).write_text(text)
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout * 10)):
        status = json.loads(fetch(preview.port, "/__heatdoc__/build").body)
        if status["build"] > before or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert status["build"] > before, f"no rebuild within {timeout} s"
    return status


def test_an_edited_spec_is_rebuilt_and_served(live):
    preview = live(SPEC.format(title="First heatmap"))
    assert "First heatmap" in fetch(preview.port, "/").text
    status = edit(preview, SPEC.format(title="Renamed heatmap"))
    assert status["ok"] and status["errors"] == []
    page = fetch(preview.port, "/").text
    assert "Renamed heatmap" in page and "First heatmap" not in page
    assert '<script src="/__heatdoc__/reload.js" data-build="' in page
    assert not (preview.root / "site").exists()  # the project's own site/ is never touched


# (file, its new text, page, what the rebuilt page shows); the spec reads data/matrix.csv
INPUTS = [
    ("data/matrix.csv", "y,alpha,b\nr1,1,2\nr2,3,4\n", "/basics/first.html", ">alpha<"),
    ("heatdoc.yaml", "title: Renamed gallery\n", "/", "Renamed gallery"),
    ("templates/main.html", '{% extends "base.html" %}{% block footer %}<p>Team footer</p>{% endblock %}',
     "/basics/first.html", "<p>Team footer</p>"),
]


@pytest.mark.parametrize("name,text,page,shown", INPUTS, ids=[i[0] for i in INPUTS])
def test_data_settings_and_templates_are_watched_too(live, name, text, page, shown):
    preview = live("title: From a file\nz: {file: ../../data/matrix.csv}\n",
                   {"data/matrix.csv": "y,a,b\nr1,1,2\nr2,3,4\n"})
    assert shown not in fetch(preview.port, page).text
    assert edit(preview, text, name)["ok"]
    assert shown in fetch(preview.port, page).text


def test_a_bad_spec_shows_its_errors_and_the_last_good_site_stays(live, capsys):
    preview = live(SPEC.format(title="Renamed heatmap"))
    status = edit(preview, BAD_SPEC)
    assert not status["ok"] and len(status["errors"]) == 1
    assert status["errors"][0].endswith("specs/basics/first.yaml" + BAD_SPEC_ERROR)
    page = fetch(preview.port, "/")
    assert page.status == 200 and "Renamed heatmap" in page.text
    assert '<div id="heatdoc-errors"' in page.text
    assert "first.yaml" + BAD_SPEC_ERROR.replace("'", "&#x27;") in page.text
    err = capsys.readouterr().err
    assert "heatdoc: specs/basics/first.yaml changed; rebuilding\n" in err
    assert "first.yaml" + BAD_SPEC_ERROR + "\nheatdoc: 1 error; still serving the last good build\n" in err
    assert "Traceback" not in err

    status = edit(preview, SPEC.format(title="Fixed heatmap"))
    assert status["ok"]
    page = fetch(preview.port, "/").text
    assert "Fixed heatmap" in page and "heatdoc-errors" not in page


def test_a_project_that_never_built_shows_errors_until_fixed(live):
    preview = live(BAD_SPEC)
    r = fetch(preview.port, "/")
    assert r.status == 503
    assert "no build has succeeded yet" in r.text and "first.yaml" in r.text
    assert 'src="/__heatdoc__/reload.js"' in r.text
    edit(preview, SPEC.format(title="Fixed heatmap"))
    r = fetch(preview.port, "/")
    assert r.status == 200 and "Fixed heatmap" in r.text


# --- the command line ------------------------------------------------------------------------

def test_port_in_use_is_one_line_and_exit_2(make_project):
    project = make_project({"specs/a.yaml": SPEC.format(title="A")})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run_heatdoc("serve", project, "--port", port)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (f"heatdoc: port {port} is in use on 127.0.0.1; stop the other server or "
                        f"choose another port with --port N\n")


def test_a_port_out_of_range_is_a_usage_error(make_project):
    r = run_heatdoc("serve", make_project({}), "--port", "70000")
    assert (r.returncode, r.stderr) == (2, "heatdoc: --port 70000 is not a port number (0 to 65535)\n")


WARNING = ("heatdoc: warning: serving on 0.0.0.0, not 127.0.0.1: anyone who can reach this machine can "
           "read the site\n")


# the SIGTERM run also binds every address, which is allowed with a warning
@pytest.mark.parametrize("stop, host", [(signal.SIGINT, "127.0.0.1"), (signal.SIGTERM, "0.0.0.0")],
                         ids=["SIGINT", "SIGTERM-on-0.0.0.0"])
def test_ctrl_c_stops_cleanly_and_removes_the_temporary_folder(make_project, tmp_path, stop, host):
    project = make_project({"specs/basics/first.yaml": SPEC.format(title="First heatmap")})
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    args = ["--host", host] if host != "127.0.0.1" else []  # the default is 127.0.0.1
    proc = subprocess.Popen([sys.executable, "-m", "heatdoc", "serve", str(project), "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmp)})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            try:
                url = re.search(rf"at http://{re.escape(host)}:(\d+)/ \(Ctrl-C to stop\)", lines.get(timeout=1))
            except queue.Empty:
                assert proc.poll() is None, proc.stderr.read()
        assert url, "the server did not say where it listens"
        port = int(url.group(1))
        assert "First heatmap" in fetch(port, "/").text
        assert [p.name.startswith("heatdoc-serve-") for p in tmp.iterdir()] == [True]
        proc.send_signal(stop)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = proc.stderr.read()
    assert err.endswith("heatdoc: stopped\n") and "Traceback" not in err
    assert err.startswith(WARNING) == (host == "0.0.0.0")
    assert list(tmp.iterdir()) == []


@pytest.mark.browser
def test_an_open_page_reloads_in_a_browser(live):
    sync_api = pytest.importorskip("playwright.sync_api")
    preview = live(SPEC.format(title="First heatmap"))
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{preview.port}/")
            assert "First heatmap" in page.content()
            edit(preview, SPEC.format(title="Renamed heatmap"))
            page.wait_for_function("document.body.textContent.includes('Renamed heatmap')", timeout=20_000)
            edit(preview, BAD_SPEC)
            box = page.wait_for_selector("#heatdoc-errors", timeout=20_000)
            assert BAD_SPEC_ERROR in box.text_content()
            assert "Renamed heatmap" in page.content()
        finally:
            browser.close()
