"""Domain rules, no AWS."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.domain.calendar import add_months
from shared.domain.earning import clawback_points, purchase_points
from shared.domain.ledger import running_balances
from shared.domain.lots import Lot, expiring, expiry_date, remaining
from shared.domain.rules import DEFAULT_RULES, DEFAULT_TIERS, Validity
from shared.domain.tiers import standing, tier_for


@pytest.mark.parametrize(
    ("amount", "points"),
    [("199.90", 199), ("0.99", 0), ("1", 1), ("1000000", 1000000), ("12.01", 12)],
)
def test_purchase_earns_one_point_per_unit_floored(amount: str, points: int) -> None:
    earned = purchase_points(Decimal(amount), DEFAULT_RULES)
    assert earned.points == points
    assert sum(part.points for part in earned.breakdown) == points


def test_half_refund_claws_back_the_floor_of_half() -> None:
    assert clawback_points(199, Decimal("199.90"), Decimal(0), Decimal("99.95")) == 99


@pytest.mark.parametrize(
    "parts",
    [["199.90"], ["99.95", "99.95"], ["0.01"] * 10 + ["199.80"], ["33.33", "33.33", "133.24"]],
)
def test_refunds_adding_up_to_the_order_claw_back_exactly_its_points(parts: list[str]) -> None:
    refunded, total = Decimal(0), 0
    for part in parts:
        total += clawback_points(199, Decimal("199.90"), refunded, Decimal(part))
        refunded += Decimal(part)
    assert refunded == Decimal("199.90")
    assert total == 199


def test_partial_refunds_never_claw_back_more_than_their_share() -> None:
    refunded, total = Decimal(0), 0
    for _ in range(7):
        total += clawback_points(100, Decimal("70"), refunded, Decimal("3"))
        refunded += Decimal("3")
        assert total <= 100 * refunded / Decimal(70)


def test_nothing_is_clawed_back_from_an_order_that_earned_nothing() -> None:
    assert clawback_points(0, Decimal("0.50"), Decimal(0), Decimal("0.50")) == 0


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 10), 6, date(2027, 7, 10)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_rolling_validity_is_six_months_by_default() -> None:
    assert expiry_date(date(2027, 2, 1), Validity()) == date(2027, 8, 1)


def test_fixed_validity_ends_on_the_date_of_the_following_year() -> None:
    assert expiry_date(date(2027, 2, 1), Validity(policy="fixed")) == date(2028, 12, 31)


def test_spending_consumes_soonest_expiring_lots_first() -> None:
    lots = [Lot(date(2027, 8, 1), 50), Lot(date(2027, 7, 10), 100)]
    assert remaining(lots, consumed=30, settled=0) == [
        Lot(date(2027, 7, 10), 70),
        Lot(date(2027, 8, 1), 50),
    ]


def test_consumption_beyond_all_lots_leaves_nothing_expiring() -> None:
    lots = [Lot(date(2027, 7, 10), 100)]
    assert remaining(lots, consumed=130, settled=0) == []


def test_settled_lots_absorb_their_share_of_consumption() -> None:
    # 100 already closed by the expiry job; 120 consumed in all → 20 used from the open lot.
    assert remaining([Lot(date(2027, 8, 1), 50)], consumed=120, settled=100) == [
        Lot(date(2027, 8, 1), 30)
    ]


def test_expiring_groups_points_by_date() -> None:
    lots = [Lot(date(2027, 7, 10), 10), Lot(date(2027, 7, 10), 5), Lot(date(2027, 9, 1), 1)]
    assert expiring(lots, 0, 0) == [Lot(date(2027, 7, 10), 15), Lot(date(2027, 9, 1), 1)]


def test_running_balances_walk_back_from_the_newest() -> None:
    assert running_balances(200, [-99, 199, 100]) == [200, 299, 100]


@pytest.mark.parametrize(
    ("points", "tier"),
    [
        (0, "bronze"),
        (999, "bronze"),
        (1000, "silver"),
        (5000, "gold"),
        (20000, "platinum"),
        (50000, "diamond"),
        (10**9, "diamond"),
    ],
)
def test_tier_thresholds(points: int, tier: str) -> None:
    assert tier_for(points, DEFAULT_TIERS).name == tier


def test_standing_shows_points_to_the_next_tier() -> None:
    s = standing("bronze", 400, DEFAULT_TIERS)
    assert (s.next_tier, s.points_to_next_tier) == ("silver", 600)
    assert standing("diamond", 60000, DEFAULT_TIERS).next_tier is None
