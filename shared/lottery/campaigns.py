"""Operators define the lottery's campaigns and prize pools (``PUT``/``GET
/v1/admin/lotteries/{lottery_id}``) and list them all (``GET /v1/admin/lotteries``): a coupon
or gift prize takes its catalog item's kind and validity; limited prizes' stock is set as
given."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from shared import programme
from shared.domain import audit, targeting
from shared.domain import lottery as domain
from shared.domain import mall as mall_rules
from shared.domain.lottery import ExtraDraws, Lottery, Prize
from shared.domain.targeting import Target
from shared.dynamodb import catalog as catalog_repo
from shared.dynamodb import lottery as repo
from shared.dynamodb.lottery import State
from shared.errors import Invalid
from shared.lottery.views import admin_view
from shared.replan import until_done


class PrizeSpec(Struct, frozen=True):
    """One prize of an operator's ``PUT /v1/admin/lotteries/{lottery_id}``."""

    prize_id: str
    name: str
    kind: str
    weight: int
    stock: int | None = None  # None: unlimited
    points: int | None = None
    item_id: str | None = None
    cash: Decimal | None = None


class Definition(Struct, frozen=True):
    """An operator's ``PUT /v1/admin/lotteries/{lottery_id}``."""

    name: str
    starts_at: datetime
    ends_at: datetime
    prizes: tuple[PrizeSpec, ...]
    cost: int | None = None  # None: the programme's default (50)
    daily_limit: int | None = None  # None: no daily limit
    no_prize_weight: int = 0
    tiers: list[str] | None = None  # None: every tier
    registered_after: date | None = None  # None: members registered whenever
    extra_draws: dict[str, Any] | None = None  # {"per_amount", "draws"}: earned by spend


def _invalid(problems: dict[str, str]) -> Invalid:
    return Invalid("invalid fields: " + ", ".join(sorted(problems)), details={"fields": problems})


def _prize(spec: PrizeSpec, index: int, problems: dict[str, str]) -> Prize:
    """The pool's prize; a coupon or gift takes its catalog item's kind and validity."""
    valid_days = None
    if spec.kind in (domain.COUPON, domain.GIFT) and spec.item_id is not None:
        item = catalog_repo.get(spec.item_id)
        wanted = mall_rules.COUPON if spec.kind == domain.COUPON else mall_rules.GIFT
        if item is None:
            problems[f"prizes[{index}].item_id"] = "is not a catalog item"
        elif item.kind != wanted:
            problems[f"prizes[{index}].item_id"] = f"must be a catalog item of kind {wanted}"
        elif spec.kind == domain.COUPON and item.coupon_valid_days is not None:
            valid_days = int(item.coupon_valid_days)
    return Prize(
        prize_id=spec.prize_id,
        name=spec.name,
        kind=spec.kind,
        weight=spec.weight,
        limited=spec.stock is not None,
        points=spec.points,
        item_id=spec.item_id,
        cash=spec.cash,
        valid_days=valid_days,
    )


def put_lottery(
    lottery_id: str, d: Definition, now: datetime, actor: str
) -> tuple[dict[str, Any], bool]:
    """Create or replace a campaign (stock set as given). Returns (stored view, created).
    Audited (``lottery.put``) in the write's transaction, conditional on the campaign as
    read: one edited meanwhile is read and decided again."""
    rules = programme.current()
    problems: dict[str, str] = {}
    prizes = tuple(_prize(spec, i, problems) for i, spec in enumerate(d.prizes))
    problems.update(domain.definition_problems(prizes, d.no_prize_weight, d.starts_at, d.ends_at))
    target = Target(frozenset(d.tiers) if d.tiers else None, d.registered_after)
    problems.update(targeting.problems(target, [t.name for t in rules.tiers]))
    if problems:
        raise _invalid(problems)
    lottery = Lottery(
        lottery_id=lottery_id,
        name=d.name,
        cost=d.cost if d.cost is not None else rules.lottery_default_cost,
        starts_at=d.starts_at,
        ends_at=d.ends_at,
        prizes=prizes,
        no_prize_weight=d.no_prize_weight,
        daily_limit=d.daily_limit,
        target=target,
        extra_draws=ExtraDraws(**d.extra_draws) if d.extra_draws else None,
    )
    stocks = {s.prize_id: s.stock for s in d.prizes if s.stock is not None}

    def attempt() -> bool | None:
        read = repo.load(lottery_id)
        change = audit.entry(
            now,
            actor,
            "lottery.put",
            audit.target("lottery", lottery_id),
            before=admin_view(read, now, rules) if read is not None else None,
            after=admin_view(_written(read, lottery, stocks, now, actor), now, rules),
        )
        return read is None if repo.put(lottery, stocks, now, actor, change, read) else None

    created = until_done(attempt, "lottery")
    programme.invalidate()  # its extra-draw terms load with the rules
    return admin_view(repo.existing(lottery_id), now, rules), created


def _written(
    read: State | None, lottery: Lottery, stocks: dict[str, int], now: datetime, actor: str
) -> State:
    """The campaign as :func:`repo.put` leaves it (the audit entry's ``after``)."""
    return State(
        replace(lottery, ver=read.lottery.ver + 1 if read is not None else 1),
        stocks=dict(stocks),
        stocked=dict(stocks),
        created_at=read.created_at if read is not None else now,
        updated_at=now,
        updated_by=actor,
    )


def admin_lottery(lottery_id: str, now: datetime) -> dict[str, Any]:
    """``GET /v1/admin/lotteries/{lottery_id}``: the campaign as operators see it."""
    return admin_view(repo.existing(lottery_id), now, programme.current())


def admin_lotteries(limit: int, cursor: str | None, now: datetime) -> dict[str, Any]:
    """``GET /v1/admin/lotteries``: every campaign as operators see it, latest end first."""
    rules = programme.current()
    entries, next_cursor = repo.entries_page(limit, cursor)
    states = (repo.load(e.lottery_id) for e in entries)
    items = [admin_view(s, now, rules) for s in states if s is not None]
    return {"items": items, "next_cursor": next_cursor}
