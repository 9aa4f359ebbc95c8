"""The active-member sketch (shared/domain/sketch.py): its error bound, merging, encoding."""

from __future__ import annotations

import pytest

from shared.domain.sketch import M, Sketch

BOUND = 0.025  # docs/data-model.md and the API's description: ±2.5 % (3 standard errors)


def members(n: int, prefix: str = "m-") -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, 3, 50])
def test_small_counts_are_exact(n: int) -> None:
    assert Sketch().update(members(n)).estimate() == n


@pytest.mark.parametrize("n", [200, 1_000, 5_000, 20_000, 41_000, 60_000, 100_000])
def test_an_estimate_is_within_the_documented_bound(n: int) -> None:
    for prefix in ("m-", "member-", "x"):  # three hash samples per size
        estimate = Sketch().update(members(n, prefix)).estimate()
        assert abs(estimate - n) <= BOUND * n, (prefix, n, estimate)


def test_adding_again_or_merging_into_itself_changes_nothing() -> None:
    sketch = Sketch().update(members(2_000))
    same = Sketch(bytes(sketch.registers)).update(members(2_000)[::-1])
    assert same == sketch
    assert Sketch(bytes(sketch.registers)).merge(sketch) == sketch


def test_merged_shards_equal_one_sketch_of_the_union() -> None:
    everyone = members(30_000)
    shards = [Sketch().update(everyone[k::4]) for k in range(4)]
    overlap = Sketch().update(everyone[:5_000])  # a day where some members came back
    merged = Sketch()
    for part in [*shards, overlap]:
        merged.merge(part)
    assert merged == Sketch().update(everyone)


def test_the_encoding_round_trips_and_is_small_for_a_small_day() -> None:
    sketch = Sketch().update(members(200))
    data = sketch.to_bytes()
    assert Sketch.from_bytes(data) == sketch
    assert len(data) < 2_000 < M


def test_registers_of_the_wrong_size_are_refused() -> None:
    with pytest.raises(ValueError):
        Sketch(bytes(100))
