"""Rebate campaigns and accrual through the real handlers (moto): operators' definitions and
their refusals, purchases accruing in their own transaction (window, eligibility, listed
SKUs, bundles), refunds taking their share back, receipts paying referrers once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from shared import clock
from shared.dynamodb import keys, rebate_statements
from shared.dynamodb.models.members import LedgerItem
from shared.dynamodb.models.rebates import RebateItem
from tests.support import (
    Api,
    Result,
    purchase,
    rebate_body,
    refund,
    register,
    register_member,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
DURING = datetime(2026, 12, 10, 10, 0, tzinfo=SHANGHAI)
LISTED = {"quantity_ladder": [{"min_quantity": 10, "rate": "1"}], "quantity_skus": ["tea", "cup"]}
BUNDLE = {"bundles": [{"bundle_id": "set", "skus": ["tea", "cup"], "extra_rate": "0.5"}]}


@pytest.fixture(autouse=True)
def in_december(frozen_clock: None) -> None:
    clock.pin(DURING)


def put(api: Api, campaign_id: str = "ye", **fields: Any) -> Result:
    return api.operator("PUT", f"/v1/admin/rebates/{campaign_id}", rebate_body(**fields))


def accrual(member_id: str, campaign_id: str = "ye") -> dict[str, Any] | None:
    """The accrual as read (the ``deltas`` list summed; None: nothing accrued)."""
    try:
        found = RebateItem.get(keys.member_pk(member_id), keys.rebate_sk(campaign_id))
    except RebateItem.DoesNotExist:
        return None
    return msgspec.structs.asdict(rebate_statements.accrual_of(found))


def entry(member_id: str, order_id: str) -> LedgerItem:
    return LedgerItem.get(keys.member_pk(member_id), keys.ledger_sk("purchase", order_id))


def items(*lines: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [{"sku": sku, "amount": amount, "quantity": n} for sku, amount, n in lines]


def bought_and_settled(api: Api) -> None:
    """m-1 bought 100 (order o-1) in campaign "ye", then settlement drafted the accrual
    (only its status is set, as settlement leaves it)."""
    register_member(api, "m-1")
    assert purchase(api, "m-1", "o-1", "100").status == 201
    RebateItem(pk=keys.member_pk("m-1"), sk=keys.rebate_sk("ye")).update(
        actions=[RebateItem.status.set("draft")]
    )


def receipt(api: Api, order_id: str) -> Result:
    return api.system("POST", f"/v1/purchases/{order_id}/receipt")


def referred_pair(api: Api) -> None:
    """m-ref refers m-buy."""
    register_member(api, "m-ref")
    code = api.member("m-ref", "GET", "/v1/me").body["referral_code"]
    assert register(api, "m-buy", referral_code=code).status == 201


# Campaign definitions -----------------------------------------------------------------------


def test_put_creates_then_replaces_and_get_and_list_show_it(api: Api) -> None:
    created = put(api, **LISTED, **BUNDLE, cap="500", return_days=10)
    assert created.status == 201, created.body
    assert created.body["spend_ladder"][1] == {"min_amount": "5000", "rate": "3"}
    assert created.body["closes_at"] == "2027-01-11T00:00:00+08:00"
    assert put(api, name="Renamed").status == 200
    shown = api.operator("GET", "/v1/admin/rebates/ye")
    assert shown.status == 200 and shown.body["name"] == "Renamed"
    assert shown.body["created_at"] == created.body["created_at"]
    listed = api.operator("GET", "/v1/admin/rebates")
    assert [c["campaign_id"] for c in listed.body["items"]] == ["ye"]


def test_get_of_an_unknown_campaign_is_404(api: Api) -> None:
    assert api.operator("GET", "/v1/admin/rebates/nope").code == "campaign_not_found"


@pytest.mark.parametrize(
    "fields",
    [
        {
            "spend_ladder": [
                {"min_amount": "5000", "rate": "3"},
                {"min_amount": "1000", "rate": "2"},
            ]
        },
        {
            "spend_ladder": [
                {"min_amount": "1000", "rate": "2"},
                {"min_amount": "1000", "rate": "3"},
            ]
        },
        {"spend_ladder": [{"min_amount": "1000", "rate": "100.01"}]},
        {"spend_ladder": [{"min_amount": "1000", "rate": "2.555"}]},
        {"spend_ladder": [{"min_amount": "1000", "rate": 2.5}]},
        {
            "quantity_ladder": [{"min_quantity": 5, "rate": "1"}, {"min_quantity": 5, "rate": "2"}],
            "quantity_skus": ["tea"],
        },
        {"quantity_ladder": [{"min_quantity": 5, "rate": "1"}]},
        {"ends_at": "2026-12-01T00:00:00+08:00"},
        {"ends_at": "2026-11-30T00:00:00+08:00"},
        {"starts_at": "2026-12-01T00:00:00"},
        {"payout": "cash"},
        {"bundles": [{"bundle_id": "b", "skus": [], "extra_rate": "1"}]},
        {
            "bundles": [
                {"bundle_id": "b", "skus": ["a"], "extra_rate": "1"},
                {"bundle_id": "b", "skus": ["c"], "extra_rate": "1"},
            ]
        },
        {"cap": "0"},
        {"return_days": 91},
        {"points_per_unit": 0},
        {"eligible_tiers": ["platinum-x"]},
        {"referral_rate": "-1"},
        {"spend_ladder": [], "referral_rate": None},
        {"colour": "red"},
    ],
)
def test_bad_definitions_are_422_and_change_nothing(api: Api, fields: dict[str, Any]) -> None:
    assert put(api).status == 201
    before = api.operator("GET", "/v1/admin/rebates/ye").body

    refused = put(api, **fields)

    assert refused.status == 422, refused.body
    assert refused.code == "validation_error"
    assert api.operator("GET", "/v1/admin/rebates/ye").body == before


def test_a_bad_campaign_id_is_422_and_nothing_is_stored(api: Api) -> None:
    refused = api.operator("PUT", "/v1/admin/rebates/-bad", rebate_body())
    assert refused.status == 422
    assert api.operator("GET", "/v1/admin/rebates").body["items"] == []


def test_members_and_systems_cannot_define_campaigns(api: Api) -> None:
    assert api.member("m-1", "PUT", "/v1/admin/rebates/ye", rebate_body()).status == 403
    assert api.system("PUT", "/v1/admin/rebates/ye", rebate_body()).status == 403
    assert api.operator("GET", "/v1/admin/rebates/ye").status == 404


def test_started_campaign_keeps_its_ladder_once_a_purchase_accrued(api: Api) -> None:
    assert put(api).status == 201
    ladder = [{"min_amount": "2000", "rate": "4"}]
    assert put(api, spend_ladder=ladder).status == 200  # started, nothing accrued yet
    register_member(api, "m-1")
    assert purchase(api, "m-1", "o-1", "100").status == 201

    refused = put(api, spend_ladder=[{"min_amount": "2000", "rate": "9"}])
    moved = put(api, spend_ladder=ladder, ends_at="2027-02-01T00:00:00+08:00")

    assert refused.status == 409 and refused.code == "campaign_started"
    assert moved.status == 409 and moved.code == "campaign_started"
    assert api.operator("GET", "/v1/admin/rebates/ye").body["spend_ladder"] == [
        {"min_amount": "2000", "rate": "4"}
    ]
    assert put(api, spend_ladder=ladder, name="New name", cap="100").status == 200


def test_a_campaign_not_started_may_change_its_ladder(api: Api) -> None:
    later = {"starts_at": "2027-03-01T00:00:00+08:00", "ends_at": "2027-04-01T00:00:00+08:00"}
    assert put(api, "spring", **later).status == 201
    changed = put(api, "spring", **later, spend_ladder=[{"min_amount": "1", "rate": "1"}])
    assert changed.status == 200


# Accrual by purchases -----------------------------------------------------------------------


def test_purchases_in_the_window_accrue_in_their_own_transaction(api: Api) -> None:
    put(api)
    register_member(api, "m-1")
    assert purchase(api, "m-1", "o-1", "4000").status == 201
    assert purchase(api, "m-1", "o-2", "1500").status == 201

    got = accrual("m-1")

    assert got is not None
    assert (got["qualifying"], got["ver"]) == (550_000, 2)
    # No listed SKU, no bundle: nothing appended to the per-write list (its growth bound).
    assert RebateItem.get(keys.member_pk("m-1"), keys.rebate_sk("ye")).deltas is None
    assert entry("m-1", "o-1").rebates.as_dict() == {"ye": {"q": 400_000, "l": 0, "n": {}, "b": {}}}


def test_listed_skus_and_bundles_accrue_per_order(api: Api, dynamodb_calls: Counter) -> None:
    put(api, **LISTED, **BUNDLE)
    register_member(api, "m-1")
    # The first accrual already holds listed SKUs and a bundle: still one transaction.
    both = items(("tea", "30.00", 3), ("cup", "20.01", 1), ("pen", "5", 1))
    dynamodb_calls.clear()
    assert purchase(api, "m-1", "o-1", "60", items=both).status == 201
    assert dynamodb_calls["TransactWriteItems"] == 1
    assert purchase(api, "m-1", "o-2", "10", items=items(("tea", "10", 2))).status == 201
    assert purchase(api, "m-1", "o-3", "8", items=items(("cup", "8", 1))).status == 201

    got = accrual("m-1")

    assert got is not None
    assert got["qualifying"] == 7_800
    assert got["listed"] == 3_000 + 2_001 + 1_000 + 800
    assert got["quantity"] == {"tea": 5, "cup": 2}
    assert got["bundles"] == {"set": 5_001}  # only o-1 held every SKU of the bundle
    assert got["ver"] == 3


def test_outside_the_window_nothing_accrues(api: Api) -> None:
    put(api)
    register_member(api, "m-1")
    before = {"occurred_at": "2026-11-30T23:59:59+08:00"}
    assert purchase(api, "m-1", "o-1", "100", **before).status == 201
    clock.pin(datetime(2027, 1, 8, 0, 0, tzinfo=SHANGHAI))  # reported after closes_at
    late = {"occurred_at": "2026-12-31T23:00:00+08:00"}
    assert purchase(api, "m-1", "o-2", "100", **late).status == 201

    assert accrual("m-1") is None
    assert entry("m-1", "o-1").rebates is None


def test_a_late_report_of_a_purchase_in_the_window_accrues_until_closes_at(api: Api) -> None:
    put(api)
    register_member(api, "m-1")
    clock.pin(datetime(2027, 1, 7, 23, 0, tzinfo=SHANGHAI))  # ends_at + 7 days not reached
    assert purchase(api, "m-1", "o-1", "100", occurred_at="2026-12-31T23:00:00+08:00").status == 201
    assert accrual("m-1")["qualifying"] == 10_000


def test_frozen_and_ineligible_members_accrue_nothing(api: Api) -> None:
    put(api, eligible_tiers=["gold", "platinum"])
    register_member(api, "m-1")  # bronze
    assert purchase(api, "m-1", "o-1", "100").status == 201
    assert accrual("m-1") is None

    put(api, "all")
    register_member(api, "m-2")
    frozen = api.operator("POST", "/v1/admin/members/m-2/freeze", {"reason": "abuse"})
    assert frozen.status == 200, frozen.body
    assert purchase(api, "m-2", "o-2", "100").status == 201
    assert purchase(api, "m-1", "o-3", "100").status == 201
    assert accrual("m-2", "all") is None
    assert accrual("m-1", "all")["qualifying"] == 10_000  # an active member, every tier
    assert accrual("m-1") is None


def test_the_tier_that_counts_is_the_one_the_purchase_was_made_in(api: Api) -> None:
    put(api, eligible_tiers=["gold"])
    register_member(api, "m-1")
    assert purchase(api, "m-1", "o-1", "5000").status == 201  # made in bronze, makes gold
    assert accrual("m-1") is None
    assert api.member("m-1", "GET", "/v1/me").body["tier"] == "gold"

    assert purchase(api, "m-1", "o-2", "100").status == 201

    assert accrual("m-1")["qualifying"] == 10_000


def test_a_retried_purchase_accrues_once(api: Api) -> None:
    put(api)
    register_member(api, "m-1")
    assert purchase(api, "m-1", "o-1", "100").status == 201
    assert purchase(api, "m-1", "o-1", "100").status == 200
    assert accrual("m-1")["qualifying"] == 10_000


def test_a_settled_accrual_takes_no_more_and_the_purchase_still_counts(api: Api) -> None:
    put(api)
    put(api, "other")
    bought_and_settled(api)

    again = purchase(api, "m-1", "o-2", "50")

    assert again.status == 201 and again.body["points"] > 0
    assert accrual("m-1")["qualifying"] == 10_000
    assert accrual("m-1", "other")["qualifying"] == 15_000
    assert set(entry("m-1", "o-2").rebates.as_dict()) == {"other"}


# Refunds ------------------------------------------------------------------------------------


def test_a_refund_takes_back_its_share_also_below_a_rung(api: Api) -> None:
    put(api, **LISTED, **BUNDLE)
    register_member(api, "m-1")
    assert purchase(api, "m-1", "o-1", "4000").status == 201
    lines = items(("tea", "600", 3), ("cup", "400", 2))
    assert purchase(api, "m-1", "o-2", "1500", items=lines).status == 201

    assert refund(api, "r-1", "o-2", "600").status == 201

    got = accrual("m-1")
    assert got["qualifying"] == 490_000  # 4 900: below the 5 000 rung again
    assert got["listed"] == 60_000  # 1 000 x 900/1 500
    assert got["bundles"] == {"set": 60_000}
    assert got["quantity"] == {"tea": 3, "cup": 2}  # kept until the order is refunded in full


def test_refunds_in_pieces_add_up_and_a_full_refund_removes_the_quantities(api: Api) -> None:
    put(api, **LISTED, **BUNDLE)
    register_member(api, "m-1")
    lines = items(("tea", "0.03", 1), ("cup", "0.02", 1))
    assert purchase(api, "m-1", "o-1", "0.07", items=lines).status == 201

    assert refund(api, "r-1", "o-1", "0.01").status == 201
    mid = accrual("m-1")
    assert refund(api, "r-2", "o-1", "0.03").status == 201
    assert refund(api, "r-3", "o-1", "0.03").status == 201

    assert (mid["qualifying"], mid["listed"]) == (6, 4)  # 5 x 6/7 = 4.29 -> 4
    got = accrual("m-1")
    assert (got["qualifying"], got["listed"], got["bundles"]) == (0, 0, {"set": 0})
    assert got["quantity"] == {"tea": 0, "cup": 0}
    assert refund(api, "r-3", "o-1", "0.03").status == 200  # a retry changes nothing
    assert accrual("m-1") == got


def test_a_refund_after_settlement_leaves_the_accrual(api: Api) -> None:
    put(api)
    bought_and_settled(api)

    done = refund(api, "r-1", "o-1", "40")

    assert done.status == 201 and done.body["points_clawed_back"] > 0
    assert accrual("m-1")["qualifying"] == 10_000


# Receipts and referral ------------------------------------------------------------------------


def test_referral_accrues_only_after_receipt_and_once(api: Api) -> None:
    put(api)
    referred_pair(api)
    assert purchase(api, "m-buy", "o-1", "3000").status == 201
    assert accrual("m-ref") is None  # not before receipt

    first = receipt(api, "o-1")
    second = receipt(api, "o-1")

    assert first.status == 200, first.body
    assert first.body["referral"] == [
        {"campaign_id": "ye", "referrer": "m-ref", "amount": "3000.00"}
    ]
    assert second.status == 200 and second.body == first.body
    got = accrual("m-ref")
    assert (got["referral"], got["qualifying"], got["ver"]) == (300_000, 0, 1)
    assert accrual("m-buy")["referral"] == 0


def test_a_refund_before_receipt_means_nothing_accrues(api: Api) -> None:
    put(api)
    referred_pair(api)
    assert purchase(api, "m-buy", "o-1", "300").status == 201
    assert refund(api, "r-1", "o-1", "300").status == 201

    done = receipt(api, "o-1")

    assert done.status == 200 and done.body["referral"] == []
    assert accrual("m-ref") is None


def test_a_partial_refund_before_receipt_counts_what_is_left(api: Api) -> None:
    put(api)
    referred_pair(api)
    assert purchase(api, "m-buy", "o-1", "300").status == 201
    assert refund(api, "r-1", "o-1", "100").status == 201
    assert receipt(api, "o-1").body["referral"][0]["amount"] == "200.00"


def test_a_refund_after_receipt_reverses_the_referral(api: Api) -> None:
    put(api)
    referred_pair(api)
    assert purchase(api, "m-buy", "o-1", "300").status == 201
    assert receipt(api, "o-1").status == 200

    assert refund(api, "r-1", "o-1", "120").status == 201
    assert accrual("m-ref")["referral"] == 18_000
    assert refund(api, "r-2", "o-1", "180").status == 201
    assert accrual("m-ref")["referral"] == 0
    assert accrual("m-buy")["qualifying"] == 0


def test_a_member_without_a_referrer_confirms_receipt_with_no_referral(api: Api) -> None:
    put(api)
    register_member(api, "m-1")
    assert purchase(api, "m-1", "o-1", "300").status == 201
    done = receipt(api, "o-1")
    assert done.status == 200 and done.body["referral"] == []
    assert entry("m-1", "o-1").receipt_at == done.body["receipt_at"]


def test_campaigns_without_a_referral_rate_pay_no_referral(api: Api) -> None:
    put(api, referral_rate=None)
    referred_pair(api)
    assert purchase(api, "m-buy", "o-1", "300").status == 201
    assert receipt(api, "o-1").body["referral"] == []
    assert accrual("m-ref") is None


@pytest.mark.parametrize("order_id", ["nope", "-bad-", "x" * 65])
def test_receipt_of_an_unknown_order_is_404(api: Api, order_id: str) -> None:
    done = receipt(api, order_id)
    assert done.status == 404 and done.code == "order_not_found"


def test_only_systems_confirm_receipts(api: Api) -> None:
    put(api)
    referred_pair(api)
    assert purchase(api, "m-buy", "o-1", "300").status == 201
    assert api.member("m-buy", "POST", "/v1/purchases/o-1/receipt").status == 403
    assert entry("m-buy", "o-1").receipt_at is None
