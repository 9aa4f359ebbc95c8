"""A pytest plugin: the key check of tests/security/test_key_prefixes.py over any tests.

    .venv/bin/python -m pytest -p tests.key_prefix_audit tests/integration -m "not dynamodb_local"

records every request each function's handler sends while the chosen tests run
(tests/key_recorder.py) and reports those outside the function's declared partitions
(infra/permissions.py ``Access.allows``); the session fails if there is one. The recorder
forgets the cached rules at each handler call, as a Lambda of its own would, so tests that
count round trips fail under it: read the report, not those.
"""

from __future__ import annotations

import importlib
from typing import Any

from tests.key_recorder import KeyRecorder, function_names

RECORDER = KeyRecorder()


def pytest_configure(config: Any) -> None:
    from shared.dynamodb import connection

    build = connection._build

    def recorded_build() -> None:
        build()
        client = connection.connection().client
        client.meta.events.register("before-parameter-build.dynamodb", RECORDER.on_request)

    connection._build = recorded_build
    for name in function_names():
        module = importlib.import_module(f"functions.{name}.handler")
        module.lambda_handler = RECORDER.wrap(name, module.lambda_handler)


def _outside() -> dict[str, list[tuple[str, str, str]]]:
    from infra.permissions import ACCESS

    found = {
        name: sorted(r for r in requests if not ACCESS[name].allows(*r))
        for name, requests in RECORDER.keys.items()
    }
    return {name: requests for name, requests in found.items() if requests}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    requests = sum(len(found) for found in RECORDER.keys.values())
    terminalreporter.write_line(
        f"key prefixes: {len(RECORDER.keys)} functions, {requests} distinct requests"
    )
    for name, found in _outside().items():
        for action, resource, key in found:
            terminalreporter.write_line(f"  OUTSIDE {name}: {action} {resource} {key}")


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    if _outside():
        session.exitstatus = 1
