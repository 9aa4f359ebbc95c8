"""The points mall's pure rules (shared/domain/mall.py), no AWS."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from msgspec.structs import replace

from shared.domain import mall
from shared.domain.mall import Limits, Offer
from shared.domain.rules import DEFAULT_RULES
from shared.errors import InvalidTransition

NOW = datetime(2027, 1, 10, 2, 0, tzinfo=UTC)
GIFT = Offer(item_id="cup", name="Cup", kind=mall.GIFT, points=3000, stock=10)


def test_gifts_get_the_programme_default_limits_other_kinds_none() -> None:
    rules = replace(DEFAULT_RULES, gift_limit_per_day=2, gift_same_item_total=3)

    assert mall.limits_of(GIFT, rules) == Limits(per_day=2, total=3)
    assert mall.limits_of(replace(GIFT, kind=mall.COUPON), rules) == Limits()
    assert mall.limits_of(replace(GIFT, limit_mode=mall.LIMITS_NONE), rules) == Limits()
    custom = replace(GIFT, limit_mode=mall.LIMITS_CUSTOM, per_day=None, total=5)
    assert mall.limits_of(custom, rules) == Limits(total=5)
    assert Limits(total=5).as_dict() == {"total": 5}
    assert Limits().as_dict() is None


@pytest.mark.parametrize(
    ("change", "tier", "reason"),
    [
        ({}, "bronze", None),
        ({"retired": True}, None, "not_available"),
        ({"starts_at": NOW + timedelta(seconds=1)}, None, "not_available"),
        ({"starts_at": NOW}, None, None),
        ({"ends_at": NOW}, None, "not_available"),  # the end is exclusive
        ({"ends_at": NOW + timedelta(seconds=1)}, None, None),
        ({"stock": 0}, None, "sold_out"),
        ({"stock": None}, None, None),
        ({"min_tier": "gold"}, "silver", "not_available"),
        ({"min_tier": "gold"}, "gold", None),
        ({"min_tier": "gold"}, "diamond", None),
        ({"min_tier": "gold"}, None, None),  # no member: tier not judged
        ({"kind": mall.DONATION, "stock": 0}, None, None),  # donations have no stock
        ({"retired": True, "stock": 0}, None, "not_available"),
    ],
)
def test_unavailable_explains_window_stock_retirement_and_tier(
    change: dict, tier: str | None, reason: str | None
) -> None:
    assert mall.unavailable(replace(GIFT, **change), NOW, DEFAULT_RULES, tier) == reason


def test_cash_out_is_open_only_inside_the_programmes_window() -> None:
    offer = replace(GIFT, kind=mall.CASH_OUT, stock=None)
    closed = DEFAULT_RULES
    window = replace(
        DEFAULT_RULES,
        cash_out_starts_at="2027-01-10T00:00:00+08:00",
        cash_out_ends_at="2027-01-11T00:00:00+08:00",
    )

    assert mall.unavailable(offer, NOW, closed) == "not_available"
    assert mall.unavailable(offer, NOW, window) is None
    assert mall.unavailable(offer, NOW + timedelta(days=1), window) == "not_available"


def test_cash_out_value_follows_the_ratio_rounded_down_to_the_cent() -> None:
    rules = replace(DEFAULT_RULES, cash_out_points_per_unit=300)

    assert mall.cash_out_value(1000, DEFAULT_RULES) == Decimal("10.00")
    assert mall.cash_out_value(1000, rules) == Decimal("3.33")
    assert mall.cash_out_value(1, rules) == Decimal("0.00")


def test_points_and_cash_price_multiplies_by_quantity() -> None:
    offer = replace(GIFT, cash=Decimal("19.9"))

    assert mall.cost(offer, 3) == 9000
    assert mall.cash_due(offer, 3) == Decimal("59.70")
    assert mall.cash_due(GIFT, 3) is None
    assert mall.first_status(mall.GIFT, Decimal("1")) == mall.AWAITING_PAYMENT
    assert mall.payment_due(NOW, DEFAULT_RULES) == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (mall.GIFT, mall.PLACED),
        (mall.COUPON, mall.ISSUED),
        (mall.DONATION, mall.COMPLETED),
        (mall.CASH_OUT, mall.COMPLETED),
    ],
)
def test_each_kind_starts_in_its_status(kind: str, status: str) -> None:
    assert mall.first_status(kind, None) == status


def test_tiers_are_ordered_and_an_unknown_tier_counts_as_the_lowest() -> None:
    assert mall.tiers_from("gold") == ("gold", "platinum", "diamond")
    assert mall.tiers_from(None) == ("bronze", "silver", "gold", "platinum", "diamond")
    assert mall.tier_allows("platinum", "gold")
    assert not mall.tier_allows("silver", "gold")
    assert not mall.tier_allows("wood", "silver")


def test_coupons_are_valid_for_their_days_including_the_day_of_issue() -> None:
    assert mall.coupon_expires_on(date(2027, 1, 10), 30) == date(2027, 2, 8)
    assert mall.coupon_expires_on(date(2027, 1, 10), None) == date(2027, 2, 8)
    assert mall.coupon_expires_on(date(2027, 1, 10), 1) == date(2027, 1, 10)
    assert mall.coupon_status(False, "2027-01-10", date(2027, 1, 10)) == "active"
    assert mall.coupon_status(False, "2027-01-10", date(2027, 1, 11)) == "expired"
    assert mall.coupon_status(True, "2027-01-10", date(2027, 1, 11)) == "used"


def test_coupon_codes_are_random_readable_and_unique() -> None:
    codes = {mall.new_coupon_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}", c) for c in codes)


def test_pickup_codes_are_six_digits_and_compared_exactly() -> None:
    code = mall.new_pickup_code()

    assert re.fullmatch(r"\d{6}", code)
    assert mall.pickup_code_matches(code, code)
    assert not mall.pickup_code_matches(code, code[::-1] + "0")
    assert not mall.pickup_code_matches(None, code)


def test_order_ids_sort_by_time_and_do_not_repeat() -> None:
    ids = [mall.new_order_id(NOW + timedelta(microseconds=i)) for i in range(50)]

    assert ids == sorted(ids)
    assert len(set(ids)) == 50
    assert all(re.fullmatch(r"r\d{20}-[0-9a-f]{8}", i) for i in ids)


def check(current: str, target: str, allowed: frozenset[str], legal: bool) -> None:
    """The transition passes when ``legal``, else raises InvalidTransition."""
    if legal:
        mall.check_transition(current, target, allowed)
    else:
        with pytest.raises(InvalidTransition):
            mall.check_transition(current, target, allowed)


@pytest.mark.parametrize(
    ("current", "target", "method", "legal"),
    [
        (mall.PLACED, mall.APPROVED, mall.SHIP, True),
        (mall.APPROVED, mall.SHIPPED, mall.SHIP, True),
        (mall.SHIPPED, mall.DELIVERED, mall.SHIP, True),
        (mall.PLACED, mall.REJECTED, mall.SHIP, True),
        (mall.APPROVED, mall.REJECTED, mall.PICKUP, True),
        (mall.AWAITING_PAYMENT, mall.REJECTED, mall.SHIP, True),
        (mall.PLACED, mall.SHIPPED, mall.SHIP, False),
        (mall.PLACED, mall.DELIVERED, mall.SHIP, False),
        (mall.APPROVED, mall.SHIPPED, mall.PICKUP, False),
        (mall.SHIPPED, mall.REJECTED, mall.SHIP, False),
        (mall.DELIVERED, mall.APPROVED, mall.SHIP, False),
        (mall.CANCELLED, mall.APPROVED, mall.SHIP, False),
        (mall.REJECTED, mall.REJECTED, mall.SHIP, False),
        (mall.ISSUED, mall.REJECTED, None, False),
        (mall.COMPLETED, mall.REJECTED, None, False),
        (mall.AWAITING_PAYMENT, mall.APPROVED, mall.SHIP, False),
    ],
)
def test_the_order_state_machine(
    current: str, target: str, method: str | None, legal: bool
) -> None:
    check(current, target, mall.operator_sources(target, method), legal)


@pytest.mark.parametrize("status", mall.STATUSES)
def test_members_cancel_only_placed_or_unpaid_orders(status: str) -> None:
    legal = status in (mall.PLACED, mall.AWAITING_PAYMENT)
    check(status, mall.CANCELLED, mall.MEMBER_CANCELS, legal)


def test_a_paid_coupon_is_issued_and_a_paid_gift_placed() -> None:
    assert mall.paid_status(mall.COUPON) == mall.ISSUED
    assert mall.paid_status(mall.GIFT) == mall.PLACED


def test_definition_problems_name_each_inconsistent_field() -> None:
    assert mall.definition_problems(mall.GIFT, cash=Decimal(1), stock=5) == {}
    assert set(
        mall.definition_problems(
            mall.DONATION,
            cash=Decimal(1),
            stock=5,
            coupon_valid_days=3,
            starts_at=NOW,
            ends_at=NOW,
        )
    ) == {"cash", "stock", "coupon_valid_days", "ends_at"}


def test_request_problems_need_delivery_for_gifts_only_and_one_coupon_at_a_time() -> None:
    ship = {"method": "ship", "name": "A", "phone": "1", "address": "x"}
    coupon = replace(GIFT, kind=mall.COUPON, stock=None)

    assert mall.request_problems(GIFT, 1, ship) == {}
    assert set(mall.request_problems(GIFT, 1, None)) == {"delivery"}
    no_address = {"method": "ship", "name": "A", "phone": "1"}
    assert set(mall.request_problems(GIFT, 1, no_address)) == {"delivery.address"}
    assert mall.request_problems(GIFT, 1, {"method": "pickup", "name": "A", "phone": "1"}) == {}
    assert set(mall.request_problems(coupon, 1, ship)) == {"delivery"}
    assert set(mall.request_problems(coupon, 2, None)) == {"quantity"}


def test_a_quantity_over_any_limit_can_never_pass() -> None:
    assert mall.over_limit(Limits(per_day=1, total=3), 2)
    assert mall.over_limit(Limits(total=3), 4)
    assert not mall.over_limit(Limits(total=3), 3)
    assert not mall.over_limit(Limits(), 100)
