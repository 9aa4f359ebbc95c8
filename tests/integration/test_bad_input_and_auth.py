"""Bad input and wrong callers get the documented 4xx and change nothing
(docs/product.md §10, invariants 6 and 7)."""

from __future__ import annotations

import pytest

from tests.support import Api, purchase, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def member(api: Api) -> str:
    purchase(api, register_member(api), "o-1", "50")
    return "m-1"


def snapshot(api: Api, member_id: str) -> tuple:
    me = api.member(member_id, "GET", "/v1/me").body
    ledger = api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]
    return me["balance"], len(ledger), tuple(e["entry_id"] for e in ledger)


def test_health_needs_no_token(api: Api) -> None:
    res = api.call("GET", "/v1/health")
    assert (res.status, res.body) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/me"),
        ("GET", "/v1/me/ledger"),
        ("POST", "/v1/members"),
        ("POST", "/v1/purchases"),
        ("POST", "/v1/refunds"),
    ],
)
def test_no_token_is_401(api: Api, member: str, method: str, path: str) -> None:
    before = snapshot(api, member)
    res = api.call(method, path, {"order_id": "o-2", "member_id": member, "amount": "10"})
    assert (res.status, res.code) == (401, "unauthorized")
    assert snapshot(api, member) == before


def test_bad_signature_and_expired_token_are_401(api: Api, member: str) -> None:
    forged = api.token(member)[:-4] + "AAAA"
    expired = api.gateway.signer.sign(member, [], ttl=-10)
    assert api.call("GET", "/v1/me", token=forged).status == 401
    assert api.call("GET", "/v1/me", token=expired).status == 401


@pytest.mark.parametrize("token_of", ["member", "operator"])
def test_only_systems_report_purchases(api: Api, member: str, token_of: str) -> None:
    before = snapshot(api, member)
    token = api.token(member) if token_of == "member" else api.token("op", "operators")
    body = {"order_id": "o-2", "member_id": member, "amount": "10"}
    res = api.call("POST", "/v1/purchases", body, token=token)
    assert (res.status, res.code) == (403, "forbidden")
    assert snapshot(api, member) == before


def test_systems_cannot_read_member_routes(api: Api, member: str) -> None:
    assert api.system("GET", "/v1/me").status == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"order_id": "o-2", "member_id": "m-1", "amount": "-5"}, "amount"),
        ({"order_id": "o-2", "member_id": "m-1", "amount": "abc"}, "amount"),
        ({"order_id": "o-2", "member_id": "m-1", "amount": "0"}, "amount"),
        ({"order_id": "o-2", "member_id": "m-1", "amount": 19.9}, "amount"),
        ({"order_id": "o-2", "member_id": "m-1", "amount": "1.999"}, "amount"),
        ({"order_id": "o-2", "member_id": "m-1"}, "amount"),
        ({"member_id": "m-1", "amount": "10"}, "order_id"),
        ({"order_id": "", "member_id": "m-1", "amount": "10"}, "order_id"),
        ({"order_id": "o 2", "member_id": "m-1", "amount": "10"}, "order_id"),
        ({"order_id": "o-2", "member_id": ["m-1"], "amount": "10"}, "member_id"),
        (
            {"order_id": "o-2", "member_id": "m-1", "amount": "10", "occurred_at": "yesterday"},
            "occurred_at",
        ),
    ],
)
def test_invalid_purchase_fields_are_422_and_change_nothing(
    api: Api, member: str, body: dict, field: str
) -> None:
    before = snapshot(api, member)
    res = api.system("POST", "/v1/purchases", body)
    assert (res.status, res.code) == (422, "validation_error")
    assert field in res.body["error"]["details"]["fields"]
    assert snapshot(api, member) == before


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"", b"\xff\xfe"])
def test_malformed_body_is_400(api: Api, member: str, raw: bytes) -> None:
    before = snapshot(api, member)
    res = api.call("POST", "/v1/purchases", raw=raw, token=api.token("s", "systems"))
    assert (res.status, res.code) == (400, "bad_request")
    assert snapshot(api, member) == before


def test_oversized_body_is_413(api: Api, member: str) -> None:
    body = {"order_id": "o-2", "member_id": member, "amount": "10", "pad": "x" * 70_000}
    assert api.system("POST", "/v1/purchases", body).status == 413


def test_purchase_for_unknown_member_is_404_and_writes_nothing(api: Api) -> None:
    res = api.system(
        "POST", "/v1/purchases", {"order_id": "o-9", "member_id": "ghost", "amount": "10"}
    )
    assert (res.status, res.code) == (404, "member_not_found")
    api.system("POST", "/v1/members", {"member_id": "ghost"})
    # The order was not recorded: reporting it now credits it.
    again = api.system(
        "POST", "/v1/purchases", {"order_id": "o-9", "member_id": "ghost", "amount": "10"}
    )
    assert again.status == 201


def test_unregistered_member_reading_me_is_404(api: Api) -> None:
    res = api.member("never-registered", "GET", "/v1/me")
    assert (res.status, res.code) == (404, "member_not_found")


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x"])
def test_bad_pagination_is_422(api: Api, member: str, query: str) -> None:
    assert api.member(member, "GET", f"/v1/me/ledger?{query}").status == 422


def test_unknown_route_is_404_and_wrong_method_405(api: Api) -> None:
    assert api.call("GET", "/v1/nope").status == 404
    assert api.call("DELETE", "/v1/health").status == 405


@pytest.mark.parametrize(
    "body",
    [
        {"member_id": "bad id"},
        {"member_id": "m-2", "birthday": "13-01"},
        {"member_id": "m-2", "joined_at": "2027-01-01"},
        {},
    ],
)
def test_invalid_registration_is_422_and_creates_nobody(api: Api, body: dict) -> None:
    assert api.system("POST", "/v1/members", body).status == 422
    assert api.member("m-2", "GET", "/v1/me").status == 404
