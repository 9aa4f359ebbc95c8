"""CDK entry point: ``CDK_OUTDIR=cdk.out .venv/bin/python infra/app.py`` or ``cdk synth``.

Context: ``stage`` (default ``dev``, or env ``STAGE``), ``nag`` (default true), ``webDist``
(the built web apps, default ``web/dist``: ``make web-build``), ``notifications`` (each
stage's SMS / e-mail channels, infra/config.py; default in-app only).
"""

from __future__ import annotations

import sys
from pathlib import Path

_INFRA = Path(__file__).resolve().parent
_ROOT = _INFRA.parent


def _fix_sys_path() -> None:
    """Run as a script, Python puts infra/ first on sys.path, where infra/constructs would
    shadow the ``constructs`` library; put the repo root there instead."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _INFRA]
    if str(_ROOT) not in sys.path:
        sys.path.insert(0, str(_ROOT))


def main() -> None:
    _fix_sys_path()
    from infra.stack import create_app

    try:
        app = create_app()
    except FileNotFoundError as missing:  # no web build, a function without handler.py
        sys.exit(f"[infra] {missing}")
    app.synth()


if __name__ == "__main__":
    main()
