"""The web figures we hold ourselves to: bundle sizes and time to first paint.

The bundle figures come from Vite's build manifest (bench/web_figures.py); the paint times
are measured here, in the browser, against the local server, and printed at the end of
the run by conftest.pytest_terminal_summary.
"""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from bench.web_figures import MEMBER_INITIAL_JS_LIMIT, figures, lines
from tests.browser.conftest import CONSOLE_VIEWPORT, DIST, FIGURES, MEMBER_VIEWPORT

pytestmark = pytest.mark.browser

# The first paint of each app's entry page, from a cold browser context (empty cache).
PAINT = """() => new Promise(resolve => {
    // The paint entries arrive after the frame is presented: wait for them (buffered).
    let lcp = 0
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) lcp = Math.max(lcp, entry.startTime)
    }).observe({type: 'largest-contentful-paint', buffered: true})
    const done = fcp => setTimeout(() => resolve({fcp, lcp: lcp || fcp}), 200)
    new PerformanceObserver(list => {
        const fcp = list.getEntriesByName('first-contentful-paint')[0]
        if (fcp) done(fcp.startTime)
    }).observe({type: 'paint', buffered: true})
    setTimeout(() => resolve({fcp: null, lcp: null}), 10000)
})"""
LOADS = 3
# The target is 1 s; the test fails only far above it, so a busy 2-core CI machine does not
# turn a printed figure into a flaky failure.
PAINT_LIMIT_MS = 3000


def test_member_app_initial_javascript_and_lazy_console_sections() -> None:
    found = {f.app: f for f in figures(DIST)}
    FIGURES["bundles"] = lines(list(found.values()))
    assert found["member"].initial_js_gzip <= MEMBER_INITIAL_JS_LIMIT
    # Each console section is its own chunk, loaded when the operator opens it.
    assert found["console"].lazy_chunks >= 5
    assert found["member"].lazy_chunks >= 5


@pytest.mark.parametrize(
    ("path", "viewport"), [("/", MEMBER_VIEWPORT), ("/console/", CONSOLE_VIEWPORT)]
)
def test_first_contentful_paint(browser: Any, server: Any, path: str, viewport: Any) -> None:
    paints = []
    for _ in range(LOADS + 1):  # the first load warms the server; it is not counted
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.goto(server.base + path, wait_until="load", timeout=60_000)
        page.get_by_role("heading").first.wait_for(timeout=20_000)
        paint = page.evaluate(PAINT)
        assert paint["fcp"] is not None, "no first-contentful-paint entry within 10 s"
        paints.append(paint)
        context.close()
    fcp = statistics.median(p["fcp"] for p in paints[1:])
    lcp = statistics.median(p["lcp"] for p in paints[1:])
    FIGURES.setdefault("paint", {})[path] = {"fcp": fcp, "lcp": lcp}
    assert fcp < PAINT_LIMIT_MS
