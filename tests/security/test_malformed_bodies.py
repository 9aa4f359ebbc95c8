"""Malformed bodies on every route that reads one (API.md "Text": no body, however malformed
or deeply nested, gets a 5xx): nesting far deeper than any schema, JSON that Python's parser
would take but the standard refuses (``NaN``, ``Infinity``, duplicate names), lone UTF-16
surrogates (no UTF-8 spelling: the answer could not be sent), bytes that are no UTF-8, and
numbers out of every range (``1e999``, ``-1e999``, ``1e-999``, a 400-digit integer) in
each field of the route's example. Each is a 400 ``bad_request`` (or a 422 for a number a
field refuses), an answer that encodes as UTF-8, and the table unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.http import MAX_BODY_BYTES
from shared.routes import Route
from shared.schemas import operation_of
from tests.security.test_authorization_matrix import table_items
from tests.security.test_limits import BODY_ROUTES, caller_token, key_header
from tests.security.world import OWNER, World
from tests.support import Api

pytestmark = pytest.mark.usefixtures("frozen_clock")

DEPTH = 10_000  # nested arrays or objects: under the size limit, over the stack's recursion


def malformed(example: dict[str, Any]) -> dict[str, bytes]:
    """Bodies every route must refuse with 400 ``bad_request``, by what is wrong."""
    text = json.dumps(example)
    assert 6 * DEPTH < MAX_BODY_BYTES
    first = next(iter(example), "x")
    return {
        "deep array": ('{"a": ' + "[" * DEPTH + "]" * DEPTH + "}").encode(),
        "deep object": ('{"a":' * DEPTH + "1" + "}" * DEPTH).encode(),
        "NaN": text[:-1].encode() + b', "zz": NaN}',
        "Infinity": text[:-1].encode() + b', "zz": -Infinity}',
        "duplicate name": text[:-1].encode() + f", {json.dumps(first)}: null}}".encode(),
        "lone surrogate value": text[:-1].encode() + b', "zz": "a\\ud800"}',
        "lone surrogate name": text[:-1].encode() + b', "\\udfff": 1}',
        "not UTF-8": b'{"a": "\xff\xfe"}',
        "huge integer": b'{"a": 1' + b"0" * 5000 + b"}",
    }


NUMBERS = [b"1e999", b"-1e999", b"1e-999", b"1" + b"0" * 400]


@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: r.route_key)
def test_malformed_bodies_are_400_encodable_and_change_nothing(api: Api, route: Route) -> None:
    world = World(params={"member_id": OWNER, "job": "expire"})
    op = operation_of(route)
    assert op is not None and op.example is not None
    path, token = world.path(route.path), caller_token(api, route)
    before = table_items()
    problems = []

    def send(what: str, raw: bytes, expected: set[int]) -> None:
        res = api.gateway.handle(
            route.method, path, {"authorization": f"Bearer {token}", **(key_header(op) or {})}, raw
        )
        try:
            body = json.loads(res.body.encode("utf-8"))  # what the server would send
        except (UnicodeEncodeError, ValueError) as exc:
            problems.append(f"{what} -> {res.status}, an answer that cannot be sent: {exc!r}")
            return
        if res.status not in expected:
            problems.append(f"{what} -> {res.status} {body}")

    for what, raw in malformed(op.example).items():
        send(what, raw, {400})
    for name in op.example:
        for number in NUMBERS:
            raw = json.dumps({**op.example, name: "@"}).encode().replace(b'"@"', number, 1)
            send(f"{name}: {number[:10].decode()}", raw, {400, 422})

    assert table_items() == before, "a refused request changed the table"
    assert not problems, "\n".join(problems)
