"""The HTTP side of `heatdoc serve`: what a request may see, and how open pages learn of a rebuild.

Only the folder of the last good build is served, plus two endpoints under /__heatdoc__/.
The preview runs on the user's own machine, next to their files, so it is strict: GET and
HEAD only; no directory listings; no path that leads out of the site (``..``, encoded or
not, or a symlink); and, when bound to loopback, no request whose Host header is not a
loopback name, so that a web page cannot reach the preview through DNS rebinding.

Live reload is a small script added to every HTML response (never to the built files) that
polls /__heatdoc__/build once a second and reloads the page when the build number moves.
Polling rather than Server-Sent Events: an event stream holds one of the browser's six
connections per host for as long as a tab is open, so a seventh tab would hang.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import socketserver
import stat
import sys
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from heatdoc.errors import UsageError
from heatdoc.paths import is_inside, resolve

ENDPOINTS = "/__heatdoc__/"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".map": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".yaml": "text/plain; charset=utf-8",
    ".yml": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".pdf": "application/pdf",
}

RELOAD_JS = b"""\
// heatdoc serve: reload this page when the site has been rebuilt.
(function () {
  var me = document.currentScript, shown = me && me.getAttribute("data-build");
  function later(ms) { setTimeout(check, ms); }
  function check() {
    fetch("/__heatdoc__/build", {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (s) { if (String(s.build) !== shown) location.reload(); else later(1000); },
            function () { later(2000); });  // stopped or restarting: keep asking, more slowly
  }
  later(1000);
})();
"""

# The error box is plain HTML, so it shows even with JavaScript off; <details> lets the
# reader fold it away without a script. Every element resets the page's own styles
# (`all:initial`): a theme that styles <pre> or <details> must not hide the errors.
_BOX = ("all:initial;display:block;position:fixed;left:0;right:0;top:0;z-index:2147483647;"
        "max-height:60vh;overflow:auto;padding:.8em 1.2em;background:#2b0b0b;color:#ffe1e1;"
        "font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
        "border-bottom:3px solid #e5484d;text-align:left")
_PART = "all:initial;color:inherit;font:inherit;"
_STYLES = {"details": _PART + "display:block",
           # not all:initial, which would also take away the fold arrow
           "summary": "display:list-item;cursor:pointer;color:inherit;font:inherit;margin:0;"
                      "padding:0;border:0;background:none",
           "strong": _PART + "font-weight:bold",
           "pre": _PART + "display:block;white-space:pre-wrap;margin:.6em 0 0"}
_BODY_OPEN = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class LiveState:
    """What the server shows. Each build replaces it whole, so a request never sees half of one."""

    site: Path | None = None          # folder of the last good build; None until one succeeds
    build: int = 0                    # moves on every build, good or bad, so open pages reload
    errors: tuple[str, ...] = ()      # the last build's errors; () when it succeeded


def error_overlay(state: LiveState) -> str:
    if not state.errors:
        return ""
    n = len(state.errors)
    kept = "showing the last good build" if state.site else "no build has succeeded yet"
    lines = html.escape("\n".join(state.errors))
    st = _STYLES
    return (f'<div id="heatdoc-errors" role="alert" style="{_BOX}"><details open style="{st["details"]}">'
            f'<summary style="{st["summary"]}"><strong style="{st["strong"]}">heatdoc: {n} '
            f'error{"s" if n != 1 else ""}</strong> ({kept}; fix the spec and this page reloads)'
            f'</summary><pre style="{st["pre"]}">{lines}</pre></details></div>')


def inject(page: bytes, state: LiveState) -> bytes:
    """The page with the error box (if any) after <body> and the reload script before </body>."""
    script = f'<script src="{ENDPOINTS}reload.js" data-build="{state.build}"></script>'.encode()
    overlay = error_overlay(state).encode()
    if overlay:
        body = _BODY_OPEN.search(page)
        cut = body.end() if body else 0
        page = page[:cut] + overlay + page[cut:]
    end = page.lower().rfind(b"</body")
    return page + script if end < 0 else page[:end] + script + page[end:]


def plain_page(title: str, message: str) -> bytes:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
            f'</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>'
            f'</body></html>').encode()


def locate(site: Path, url_path: str) -> tuple[int, Path | str | None]:
    """Map a URL path to a file of ``site``: (200, file), (301, location) or (403|404, None).

    Decoding happens once, then every segment is checked, so ``..``, ``%2e%2e`` and
    ``%2f`` tricks all meet the same rule. Dot segments and dotfiles are never served.
    """
    try:
        decoded = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return 404, None
    parts = [p for p in decoded.split("/") if p]
    if not decoded.startswith("/") or any(p.startswith(".") or "\0" in p or "\\" in p for p in parts):
        return 404, None
    real_site = os.path.realpath(site)
    try:
        real = resolve(os.path.join(real_site, *parts))
        if not is_inside(real, real_site):
            return 403, None
        if os.path.isdir(real):
            if not decoded.endswith("/"):
                # Built from the cleaned segments: "//evil.example" can never become an
                # off-site redirect.
                return 301, "/" + "/".join(quote(p) for p in parts) + "/"
            real = resolve(os.path.join(real, "index.html"))
            if not is_inside(real, real_site):
                return 403, None
    except OSError:  # a link that leads back to itself: nothing to send
        return 404, None
    return (200, Path(real)) if os.path.isfile(real) else (404, None)


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def host_name(header: str | None) -> str | None:
    """The host name of a Host header ('[::1]:8000' -> '::1'), or None when it is malformed."""
    if not header or any(c in header for c in "/@?#\\ "):
        return None
    try:
        parts = urlsplit("//" + header)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    return parts.hostname


class PreviewHandler(BaseHTTPRequestHandler):
    server: "PreviewServer"
    server_version = "heatdoc-serve"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.respond(with_body=False)

    def refuse_method(self) -> None:
        self.send_error(HTTPStatus.METHOD_NOT_ALLOWED, "heatdoc serve answers GET and HEAD only",
                        headers={"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = refuse_method

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # one line per request would drown the build messages

    def send_error(self, code: int, message: str | None = None, explain: str | None = None,
                   headers: dict[str, str] | None = None) -> None:
        page = plain_page(f"{int(code)} {HTTPStatus(code).phrase}", message or "")
        self.send_page(code, page, with_body=self.command != "HEAD", extra=headers)

    def respond(self, with_body: bool) -> None:
        if not self.server.host_allowed(self.headers.get_all("Host") or []):
            return self.send_error(HTTPStatus.FORBIDDEN, "This preview answers only to localhost, "
                                   "127.0.0.1 and [::1].")
        state = self.server.state
        # Split by hand: urlsplit would read "//host/x" as a host name, not a path.
        path, _, query = self.path.partition("#")[0].partition("?")
        if path.startswith(ENDPOINTS):
            return self.endpoint(path[len(ENDPOINTS):], state, with_body)
        if state.site is None:
            page = inject(plain_page("heatdoc: the site could not be built", ""), state)
            return self.send_page(HTTPStatus.SERVICE_UNAVAILABLE, page, with_body)
        status, found = locate(state.site, path)
        if status == 301:
            return self.send_page(301, b"", with_body, extra={"Location": f"{found}?{query}" if query else str(found)})
        if status == 403:
            return self.send_error(HTTPStatus.FORBIDDEN, "That path leads outside the site.")
        if status == 200:
            assert isinstance(found, Path)
            if self.send_file(found, state, with_body):
                return
        self.send_page(404, inject(plain_page("404 Not Found", f"There is no {path} in the site."), state),
                       with_body)

    def endpoint(self, name: str, state: LiveState, with_body: bool) -> None:
        if name == "build":
            body = json.dumps({"build": state.build, "ok": not state.errors, "errors": list(state.errors)})
            self.send_page(200, body.encode(), with_body, content_type="application/json")
        elif name == "reload.js":
            self.send_page(200, RELOAD_JS, with_body, content_type=CONTENT_TYPES[".js"])
        else:
            self.send_error(HTTPStatus.NOT_FOUND, "No such heatdoc endpoint.")

    def send_file(self, path: Path, state: LiveState, with_body: bool) -> bool:
        """Send a regular file (HTML gets the reload script); False when it is not one."""
        try:
            fh = open(path, "rb")
        except OSError:  # gone with an old build, or unreadable
            return False
        with fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                return False
            ctype = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
            if ctype.startswith("text/html"):
                self.send_page(200, inject(fh.read(), state), with_body)
                return True
            self.send_head(200, ctype, info.st_size)
            if with_body:
                shutil.copyfileobj(fh, self.wfile)
        return True

    def send_page(self, code: int, body: bytes, with_body: bool, *, content_type: str = CONTENT_TYPES[".html"],
                  extra: dict[str, str] | None = None) -> None:
        self.send_head(code, content_type, len(body), extra)
        if with_body:
            self.wfile.write(body)

    def send_head(self, code: int, content_type: str, length: int, extra: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        # A preview changes under the reader: nothing may be kept, and nothing sniffed.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # a slow client never holds up Ctrl-C
    allow_reuse_address = os.name != "nt"  # on Windows it would let two servers share a port

    def __init__(self, host: str, port: int, *, check_host: bool):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.state = LiveState()
        # None: the user chose an address others can reach, under names we cannot know.
        self.allowed_hosts = LOOPBACK_NAMES | {host.lower()} if check_host else None
        super().__init__((host, port), PreviewHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the fully qualified name of the host, which can
        # stall for seconds on a machine without DNS; the preview never needs it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def host_allowed(self, hosts: list[str]) -> bool:
        if self.allowed_hosts is None:
            return True
        return len(hosts) == 1 and host_name(hosts[0]) in self.allowed_hosts

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser went away mid-answer: normal when a page reloads
        super().handle_error(request, client_address)


def open_server(host: str, port: int, *, check_host: bool) -> PreviewServer:
    """Bind the server (not yet serving); a port in use is a one-line usage error."""
    import errno

    try:
        return PreviewServer(host, port, check_host=check_host)
    except OverflowError:
        raise UsageError(f"--port {port} is not a port number (0 to 65535)") from None
    except socket.gaierror as exc:
        raise UsageError(f"cannot serve on {host}: {exc.strerror}") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is in use on {host}; stop the other server or choose "
                             f"another port with --port N") from None
        raise UsageError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
