"""The short soak of ``make test``: ~5 000 seeded operations with injected faults, invariants
checked after every batch (``tests/soak/driver.py``; ``make soak`` runs 100 000).

``SOAK_OPS`` / ``SOAK_SEED`` change the length and the seed (a failure prints the seed)."""

from __future__ import annotations

import contextlib
import os

import pytest

from tests.soak.driver import soak_in_parallel

pytestmark = pytest.mark.dynamodb_local

OPS = int(os.environ.get("SOAK_OPS", "5000"))
SEED = int(os.environ.get("SOAK_SEED", "20270110"))
WORKERS = int(os.environ.get("SOAK_WORKERS", "2"))


def test_invariants_hold_under_random_operations_and_injected_faults(aws_env: None) -> None:
    from local.dynamodb_local import DynamoDBLocal

    # A fresh DynamoDB Local per worker: they do not wait on each other, nor on the tables
    # the rest of the suite left in the session's one.
    with contextlib.ExitStack() as stack:
        endpoints = [
            stack.enter_context(DynamoDBLocal.start(in_memory=True)).endpoint
            for _ in range(WORKERS)
        ]
        report = soak_in_parallel(endpoints, OPS, SEED, workers=WORKERS, members=300, batch=250)
    summary = "\n".join(report.lines())
    print(summary)

    assert report.operations == OPS
    assert report.server_errors == 0, summary + "\n" + "\n".join(report.violations[:20])
    replay = f"replay: SOAK_SEED={SEED} SOAK_OPS={OPS} SOAK_WORKERS={WORKERS}"
    assert not report.violations, replay + "\n" + "\n".join(report.violations[:20])
    assert report.faults_injected >= OPS // 100, summary
    assert report.faults["timeout after commit"] > 0 and report.faults["throttle"] > 0, summary
