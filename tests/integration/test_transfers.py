"""Member-to-member transfers (docs/product.md §8)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import Api, register_member, table_items, transfer

pytestmark = pytest.mark.usefixtures("frozen_clock")


def members(api: Api, *ids: str) -> None:
    for member in ids:
        register_member(api, member)


def balance(api: Api, member: str) -> int:
    return api.member(member, "GET", "/v1/me").body["balance"]


def test_a_transfer_moves_points_with_both_ledger_entries(api: Api) -> None:
    members(api, "m-a", "m-b")

    res = transfer(api, "m-a", {"to_member_id": "m-b", "points": 40, "message": "happy birthday"})

    assert res.status == 201, res.body
    assert res.body["points"] == 40 and res.body["transfer_id"]
    assert (balance(api, "m-a"), balance(api, "m-b")) == (60, 140)
    out = api.member("m-a", "GET", "/v1/me/ledger").body["items"][0]
    into = api.member("m-b", "GET", "/v1/me/ledger").body["items"][0]
    assert (out["type"], out["points"]) == ("transfer_out", -40)
    assert (into["type"], into["points"]) == ("transfer_in", 40)
    assert out["ref"] == into["ref"] == res.body["transfer_id"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"to_member_id": "m-a", "points": 10}, 422, "validation_error"),
        ({"to_member_id": "m-b", "points": 0}, 422, "validation_error"),
        ({"to_member_id": "m-b", "points": -5}, 422, "validation_error"),
        ({"to_member_id": "m-b", "points": "10"}, 422, "validation_error"),
        ({"to_member_id": "m-b", "points": 101}, 409, "insufficient_points"),
        ({"to_member_id": "ghost", "points": 10}, 404, "member_not_found"),
        ({"points": 10}, 422, "validation_error"),
        ({"to_member_id": "m-b", "points": 10_001}, 409, "transfer_limit_reached"),
    ],
)
def test_bad_transfers_are_refused_and_change_nothing(
    api: Api, body: dict, status: int, code: str
) -> None:
    members(api, "m-a", "m-b")
    res = transfer(api, "m-a", body)
    assert (res.status, res.code) == (status, code)
    assert (balance(api, "m-a"), balance(api, "m-b")) == (100, 100)


def test_frozen_members_cannot_send_or_receive(api: Api) -> None:
    members(api, "m-a", "m-b")
    api.operator("POST", "/v1/admin/members/m-b/freeze", {"reason": "review"})
    to_frozen = transfer(api, "m-a", {"to_member_id": "m-b", "points": 10})
    from_frozen = transfer(api, "m-b", {"to_member_id": "m-a", "points": 10})
    assert (to_frozen.status, to_frozen.code) == (409, "recipient_frozen")
    assert (from_frozen.status, from_frozen.code) == (403, "member_frozen")
    assert (balance(api, "m-a"), balance(api, "m-b")) == (100, 100)


def test_a_sender_makes_at_most_five_transfers_a_day(api: Api) -> None:
    members(api, "m-a", "m-b")
    statuses = [transfer(api, "m-a", {"to_member_id": "m-b", "points": 1}).status for _ in range(6)]
    assert statuses == [201] * 5 + [409]
    assert balance(api, "m-a") == 95


def test_a_repeated_idempotency_key_sends_once(api: Api) -> None:
    members(api, "m-a", "m-b")
    body = {"to_member_id": "m-b", "points": 10}
    first = transfer(api, "m-a", body, key="tx-1")
    again = transfer(api, "m-a", body, key="tx-1")
    other = transfer(api, "m-a", {**body, "points": 11}, key="tx-1")
    assert (first.status, again.status, again.body) == (201, 201, first.body)
    assert (other.status, other.code) == (409, "idempotency_key_reused")
    assert balance(api, "m-a") == 90


def test_a_transfer_without_an_idempotency_key_is_refused_and_changes_nothing(
    api: Api,
) -> None:
    members(api, "m-a", "m-b")
    before = table_items()

    res = api.member("m-a", "POST", "/v1/me/transfers", {"to_member_id": "m-b", "points": 10})

    assert (res.status, res.code) == (400, "idempotency_key_required")
    assert (balance(api, "m-a"), balance(api, "m-b")) == (100, 100)
    assert [e["type"] for e in api.member("m-a", "GET", "/v1/me/ledger").body["items"]] == ["earn"]
    assert table_items() == before


@pytest.mark.parametrize(
    "message",
    ["hi\u202eevil", "hi\u2066x\u2069", "a\x00b", "tab\there", "\u200b"],
    ids=["rlo", "isolate", "nul", "tab", "zero-width-space"],
)
def test_a_message_with_control_or_bidi_characters_is_refused(api: Api, message: str) -> None:
    members(api, "m-a", "m-b")

    res = transfer(api, "m-a", {"to_member_id": "m-b", "points": 10, "message": message})

    assert (res.status, res.code) == (422, "validation_error")
    assert set(res.body["error"]["details"]["fields"]) == {"message"}
    assert (balance(api, "m-a"), balance(api, "m-b")) == (100, 100)


def test_a_message_may_be_any_other_unicode_on_several_lines(api: Api) -> None:
    members(api, "m-a", "m-b")
    message = "生日快乐 👨\u200d👩\u200d👧\nمبارک"

    res = transfer(api, "m-a", {"to_member_id": "m-b", "points": 10, "message": message})

    assert res.status == 201, res.body
    into = api.member("m-b", "GET", "/v1/me/ledger").body["items"][0]
    assert (into["code"], into["description"]) == (
        "transfer_in_note",
        f"收到 m-a 的转赠：{message}",
    )


@pytest.mark.dynamodb_local
def test_two_concurrent_transfers_exceeding_the_balance_exactly_one_succeeds(
    local_api: Api,
) -> None:
    api = local_api
    members(api, "m-a", "m-b", "m-c")
    for _ in range(5):
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(
                pool.map(
                    lambda to: transfer(api, "m-a", {"to_member_id": to, "points": 60}),
                    ["m-b", "m-c"],
                )
            )
        statuses = Counter(r.status for r in results)
        assert statuses == {201: 1, 409: 1}, [r.body for r in results]
        assert balance(api, "m-a") == 40
        assert balance(api, "m-b") + balance(api, "m-c") == 260
        # give the points back for the next round
        for receiver in ("m-b", "m-c"):
            if balance(api, receiver) == 160:
                transfer(api, receiver, {"to_member_id": "m-a", "points": 60})
    total = sum(balance(api, m) for m in ("m-a", "m-b", "m-c"))
    assert total == 300
