"""Limits from the route table and the schemas: every route that reads a body refuses one
over 64 KiB (413), and every string field refuses a value one character longer than its
documented maximum (422 naming the field) — changing nothing either way. Bodies are checked
before anything is looked up, so the path parameters can be placeholders."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.http import MAX_BODY_BYTES
from shared.routes import ROUTES, Role, Route
from shared.schemas import COMPONENTS, Operation, operation_of
from tests.security.test_authorization_matrix import table_items
from tests.security.world import OWNER, World
from tests.support import Api, new_key

pytestmark = pytest.mark.usefixtures("frozen_clock")

BODY_ROUTES = [r for r in ROUTES if (op := operation_of(r)) is not None and op.request is not None]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return COMPONENTS[ref.rsplit("/", 1)[-1]] if ref else schema


def long_values(schema: dict[str, Any], prefix: str = "") -> list[tuple[list[str], str, str]]:
    """(path to the field, dotted name, a value one character too long) for every string
    property with a maximum length (``maxLength``, or an id's 64-character pattern)."""
    found = []
    for name, prop in (resolve(schema).get("properties") or {}).items():
        prop = resolve(prop)
        options = [resolve(p) for p in prop.get("anyOf", [prop])]
        for option in options:
            if option.get("type") == "string" and "maxLength" in option:
                found.append(([name], prefix + name, "x" * (option["maxLength"] + 1)))
            elif option.get("type") == "string" and option.get("pattern", "").endswith("{0,63}$"):
                found.append(([name], prefix + name, "a" * 65))
            elif option.get("type") == "object":
                for path, dotted, value in long_values(option, f"{prefix}{name}."):
                    found.append(([name, *path], dotted, value))
    return found


def caller_token(api: Api, route: Route) -> str:
    if Role.MEMBER in route.roles:
        return api.token(OWNER)
    if Role.OPERATOR in route.roles:
        return api.token("op-limits", "operators")
    return api.token("shop-limits", "systems")


def key_header(op: Operation) -> dict[str, str] | None:
    """A fresh Idempotency-Key for a route that takes one (each request its own)."""
    return new_key() if op.idempotency_key else None


@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: r.route_key)
def test_oversized_bodies_and_overlong_strings_are_refused_and_change_nothing(
    api: Api, route: Route
) -> None:
    world = World(params={"member_id": OWNER, "job": "expire"})  # others: placeholders
    op = operation_of(route)
    assert op is not None and op.example is not None
    path, token = world.path(route.path), caller_token(api, route)
    before = table_items()
    problems = []

    big = {**op.example, "padding": "x" * (MAX_BODY_BYTES + 1)}
    res = api.call(route.method, path, big, token=token, headers=key_header(op))
    if (res.status, res.code) != (413, "payload_too_large"):
        problems.append(f"a body over 64 KiB -> {res.status} {res.code}")

    for field_path, dotted, value in long_values(op.request):
        body = copy.deepcopy(op.example)
        target = body
        for key in field_path[:-1]:
            target = target.setdefault(key, {})
        target[field_path[-1]] = value
        res = api.call(route.method, path, body, token=token, headers=key_header(op))
        fields = (((res.body or {}).get("error") or {}).get("details") or {}).get("fields") or {}
        if res.status != 422 or not any(dotted in f or field_path[-1] in f for f in fields):
            problems.append(f"{dotted} of {len(value)} characters -> {res.status} {res.body}")

    assert table_items() == before, "a refused request changed the table"
    assert not problems, "\n".join(problems)
