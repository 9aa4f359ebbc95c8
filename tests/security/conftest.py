from __future__ import annotations

import json
import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the fuzz run's figures (requests, statuses, server errors, schema violations)."""
    fuzz = sys.modules.get("tests.security.test_fuzz")
    stats = getattr(fuzz, "STATS", None)
    if stats:
        summary = {
            "server errors": 0,
            "schema violations": 0,
            "refused writes that changed data": 0,
            **stats,
        }
        terminalreporter.write_line(f"fuzz: {json.dumps(summary)}")
