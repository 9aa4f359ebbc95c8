"""The local server serves the built web apps beside the API, without changing the API."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.gateway import Gateway
from local.server import LocalApp, Server, make_handler
from local.tokens import TokenSigner

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
MEMBER_INDEX = b"<!doctype html><title>member</title>"
CONSOLE_INDEX = b"<!doctype html><title>console</title>"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "console").mkdir()
    (root / ".vite").mkdir()
    (root / "index.html").write_bytes(MEMBER_INDEX)
    (root / "console" / "index.html").write_bytes(CONSOLE_INDEX)
    (root / "assets" / "member-DmaAqlPA.js").write_text("console.log(1)")
    (root / "assets" / "member-B1e0ERHI.css").write_text("body{}")
    (root / "favicon.svg").write_text("<svg/>")
    (root / ".vite" / "manifest.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("outside dist")
    return root


def local_app(dist: Path | None) -> LocalApp:
    return LocalApp(Gateway(TokenSigner("test-secret")), web_dist=dist)


def get(app: LocalApp, path: str, headers: dict[str, str] | None = None, method: str = "GET"):
    status, reply_headers, body = app.handle(method, path, headers or {}, b"")
    return status, {k.lower(): v for k, v in reply_headers.items()}, body


def test_member_app_at_root_and_console_under_console(dist: Path) -> None:
    app = local_app(dist)
    assert get(app, "/", HTML)[2] == MEMBER_INDEX
    status, headers, body = get(app, "/console/", HTML)
    assert (status, body) == (200, CONSOLE_INDEX)
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-cache"
    assert get(app, "/console")[0:2] == (308, {"location": "/console/"})


def test_deep_links_from_a_browser_get_the_apps_index(dist: Path) -> None:
    app = local_app(dist)
    assert get(app, "/mall/coupon-100-10", HTML)[0:3:2] == (200, MEMBER_INDEX)
    assert get(app, "/console/orders", HTML)[0:3:2] == (200, CONSOLE_INDEX)
    # Not a browser asking for a page: the API's JSON 404, as before.
    status, _, body = get(app, "/mall/coupon-100-10", {"accept": "application/json"})
    assert status == 404 and json.loads(body)["error"]["code"] == "not_found"
    # A missing asset is a 404, never the index page served as JavaScript.
    assert get(app, "/assets/missing-AAAAAAAA.js", HTML)[0] == 404


def test_assets_have_their_content_type_and_hashed_ones_a_long_cache(dist: Path) -> None:
    app = local_app(dist)
    status, headers, body = get(app, "/assets/member-DmaAqlPA.js")
    assert (status, body) == (200, b"console.log(1)")
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["x-content-type-options"] == "nosniff"
    assert get(app, "/assets/member-B1e0ERHI.css")[1]["content-type"] == "text/css; charset=utf-8"
    svg = get(app, "/favicon.svg")[1]
    assert svg["content-type"] == "image/svg+xml" and svg["cache-control"] == "no-cache"


def test_config_json_says_local_mode(dist: Path) -> None:
    status, headers, body = get(local_app(dist), "/config.json")
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body) == {"mode": "local", "apiBaseUrl": ""}


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/assets/..%5c..%5csecret.txt",
        "/.vite/manifest.json",
        "/assets/%00.js",
    ],
)
def test_paths_outside_the_site_are_refused(dist: Path, path: str) -> None:
    status, _, body = get(local_app(dist), path, {"accept": "*/*"})
    assert status == 404
    assert b"outside dist" not in body


def test_api_paths_keep_their_behaviour(dist: Path) -> None:
    app = local_app(dist)
    status, headers, body = get(app, "/v1/unknown", HTML)
    assert status == 404 and headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "not_found"
    status, _, body = get(app, "/v1/health", HTML)
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert get(app, "/local/unknown", HTML)[0] == 404
    # Writes to a page path still reach the gateway (its JSON answer), not the site.
    assert get(app, "/", HTML, method="POST")[1]["content-type"] == "application/json"


def test_without_a_build_the_root_says_how_to_build(tmp_path: Path) -> None:
    app = local_app(tmp_path / "missing")
    status, headers, body = get(app, "/", HTML)
    assert status == 503 and headers["content-type"].startswith("text/html")
    assert b"make run" in body
    assert get(app, "/v1/health")[0] == 200
    assert json.loads(get(app, "/config.json")[2])["mode"] == "local"


@pytest.fixture
def server(dist: Path) -> Iterator[str]:
    httpd = Server(("127.0.0.1", 0), make_handler(local_app(dist)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_over_http_head_and_get_agree(server: str) -> None:
    url = f"{server}/assets/member-DmaAqlPA.js"
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD")) as head:
        assert head.read() == b""
        assert head.headers["content-length"] == str(len("console.log(1)"))
    with urllib.request.urlopen(url) as got:
        assert got.read() == b"console.log(1)"
        assert got.headers["content-type"] == "text/javascript; charset=utf-8"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{server}/v1/unknown")
    assert missing.value.code == 404
    assert json.loads(missing.value.read())["error"]["code"] == "not_found"
