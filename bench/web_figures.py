"""Print the web apps' bundle figures from web/dist (no browser needed).

From Vite's build manifest (web/dist/.vite/manifest.json): the JavaScript each app loads
before it can paint (its entry chunk plus every chunk it imports statically, gzipped),
and how many chunks it loads only on demand (lazy routes, e.g. the console's sections).
Targets: member app initial JavaScript <= 200 KB gzipped; console sections lazy.
Usage: python bench/web_figures.py  (after `make web-build`)
"""

from __future__ import annotations

import gzip
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"
MANIFEST = DIST / ".vite" / "manifest.json"
APPS = {"member": "index.html", "console": "console/index.html"}
MEMBER_INITIAL_JS_LIMIT = 200 * 1024


@dataclass(frozen=True)
class AppFigures:
    """One app's initial JavaScript (raw and gzipped bytes, chunk count) and lazy chunks."""

    app: str
    initial_chunks: int
    initial_js: int
    initial_js_gzip: int
    lazy_chunks: int


def _gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def app_figures(app: str, manifest: dict[str, dict], dist: Path = DIST) -> AppFigures:
    """Walk the manifest from the app's HTML entry: static imports are loaded up front,
    dynamic imports (reachable from those) only when a route needs them."""
    initial: list[str] = []
    pending = [APPS[app]]
    while pending:
        key = pending.pop()
        if key in initial:
            continue
        initial.append(key)
        pending.extend(manifest[key].get("imports", []))
    lazy = {d for key in initial for d in manifest[key].get("dynamicImports", [])}
    lazy -= set(initial)
    files = [dist / manifest[key]["file"] for key in initial]
    js = [f for f in files if f.suffix == ".js"]
    return AppFigures(
        app=app,
        initial_chunks=len(js),
        initial_js=sum(f.stat().st_size for f in js),
        initial_js_gzip=sum(_gzip_size(f) for f in js),
        lazy_chunks=len(lazy),
    )


def figures(dist: Path = DIST) -> list[AppFigures]:
    """Both apps' figures; FileNotFoundError when the apps were not built with a manifest."""
    manifest = json.loads((dist / ".vite" / "manifest.json").read_text())
    return [app_figures(app, manifest, dist) for app in APPS]


def lines(found: list[AppFigures]) -> list[str]:
    """Human-readable lines, one per app, with the member app's target."""
    out = []
    for f in found:
        line = (
            f"{f.app}: initial JS {f.initial_js_gzip / 1024:.1f} KB gzipped "
            f"({f.initial_js / 1024:.1f} KB raw, {f.initial_chunks} chunks), "
            f"{f.lazy_chunks} lazy chunks"
        )
        if f.app == "member":
            ok = f.initial_js_gzip <= MEMBER_INITIAL_JS_LIMIT
            line += f" [target <= 200 KB: {'ok' if ok else 'OVER'}]"
        out.append(line)
    return out


def main() -> int:
    try:
        found = figures()
    except FileNotFoundError:
        print(f"no {MANIFEST.relative_to(ROOT)}: run `make web-build` first", file=sys.stderr)
        return 1
    for line in lines(found):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
