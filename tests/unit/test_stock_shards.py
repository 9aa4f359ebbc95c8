"""Hot items' stock shards: how many, how stock is spread and taken back, which shard a
redemption tries next; and the sharded by_status partitions of placed orders."""

from __future__ import annotations

import random

import pytest

from shared.domain import mall
from shared.dynamodb import keys


@pytest.mark.parametrize(
    ("peak", "shards"),
    [(1, 1), (400, 1), (401, 2), (5_000, 13), (10_000, 25), (1_000_000, mall.MAX_STOCK_SHARDS)],
)
def test_shards_follow_the_expected_peak_at_400_redemptions_a_second_each(
    peak: int, shards: int
) -> None:
    assert mall.shards_for_peak(peak) == shards


def test_stock_is_spread_evenly_and_the_remainder_round_robin() -> None:
    assert mall.split_stock(10, 4) == [3, 3, 2, 2]
    assert mall.split_stock(10, 4, first=3) == [3, 2, 2, 3]
    assert mall.split_stock(3, 5, first=4) == [1, 1, 0, 0, 1]
    assert mall.split_stock(-6, 4) == [-2, -2, -1, -1]
    for total in range(0, 50):
        for k in range(1, 9):
            parts = mall.split_stock(total, k, first=total % k)
            assert sum(parts) == total and max(parts) - min(parts) <= 1


def test_stock_taken_back_comes_from_the_fullest_shards_and_never_below_zero() -> None:
    assert mall.take_from([5, 1, 3], 6) == {0: 5, 2: 1}
    assert mall.take_from([0, 2, 2], 4) == {1: 2, 2: 2}
    assert mall.take_from([1, 1], 3) is None
    assert mall.take_from([-1, 2], 2) == {1: 2}  # a shard never gives what it lacks


def test_a_redemption_tries_every_shard_once_then_none() -> None:
    rng = random.Random(7)
    refused: set[int] = set()
    tried = []
    while (shard := mall.shard_to_try(5, refused, rng.choice)) is not None:
        tried.append(shard)
        refused.add(shard)
    assert sorted(tried) == [0, 1, 2, 3, 4]
    assert mall.shard_to_try(3, {0, 2}, rng.choice) == 1


def test_random_choice_spreads_first_tries_over_the_shards() -> None:
    rng = random.Random(1)
    counts = [0] * 4
    for _ in range(4_000):
        counts[mall.shard_to_try(4, set(), rng.choice)] += 1
    assert all(900 <= c <= 1_100 for c in counts)


def test_stock_shards_need_an_item_with_stock() -> None:
    assert "stock_shards" in mall.definition_problems("gift", stock=None, stock_shards=2)
    assert "stock_shards" in mall.definition_problems("donation", stock_shards=2)
    assert mall.definition_problems("gift", stock=10, stock_shards=2) == {}


def test_placed_orders_spread_over_the_index_shards_other_statuses_do_not() -> None:
    ids = [f"o-{n}" for n in range(2_000)]
    placed = {keys.orders_status_key("placed", i) for i in ids}
    assert placed == set(keys.orders_status_partitions("placed")[1:])
    assert keys.orders_status_key("placed", "o-1") == keys.orders_status_key("placed", "o-1")
    assert keys.orders_status_key("approved", "o-1") == "ORDERS#approved"
    assert keys.orders_status_partitions("approved") == ["ORDERS#approved"]
    assert keys.orders_status_partitions("placed")[0] == "ORDERS#placed"  # before sharding


def test_a_stock_shard_has_its_own_partition_under_the_items_prefix() -> None:
    assert keys.stock_shard_pk("flash", 3) == "ITEM#flash#03"
    assert keys.stock_shard_pk("flash", 3) != keys.item_pk("flash")
    assert keys.stock_shard_pk("flash", 3).startswith(keys.ITEM)
