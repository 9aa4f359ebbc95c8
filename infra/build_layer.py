"""Build the dependencies Lambda layer into build/layer/python for Python 3.12 on arm64.

    .venv/bin/python infra/build_layer.py [--force]

pip downloads manylinux2014_aarch64 / pure-Python wheels only (no sdists, no compiler, no
Docker), then the packages the Lambda runtime already ships (boto3, botocore and their
dependencies) are removed again so the runtime's matching set is used. Skipped when
build/layer.stamp.json records the same inputs.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "layer"
STAMP = OUT.with_name("layer.stamp.json")  # beside the layer, so it is not shipped in it
RECIPE = 2  # bump when the build steps change, to force a rebuild
PLATFORM = "manylinux2014_aarch64"
PYTHON_VERSION = "3.12"

# Shipped by the python3.12 Lambda runtime; a copy in the layer would shadow it.
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
)
# Needed at run time though not (yet) in pyproject's dependencies: zoneinfo data, since the
# Lambda image has no system time-zone database.
EXTRA = ("tzdata",)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise ValueError(f"cannot parse requirement {requirement!r}")
    return _canonical(match.group(1))


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """pyproject's runtime dependencies minus what the runtime ships, plus ``EXTRA``."""
    declared = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    result = [r for r in declared if _requirement_name(r) not in RUNTIME_PROVIDED]
    names = {_requirement_name(r) for r in result}
    result += [extra for extra in EXTRA if _canonical(extra) not in names]
    return sorted(result)


def pip_command(reqs: list[str], target: Path) -> list[str]:
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-compile", "--target", str(target),
        "--platform", PLATFORM, "--python-version", PYTHON_VERSION,
        "--implementation", "cp", "--only-binary=:all:", *reqs,
    ]  # fmt: skip


def _remove_distribution(site: Path, dist_info: Path) -> None:
    record = dist_info / "RECORD"
    if record.is_file():
        for line in record.read_text().splitlines():
            relative = line.split(",", 1)[0]
            if relative:
                (site / relative).unlink(missing_ok=True)
    shutil.rmtree(dist_info, ignore_errors=True)


def prune_runtime_provided(site: Path) -> list[str]:
    """Delete the distributions the runtime ships, console scripts, and empty folders."""
    removed = []
    for dist_info in sorted(site.glob("*.dist-info")):
        name = _canonical(dist_info.name.removesuffix(".dist-info").rsplit("-", 1)[0])
        if name in RUNTIME_PROVIDED:
            _remove_distribution(site, dist_info)
            removed.append(name)
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts: useless in Lambda
    for folder in sorted(site.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    for cache in site.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    return removed


def _stamp(reqs: list[str]) -> dict[str, object]:
    return {"recipe": RECIPE, "requirements": reqs, "platform": PLATFORM, "python": PYTHON_VERSION}


def build(force: bool = False, out: Path = OUT, stamp: Path = STAMP) -> bool:
    """Build the layer; return False when it was already up to date."""
    reqs = requirements()
    fresh = stamp.is_file() and (out / "python").is_dir()
    if not force and fresh and json.loads(stamp.read_text()) == _stamp(reqs):
        print(f"layer up to date: {out}")
        return False
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    site = tmp / "python"
    print(f"building layer for Python {PYTHON_VERSION} / {PLATFORM}: {' '.join(reqs)}")
    subprocess.run(pip_command(reqs, site), check=True)
    removed = prune_runtime_provided(site)
    if removed:
        print(f"left to the Lambda runtime: {', '.join(removed)}")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    stamp.write_text(json.dumps(_stamp(reqs), indent=2) + "\n")
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"layer built: {out} ({size / 1e6:.1f} MB unzipped)")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    build(force=args.force)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
