"""Rebate statements (docs/product.md "Rebates"): ladders at their boundaries, the quantity
ladder, bundles, referral, the cap, the payable amount and its points."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared.domain.rebate_statements import (
    Line,
    NextRung,
    compute,
    payable,
    points_of,
    progress,
    rebate_rate,
)
from shared.domain.rebates import (
    Accrual,
    Bundle,
    QuantityRung,
    RebateCampaign,
    SpendRung,
    to_cents,
)
from tests.support import december_campaign

D = Decimal
CAMPAIGN = december_campaign(
    "ye2026",
    name="Year end",
    spend_ladder=(
        SpendRung(D("1000"), D("2")),
        SpendRung(D("5000"), D("3")),
        SpendRung(D("10000"), D("5")),
    ),
    quantity_ladder=(QuantityRung(10, D("1")), QuantityRung(50, D("1.5"))),
    quantity_skus=frozenset({"tea", "cup"}),
    bundles=(Bundle("set", frozenset({"tea", "cup"}), D("0.5")),),
    referral_rate=D("1"),
)


def accrual(qualifying: str = "0", **parts: object) -> Accrual:
    return Accrual("ye2026", "m1", qualifying=to_cents(D(qualifying)), **parts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("qualifying", "rate", "amount"),
    [
        ("999.99", None, None),  # one cent below the first rung: no spend line
        ("1000.00", "2", "20.00"),  # exactly at the rung
        ("4999.99", "2", "100.00"),  # 99.9998 rounds to 100.00
        ("5000.00", "3", "150.00"),
        ("9999.99", "3", "300.00"),  # 299.9997
        ("10000.00", "5", "500.00"),
        ("250000.00", "5", "12500.00"),  # beyond the highest rung: its rate
    ],
)
def test_the_highest_spend_rung_reached_applies_to_the_whole_amount(
    qualifying: str, rate: str | None, amount: str | None
) -> None:
    statement = compute(CAMPAIGN, accrual(qualifying))
    if rate is None:
        assert statement.lines == ()
        assert statement.total == D("0.00")
    else:
        assert statement.lines == (Line("spend", D(qualifying), D(rate), D(amount)),)
        assert str(statement.total) == amount


def test_the_issue_scenario_4900_at_2_percent_is_98() -> None:
    statement = compute(CAMPAIGN, accrual("4900"))
    assert str(statement.total) == "98.00"
    assert points_of(payable(statement.total), CAMPAIGN) == 9800


def test_a_line_is_rounded_half_even_once() -> None:
    # 1 000.25 × 2 % = 20.005 -> 20.00 (half to even); 1 000.75 × 2 % = 20.015 -> 20.02
    assert compute(CAMPAIGN, accrual("1000.25")).total == D("20.00")
    assert compute(CAMPAIGN, accrual("1000.75")).total == D("20.02")


def test_a_participant_with_nothing_reached_gets_an_empty_statement() -> None:
    statement = compute(CAMPAIGN, accrual("0"))
    assert (statement.lines, statement.total, statement.capped) == ((), D("0.00"), False)
    # refunded below zero would be a bug upstream; it still pays nothing
    assert compute(CAMPAIGN, accrual("-5")).total == D("0.00")


def test_the_quantity_ladder_pays_on_the_listed_amount_once_the_units_reach_a_rung() -> None:
    below = compute(CAMPAIGN, accrual("500", listed=30000, quantity={"tea": 6, "cup": 3}))
    assert below.lines == ()  # 9 units: no quantity rung, 500 < 1 000: no spend rung
    at = compute(CAMPAIGN, accrual("500", listed=30000, quantity={"tea": 6, "cup": 4}))
    assert at.lines == (Line("quantity", D("300.00"), D("1"), D("3.00")),)
    high = compute(CAMPAIGN, accrual("1200", listed=80000, quantity={"tea": 50}))
    assert [(x.rule, x.rate, x.amount) for x in high.lines] == [
        ("spend", D("2"), D("24.00")),
        ("quantity", D("1.5"), D("12.00")),
    ]
    assert high.total == D("36.00")


def test_bundles_and_referral_add_their_own_lines() -> None:
    statement = compute(
        CAMPAIGN, accrual("0", bundles={"set": 12345, "gone": 500}, referral=300000)
    )
    assert statement.lines == (
        Line("bundle:set", D("123.45"), D("0.5"), D("0.62")),  # 0.61725 -> 0.62
        Line("referral", D("3000.00"), D("1"), D("30.00")),
    )  # a bundle no longer in the campaign pays nothing
    assert statement.total == D("30.62")


def test_referral_without_a_referral_rate_pays_nothing() -> None:
    campaign = RebateCampaign(**{**_fields(CAMPAIGN), "referral_rate": None})
    assert compute(campaign, accrual("0", referral=300000)).lines == ()


def test_the_cap_limits_the_total_and_keeps_the_lines() -> None:
    campaign = RebateCampaign(**{**_fields(CAMPAIGN), "cap": D("400")})
    statement = compute(campaign, accrual("10000", referral=100000))
    assert [x.amount for x in statement.lines] == [D("500.00"), D("10.00")]
    assert (statement.total, statement.capped) == (D("400.00"), True)
    exactly = compute(campaign, accrual("8000"))  # 240.00, under the cap
    assert (exactly.total, exactly.capped) == (D("240.00"), False)


def test_progress_names_the_next_rung_and_the_amount_to_go() -> None:
    assert progress(CAMPAIGN, None).rate == D("0")
    assert progress(CAMPAIGN, None).next_rung == NextRung(D("1000"), D("2"), D("1000.00"))
    one_cent_below = progress(CAMPAIGN, accrual("999.99"))
    assert one_cent_below.rate == D("0")
    assert one_cent_below.next_rung == NextRung(D("1000"), D("2"), D("0.01"))
    at = progress(CAMPAIGN, accrual("1800"))
    assert (at.rate, at.next_rung) == (D("2"), NextRung(D("5000"), D("3"), D("3200.00")))
    top = progress(CAMPAIGN, accrual("10000"))
    assert (top.rate, top.next_rung) == (D("5"), None)


def test_payable_is_the_total_with_the_signed_adjustment_never_below_zero() -> None:
    assert payable(D("98.00")) == D("98.00")
    assert payable(D("98.00"), D("-8.5")) == D("89.50")
    assert payable(D("98.00"), D("2.00")) == D("100.00")
    assert payable(D("98.00"), D("-120")) == D("0.00")


def test_points_are_exact_with_the_default_and_never_pay_a_fraction() -> None:
    assert points_of(D("30.00"), CAMPAIGN) == 3000
    assert points_of(D("0.01"), CAMPAIGN) == 1
    coarse = RebateCampaign(**{**_fields(CAMPAIGN), "points_per_unit": 1})
    assert points_of(D("98.99"), coarse) == 98


def test_rebate_rate_over_spend() -> None:
    assert rebate_rate(D("98.00"), D("4900.00")) == D("2.00")
    assert rebate_rate(D("1"), D("3")) == D("33.33")
    assert rebate_rate(D("0"), D("0")) is None


def _fields(campaign: RebateCampaign) -> dict[str, object]:
    return {name: getattr(campaign, name) for name in campaign.__struct_fields__}
