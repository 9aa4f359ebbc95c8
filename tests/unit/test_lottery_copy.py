"""A draw planned on a process's copy of the campaign (shared.lottery.draws): which refusals
of its write read the campaign again and draw anew, and which keep the outcome drawn. The
repositories are replaced by recorders; the use case's decisions are what is tested."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from msgspec.structs import replace

from shared import programme
from shared.domain.lottery import Lottery, Prize
from shared.domain.rules import DEFAULT_RULES
from shared.dynamodb import lottery as repo
from shared.dynamodb import lottery_draws as draws_repo
from shared.errors import NotAvailable
from shared.lottery import draws

NOW = datetime(2027, 1, 10, 2, 0, tzinfo=UTC)
PRIZE = Prize("phone", "Phone", "points", weight=1, limited=True, points=5)
LOTTERY = Lottery(
    lottery_id="spring",
    name="Spring",
    cost=50,
    starts_at=datetime(2027, 1, 1, tzinfo=UTC),
    ends_at=datetime(2027, 2, 1, tzinfo=UTC),
    prizes=(PRIZE,),
    no_prize_weight=1,
    ver=1,
)


class World:
    """The copies the repository hands out, the writes' answers, what happened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, copies: list[tuple[Lottery, bool]]):
        self.copies = copies
        self.answers: list[Exception | None] = []
        self.plans: list[draws_repo.DrawPlan] = []
        self.forgotten = 0
        self.rolls = 0
        monkeypatch.setattr(programme, "current", lambda: DEFAULT_RULES)
        monkeypatch.setattr(repo, "cached", self.cached)
        monkeypatch.setattr(repo, "forget", self.forget)
        monkeypatch.setattr(draws_repo, "record", self.record)

    def cached(self, lottery_id: str) -> tuple[repo.State | None, bool]:
        lottery, fresh = self.copies.pop(0)
        return repo.State(lottery, stocks={"phone": 1}), fresh

    def forget(self, lottery_id: str) -> None:
        self.forgotten += 1

    def record(self, plan: draws_repo.DrawPlan, rules: Any) -> None:
        self.plans.append(plan)
        answer = self.answers.pop(0) if self.answers else None
        if answer is not None:
            raise answer

    def randbelow(self, total: int) -> int:
        self.rolls += 1
        return 0  # picks "phone"

    def draw(self) -> dict[str, Any]:
        status, body = draws.draw(draws.DrawRequest("m-1", "spring"), NOW, self.randbelow)
        assert status == 201
        return body


def test_an_edited_campaign_is_read_again_and_drawn_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    edited = replace(LOTTERY, ver=2, cost=80)
    world = World(monkeypatch, [(LOTTERY, False), (edited, True)])
    world.answers = [draws_repo.Changed()]

    body = world.draw()

    assert [p.lottery.ver for p in world.plans] == [1, 2]
    assert world.rolls == 2 and world.forgotten == 1
    assert body["cost"] == 80 and world.plans[1].debit.points == 80


def test_a_prize_gone_keeps_the_outcome_drawn_wins_nothing_and_drops_the_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World(monkeypatch, [(LOTTERY, False)])
    world.answers = [draws_repo.PrizeGone()]

    body = world.draw()

    first, second = world.plans
    assert world.rolls == 1 and world.forgotten == 1  # never drawn again
    assert (first.random, first.picked, first.prize) == (0, PRIZE, PRIZE)
    assert (second.random, second.picked, second.prize) == (0, PRIZE, None)
    assert body["prize"] is None and body["note"] == "stock_ran_out"


def test_a_copy_that_says_closed_is_read_again_before_refusing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed = replace(LOTTERY, ends_at=datetime(2027, 1, 5, tzinfo=UTC))
    world = World(monkeypatch, [(closed, False), (LOTTERY, True)])

    body = world.draw()

    assert world.forgotten == 1 and body["prize"]["prize_id"] == "phone"


def test_a_fresh_read_that_says_closed_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = replace(LOTTERY, ends_at=datetime(2027, 1, 5, tzinfo=UTC))
    world = World(monkeypatch, [(closed, True)])

    with pytest.raises(NotAvailable):
        world.draw()
    assert world.plans == []
