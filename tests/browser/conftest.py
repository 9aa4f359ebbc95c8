"""Browser tests: the built web apps in headless Chromium against the real local server.

One local server (a subprocess, demo data loaded, tables on the session's DynamoDB Local)
and one browser per session; a fresh browser context per test, at 375x812 for the member
app and 1440x900 for the console. Every page a test visits is checked by ``Ui.check``:
no horizontal overflow, no missing i18n keys, an axe-core scan without serious or critical
violations, and a screenshot in .local/screenshots/. At the end of each test: no console
errors and no failed requests other than the statuses the test said it expects.

Chromium is Debian's ``chromium-headless-shell`` (``make setup-test`` installs it), because
``playwright install`` downloads from outside the package registries. The apps must be
built first (``make web-build``); ``make test`` does both.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.local_server import ROOT, http_json, local_server

DIST = ROOT / "web" / "dist"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / ".local" / "screenshots"
MEMBER_VIEWPORT = {"width": 375, "height": 812}
CONSOLE_VIEWPORT = {"width": 1440, "height": 900}
# Generous: a 2-core CI machine shared with DynamoDB Local and the server.
TIMEOUT_MS = 20_000
OPERATOR = "op-browser"
FIGURES: dict[str, Any] = {}


def chromium_path() -> str:
    """CHROMIUM_PATH, else Debian's headless shell, else a chromium on PATH."""
    candidates = [
        os.environ.get("CHROMIUM_PATH"),
        "/usr/lib/chromium/chromium-headless-shell",
        shutil.which("chromium-headless-shell"),
        shutil.which("chromium"),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError(
        "no Chromium: `make setup-test` installs Debian's chromium-headless-shell "
        "(or set CHROMIUM_PATH)"
    )


class LocalServer:
    """The local server's base URL and a small JSON client for setup and verification; its
    table and DynamoDB Local endpoint, for set-up that has no route (a message in an inbox)."""

    def __init__(self, base: str, table: str = "", endpoint: str = ""):
        self.base = base
        self.table = table
        self.endpoint = endpoint
        self._tokens: dict[tuple[str, tuple[str, ...]], str] = {}

    def token(self, sub: str, groups: tuple[str, ...] = ()) -> str:
        key = (sub, groups)
        if key not in self._tokens:
            body = self._local("POST", "/local/token", {"sub": sub, "groups": list(groups)})
            self._tokens[key] = body["token"]
        return self._tokens[key]

    def _as(
        self, sub: str, groups: tuple[str, ...], method: str, path: str, body: Any, key: bool
    ) -> Any:
        """A call by ``sub`` in ``groups`` (with a fresh Idempotency-Key when ``key``) that
        must succeed; returns the body."""
        headers = {"authorization": f"Bearer {self.token(sub, groups)}"}
        if key:
            headers["idempotency-key"] = _key()
        status, reply = http_json(method, self.base + path, body, headers)
        assert status < 300, (method, path, status, reply)
        return reply

    def member(self, sub: str, method: str, path: str, body: Any = None) -> Any:
        """A member's call that must succeed; returns the body."""
        return self._as(sub, (), method, path, body, key=True)

    def operator(self, method: str, path: str, body: Any = None) -> Any:
        """An operator's call that must succeed; returns the body."""
        return self._as(OPERATOR, ("operators",), method, path, body, key=True)

    def system(self, method: str, path: str, body: Any = None) -> Any:
        """A trusted system's call (purchases, registrations) that must succeed."""
        return self._as("shop-browser", ("systems",), method, path, body, key=False)

    def outbox(self) -> list[dict[str, Any]]:
        """What local mode would have sent by SMS and e-mail (the bus is drained first, so
        the events so far have reached the notifier and the inboxes)."""
        return self._local("GET", "/local/outbox")["items"]

    def set_clock(self, iso: str) -> None:
        self._local("PUT", "/local/clock", {"now": iso})

    def release_clock(self) -> None:
        self._local("DELETE", "/local/clock")

    def _local(self, method: str, path: str, body: Any = None) -> Any:
        """A call to the local server's own routes (no token), which must answer 200."""
        status, reply = http_json(method, self.base + path, body)
        assert status == 200, reply
        return reply


def _key() -> str:
    return uuid.uuid4().hex


@pytest.fixture(scope="session")
def server(ddb_local: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """``python -m local.server`` on a free port with demo data, on a table of its own."""
    if not (DIST / "index.html").exists() or not (DIST / "console" / "index.html").exists():
        raise RuntimeError("web/dist is missing: run `make web-build` (make test does)")
    log = tmp_path_factory.mktemp("browser") / "server.log"
    with local_server(ddb_local.endpoint, "browser", log) as (base, table):
        yield LocalServer(base, table, ddb_local.endpoint)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox"], timeout=60_000
        )
        yield chromium
        chromium.close()


@dataclass
class Ui:
    """A browser tab of one app, recording what went wrong while the test drove it."""

    page: Any
    server: LocalServer
    app: str
    test: str
    problems: list[str] = field(default_factory=list)
    expected: list[tuple[int, str]] = field(default_factory=list)
    checked: int = 0
    inflight: set[Any] = field(default_factory=set)

    def expect_status(self, status: int, path: str) -> None:
        """A response the test provokes on purpose (e.g. a refused redemption's 409)."""
        self.expected.append((status, path))

    def goto(self, path: str) -> None:
        self.page.goto(self.server.base + path, wait_until="domcontentloaded")

    def sign_in(self, sub: str, groups: tuple[str, ...] = ()) -> None:
        """Through the local sign-in picker: the app's entry redirects there when signed out."""
        from tests.browser import pages

        pages.sign_in(self, sub, groups)

    def check(self, name: str) -> None:
        """A screenshot .local/screenshots/<test>-<name>.png, then the per-page checks; what
        they find fails the test at its end, so one run lists every page's problems."""
        page = self.page
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        self._settle()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # animations="disabled": transitions jump to their end (a tag fading in, a dialog
        # growing), so a screenshot shows the page as a person sees it once it has settled.
        page.screenshot(
            path=str(SCREENSHOTS / f"{self.test}-{name}.png"), full_page=True, animations="disabled"
        )
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            self.problems.append(f"{name}: horizontal overflow {widths[0]} > {widths[1]} px")
        missing = page.evaluate("() => window.__i18nMissing || []")
        if missing:
            self.problems.append(f"{name}: missing i18n keys {missing}")
        for v in axe_violations(page):
            self.problems.append(
                f"{name}: axe {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
            )
        self.checked += 1

    def _settle(self, quiet_ms: int = 300) -> None:
        """Until no request has been in flight for ``quiet_ms``. The load state alone does not
        cover a section reached through the app's menu: that is no navigation, so its reads
        may still be loading ("加载中…") when networkidle already holds."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        quiet = 0
        while quiet < quiet_ms and time.monotonic() < deadline:
            self.page.wait_for_timeout(50)  # lets Playwright deliver the request events
            quiet = 0 if self.inflight else quiet + 50

    def _on_request(self, request: Any) -> None:
        self.inflight.add(request)

    def _on_request_done(self, request: Any) -> None:
        self.inflight.discard(request)

    def _on_response(self, response: Any) -> None:
        if response.status < 400:
            return
        path = re.sub(r"^https?://[^/]+", "", response.url)
        if any(s == response.status and p in path for s, p in self.expected):
            return
        self.problems.append(f"HTTP {response.status} {response.request.method} {path}")

    def _on_request_failed(self, request: Any) -> None:
        self.inflight.discard(request)
        failure = request.failure or ""
        # A fetch the browser cancels because the page navigated away is not a failure.
        if "ERR_ABORTED" not in failure:
            self.problems.append(f"request failed: {request.method} {request.url} {failure}")

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            text = message.text
            # Chromium logs every >= 400 response as a console error too; the response
            # handler above decides whether that status was expected.
            if "Failed to load resource" not in text:
                self.problems.append(f"console error: {text}")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated over the DevTools protocol, not added as an inline <script>: the page's
        # CSP (the deployed site's, which the local server sends) refuses inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {resultTypes: ['violations']})
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            }))
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def _open(browser: Any, server: LocalServer, name: str, app: str) -> Any:
    viewport = MEMBER_VIEWPORT if app == "member" else CONSOLE_VIEWPORT
    context = browser.new_context(
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=app == "member",
        has_touch=app == "member",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS * 2)
    page = context.new_page()
    ui = Ui(page=page, server=server, app=app, test=name)
    page.on("response", ui._on_response)
    page.on("requestfailed", ui._on_request_failed)
    page.on("request", ui._on_request)
    page.on("requestfinished", ui._on_request_done)
    page.on("console", ui._on_console)
    page.on("pageerror", lambda error: ui.problems.append(f"page error: {error}"))
    return context, ui


@pytest.fixture
def open_app(browser: Any, server: LocalServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``open_app("member"|"console")`` -> a Ui in a fresh context; problems fail the test."""
    opened: list[tuple[Any, Ui]] = []

    def open_(app: str) -> Ui:
        # Screenshots are named <test>-<app>[-<n>]-<page>.png: a journey may open several
        # members' tabs.
        test = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name).strip("-")
        same = sum(ui.app == app for _, ui in opened)
        context, ui = _open(
            browser, server, f"{test}-{app}" + (f"-{same + 1}" if same else ""), app
        )
        opened.append((context, ui))
        return ui

    yield open_
    problems = [p for _, ui in opened for p in ui.problems]
    for context, _ in opened:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def member(open_app: Any) -> Ui:
    return open_app("member")


@pytest.fixture
def console(open_app: Any) -> Ui:
    return open_app("console")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The web figures: bundle sizes (from the build manifest) and first paint (measured)."""
    for line in FIGURES.get("bundles", []):
        terminalreporter.write_line(f"web: {line}")
    for path, paint in FIGURES.get("paint", {}).items():
        terminalreporter.write_line(
            f"web: {path} first contentful paint {paint['fcp']:.0f} ms, "
            f"largest contentful paint {paint['lcp']:.0f} ms (target < 1000 ms)"
        )
    if "pages" in FIGURES:
        terminalreporter.write_line(f"web: {FIGURES['pages']} pages checked")
