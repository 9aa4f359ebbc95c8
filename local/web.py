"""The built web apps (web/dist) on the local server: the member app at ``/``, the operator
console at ``/console/``, and ``GET /config.json`` telling both that they run in local mode.

Single-page apps: a GET for a path that is not a file, from a browser (``Accept`` names
``text/html``), answers the app's ``index.html`` so deep links and reloads work. Anything else
falls through to the API gateway unchanged (``/v1/...`` and ``/local/...`` never reach here).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

from infra.csp import content_security_policy

Reply = tuple[int, dict[str, str], bytes]

# The deployed site's CSP (CloudFront sends it); here the API is the page's own origin and
# there is no Cognito, so the only fetch target is 'self'.
CSP = content_security_policy()

CONFIG = {"mode": "local", "apiBaseUrl": ""}

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}

# Vite names built assets name-<8+ char hash>.ext: safe to cache for a year.
HASHED = re.compile(r"^/(console/)?assets/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")

NOT_BUILT = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Web apps not built</title></head>
<body><h1>The web apps are not built yet</h1>
<p>Run <code>make run</code>: it builds web/dist (the member app and the console) and starts
this server. The API is already here: <a href="/v1/health">/v1/health</a>,
<a href="/local/docs">/local/docs</a>.</p></body></html>
"""


def is_api(path: str) -> bool:
    return path in ("/v1", "/local") or path.startswith(("/v1/", "/local/"))


class WebApps:
    """Answers the web apps' requests, or None to let the API gateway answer."""

    def __init__(self, dist: Path):
        self.dist = dist.resolve()

    def handle(self, method: str, path: str, headers: dict[str, str]) -> Reply | None:
        if method not in ("GET", "HEAD") or is_api(path):
            return None
        if path == "/config.json":
            body = json.dumps(CONFIG).encode()
            return 200, {"content-type": "application/json", "cache-control": "no-store"}, body
        if path == "/console":
            return 308, {"location": "/console/"}, b""
        wants_html = "text/html" in _header(headers, "accept")
        if not (self.dist / "index.html").is_file():
            if wants_html or path == "/":
                return 503, _html_headers(), NOT_BUILT.encode()
            return None
        found = self._file(path)
        if found is not None:
            return 200, _file_headers(path, found), found.read_bytes()
        suffix = Path(path).suffix.lower()
        if not wants_html or (suffix in CONTENT_TYPES and suffix != ".html"):
            return None  # a missing asset is the gateway's JSON 404, not a page
        app_root = self.dist / "console" if path.startswith("/console/") else self.dist
        index = app_root / "index.html"
        return 200, _html_headers(), index.read_bytes()

    def _file(self, path: str) -> Path | None:
        """The file under dist that ``path`` names, or None (also for any escape attempt)."""
        relative = unquote(path).lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        parts = relative.split("/")
        if "\\" in relative or "\x00" in relative or any(p in ("", ".", "..") for p in parts):
            return None
        if any(p.startswith(".") for p in parts):
            return None  # .vite/manifest.json, .built stamps: build bookkeeping, not the site
        candidate = (self.dist / relative).resolve()
        if not candidate.is_relative_to(self.dist) or not candidate.is_file():
            return None
        return candidate


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


def _html_headers() -> dict[str, str]:
    return {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
        "content-security-policy": CSP,
    }


def _file_headers(path: str, found: Path) -> dict[str, str]:
    content_type = CONTENT_TYPES.get(found.suffix.lower(), "application/octet-stream")
    cache = "public, max-age=31536000, immutable" if HASHED.match(path) else "no-cache"
    headers = {
        "content-type": content_type,
        "cache-control": cache,
        "x-content-type-options": "nosniff",
    }
    if found.suffix.lower() == ".html":
        headers["content-security-policy"] = CSP
    return headers
