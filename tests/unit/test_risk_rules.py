"""Risk rules (pure): which purchases wait for review, and what each freeze scope allows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared.domain.members import (
    can_earn,
    can_spend,
    frozen_scope,
    shown_status,
    status_after,
)
from shared.domain.risk import purchase_flags
from shared.domain.rules import Risk
from shared.events import MEMBER_FROZEN, MEMBER_UNFROZEN, from_stream_record

DEFAULT = Risk()


@pytest.mark.parametrize(
    ("amount", "points", "day_points", "flags"),
    [
        ("100000.00", 100000, 0, ()),  # at the limit: credited
        ("100000.01", 100000, 0, ("single_purchase_limit",)),
        ("10", 10, 199990, ()),  # exactly the velocity
        ("10", 11, 199990, ("daily_purchase_points",)),
        ("150000", 300000, 0, ("single_purchase_limit", "daily_purchase_points")),
        ("999999999", 0, 0, ()),  # credits nothing (frozen for earning): nothing to hold
    ],
)
def test_a_purchase_trips_the_limit_above_it_and_the_velocity_beyond_it(
    amount: str, points: int, day_points: int, flags: tuple[str, ...]
) -> None:
    assert purchase_flags(Decimal(amount), points, day_points, DEFAULT) == flags


def test_switched_off_rules_trip_nothing() -> None:
    off = Risk(single_purchase_limit=None, daily_purchase_points=None)

    assert purchase_flags(Decimal("999999999.99"), 10**9, 10**9, off) == ()


@pytest.mark.parametrize(
    ("status", "earn", "spend", "scope", "shown"),
    [
        ("active", True, True, None, "active"),
        ("frozen", False, False, "all", "frozen"),
        ("earning_frozen", False, True, "earning", "frozen"),
        ("redeeming_frozen", True, False, "redeeming", "frozen"),
    ],
)
def test_each_status_earns_and_spends_as_its_scope_says(
    status: str, earn: bool, spend: bool, scope: str | None, shown: str
) -> None:
    assert (can_earn(status), can_spend(status)) == (earn, spend)
    assert (frozen_scope(status), shown_status(status)) == (scope, shown)


@pytest.mark.parametrize(
    ("status", "scope", "freeze", "after"),
    [
        ("active", "earning", True, "earning_frozen"),
        ("earning_frozen", "redeeming", True, "frozen"),
        ("frozen", "earning", False, "redeeming_frozen"),
        ("redeeming_frozen", "all", False, "active"),
        ("active", "redeeming", False, "active"),
        ("frozen", "all", True, "frozen"),
    ],
)
def test_freezing_adds_a_scope_and_unfreezing_takes_it_away(
    status: str, scope: str, freeze: bool, after: str
) -> None:
    assert status_after(status, scope, freeze=freeze) == after


def _profile_change(old: str, new: str) -> dict:
    def image(status: str) -> dict:
        return {"pk": {"S": "MEMBER#m-1"}, "sk": {"S": "PROFILE"}, "status": {"S": status}}

    return {
        "eventName": "MODIFY",
        "dynamodb": {"OldImage": image(old), "NewImage": image(new), "SequenceNumber": "7"},
    }


def test_a_partial_freeze_is_a_member_frozen_event_naming_its_scope() -> None:
    frozen = from_stream_record(_profile_change("active", "earning_frozen"))
    widened = from_stream_record(_profile_change("earning_frozen", "frozen"))
    unfrozen = from_stream_record(_profile_change("redeeming_frozen", "active"))

    assert [(e.detail_type, e.detail.get("frozen_scope")) for e in frozen + widened + unfrozen] == [
        (MEMBER_FROZEN, "earning"),
        (MEMBER_FROZEN, "all"),
        (MEMBER_UNFROZEN, None),
    ]
