"""Lambda code without Docker: per-function assets staged with shutil, one dependencies layer.

A function's asset is ``build/assets/<name>/`` holding exactly::

    functions/__init__.py
    functions/<name>/...      # the handler package
    shared/...                # the project's own package

Third-party packages live in the layer (``build/layer/python/``, built by
``infra/build_layer.py``); boto3/botocore come with the Lambda runtime.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

# Not imported from infra.config: that loads aws_cdk (a node process), and
# bench/cold_start.py reads asset sizes through this module.
ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
ASSETS = BUILD / "assets"
LAYER = BUILD / "layer"
LAYER_PLACEHOLDER = BUILD / "layer-placeholder"
WEB_DIST = ROOT / "web" / "dist"  # `make web-build` (vite) writes the two web apps here
# The two entry pages the site serves: the member app at / and the operator console at /console/.
WEB_PAGES = ("index.html", "console/index.html")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".DS_Store")


def warn(message: str) -> None:
    print(f"[infra] WARNING: {message}", file=sys.stderr)


def stage_function(name: str, root: Path = ROOT, out: Path = ASSETS) -> Path:
    """Copy ``functions/<name>/`` and ``shared/`` into ``out/<name>/`` and return that dir.

    Built next to the target and swapped in, so a concurrent synth never sees half a copy.
    """
    source = root / "functions" / name
    if not (source / "handler.py").is_file():
        raise FileNotFoundError(f"{source}/handler.py is missing: every function needs one")
    target = out / name
    tmp = out / f".{name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "functions").mkdir(parents=True)
    shutil.copy2(root / "functions" / "__init__.py", tmp / "functions" / "__init__.py")
    shutil.copytree(source, tmp / "functions" / name, ignore=_IGNORE)
    shutil.copytree(root / "shared", tmp / "shared", ignore=_IGNORE)
    old = out / f".{name}.{os.getpid()}.old"
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def layer_dir(layer: Path = LAYER, placeholder: Path = LAYER_PLACEHOLDER) -> Path:
    """The built dependencies layer, or an empty placeholder (with a warning) so that synth
    and the infra tests work before ``infra/build_layer.py`` has run. Never deploy that."""
    if (layer / "python").is_dir():
        return layer
    warn(
        f"{layer}/python does not exist: using an EMPTY dependencies layer. "
        "Run `.venv/bin/python infra/build_layer.py` before deploying."
    )
    (placeholder / "python").mkdir(parents=True, exist_ok=True)
    keep = placeholder / "python" / "README.txt"
    if not keep.exists():
        keep.write_text("Placeholder: run infra/build_layer.py to build the real layer.\n")
    return placeholder


def web_dist(path: Path | str | None = None) -> Path:
    """The built web apps (``web/dist`` unless ``path``, e.g. CDK context ``webDist``).

    Synthesis fails here, before any construct exists, when the build is missing: deploying
    a site without its pages would serve CloudFront errors to every member.
    """
    dist = Path(path) if path else WEB_DIST
    missing = [page for page in WEB_PAGES if not (dist / page).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{dist} has no {' and no '.join(missing)}: build the web apps first with "
            "`make web-build` (`make synth` runs it for you)."
        )
    return dist
