"""Tier rules (docs/product.md §7): the qualifying window, promotion bounds, demotion, birthdays."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.rules import DEFAULT_TIERS
from shared.domain.tiers import (
    Bounds,
    after_credit,
    birthday_days,
    credit_bounds,
    demotion,
    qualifying_total,
    stale_buckets,
)

BUCKETS = {"2027-01": 5000, "2027-02": 300, "2028-01": 20, "2028-02": 7}


def test_points_qualify_for_the_current_month_and_the_twelve_before_it() -> None:
    assert qualifying_total(BUCKETS, date(2028, 1, 31)) == 5327  # 2027-01 still counts
    assert qualifying_total(BUCKETS, date(2028, 2, 1)) == 327  # 2027-01 no longer
    assert stale_buckets(BUCKETS, date(2028, 2, 1)) == ["2027-01"]
    assert stale_buckets(BUCKETS, date(2028, 1, 31)) == []


@pytest.mark.parametrize(
    ("tier", "total", "points", "after"),
    [
        ("bronze", 900, 99, "bronze"),
        ("bronze", 900, 100, "silver"),
        ("bronze", 0, 5000, "gold"),  # skips silver
        ("bronze", 0, 60000, "diamond"),
        ("gold", 0, 100, "gold"),  # never lower, even below the threshold
        ("gold", 19_000, 1_000, "platinum"),
        ("diamond", 90_000, 5, "diamond"),
        (None, 0, 1_200, "silver"),  # a member without a tier counts as the first tier
    ],
)
def test_a_credit_promotes_to_the_highest_tier_its_total_reaches(
    tier: str | None, total: int, points: int, after: str
) -> None:
    assert after_credit(tier, total, points, DEFAULT_TIERS) == after


def test_bounds_are_what_a_transaction_checks_for_its_outcome() -> None:
    assert credit_bounds("bronze", "bronze", 200, DEFAULT_TIERS) == Bounds(None, 800)
    assert credit_bounds("bronze", "gold", 5000, DEFAULT_TIERS) == Bounds(0, 15_000)
    assert credit_bounds("diamond", "diamond", 10, DEFAULT_TIERS) == Bounds(None, None)


@pytest.mark.parametrize("tier", ["bronze", "silver", "gold", "platinum", "diamond"])
@pytest.mark.parametrize("points", [1, 150, 999, 4_000, 30_000])
def test_the_bounds_hold_exactly_for_the_totals_that_lead_to_the_outcome(
    tier: str, points: int
) -> None:
    for total in range(0, 60_000, 50):
        after = after_credit(tier, total, points, DEFAULT_TIERS)
        for outcome in ("bronze", "silver", "gold", "platinum", "diamond"):
            if outcome != tier and outcome != after:
                continue
            bounds = credit_bounds(tier, outcome, points, DEFAULT_TIERS)
            inside = (bounds.low is None or total >= bounds.low) and (
                bounds.high is None or total < bounds.high
            )
            assert inside == (outcome == after), (tier, total, points, outcome)


@pytest.mark.parametrize(
    ("tier", "total", "to"),
    [
        ("gold", 4_999, "silver"),
        ("gold", 0, "silver"),  # one step per evaluation, however low
        ("gold", 5_000, None),
        ("silver", 999, "bronze"),
        ("bronze", 0, None),
        ("diamond", 0, "platinum"),
    ],
)
def test_the_evaluation_demotes_one_step_below_the_threshold(
    tier: str, total: int, to: str | None
) -> None:
    assert demotion(tier, total, DEFAULT_TIERS) == to


def test_leap_day_birthdays_are_celebrated_on_the_28th_in_other_years() -> None:
    assert birthday_days(date(2027, 2, 28)) == ("02-28", "02-29")
    assert birthday_days(date(2028, 2, 28)) == ("02-28",)
    assert birthday_days(date(2028, 2, 29)) == ("02-29",)
    assert birthday_days(date(2100, 2, 28)) == ("02-28", "02-29")  # 2100 is not a leap year
    assert birthday_days(date(2027, 3, 15)) == ("03-15",)
