"""Print each handler's cold-start import cost and zipped asset size.

For every function folder: the median, over 5 fresh interpreters, of the time to import
``functions/<name>/handler.py`` and build its first DynamoDB client, beside a baseline
module (bench/baseline_handler.py) that imports what a typical Powertools handler does.
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
RUNS = 5

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


def measure(module: str, client: str) -> float:
    times = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module, client=client)],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def zipped_size(directory: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(directory))
    return buffer.tell()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from infra.assets import LAYER, stage_function
    from shared.routes import functions

    baseline = measure("bench.baseline_handler", "")
    print(f"{'module':32} {'median s':>9} {'÷ baseline':>10}")
    print(f"{'baseline (typical Powertools)':32} {baseline:>9.3f} {1:>10.2f}")
    for name in functions():
        t = measure(f"functions.{name}.handler", OWN_CLIENT)
        print(f"{'functions/' + name:32} {t:>9.3f} {t / baseline:>10.2f}")

    print(f"\n{'asset (zipped)':32} {'MB':>9}")
    for name in functions():
        size = zipped_size(stage_function(name))
        print(f"{'functions/' + name + ' + shared':32} {size / 1e6:>9.3f}")
    if (LAYER / "python").is_dir():
        print(f"{'dependencies layer':32} {zipped_size(LAYER) / 1e6:>9.3f}")
    else:
        print("dependencies layer: not built (run infra/build_layer.py)")


if __name__ == "__main__":
    main()
