"""Leaderboard rules (pure): ranks and ties, the kept distribution, periods, masked ids."""

from __future__ import annotations

from datetime import date

from shared.domain import leaderboard as lb
from shared.domain.leaderboard import Standing, Tally


def tally(*standings: Standing) -> Tally:
    t = Tally()
    for s in standings:
        t.add(s)
    return t


def test_equal_points_share_a_rank_and_the_next_rank_skips() -> None:
    rows = tally(
        Standing("m-d", 100, "2027-01-01T04:00"),
        Standing("m-b", 200, "2027-01-01T03:00"),
        Standing("m-a", 300, "2027-01-01T05:00"),
        Standing("m-c", 200, "2027-01-01T02:00"),
    ).rows()

    assert [(r.rank, r.member_id) for r in rows] == [(1, "m-a"), (2, "m-c"), (2, "m-b"), (4, "m-d")]


def test_a_tie_reached_at_the_same_time_is_ordered_by_member_id_whatever_the_input_order() -> None:
    same = "2027-01-01T02:00"
    forward = tally(Standing("m-1", 50, same), Standing("m-2", 50, same), Standing("m-3", 50, same))
    backward = tally(
        Standing("m-3", 50, same), Standing("m-2", 50, same), Standing("m-1", 50, same)
    )

    assert forward.rows() == backward.rows()
    assert [(r.rank, r.member_id) for r in forward.rows()] == [(1, "m-1"), (1, "m-2"), (1, "m-3")]


def test_only_the_top_hundred_are_listed_but_everyone_with_points_is_ranked() -> None:
    t = tally(*(Standing(f"m-{i:04d}", 1 + i % 250, "t") for i in range(1000)), Standing("z", 0))

    board = t.board("month", "2027-01", "now", closed=False)

    assert board.ranked == 1000 and len(board.top) == lb.TOP
    assert board.top[0].points == 250 and board.top[0].rank == 1
    assert board.top[-1].rank == 97  # 24 totals of 4 members each above the 226s
    assert board.levels.rank_of(250) == (1, True)
    assert board.levels.rank_of(1) == (997, True)  # 996 members have more than 1
    assert board.levels.rank_of(10_000) == (1, True)


def test_many_distinct_totals_keep_the_head_exact_and_band_the_tail() -> None:
    t = tally(*(Standing(f"m-{p}", p, "t") for p in range(1, 5001)))  # 5 000 distinct totals

    levels = t.board("year", "2027", "now", closed=False).levels

    assert len(levels.points) <= lb.MAX_LEVELS and sum(levels.counts) == 5000
    assert levels.exact_min == 5000 - lb.EXACT_LEVELS + 1
    assert levels.rank_of(5000) == (1, True)
    assert levels.rank_of(levels.exact_min) == (lb.EXACT_LEVELS, True)
    rank, exact = levels.rank_of(1000)  # true rank 4001, inside a band
    assert not exact and 4001 - 5000 // (lb.MAX_LEVELS - lb.EXACT_LEVELS) <= rank <= 4001


def test_periods_of_a_day_and_the_period_before() -> None:
    assert lb.period_key("month", date(2027, 1, 10)) == "2027-01"
    assert lb.period_key("year", date(2027, 1, 10)) == "2027"
    assert lb.previous_key("month", date(2027, 1, 31)) == "2026-12"
    assert lb.previous_key("month", date(2027, 3, 31)) == "2027-02"
    assert lb.previous_key("year", date(2027, 1, 1)) == "2026"
    assert (lb.first_month("2027"), lb.first_month("2027-05")) == ("2027-01", "2027-05")


def test_points_of_a_month_and_of_a_year_come_from_the_monthly_buckets() -> None:
    buckets = {"2026-12": 1000, "2027-01": 200, "2027-02": 30, "2027-03": -5}

    assert lb.points_in(buckets, "2027-02") == 30
    assert lb.points_in(buckets, "2027-04") == 0
    assert lb.points_in(buckets, "2027") == 225


def test_masked_ids_show_a_third_of_the_id_and_not_its_length() -> None:
    assert lb.mask("m-alice") == "m***e"
    assert lb.mask("m-1234567890") == "m-***90"
    assert lb.mask("ab") == "***"
    assert lb.mask("abc") == "a***"
