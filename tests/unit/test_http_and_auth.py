"""The HTTP adapter and the authorization check, no AWS."""

from __future__ import annotations

import pytest

from shared import errors
from shared.auth import parse_groups
from shared.http import HttpApp, status_of
from shared.requests import Body
from shared.routes import RESOURCE_SERVER, ROUTES, Role, Route, functions, system_scopes
from shared.validation import Id, Money


def event(route: Route, claims: dict | None = None, body: str | None = None) -> dict:
    ctx: dict = {"http": {"method": route.method, "path": route.path}}
    if claims is not None:
        ctx["authorizer"] = {"jwt": {"claims": claims}}
    ev = {"routeKey": route.route_key, "requestContext": ctx}
    if body is not None:
        ev["body"] = body
    return ev


@pytest.mark.parametrize(
    ("value", "groups"),
    [
        (None, []),
        ("[operators]", ["operators"]),
        ("[operators systems]", ["operators", "systems"]),
        (["systems"], ["systems"]),
        ("", []),
    ],
)
def test_groups_claim_in_both_shapes(value: object, groups: list[str]) -> None:
    assert parse_groups(value) == groups


def test_every_error_category_has_a_status() -> None:
    assert status_of(errors.MemberNotFound("x")) == 404
    assert status_of(errors.InsufficientPoints("x")) == 409
    assert status_of(errors.RefundExceedsOrder("x")) == 422
    assert status_of(errors.MemberFrozen("x")) == 403
    assert status_of(errors.AppError("x")) == 500


def test_route_table_is_consistent() -> None:
    keys = [r.route_key for r in ROUTES]
    assert len(keys) == len(set(keys))
    assert [r.route_key for r in ROUTES if r.public] == ["GET /v1/health", "GET /v1/openapi.json"]
    for route in ROUTES:
        assert route.path.startswith("/v1/")
        if route.path.startswith("/v1/admin/"):
            assert route.roles == {Role.OPERATOR}
        if route.path == "/v1/me" or route.path.startswith("/v1/me/"):
            assert route.roles == {Role.MEMBER}
        # A trusted system's token is only as good as its scopes: each system route names one.
        assert bool(route.scopes) == (Role.SYSTEM in route.roles), route.route_key
        assert all(s.startswith(f"{RESOURCE_SERVER}/") for s in route.scopes)
    assert set(system_scopes()) == {s for r in ROUTES for s in r.scopes}


def test_every_operation_in_the_route_table_has_a_handler() -> None:
    import importlib

    for function in functions():
        app = importlib.import_module(f"functions.{function}.handler").app
        wanted = {r.operation for r in ROUTES if r.function == function}
        assert set(app.operations) == wanted, function


def test_unhandled_exceptions_become_a_500_without_details() -> None:
    route = Route("GET", "/v1/boom", "boom", "boom", frozenset())
    app = HttpApp.__new__(HttpApp)
    app.function, app.routes, app.operations = "boom", {route.route_key: route}, {}

    def boom(req):
        raise RuntimeError("secret stack detail")

    app.operations["boom"] = boom
    res = app.resolve(event(route))
    assert res["statusCode"] == 500
    assert "secret" not in res["body"]


def test_fields_collects_every_problem() -> None:
    body = Body({"a": Id(), "m": Money(), "missing": Id()})
    with pytest.raises(errors.Invalid) as exc:
        body.parse({"a": "bad id", "m": "1.234"})
    assert set(exc.value.details["fields"]) == {"a", "m", "missing"}
