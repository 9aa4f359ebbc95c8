"""Targeting as pure rules: who a campaign or lottery is for, member days by the programme's
weekday, 满X送Y rungs, extra draws earned by spend, and what a purchase is offered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.domain import mall
from shared.domain.campaigns import Campaign, Recurrence, SpendRung, definition_problems
from shared.domain.earning import purchase_points
from shared.domain.lottery import DrawOffer, ExtraDraws
from shared.domain.rules import DEFAULT_RULES, DEFAULT_TIERS
from shared.domain.targeting import Audience, Target, cutoff
from shared.targeting import for_purchase

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2027, 1, 1, tzinfo=SHANGHAI)
END = datetime(2027, 2, 1, tzinfo=SHANGHAI)
TIERS = [t.name for t in DEFAULT_TIERS]


def campaign(**kw) -> Campaign:
    return Campaign("c", "c", START, END, **({"bonus_points": 10} | kw))


def member(tier: str = "bronze", registered: datetime | None = None) -> Audience:
    return Audience(tier, registered)


# Who a target admits -----------------------------------------------------------------------


def test_registered_after_is_exclusive_and_counts_days_in_the_programmes_zone() -> None:
    target = Target(registered_after=date(2027, 1, 5))
    last_excluded = datetime(2027, 1, 5, 23, 59, 59, tzinfo=SHANGHAI)
    first_admitted = datetime(2027, 1, 6, tzinfo=SHANGHAI)  # still Jan 5 in UTC

    assert not target.admits(member(registered=last_excluded), SHANGHAI)
    assert target.admits(member(registered=first_admitted), SHANGHAI)
    assert not target.admits(member(registered=None), SHANGHAI)  # unknown: not new
    assert cutoff(date(2027, 1, 5), SHANGHAI) == first_admitted


def test_tiers_and_registration_combine_with_and() -> None:
    target = Target(frozenset({"gold"}), date(2027, 1, 5))
    new = datetime(2027, 1, 7, tzinfo=SHANGHAI)

    assert target.admits(member("gold", new), SHANGHAI)
    assert not target.admits(member("silver", new), SHANGHAI)
    assert not target.admits(member("gold", datetime(2026, 6, 1, tzinfo=UTC)), SHANGHAI)
    assert Target().admits(member(), SHANGHAI)


# Campaigns -------------------------------------------------------------------------------


def test_a_recurring_campaign_is_active_on_its_weekdays_in_the_programmes_zone() -> None:
    wednesdays = campaign(recurrence=Recurrence((3,)))
    wednesday_early = datetime(2027, 1, 12, 16, 30, tzinfo=UTC)  # Wed 00:30 in Shanghai

    assert wednesdays.active_at(wednesday_early, SHANGHAI)
    assert not wednesdays.active_at(wednesday_early, ZoneInfo("UTC"))  # a Tuesday there
    assert not wednesdays.active_at(datetime(2027, 2, 3, 12, tzinfo=SHANGHAI), SHANGHAI)


def test_spend_bonus_pays_the_highest_rung_reached_and_nothing_below_the_first() -> None:
    rungs = (SpendRung(Decimal("100"), 10), SpendRung(Decimal("300"), 50))
    c = campaign(bonus_points=None, spend_bonus=rungs)

    assert [c.spend_points(Decimal(a)) for a in ("99.99", "100", "299.99", "300", "5000")] == [
        0,
        10,
        10,
        50,
        50,
    ]


def test_spend_bonus_is_its_own_breakdown_line_unscaled_by_tier_or_multiplier() -> None:
    c = campaign(
        bonus_points=None, multiplier=Decimal(2), spend_bonus=(SpendRung(Decimal(100), 10),)
    )

    earned = purchase_points(Decimal(150), DEFAULT_RULES, tier=DEFAULT_TIERS[2], campaigns=(c,))

    parts = {p.rule: p.points for p in earned.breakdown}
    assert parts == {"base": 150, "tier:gold": 37, "campaign:c": 187, "spend_bonus:c": 10}


def test_definition_problems_name_each_bad_field() -> None:
    bad = campaign(
        bonus_points=None,
        tiers=frozenset({"gold", "emerald"}),
        recurrence=Recurrence((1, 1, 8)),
        spend_bonus=(SpendRung(Decimal(300), 50), SpendRung(Decimal(300), 60)),
    )

    assert set(definition_problems(bad, TIERS)) == {
        "tiers",
        "recurrence.weekdays",
        "spend_bonus[1].min_amount",
    }
    assert definition_problems(campaign(bonus_points=None), TIERS) == {
        "multiplier": "a campaign needs a multiplier, bonus_points or spend_bonus"
    }
    assert definition_problems(campaign(tiers=frozenset({"gold"})), TIERS) == {}


def test_a_campaign_survives_its_stored_json() -> None:
    c = campaign(
        tiers=frozenset({"gold"}),
        registered_after=date(2026, 12, 31),
        recurrence=Recurrence((3, 6)),
        spend_bonus=(SpendRung(Decimal("100.00"), 10),),
    )

    assert Campaign.from_json(c.to_json()) == c


# Extra draws -----------------------------------------------------------------------------


def test_each_full_per_amount_earns_the_draws() -> None:
    terms = ExtraDraws(Decimal("100"), 2)

    assert [terms.earned(Decimal(a)) for a in ("99.99", "100", "250", "0")] == [0, 2, 4, 0]


def test_a_draw_offer_applies_inside_its_window_to_the_members_it_targets() -> None:
    offer = DrawOffer("l", START, END, ExtraDraws(Decimal(50), 1), Target(frozenset({"gold"})))
    inside = datetime(2027, 1, 10, tzinfo=SHANGHAI)

    assert offer.draws_for(Decimal(120), inside, member("gold"), SHANGHAI) == 2
    assert offer.draws_for(Decimal(120), inside, member("bronze"), SHANGHAI) == 0
    assert offer.draws_for(Decimal(120), END, member("gold"), SHANGHAI) == 0
    assert DrawOffer.from_json(offer.to_json()) == offer


# What a purchase is offered ----------------------------------------------------------------


def test_an_unread_member_is_assumed_not_new_under_a_registered_before_guard() -> None:
    new_members = campaign(registered_after=date(2027, 1, 5))
    later = DrawOffer(
        "l", START, END, ExtraDraws(Decimal(10), 1), Target(registered_after=date(2027, 1, 8))
    )
    at = datetime(2027, 1, 10, tzinfo=SHANGHAI)

    blind = for_purchase(
        "m", "bronze", None, [new_members], [later], Decimal(30), at, DEFAULT_RULES
    )
    known = for_purchase(
        "m", "bronze", "2027-01-09T00:00:00+00:00", [new_members], [later], Decimal(30), at,
        DEFAULT_RULES,
    )  # fmt: skip

    assert (blind.campaigns, blind.grants) == ((), ())
    assert blind.registered_before == "2027-01-05T16:00:00.000000+00:00"  # the earliest cutoff
    assert known.campaigns == (new_members,)
    assert [(g.lottery_id, g.draws) for g in known.grants] == [("l", 3)]
    assert known.registered_before is None


def test_a_member_who_earns_nothing_gets_no_extra_draws() -> None:
    offer = DrawOffer("l", START, END, ExtraDraws(Decimal(10), 1))
    at = datetime(2027, 1, 10, tzinfo=SHANGHAI)

    frozen = for_purchase(
        "m", "bronze", None, [], [offer], Decimal(30), at, DEFAULT_RULES, earns=False
    )

    assert frozen.grants == ()


def test_a_new_member_offer_for_another_tier_adds_no_guard() -> None:
    gold_newcomers = campaign(tiers=frozenset({"gold"}), registered_after=date(2027, 1, 5))
    at = datetime(2027, 1, 10, tzinfo=SHANGHAI)

    bronze = for_purchase("m", "bronze", None, [gold_newcomers], [], Decimal(30), at, DEFAULT_RULES)
    gold = for_purchase("m", "gold", None, [gold_newcomers], [], Decimal(30), at, DEFAULT_RULES)

    assert bronze.registered_before is None  # bronze gets nothing from it, new or not
    assert gold.registered_before is not None


# Per-month redemption limits ---------------------------------------------------------------


def test_per_month_is_an_items_own_limit_beside_per_day_and_total() -> None:
    offer = mall.Offer("credit", "credit", mall.COUPON, 100, limit_mode=mall.LIMITS_CUSTOM,
                       per_month=2, total=10)  # fmt: skip

    limits = mall.limits_of(offer, DEFAULT_RULES)

    assert limits.as_dict() == {"per_month": 2, "total": 10}
    assert mall.over_limit(limits, 3) and not mall.over_limit(limits, 2)
    assert mall.month_of(date(2027, 2, 1)) == "2027-02"
