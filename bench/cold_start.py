"""Print each handler's cold-start import cost and zipped asset size.

For every function folder: the median, over 7 fresh interpreters, of the time to import
``functions/<name>/handler.py`` and build its first DynamoDB client, beside a baseline
module (bench/baseline_handler.py) that imports what a typical Powertools handler does.
The rounds interleave all modules, so the machine's drift (a shared VM here) hits each alike.
Then the zipped size of each function's asset (function + shared) and of the layer.
Usage: python bench/cold_start.py
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7

PROBE = """
import time
t = time.perf_counter()
import {module}
{client}
print(time.perf_counter() - t)
"""
OWN_CLIENT = "from shared.dynamodb.connection import connection; connection().client"
ENV = {
    **os.environ,
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "x",
    "AWS_REGION": "us-east-1",
    "TABLE_NAME": "bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "PYTHONDONTWRITEBYTECODE": "",
}


def probe(module: str, client: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module, client=client)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def measure(probes: dict[str, tuple[str, str]]) -> dict[str, float]:
    """Median per probe; rounds interleave the probes so machine drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in probes}
    for _ in range(RUNS):
        for name, (module, client) in probes.items():
            times[name].append(probe(module, client))
    return {name: statistics.median(t) for name, t in times.items()}


def zipped_size(directory: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(directory))
    return buffer.tell()


def main() -> None:
    functions = sorted(p.parent.name for p in (ROOT / "functions").glob("*/handler.py"))
    probes = {"baseline (typical Powertools)": ("bench.baseline_handler", "")}
    probes |= {f"functions/{name}": (f"functions.{name}.handler", OWN_CLIENT) for name in functions}
    medians = measure(probes)  # before anything else here starts (infra starts node)
    baseline = medians.pop("baseline (typical Powertools)")
    print(f"{'module':32} {'median s':>9} {'÷ baseline':>10}")
    print(f"{'baseline (typical Powertools)':32} {baseline:>9.3f} {1:>10.2f}")
    for name, t in medians.items():
        print(f"{name:32} {t:>9.3f} {t / baseline:>10.2f}")
    print(f"worst ratio {max(medians.values()) / baseline:.2f} (target <= 0.5)")

    sys.path.insert(0, str(ROOT))
    from infra.assets import LAYER, stage_function

    print(f"\n{'asset (zipped)':32} {'MB':>9}")
    for name in functions:
        size = zipped_size(stage_function(name))
        print(f"{'functions/' + name + ' + shared':32} {size / 1e6:>9.3f}")
    if (LAYER / "python").is_dir():
        print(f"{'dependencies layer':32} {zipped_size(LAYER) / 1e6:>9.3f}")
    else:
        print("dependencies layer: not built (run infra/build_layer.py)")


if __name__ == "__main__":
    main()
