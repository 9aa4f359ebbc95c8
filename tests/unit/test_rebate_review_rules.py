"""Review and payout rules of rebate statements (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from shared.domain.rebate_review import (
    Review,
    payable_after,
    payout_of,
    review_problems,
    same_review,
)
from shared.domain.rebates import RebateCampaign, SpendRung

AT = datetime(2027, 1, 8, tzinfo=UTC)
TOTAL = Decimal("98.00")


def decision(status: str = "approved", adjustment: str | None = None) -> Review:
    adj = Decimal(adjustment) if adjustment is not None else None
    return Review("xmas", "m-a", status, "checked", "op-1", AT, adj)


def campaign(payout: str = "points", points_per_unit: int = 100) -> RebateCampaign:
    return RebateCampaign(
        "xmas",
        "Xmas",
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
        payout,
        (SpendRung(Decimal(1000), Decimal(2)),),
        points_per_unit=points_per_unit,
    )


def test_an_approval_pays_the_total_plus_the_signed_adjustment() -> None:
    assert payable_after(decision(), TOTAL) == Decimal("98.00")
    assert payable_after(decision(adjustment="-8.5"), TOTAL) == Decimal("89.50")
    assert payable_after(decision(adjustment="2.01"), TOTAL) == Decimal("100.01")


def test_a_rejection_pays_nothing_and_takes_no_adjustment() -> None:
    assert payable_after(decision("rejected"), TOTAL) == Decimal("0.00")
    assert review_problems(decision("rejected", "1.00"), TOTAL) == {
        "adjustment": "only an approval takes an adjustment"
    }


def test_an_adjustment_may_bring_the_payable_to_zero_but_not_below() -> None:
    assert review_problems(decision(adjustment="-98.00"), TOTAL) == {}
    assert payable_after(decision(adjustment="-98.00"), TOTAL) == Decimal("0.00")
    assert "adjustment" in review_problems(decision(adjustment="-98.01"), TOTAL)


def test_the_same_decision_again_is_recognised_and_another_is_not() -> None:
    again = decision(adjustment="-8.00")
    assert same_review("approved", Decimal("-8.00"), "checked", again)
    assert same_review("approved", None, "checked", decision(adjustment="0"))
    assert not same_review("approved", Decimal("-7.00"), "checked", again)
    assert not same_review("rejected", None, "checked", decision())
    assert not same_review("approved", None, "other reason", decision())


def test_a_points_payout_is_100_points_per_unit_and_a_bank_payout_a_record() -> None:
    points = payout_of(campaign(), "m-a", Decimal("98.00"), AT)
    assert (points.points, points.credits, points.records) == (9_800, True, False)
    bank = payout_of(campaign("bank"), "m-a", Decimal("98.00"), AT)
    assert (bank.points, bank.credits, bank.records) == (0, False, True)
    assert bank.ref == "rebate:xmas:m-a"
    nothing = payout_of(campaign(), "m-a", Decimal("0.00"), AT)
    assert (nothing.credits, nothing.records) == (False, False)
    assert payout_of(campaign(points_per_unit=1), "m-a", Decimal("98.99"), AT).points == 98
