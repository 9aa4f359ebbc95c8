"""Local mode's demo data (local/demo.py) through the real handlers (moto): the demo members
carry contact details, so the console's lookup finds them; a store from before keeps working."""

from __future__ import annotations

import pytest

from tests.support import Api, load_demo, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")


def lookup(api: Api, query: str) -> list[dict]:
    res = api.operator("GET", f"/v1/admin/members?{query}")
    assert res.status == 200, res
    return res.body["items"]


def test_after_the_demo_load_the_lookup_by_phone_or_email_finds_alice_masked(api: Api) -> None:
    load_demo(api)

    by_phone = lookup(api, "phone=13800000001")
    by_email = lookup(api, "email=Alice@Example.com")

    assert [m["member_id"] for m in by_phone] == ["m-alice"]
    assert by_phone[0]["contact"] == {
        "phone": "138****0001",
        "email": "a***@example.com",
        "name": "李*",
    }
    assert by_email == by_phone
    assert [m["member_id"] for m in lookup(api, "phone=%2B86%20138-0000-0003")] == ["m-carol"]


def test_a_second_load_registers_nothing_again(api: Api) -> None:
    load_demo(api)
    before = api.member("m-alice", "GET", "/v1/me").body["balance"]

    load_demo(api)

    assert api.member("m-alice", "GET", "/v1/me").body["balance"] == before
    assert [m["member_id"] for m in lookup(api, "phone=13800000001")] == ["m-alice"]


def test_a_store_whose_demo_members_have_no_contact_details_still_loads(api: Api) -> None:
    # As an older demo load left them: registered by id only (registering the same id with
    # contact details now would be 409 member_exists).
    register_member(api, "m-alice")

    load_demo(api)  # fails the test on any error answer

    assert lookup(api, "phone=13800000001") == []  # alice stays as she was
    assert [m["member_id"] for m in lookup(api, "phone=13800000002")] == ["m-bob"]


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_the_demo_is_in_chinese_by_default_with_ascii_ids(api: Api) -> None:
    load_demo(api)

    catalog = api.member("m-alice", "GET", "/v1/catalog?limit=100").body["items"]
    lottery = api.operator("GET", "/v1/admin/lotteries/new-year-draw").body
    campaigns = api.operator("GET", "/v1/admin/campaigns").body["items"]
    named = [*catalog, lottery, *lottery["prizes"], *campaigns]
    assert [c["campaign_id"] for c in campaigns] == ["gold-wednesday"]
    assert len(catalog) == 10
    assert [n["name"] for n in named if not _chinese(n["name"])] == []
    ids = [i["item_id"] for i in catalog] + [p["prize_id"] for p in lottery["prizes"]]
    assert all(i.isascii() for i in ids)
    # the ledger a member reads without asking for a language: the programme's zh-CN
    ledger = api.member("m-alice", "GET", "/v1/me/ledger").body["items"]
    assert ledger[-1]["description"] == "新会员欢迎积分"
    assert all(_chinese(e["description"]) for e in ledger)
