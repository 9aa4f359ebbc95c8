"""The pure accrual rules of rebate campaigns: what a purchase contributes, what a refund
takes back (cumulative, half-even), what a receipt's referral keeps, definition checks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from msgspec.structs import replace

from shared.domain.campaigns import Line
from shared.domain.rebates import (
    Bundle,
    Contribution,
    QuantityRung,
    SpendRung,
    contribution,
    definition_problems,
    referral_change,
    refund_change,
    remaining,
    terms_changed,
)
from tests.support import december_campaign

CAMPAIGN = december_campaign(
    spend_ladder=(SpendRung(Decimal(1000), Decimal(2)), SpendRung(Decimal(5000), Decimal(3))),
    quantity_ladder=(QuantityRung(10, Decimal(1)),),
    quantity_skus=frozenset({"tea", "cup"}),
    bundles=(
        Bundle("set", frozenset({"tea", "cup"}), Decimal("0.5")),
        Bundle("trio", frozenset({"tea", "cup", "pot"}), Decimal(1)),
    ),
)


def line(sku: str | None, amount: str, quantity: int = 1) -> Line:
    return Line(Decimal(amount), sku, quantity=quantity)


def test_a_purchase_contributes_its_amount_listed_skus_and_complete_bundles() -> None:
    lines = [line("tea", "30.00", 3), line("cup", "20.01"), line("pen", "5"), line(None, "1")]

    got = contribution(CAMPAIGN, Decimal("60.00"), lines)

    assert got == Contribution(6_000, 5_001, {"tea": 3, "cup": 1}, {"set": 5_001})


def test_a_bundle_counts_only_when_one_order_holds_every_sku() -> None:
    assert contribution(CAMPAIGN, Decimal(10), [line("tea", "10")]).bundles == {}
    assert contribution(CAMPAIGN, Decimal(8), [line("cup", "8")]).bundles == {}
    every = [line("tea", "1"), line("cup", "2"), line("pot", "3")]
    assert contribution(CAMPAIGN, Decimal(6), every).bundles == {"set": 300, "trio": 600}


def test_a_purchase_without_items_contributes_its_amount_only() -> None:
    assert contribution(CAMPAIGN, Decimal("0.01"), []) == Contribution(1)


def test_a_repeated_sku_adds_its_units_and_amounts() -> None:
    got = contribution(CAMPAIGN, Decimal(9), [line("tea", "2", 2), line("tea", "3", 5)])
    assert (got.listed, got.quantity) == (500, {"tea": 7})


PURCHASE = Contribution(10_000, 3_333, {"tea": 3}, {"set": 5_001})


def test_a_partial_refund_takes_back_cents_and_a_proportional_share() -> None:
    change = refund_change(PURCHASE, 10_000, 0, 3_000)

    # listed 3 333 x 7/10 = 2 333.1 -> 2 333; bundle 5 001 x 7/10 = 3 500.7 -> 3 501
    assert change == Contribution(-3_000, -1_000, {"tea": 0}, {"set": -1_500})


def test_half_cents_round_to_even() -> None:
    odd = Contribution(4, 1, {}, {"b": 3})
    # 1 x 2/4 = 0.5 -> 0 (even); 3 x 2/4 = 1.5 -> 2 (even)
    assert remaining(odd, 4, 2) == Contribution(2, 0, {}, {"b": 2})


@pytest.mark.parametrize(
    "splits", [[10_000], [1, 9_999], [3_333, 3_333, 3_334], [1] * 7 + [9_993], [2_500] * 4]
)
def test_refunds_adding_up_to_the_whole_take_back_exactly_everything(splits: list[int]) -> None:
    total = Contribution(0, 0, {"tea": 0}, {"set": 0})
    refunded = 0
    for piece in splits:
        change = refund_change(PURCHASE, 10_000, refunded, refunded + piece)
        refunded += piece
        total = Contribution(
            total.qualifying + change.qualifying,
            total.listed + change.listed,
            {k: total.quantity[k] + v for k, v in change.quantity.items()},
            {k: total.bundles[k] + v for k, v in change.bundles.items()},
        )
    assert total == Contribution(-10_000, -3_333, {"tea": -3}, {"set": -5_001})


def test_quantities_leave_only_with_the_full_refund() -> None:
    assert refund_change(PURCHASE, 10_000, 0, 9_999).quantity == {"tea": 0}
    assert refund_change(PURCHASE, 10_000, 9_999, 10_000).quantity == {"tea": -3}
    assert remaining(PURCHASE, 10_000, 10_000).quantity == {}


def test_a_refund_never_takes_more_than_the_order_contributed() -> None:
    assert remaining(PURCHASE, 10_000, 20_000).qualifying == 0
    assert refund_change(PURCHASE, 10_000, 10_000, 10_000) == Contribution(0, 0, {}, {"set": 0})


def test_after_receipt_a_refund_takes_the_referral_down_to_zero_not_below() -> None:
    # 300.00 bought, 100.00 refunded before receipt: the referrer got 200.00.
    assert referral_change(20_000, 30_000, 10_000, 22_000) == -12_000
    assert referral_change(20_000, 30_000, 22_000, 30_000) == -8_000
    assert referral_change(0, 30_000, 0, 30_000) == 0


BASE = CAMPAIGN


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": BASE.starts_at}, "ends_at"),
        ({"spend_ladder": tuple(reversed(BASE.spend_ladder))}, "spend_ladder"),
        (
            {"quantity_ladder": (QuantityRung(5, Decimal(1)), QuantityRung(5, Decimal(2)))},
            "quantity_ladder",
        ),
        ({"quantity_skus": frozenset()}, "quantity_skus"),
        ({"bundles": (BASE.bundles[0], BASE.bundles[0])}, "bundles"),
        ({"eligible_tiers": frozenset({"gold", "mithril"})}, "eligible_tiers"),
        (
            {"spend_ladder": (), "quantity_ladder": (), "bundles": (), "referral_rate": None},
            "spend_ladder",
        ),
    ],
)
def test_definition_problems_name_the_field(changes: dict, field: str) -> None:
    problems = definition_problems(replace(BASE, **changes), frozenset({"bronze", "gold"}))
    assert field in problems


def test_a_sane_definition_has_no_problems() -> None:
    assert definition_problems(BASE, frozenset({"bronze"})) == {}
    assert definition_problems(replace(BASE, spend_ladder=(), referral_rate=Decimal(1))) == {}


def test_only_window_and_ladders_count_as_terms() -> None:
    assert not terms_changed(BASE, replace(BASE, name="Other", cap=Decimal(5), return_days=3))
    assert terms_changed(BASE, replace(BASE, spend_ladder=BASE.spend_ladder[:1]))
    assert terms_changed(BASE, replace(BASE, ends_at=datetime(2027, 2, 1, tzinfo=UTC)))
    assert terms_changed(BASE, replace(BASE, referral_rate=Decimal(1)))
