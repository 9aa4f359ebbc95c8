"""Cache-Control (moto): every answer of an authenticated route — data, refusal or error —
says ``no-store``, so no browser, proxy or CDN keeps a member's or an operator's data; the
public routes (health, the API description) do not."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.http import HttpApp, Response, to_event_response
from shared.routes import ROUTES
from tests.support import Api, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")


def headers(api: Api, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    hdrs = {"authorization": f"Bearer {token}"} if token else {}
    data = json.dumps(body).encode() if body is not None else b""
    reply = api.gateway.handle(method, path, hdrs, data)
    return reply.status, {k.lower(): v for k, v in reply.headers.items()}


def test_authenticated_answers_are_no_store_public_ones_are_not(api: Api) -> None:
    register_member(api, "m-1")
    member, operator = api.token("m-1"), api.token("op-1", "operators")
    authenticated = [
        ("GET", "/v1/me", member, None, 200),
        ("GET", "/v1/me/ledger?limit=1", member, None, 200),
        ("GET", "/v1/me/ledger?cursor=forged", member, None, 400),
        ("GET", "/v1/me/ledger?limit=0", member, None, 422),
        ("GET", "/v1/admin/members/m-1", operator, None, 200),
        ("GET", "/v1/admin/members/m-nobody", operator, None, 404),
        ("GET", "/v1/admin/members/m-1", member, None, 403),  # wrong role: the handler's 403
        ("POST", "/v1/me/transfers", member, [], 400),
    ]
    for method, path, token, body, status in authenticated:
        got, hdrs = headers(api, method, path, token, body)
        assert got == status, (path, got)
        assert hdrs.get("cache-control") == "no-store", (method, path, status)

    public = [r for r in ROUTES if r.public and r.method == "GET" and "{" not in r.path]
    assert public, "the route table has public routes (health, the API description)"
    for route in public:
        got, hdrs = headers(api, "GET", route.path)
        assert got == 200, route.path
        assert "cache-control" not in hdrs, route.path


def test_a_document_and_an_unknown_route_key_are_no_store_too() -> None:
    csv = to_event_response(Response(200, "a,b\r\n", {"content-type": "text/csv"}))
    assert csv["headers"] == {"content-type": "text/csv", "cache-control": "no-store"}
    # a route key the function does not serve
    unknown = HttpApp("account").resolve({"routeKey": "GET /v1/nope"})
    assert unknown["statusCode"] == 404 and unknown["headers"]["cache-control"] == "no-store"
