"""The lottery's pure rules: odds in force given stock, the pick, and the chi-square test."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shared.domain import lottery as lot
from shared.domain.lottery import Chance, Odds, Prize

NOW = datetime(2027, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def prize(prize_id: str, weight: int, *, limited: bool = False, **kw) -> Prize:
    return Prize(
        prize_id,
        prize_id.title(),
        kw.pop("kind", lot.POINTS),
        weight,
        limited,
        points=kw.pop("points", 10),
        **kw,
    )


POOL = (prize("top", 1, limited=True), prize("mid", 4), prize("low", 15, limited=True))


# Odds in force -----------------------------------------------------------------------------


def test_odds_in_force_are_the_weights_while_every_prize_is_in_stock() -> None:
    odds = lot.odds_in_force(POOL, 80, {"top": 3, "low": 100})

    assert odds.total == 100
    assert [(c.prize_id, c.weight) for c in odds.chances] == [
        ("top", 1),
        ("mid", 4),
        ("low", 15),
        (None, 80),
    ]
    assert [odds.text(p) for p in ("top", "mid", "low", None)] == [
        "0.010000",
        "0.040000",
        "0.150000",
        "0.800000",
    ]


def test_a_prize_out_of_stock_gives_its_weight_to_no_prize_and_the_total_stays() -> None:
    odds = lot.odds_in_force(POOL, 80, {"top": 0, "low": 2})

    assert odds.total == 100
    assert odds.weight_of("top") == 0
    assert odds.weight_of(None) == 81
    assert odds.text("top") == "0.000000"


def test_a_limited_prize_without_a_stock_record_counts_as_out_of_stock() -> None:
    odds = lot.odds_in_force(POOL, 80, {"top": 1})

    assert odds.weight_of("low") == 0
    assert odds.weight_of(None) == 95


def test_odds_strings_round_half_even_to_six_places() -> None:
    assert lot.odds_text(1, 3) == "0.333333"
    assert lot.odds_text(2, 3) == "0.666667"
    assert lot.odds_text(1, 8_000_000) == "0.000000"  # 0.000000125 rounds to even
    assert lot.odds_text(3, 8_000_000) == "0.000000"
    assert lot.odds_text(5, 1_000_000) == "0.000005"
    assert lot.odds_text(0, 0) == "0.000000"


def test_odds_survive_the_round_trip_through_the_draw_record() -> None:
    odds = lot.odds_in_force(POOL, 80, {"top": 0, "low": 2})

    assert Odds.from_json(odds.as_json()) == odds


# The pick -----------------------------------------------------------------------------------


def test_every_random_value_picks_exactly_one_outcome_in_proportion_to_its_weight() -> None:
    odds = lot.odds_in_force(POOL, 80, {"top": 0, "low": 7})

    counts = Counter(lot.pick(odds, r) for r in range(odds.total))

    assert counts == {"mid": 4, "low": 15, None: 81}  # "top" is out of stock: never picked


def test_the_intervals_follow_the_pool_order_with_no_prize_last() -> None:
    odds = lot.odds_in_force(POOL, 80, {"top": 1, "low": 1})

    assert [lot.pick(odds, r) for r in (0, 1, 4, 5, 19, 20, 99)] == [
        "top",
        "mid",
        "mid",
        "low",
        "low",
        None,
        None,
    ]


@pytest.mark.parametrize("r", [-1, 100, 10**9])
def test_a_random_value_outside_the_total_is_refused(r: int) -> None:
    with pytest.raises(ValueError):
        lot.pick(lot.odds_in_force(POOL, 80, {"top": 1, "low": 1}), r)


def test_a_draw_asks_the_random_source_for_a_value_below_the_total() -> None:
    odds = lot.odds_in_force(POOL, 80, {"top": 1, "low": 1})
    asked: list[int] = []

    def source(n: int) -> int:
        asked.append(n)
        return 3

    assert lot.draw(odds, source) == (3, "mid")
    assert asked == [100]


def test_draws_from_the_csprng_stay_in_range() -> None:
    odds = Odds(3, (Chance("a", 1), Chance(None, 2)))

    values = {lot.draw(odds)[0] for _ in range(300)}

    assert values == {0, 1, 2}


# The campaign -------------------------------------------------------------------------------


def test_a_lottery_is_open_from_its_start_until_just_before_its_end() -> None:
    campaign = lot.Lottery("l", "L", 50, NOW, NOW + timedelta(days=1), POOL)

    assert lot.is_open(campaign, NOW)
    assert not lot.is_open(campaign, NOW - timedelta(microseconds=1))
    assert not lot.is_open(campaign, NOW + timedelta(days=1))


def test_draws_left_today_never_go_below_zero_and_none_means_no_limit() -> None:
    assert lot.draws_left(3, 1) == 2
    assert lot.draws_left(3, 5) == 0
    assert lot.draws_left(None, 99) is None


def test_definition_problems_name_each_inconsistent_field() -> None:
    bad = (
        prize("p", 1, points=None),
        prize("p", 1, kind=lot.COUPON, points=None),
        prize("c", 1, kind=lot.CASH, points=None),
        prize("g", 1, kind=lot.GIFT, points=5, item_id="cup", cash=Decimal("1")),
    )

    problems = lot.definition_problems(bad, 0, NOW, NOW)

    assert set(problems) == {
        "ends_at",
        "prizes[0].points",
        "prizes[1].prize_id",
        "prizes[1].item_id",
        "prizes[2].cash",
        "prizes[3].points",
        "prizes[3].cash",
    }
    assert lot.definition_problems((prize("p", 0),), 0, None, None) == {
        "prizes": "the weights (with no_prize_weight) must add up to more than 0"
    }
    assert lot.definition_problems((prize("p", 0),), 1, None, None) == {}
    assert lot.definition_problems((), 1, None, None) == {"prizes": "must name at least one prize"}


def test_prizes_survive_the_round_trip_through_the_stored_definition() -> None:
    cash = Prize("rp", "Red packet", lot.CASH, 3, True, cash=Decimal("8.88"))
    coupon = Prize("c", "Save 10", lot.COUPON, 2, False, item_id="coupon-10", valid_days=7)

    assert [Prize.from_json(p.as_json()) for p in (cash, coupon, *POOL)] == [cash, coupon, *POOL]


def test_expected_units_add_up_each_draws_odds_exactly() -> None:
    assert lot.expected_units(1, 4) == lot.EXPECTED_SCALE // 4
    assert lot.expected_units(1, 3) + lot.expected_units(2, 3) == lot.EXPECTED_SCALE
    assert lot.expected_units(0, 7) == 0


def test_draw_ids_are_time_ordered_and_unique() -> None:
    first, second = lot.new_draw_id(NOW), lot.new_draw_id(NOW + timedelta(microseconds=1))

    assert first.startswith("d20270110020000000000-")
    assert first < second and first != lot.new_draw_id(NOW)


def test_cash_is_counted_in_cents_and_shown_as_a_decimal_string() -> None:
    assert lot.cash_cents(Decimal("8.88")) == 888
    assert lot.cents_text(1776) == "17.76"


# Chi-square --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "x", "expected"),
    [
        (1.0, 0.5, math.exp(-0.5)),  # Q(1, x) = e^-x
        (1.0, 7.0, math.exp(-7.0)),
        (0.5, 0.3, math.erfc(math.sqrt(0.3))),  # Q(1/2, x) = erfc(√x)
        (0.5, 4.0, math.erfc(2.0)),
        (3.0, 2.0, 5 * math.exp(-2.0)),  # Q(n, x) = e^-x Σ_{k<n} x^k / k!
        (5.0, 10.0, math.exp(-10.0) * (1 + 10 + 50 + 1000 / 6 + 10_000 / 24)),
        (
            2.5,
            2.0,
            math.erfc(math.sqrt(2))
            + math.exp(-2) * (2 / math.sqrt(math.pi)) * (math.sqrt(2) + 2**1.5 / 1.5),
        ),  # Q(n + 1/2, x), n = 2
    ],
)
def test_the_regularized_upper_gamma_matches_closed_forms(a: float, x: float, expected: float):
    assert lot.regularized_gamma_q(a, x) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize(
    ("statistic", "df", "p"),
    [
        (3.841458820694124, 1, 0.05),  # textbook critical values (scipy.stats.chi2.ppf)
        (6.634896601021214, 1, 0.01),
        (0.454936423119572, 1, 0.5),
        (13.815510557964274, 2, 0.001),
        (9.487729036781154, 4, 0.05),
        (18.307038053275146, 10, 0.05),
        (124.34211340400407, 100, 0.05),
    ],
)
def test_chi_square_p_values_match_the_tables(statistic: float, df: int, p: float) -> None:
    assert lot.chi_square_p_value(statistic, df) == pytest.approx(p, rel=1e-9)


def test_the_p_value_of_nothing_observed_against_nothing_expected_is_one() -> None:
    assert lot.chi_square_p_value(0.0, 3) == 1.0
    assert lot.chi_square_p_value(5.0, 0) == 1.0
    assert lot.chi_square_p_value(math.inf, 2) == 0.0


def test_pearsons_statistic_skips_impossible_outcomes_and_counts_the_rest() -> None:
    statistic, df = lot.chi_square([10, 30, 0, 60], [20.0, 20.0, 0.0, 60.0])

    assert statistic == pytest.approx(10.0)  # (10-20)²/20 + (30-20)²/20 + 0
    assert df == 2
    assert lot.chi_square([1, 1], [2.0, 0.0]) == (math.inf, 0)


def test_gamma_arguments_out_of_domain_are_refused() -> None:
    with pytest.raises(ValueError):
        lot.regularized_gamma_q(0, 1)
    with pytest.raises(ValueError):
        lot.regularized_gamma_q(1, -1)
    assert lot.regularized_gamma_q(2, 0) == 1.0


# A limited prize's stock shards (issue 23) ---------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "total", "stock", "shards"),
    [
        (18, 100, 1_000_000, 4),  # hot_partitions' gift: 900 wins/s at 5 000 draws/s
        (2, 10, 1_000_000, 4),  # 20 %: 1 000 wins/s, 250 a shard
        (5, 100, 1_000, 1),  # 5 %: 250 wins/s fit one item
        (6, 100, 1_000, 2),  # just over
        (1, 1_000, 10_000, 1),  # a grand prize (0.1 %)
        (90, 100, 10, 10),  # 18 shards wanted, but only 10 units
        (1, 1, 1_000, lot.MAX_STOCK_SHARDS),  # won by every draw: capped
        (1, 1, 1, 1),  # one unit
        (1, 1, 0, 1),  # none
        (0, 0, 100, 1),  # no weight at all
    ],
)
def test_a_prizes_stock_shards_follow_its_wins_at_the_peak(
    weight: int, total: int, stock: int, shards: int
) -> None:
    assert lot.stock_shards(weight, total, stock) == shards


def test_shards_are_cut_to_the_room_of_the_transaction_most_sharded_first() -> None:
    wanted = {"a": 8, "b": 4, "c": 1}
    assert lot.fit_shards(wanted, 100) == wanted
    assert lot.fit_shards(wanted, 10) == {"a": 6, "b": 4, "c": 1}
    assert lot.fit_shards(wanted, 7) == {"a": 4, "b": 3, "c": 1}
    assert lot.fit_shards(wanted, 1) == {"a": 1, "b": 1, "c": 1}  # 2 shards need 2 items
    assert lot.fit_shards(wanted, -5) == {"a": 1, "b": 1, "c": 1}
