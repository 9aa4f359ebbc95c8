"""Earning rules as pure domain functions: purchase breakdowns, streaks, the cap, referrals,
and the programme settings' JSON codec."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from msgspec import structs

from shared.domain.activity import Capped, apply_cap, period
from shared.domain.campaigns import Campaign, Line
from shared.domain.checkins import checkin_points, current_streak, next_streak
from shared.domain.earning import purchase_points
from shared.domain.referrals import (
    ALPHABET,
    CODE_LENGTH,
    Referral,
    first_purchase_rewards,
    new_code,
    refusal,
)
from shared.domain.rules import DEFAULT_RULES, DEFAULT_TIERS
from shared.rules_codec import decode, to_json

HOT = structs.replace(DEFAULT_RULES, category_bonuses={"hot": Decimal("0.5")})
DAY = datetime(2027, 1, 10, tzinfo=UTC)


def campaign(cid: str = "double", **kw) -> Campaign:
    fields = {"multiplier": Decimal(2)} | kw
    return Campaign(cid, cid, DAY, datetime(2027, 1, 11, tzinfo=UTC), **fields)


def parts(earned) -> dict[str, int]:
    return {p.rule: p.points for p in earned.breakdown}


# Purchases ---------------------------------------------------------------------------------


def test_hot_category_on_a_double_points_day_earns_base_bonus_and_doubling() -> None:
    earned = purchase_points(
        Decimal("200.00"),
        HOT,
        lines=(Line(Decimal("200.00"), sku="s-1", category="hot"),),
        campaigns=(campaign(),),
    )

    assert parts(earned) == {"base": 200, "category:hot": 100, "campaign:double": 300}
    assert earned.points == 600 == sum(parts(earned).values())


def test_bonuses_apply_only_to_the_lines_that_match() -> None:
    earned = purchase_points(
        Decimal("150.00"),
        HOT,
        lines=(Line(Decimal("100.00"), category="hot"), Line(Decimal("30.00"), category="tea")),
    )  # 20.00 not itemised (shipping): base only

    assert parts(earned) == {"base": 150, "category:hot": 50}


def test_campaign_filters_limit_the_doubling_to_covered_lines_and_channels() -> None:
    lines = (Line(Decimal("100"), category="hot"), Line(Decimal("50"), category="tea"))
    tea_only = campaign("tea", categories=frozenset({"tea"}))
    app_only = campaign("app", channels=frozenset({"app"}))

    earned = purchase_points(
        Decimal("150"), DEFAULT_RULES, lines=lines, channel="web", campaigns=(tea_only, app_only)
    )

    assert parts(earned) == {"base": 150, "campaign:tea": 50}


def test_flat_campaign_bonus_is_added_once_when_any_line_matches() -> None:
    flat = campaign("gift", multiplier=None, bonus_points=88, skus=frozenset({"s-9"}))
    lines = (Line(Decimal("10"), sku="s-9"), Line(Decimal("10"), sku="s-9"))

    assert parts(purchase_points(Decimal("20"), DEFAULT_RULES, lines=lines, campaigns=(flat,))) == {
        "base": 20,
        "campaign:gift": 88,
    }
    assert parts(purchase_points(Decimal("20"), DEFAULT_RULES, campaigns=(flat,))) == {"base": 20}


def test_tier_multiplier_scales_points_before_campaigns_and_campaigns_add_up() -> None:
    gold = DEFAULT_TIERS[2]  # ×1.25
    earned = purchase_points(
        Decimal("100"),
        HOT,
        lines=(Line(Decimal("100"), category="hot"),),
        tier=gold,
        campaigns=(campaign("a"), campaign("b")),
    )

    # P = 150; tier 150 × 0.25; each ×2 campaign 150 × 1.25 × 1
    assert parts(earned) == {
        "base": 100,
        "category:hot": 50,
        "tier:gold": 37,
        "campaign:a": 187,
        "campaign:b": 187,
    }
    assert earned.points == 561


@pytest.mark.parametrize("amount", ["0.99", "33.33", "199.97", "1.01", "12345.67"])
def test_every_share_is_floored_and_the_parts_always_add_up(amount: str) -> None:
    rules = structs.replace(
        HOT,
        sku_bonuses={"s-1": Decimal("0.33")},
        channel_bonuses={"app": Decimal("0.1")},
    )
    a = Decimal(amount)
    earned = purchase_points(
        a,
        rules,
        lines=(Line(a / 3, sku="s-1", category="hot"),),
        channel="app",
        tier=DEFAULT_TIERS[1],
        campaigns=(campaign(multiplier=Decimal("1.5"), bonus_points=7),),
    )

    assert earned.points == sum(p.points for p in earned.breakdown)
    assert earned.breakdown[0].rule == "base"
    assert all(p.points > 0 for p in earned.breakdown[1:])


def test_a_frozen_member_earns_nothing_with_one_member_frozen_part() -> None:
    earned = purchase_points(Decimal("200"), HOT, campaigns=(campaign(),), frozen=True)

    assert earned.points == 0
    assert parts(earned) == {"member_frozen": 0}


def test_lines_adding_up_to_more_than_the_amount_are_refused() -> None:
    with pytest.raises(ValueError):
        purchase_points(Decimal("10"), DEFAULT_RULES, lines=(Line(Decimal("10.01")),))


def test_campaign_window_includes_start_and_excludes_end() -> None:
    c = campaign()
    assert c.active_at(DAY, UTC)
    assert not c.active_at(datetime(2027, 1, 11, tzinfo=UTC), UTC)


# Check-ins and the daily cap ---------------------------------------------------------------


def test_streak_grows_on_consecutive_days_and_resets_after_a_gap() -> None:
    today = date(2027, 1, 10)
    assert next_streak(None, 0, today) == 1
    assert next_streak(date(2027, 1, 9), 6, today) == 7
    assert next_streak(date(2027, 1, 8), 6, today) == 1


def test_current_streak_is_zero_once_a_day_was_missed() -> None:
    today = date(2027, 1, 10)
    assert current_streak(date(2027, 1, 10), 3, today) == 3
    assert current_streak(date(2027, 1, 9), 3, today) == 3
    assert current_streak(date(2027, 1, 8), 3, today) == 0
    assert current_streak(None, 0, today) == 0


@pytest.mark.parametrize(
    ("streak_before", "points", "bonus"), [(5, 10, 0), (6, 40, 30), (29, 110, 100)]
)
def test_streak_bonus_is_paid_on_the_day_the_streak_reaches_it(
    streak_before: int, points: int, bonus: int
) -> None:
    earned = checkin_points(
        date(2027, 1, 9), streak_before, date(2027, 1, 10), 10, ((7, 30), (30, 100))
    )
    assert (earned.points, earned.bonus) == (points, bonus)


def test_cap_credits_only_what_is_left_of_the_day() -> None:
    today = date(2027, 1, 10)
    assert apply_cap(200, today, "2027-01-10", 400, 500) == Capped(100, 100, 500)
    assert apply_cap(200, today, "2027-01-09", 400, 500) == Capped(200, 0, 200)  # a new day
    assert apply_cap(10, today, "2027-01-10", 500, 500) == Capped(0, 10, 500)


def test_task_periods_are_once_the_day_or_the_iso_week() -> None:
    sunday = date(2027, 1, 10)
    assert period("once", sunday) == "once"
    assert period("daily", sunday) == "2027-01-10"
    assert period("weekly", sunday) == "2027-W01"
    assert period("weekly", date(2027, 1, 11)) == "2027-W02"  # Monday starts a new week


# Referrals ---------------------------------------------------------------------------------


def test_codes_are_random_from_an_unambiguous_alphabet() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)


def test_self_referral_and_loops_are_refused() -> None:
    assert refusal("m-a", "m-a", None) is not None
    assert refusal("m-a", "m-b", "m-a") is not None
    assert refusal("m-c", "m-b", "m-a") is None


def test_first_purchase_rewards_referrer_referee_and_second_level() -> None:
    rewards = first_purchase_rewards("m-c", Referral("m-b", "m-a"), DEFAULT_RULES)
    assert [(r.member_id, r.points) for r in rewards] == [("m-b", 100), ("m-c", 50), ("m-a", 20)]
    assert len(first_purchase_rewards("m-c", Referral("m-b", None), DEFAULT_RULES)) == 2


# Programme settings as JSON -----------------------------------------------------------------


def test_every_setting_round_trips_through_its_json() -> None:
    values, problems = decode(to_json(DEFAULT_RULES))

    assert problems == {}
    assert structs.replace(DEFAULT_RULES, **values) == DEFAULT_RULES


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("checkin_points", -1),
        ("checkin_points", 1.5),
        ("earn_points_per_unit", 2.5),
        ("timezone", "Mars/Olympus"),
        ("streak_bonuses", [{"day": 7, "points": 30}, {"day": 7, "points": 1}]),
        ("tiers", [{"name": "silver", "threshold": 10, "multiplier": "1", "birthday_points": 0}]),
        ("validity", {"policy": "forever"}),
        ("category_bonuses", {"hot": "-1"}),
        ("expiry_shards", 3),
        ("no_such_setting", 1),
    ],
)
def test_bad_settings_are_named(field: str, value: object) -> None:
    _, problems = decode({field: value})
    assert field in problems
