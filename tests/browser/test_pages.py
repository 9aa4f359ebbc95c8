"""Every page of both apps, signed in through the local picker, passes the per-page checks
(no console errors or failed requests, no horizontal overflow, no missing i18n keys, axe
without serious or critical violations) and leaves a screenshot in .local/screenshots/."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from infra.csp import content_security_policy
from tests.browser.conftest import FIGURES, LocalServer, Ui
from tests.browser.pages import CONSOLE_SECTIONS, MEMBER_PAGES, exact

pytestmark = pytest.mark.browser


def test_every_member_page(member: Ui) -> None:
    member.goto("/")
    member.page.get_by_role("heading", name="登录").wait_for()  # signed out: the picker
    member.check("signin")
    member.sign_in("m-alice")
    for path, title in MEMBER_PAGES:
        member.goto(path)
        member.page.get_by_role("heading", name=exact(title), level=1).wait_for()
        member.check(path.strip("/") or "home")
    # An item's page: the first item of the mall, opened the way a member opens it.
    member.goto("/mall")
    member.page.get_by_role("link", name="保温杯").first.click()
    member.page.get_by_role("heading", name="保温杯", level=1).wait_for()
    member.check("item")
    FIGURES["pages"] = FIGURES.get("pages", 0) + member.checked


def test_every_console_section(console: Ui) -> None:
    console.goto("/console/")
    console.page.get_by_role("heading", name="运营后台登录").wait_for()
    console.check("sign-in")
    console.sign_in("op-browser", ("operators",))
    nav = console.page.get_by_role("navigation", name="功能导航")
    for path, title in CONSOLE_SECTIONS:
        # Through the menu, as an operator moves between sections (each a lazy chunk).
        nav.get_by_role("menuitem", name=exact(title)).click()
        console.page.get_by_role("heading", name=exact(title), level=1).wait_for()
        assert console.page.url.rstrip("/").endswith(path.rstrip("/"))
        console.check(path.removeprefix("/console").strip("/") or "dashboard")
    FIGURES["pages"] = FIGURES.get("pages", 0) + console.checked


def test_deep_links_load_each_app(open_app: Any) -> None:
    """A bookmarked page loads the app and, signed out, lands on the picker."""
    member = open_app("member")
    member.goto("/ledger")
    member.page.get_by_role("heading", name="登录").wait_for()
    console = open_app("console")
    console.goto("/console/orders")
    console.page.get_by_role("heading", name="运营后台登录").wait_for()


def test_pages_carry_the_deployed_sites_csp(server: LocalServer) -> None:
    """The local server sends CloudFront's Content-Security-Policy on every page, so the
    checks above (no console errors) catch anything the deployed CSP would block."""
    for path in ("/", "/index.html", "/ledger", "/console/", "/console/orders"):
        request = urllib.request.Request(server.base + path, headers={"Accept": "text/html"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Security-Policy"] == content_security_policy(), path
            assert "connect-src 'self';" in response.headers["Content-Security-Policy"]
