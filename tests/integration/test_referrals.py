"""Referrals through the handlers: codes, the A → B → C chain, refusals, once-only bonuses."""

from __future__ import annotations

import pytest

from tests.support import Api, register, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")


def code_of(api: Api, member_id: str) -> str:
    return api.member(member_id, "GET", "/v1/me").body["referral_code"]


def balance(api: Api, member_id: str) -> int:
    return api.member(member_id, "GET", "/v1/me").body["balance"]


def referral_entries(api: Api, member_id: str) -> list[tuple[str, int]]:
    items = api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]
    return [(e["entry_id"], e["points"]) for e in items if e["source"] == "referral"]


@pytest.fixture
def chain(api: Api) -> tuple[str, str, str]:
    """A refers B, B refers C."""
    assert register(api, "m-a").status == 201
    assert register(api, "m-b", referral_code=code_of(api, "m-a")).status == 201
    assert register(api, "m-c", referral_code=code_of(api, "m-b")).status == 201
    return "m-a", "m-b", "m-c"


def test_every_member_gets_a_distinct_referral_code(api: Api) -> None:
    codes = {register(api, f"m-{i}").body["referral_code"] for i in range(20)}

    assert len(codes) == 20
    assert all(len(c) == 8 for c in codes)
    assert code_of(api, "m-3") == register(api, "m-3").body["referral_code"]  # stable


def test_first_purchase_of_c_credits_b_100_c_50_and_a_20_once(
    api: Api, chain: tuple[str, str, str]
) -> None:
    a, b, c = chain
    order = {"order_id": "o-1", "member_id": c, "amount": "10.00"}

    first = api.system("POST", "/v1/purchases", order)
    retry = api.system("POST", "/v1/purchases", order)
    second = api.system("POST", "/v1/purchases", {**order, "order_id": "o-2"})

    assert (first.status, retry.status, second.status) == (201, 200, 201)
    assert referral_entries(api, b) == [("referral:m-c", 100)]
    assert referral_entries(api, c) == [("referral:m-c", 50)]
    assert referral_entries(api, a) == [("referral:m-c", 20)]
    assert (balance(api, a), balance(api, b), balance(api, c)) == (120, 200, 100 + 20 + 50)
    admin = api.operator("GET", f"/v1/admin/members/{c}").body
    assert (admin["referred_by"], admin["referrer_chain"]) == (b, a)
    assert admin["flags"]["referral_bonus_pending"] is False


def test_first_level_only_when_the_referrer_was_not_referred(
    api: Api, chain: tuple[str, str, str]
) -> None:
    a, b, _ = chain
    api.system("POST", "/v1/purchases", {"order_id": "o-b", "member_id": b, "amount": "1"})

    assert referral_entries(api, a) == [("referral:m-b", 100)]
    assert referral_entries(api, b) == [("referral:m-b", 50)]


def test_unknown_code_is_422_and_registers_nobody(api: Api) -> None:
    res = register(api, "m-x", referral_code="NOSUCHCD")

    assert (res.status, res.code) == (422, "validation_error")
    assert "referral_code" in res.body["error"]["details"]["fields"]
    assert api.member("m-x", "GET", "/v1/me").code == "member_not_found"


def test_self_referral_and_loops_are_refused(api: Api, chain: tuple[str, str, str]) -> None:
    a, b, _ = chain

    own = register(api, a, referral_code=code_of(api, a))  # A names its own code
    loop = register(api, a, referral_code=code_of(api, b))  # A would be referred by its own referee

    assert (own.status, own.code) == (422, "validation_error")
    assert "self-referral" in own.body["error"]["details"]["fields"]["referral_code"]
    assert (loop.status, loop.code) == (422, "validation_error")
    assert "loop" in loop.body["error"]["details"]["fields"]["referral_code"]
    assert api.operator("GET", f"/v1/admin/members/{a}").body["referred_by"] is None


def test_codes_are_matched_case_insensitively(api: Api) -> None:
    register_member(api, "m-a")

    res = register(api, "m-b", referral_code=code_of(api, "m-a").lower())

    assert res.status == 201
    assert api.operator("GET", "/v1/admin/members/m-b").body["referred_by"] == "m-a"


def test_repeated_registration_with_the_same_code_is_200(api: Api) -> None:
    register_member(api, "m-a")
    code = code_of(api, "m-a")
    register_member(api, "m-b", referral_code=code)

    again = register(api, "m-b", referral_code=code)

    assert again.status == 200
    assert again.body["balance"] == 100


def test_a_frozen_referrer_gets_nothing_and_the_others_are_paid(
    api: Api, chain: tuple[str, str, str]
) -> None:
    a, b, c = chain
    api.operator("POST", f"/v1/admin/members/{b}/freeze", {"reason": "review"})

    api.system("POST", "/v1/purchases", {"order_id": "o-1", "member_id": c, "amount": "1"})

    assert referral_entries(api, b) == []
    assert referral_entries(api, c) == [("referral:m-c", 50)]
    assert referral_entries(api, a) == [("referral:m-c", 20)]


def test_bonuses_wait_while_the_new_member_is_frozen(api: Api, chain: tuple[str, str, str]) -> None:
    a, b, c = chain
    api.operator("POST", f"/v1/admin/members/{c}/freeze", {"reason": "review"})
    api.system("POST", "/v1/purchases", {"order_id": "o-1", "member_id": c, "amount": "5"})
    assert referral_entries(api, b) == []

    api.operator("POST", f"/v1/admin/members/{c}/unfreeze", {"reason": "cleared"})
    api.system("POST", "/v1/purchases", {"order_id": "o-2", "member_id": c, "amount": "5"})

    assert referral_entries(api, b) == [("referral:m-c", 100)]
    assert referral_entries(api, c) == [("referral:m-c", 50)]
    assert referral_entries(api, a) == [("referral:m-c", 20)]


def test_referral_points_follow_the_rules(api: Api, chain: tuple[str, str, str]) -> None:
    a, b, c = chain
    api.operator(
        "PUT",
        "/v1/admin/rules",
        {
            "referral_referrer_points": 300,
            "referral_referee_points": 0,
            "referral_second_level_points": 0,
        },
    )

    api.system("POST", "/v1/purchases", {"order_id": "o-1", "member_id": c, "amount": "1"})

    assert referral_entries(api, b) == [("referral:m-c", 300)]
    assert referral_entries(api, c) == referral_entries(api, a) == []
