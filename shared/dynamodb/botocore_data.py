"""A lean botocore data loader for the one DynamoDB client (cold start).

Building a botocore client reads, besides small files, three costly things (measured on
the dev machine, botocore 1.44): the DynamoDB service model with all its documentation
(0.56 MB, ~45 ms — botocore parses it into OrderedDicts), ``endpoints.json`` with every
service of every partition (1.25 MB, ~25 ms), and a scan of the ~440 service folders to
learn which services exist (~30 ms, once per file type). That is most of a client's
~0.12 s, paid on every Lambda cold start.

This module keeps, in ``botocore_data/`` beside it, the same files without the parts the
client never reads: the service model without documentation strings and ``endpoints.json``
with DynamoDB's entries only. :func:`session` builds a botocore session whose loader looks
there first and then in botocore's own data (the endpoint rule set, partitions, retry and
default configuration still come from the running botocore), and answers "which services
exist" with DynamoDB alone instead of scanning. The files are data, not code: the service
model's shapes and operations are what botocore reads whatever its version.

The session also registers only the built-in event handlers a DynamoDB client can fire:
botocore registers all ~130 (S3, EC2, Glacier, documentation…) on every session, checking
each handler's signature, ~18 ms of a ~20 ms session. Handlers for every service (``*``) or
for DynamoDB are kept, in botocore's order; a unit test checks that every DynamoDB event
gets the same handlers as from a stock session.

The files are generated from the installed botocore (``python -m shared.dynamodb.botocore_data``)
and checked in; a unit test fails when they differ from what the installed botocore gives,
so a botocore upgrade regenerates them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botocore import handlers
from botocore.loaders import Loader
from botocore.session import Session

DATA = Path(__file__).with_name("botocore_data")
SERVICE = "dynamodb"
DROPPED_KEYS = frozenset({"documentation", "documentationUrl"})


class DynamoDBLoader(Loader):
    """botocore's loader with our lean files first and no scan of every service folder."""

    def __init__(self) -> None:
        super().__init__(extra_search_paths=[str(DATA)])

    def list_available_services(self, type_name: str) -> list[str]:
        return [SERVICE]  # this session builds DynamoDB clients only


def concerns_dynamodb(event: str) -> bool:
    """Whether a built-in handler's event can fire for DynamoDB: it names no service, all
    services (``*``) or DynamoDB. Documentation events carry the service one part later."""
    parts = event.split(".")
    service = parts[2] if parts[0] == "docs" else parts[1] if len(parts) > 1 else None
    return service in (None, "*", SERVICE)


class DynamoDBSession(Session):
    """botocore's session, registering only the built-in handlers DynamoDB can fire.

    Overrides the hook ``Session.__init__`` calls for the built-ins, so they come in
    botocore's order and before its initializers (Powertools adds its user agent there).
    """

    def _register_builtin_handlers(self, events: Any) -> None:
        for event, handler, *order in handlers.BUILTIN_HANDLERS:
            if not concerns_dynamodb(event):
                continue
            if not order:
                self.register(event, handler)
            elif order[0] is handlers.REGISTER_FIRST:
                events.register_first(event, handler)
            elif order[0] is handlers.REGISTER_LAST:
                events.register_last(event, handler)


def session() -> Session:
    """A botocore session for DynamoDB clients: lean data, DynamoDB's built-in handlers."""
    result = DynamoDBSession()
    result.register_component("data_loader", DynamoDBLoader())
    return result


# Generation (run when botocore is upgraded; tests/unit/test_botocore_data.py checks) ----


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in DROPPED_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def generate() -> dict[str, str]:
    """The lean files (relative path -> text), from the installed botocore's data."""
    loader = Loader()
    version = loader.determine_latest_version(SERVICE, "service-2")
    model = _strip(loader.load_service_model(SERVICE, "service-2", version))
    endpoints = loader.load_data("endpoints")
    for partition in endpoints["partitions"]:
        partition["services"] = {
            name: spec for name, spec in partition["services"].items() if name == SERVICE
        }
    return {
        f"{SERVICE}/{version}/service-2.json": _dump(model),
        "endpoints.json": _dump(endpoints),
    }


def _dump(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n"


def write(target: Path = DATA) -> list[Path]:
    written = []
    for relative, text in generate().items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB)")
