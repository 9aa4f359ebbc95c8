"""Data access for the points lottery (SPEC §6, docs/data-model.md "Points lottery").

A campaign's partition ``LOTTERY#<id>`` holds its definition (``LOTTERY``), the stock of each
limited prize (``PRIZE#<prize_id>``) and ``STATS_SHARDS`` counter shards (``STATS#<nn>``).
A draw is ONE TransactWriteItems (:func:`record`): the member's debit (and, for a points
prize, the credit, in the same single profile update), the per-member daily counter, the
prize's stock (``stock >= 1``), one stats shard, the draw record, the order / coupon /
payout the prize becomes, and the Idempotency-Key record. Cancellations are turned into the
exact reason from the old images (``ALL_OLD``), never by reading again.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct, field
from pynamodb.exceptions import DoesNotExist

from shared.domain import lottery as rules_of
from shared.domain import mall
from shared.domain.ledger import Credit, Debit
from shared.domain.lottery import Lottery, Odds, Prize
from shared.domain.rules import Rules
from shared.dynamodb import idempotency, keys, pages
from shared.dynamodb import members as members_repo
from shared.dynamodb import orders as orders_repo
from shared.dynamodb.connection import table
from shared.dynamodb.models import (
    CounterItem,
    CouponItem,
    DrawItem,
    Item,
    LotteryEntry,
    LotteryItem,
    LotteryStatsItem,
    OrderItem,
    PayoutItem,
    PrizeStockItem,
    as_plain,
    set_or_remove,
)
from shared.dynamodb.tx import Cancelled, Retry, Tx, run
from shared.errors import DrawLimitReached

# Counter shards per campaign: each draw updates one, picked at random. One item takes about
# 500 transactional writes a second (2 WCU each, 1 000 WCU/s per item), so 10 shards carry
# ~5 000 draws/s; the audit index partition (~1 000 item writes/s) binds first.
STATS_SHARDS = 10
NONE_KEY = "_none"  # the stats' key of "no prize" (prize ids start with a letter or digit)

DEF, ENTRY, OLD_ENTRY = "lottery", "entry", "old_entry"
PROFILE = members_repo.PROFILE
COUNTER, STOCK, STATS, DRAW = "day_counter", "stock", "stats", "draw"
ORDER, COUPON, PAYOUT = "order", "coupon", "payout"


class PrizeGone(Exception):
    """The picked prize's stock ran out between the read and the write."""


class Stale(Exception):
    """A random id (draw, order, coupon code) is taken: plan the same draw with new ids."""


# Reading a campaign -----------------------------------------------------------------------


class State(Struct, frozen=True):
    """A campaign as a draw sees it: the definition and its limited prizes' stock."""

    item: LotteryItem
    lottery: Lottery
    stocks: dict[str, int] = field(default_factory=dict)  # limited prizes only
    stocked: dict[str, int] = field(default_factory=dict)  # stock as the operator last set it

    def odds(self) -> Odds:
        return rules_of.odds_in_force(
            self.lottery.prizes, self.lottery.no_prize_weight, self.stocks
        )

    def stock_of(self, prize: Prize) -> int | None:
        return self.stocks.get(prize.prize_id, 0) if prize.limited else None


def lottery_of(item: LotteryItem) -> Lottery:
    return Lottery(
        lottery_id=item.lottery_id,
        name=item.name,
        cost=int(item.cost),
        starts_at=datetime.fromisoformat(item.starts_at),
        ends_at=datetime.fromisoformat(item.ends_at),
        prizes=tuple(Prize.from_json(p) for p in json.loads(item.prizes)),
        no_prize_weight=int(item.no_prize_weight or 0),
        daily_limit=int(item.daily_limit) if item.daily_limit is not None else None,
        ver=int(item.ver),
    )


def _partition(pk: str, condition: Any = None) -> list[dict[str, Any]]:
    """Every item of a (small) partition, strongly consistent, as raw DynamoDB JSON."""
    conn = table()
    raws: list[dict[str, Any]] = []
    start = None
    while True:
        data = conn.query(
            pk, range_key_condition=condition, consistent_read=True, exclusive_start_key=start
        )
        raws += data.get("Items", [])
        start = data.get("LastEvaluatedKey")
        if not start:
            return raws


def _state(raws: list[dict[str, Any]]) -> tuple[State | None, list[LotteryStatsItem]]:
    definition: LotteryItem | None = None
    stocks: dict[str, int] = {}
    stocked: dict[str, int] = {}
    shards: list[LotteryStatsItem] = []
    for raw in raws:
        sk = raw["sk"]["S"]
        if sk == keys.LOTTERY_SK:
            definition = LotteryItem.from_raw_data(raw)
        elif sk.startswith(keys.PRIZE):
            stock = PrizeStockItem.from_raw_data(raw)
            stocks[stock.prize_id] = int(stock.stock)
            stocked[stock.prize_id] = int(stock.stocked or 0)
        elif sk.startswith(keys.LOTTERY_STATS):
            shards.append(LotteryStatsItem.from_raw_data(raw))
    if definition is None:
        return None, shards
    return State(definition, lottery_of(definition), stocks, stocked), shards


def load(lottery_id: str) -> State | None:
    """The definition and the stock (one strongly consistent Query; not the stats shards)."""
    raws = _partition(keys.lottery_pk(lottery_id), Item.sk < keys.LOTTERY_STATS)
    return _state(raws)[0]


def load_with_stats(lottery_id: str) -> tuple[State | None, list[LotteryStatsItem]]:
    """The definition, the stock and every stats shard (one Query of the partition)."""
    return _state(_partition(keys.lottery_pk(lottery_id)))


def live_entries(now_utc: str) -> list[LotteryEntry]:
    """Campaigns that have not ended (their listing key starts with their end time)."""
    return list(LotteryEntry.query(keys.LOTTERIES, LotteryEntry.sk > now_utc))


def entries_page(limit: int, cursor: str | None) -> tuple[list[LotteryEntry], str | None]:
    """Every campaign's line in ``LOTTERIES``, latest end time first (the operators' list)."""
    result = LotteryEntry.query(
        keys.LOTTERIES,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=pages.decode(cursor, ("pk", keys.LOTTERIES)),
    )
    items = list(result)
    return items, pages.encode(result.last_evaluated_key)


def drawn_today(member_id: str, day: date) -> dict[str, int]:
    """The member's draws per campaign on ``day`` (one Query of their daily counters)."""
    prefix = keys.lottery_day_prefix(day)
    counters = CounterItem.query(
        keys.member_pk(member_id), CounterItem.sk.startswith(prefix), consistent_read=True
    )
    return {c.sk.removeprefix(prefix): int(c.n or 0) for c in counters}


# Writing a campaign -----------------------------------------------------------------------


def _definition(lottery: Lottery) -> dict[str, Any]:
    return {
        "name": lottery.name,
        "cost": lottery.cost,
        "daily_limit": lottery.daily_limit,
        "starts_at": members_repo.utc_iso(lottery.starts_at),
        "ends_at": members_repo.utc_iso(lottery.ends_at),
        "no_prize_weight": lottery.no_prize_weight,
        "prizes": json.dumps([p.as_json() for p in lottery.prizes], separators=(",", ":")),
    }


def _stock_item(lottery_id: str, prize_id: str, stock: int) -> PrizeStockItem:
    return PrizeStockItem(
        pk=keys.lottery_pk(lottery_id),
        sk=keys.prize_sk(prize_id),
        lottery_id=lottery_id,
        prize_id=prize_id,
        stock=stock,
        stocked=stock,
    )


def put(
    lottery: Lottery, stocks: dict[str, int], now: datetime, actor: str | None
) -> tuple[State, bool]:
    """Create or replace a campaign. The limited prizes' stock is set as given; the stats
    shards survive a replace. Returns (stored state, created)."""
    lottery_id = lottery.lottery_id
    pk = keys.lottery_pk(lottery_id)
    at = members_repo.utc_iso(now)
    values = _definition(lottery)
    list_sk = keys.lottery_listing_sk(values["ends_at"], lottery_id)
    entry = LotteryEntry(
        pk=keys.LOTTERIES, sk=list_sk, lottery_id=lottery_id, starts_at=values["starts_at"]
    )

    def create() -> bool:
        tx = Tx()
        item = LotteryItem(
            pk=pk,
            sk=keys.LOTTERY_SK,
            lottery_id=lottery_id,
            list_sk=list_sk,
            ver=1,
            created_at=at,
            updated_at=at,
            updated_by=actor,
            **{k: v for k, v in values.items() if v is not None},
        )
        tx.put(DEF, item, condition=LotteryItem.pk.does_not_exist())
        tx.put(ENTRY, entry)
        for prize_id, stock in stocks.items():
            tx.put(f"{STOCK}:{prize_id}", _stock_item(lottery_id, prize_id, stock))
        for shard in range(STATS_SHARDS):
            shard_item = LotteryStatsItem(
                pk=pk,
                sk=keys.lottery_stats_sk(shard),
                draws=0,
                points_in=0,
                points_out=0,
                cash_out_cents=0,
                fallbacks=0,
                won={},
                expected={},
            )
            tx.put(f"{STATS}:{shard}", shard_item)
        try:
            tx.commit()
        except Cancelled:
            return False
        return True

    def replace() -> None:
        current = LotteryItem.get(pk, keys.LOTTERY_SK, consistent_read=True)
        before = lottery_of(current)
        tx = Tx()
        actions = set_or_remove(LotteryItem, values)
        actions += [
            LotteryItem.list_sk.set(list_sk),
            LotteryItem.ver.add(1),
            LotteryItem.updated_at.set(at),
            LotteryItem.updated_by.set(actor) if actor else LotteryItem.updated_by.remove(),
        ]
        tx.update(
            DEF, LotteryItem(pk=pk, sk=keys.LOTTERY_SK), actions, LotteryItem.ver == current.ver
        )
        if current.list_sk != list_sk:
            tx.delete(OLD_ENTRY, LotteryEntry(pk=keys.LOTTERIES, sk=current.list_sk))
        tx.put(ENTRY, entry)
        for prize in before.prizes:
            if prize.limited and prize.prize_id not in stocks:
                tx.delete(
                    f"gone:{prize.prize_id}",
                    PrizeStockItem(pk=pk, sk=keys.prize_sk(prize.prize_id)),
                )
        for prize_id, stock in stocks.items():
            tx.put(f"{STOCK}:{prize_id}", _stock_item(lottery_id, prize_id, stock))
        try:
            tx.commit()
        except Cancelled:
            raise Retry() from None  # another operator's change got in first: read again

    created = run(create)
    if not created:
        run(replace)
    state = load(lottery_id)
    assert state is not None
    return state, created


# A draw -----------------------------------------------------------------------------------


class DrawPlan(Struct, frozen=True):
    """Everything one draw writes; built by the use case, written here at once."""

    member_id: str
    lottery: Lottery
    draw_id: str
    at: datetime
    today: date  # programme day (the daily counter's)
    counter_ttl: int  # epoch seconds: when the daily counter may be deleted
    odds: Odds  # in force, as published when the draw read the campaign
    random: int  # r in [0, odds.total)
    picked: Prize | None  # what r picked
    prize: Prize | None  # what is awarded (None: no prize; also when the picked one ran out)
    debit: Debit
    response: dict[str, Any]  # the 201 body (also kept for Idempotency-Key replays)
    credit: Credit | None = None  # a points prize
    order_id: str | None = None  # a coupon or gift prize
    coupon_code: str | None = None
    coupon_expires_on: date | None = None
    currency: str = "CNY"
    request: idempotency.Key | None = None

    @property
    def note(self) -> str | None:
        return rules_of.STOCK_RAN_OUT if self.picked is not None and self.prize is None else None


def _add_member(tx: Tx, plan: DrawPlan, rules: Rules) -> None:
    if plan.credit is not None:
        members_repo.add_debit_and_credits(tx, plan.debit, [plan.credit], rules)
    else:
        members_repo.add_debit(tx, plan.debit)


def _add_counter(tx: Tx, plan: DrawPlan) -> None:
    limit = plan.lottery.daily_limit
    if limit is None:
        return
    tx.update(
        COUNTER,
        CounterItem(
            pk=keys.member_pk(plan.member_id),
            sk=keys.lottery_day_sk(plan.today, plan.lottery.lottery_id),
        ),
        [CounterItem.n.add(1), CounterItem.ttl.set(plan.counter_ttl)],
        condition=CounterItem.n.does_not_exist() | (CounterItem.n < limit),
    )


def _add_stats(tx: Tx, plan: DrawPlan) -> None:
    prize = plan.prize
    won = LotteryStatsItem.won[prize.prize_id if prize else NONE_KEY]
    actions = [
        LotteryStatsItem.draws.add(1),
        LotteryStatsItem.points_in.add(plan.lottery.cost),
        won.set((won | 0) + 1),
    ]
    if prize is not None and prize.points:
        actions.append(LotteryStatsItem.points_out.add(prize.points))
    if prize is not None and prize.cash is not None:
        actions.append(LotteryStatsItem.cash_out_cents.add(rules_of.cash_cents(prize.cash)))
    if plan.note is not None:
        actions.append(LotteryStatsItem.fallbacks.add(1))
    for chance in plan.odds.chances:
        if chance.weight > 0:
            path = LotteryStatsItem.expected[chance.prize_id or NONE_KEY]
            units = rules_of.expected_units(chance.weight, plan.odds.total)
            actions.append(path.set((path | 0) + units))
    shard = random.randrange(STATS_SHARDS)  # spreads the writes; not part of the outcome
    key = LotteryStatsItem(
        pk=keys.lottery_pk(plan.lottery.lottery_id), sk=keys.lottery_stats_sk(shard)
    )
    tx.update(STATS, key, actions)


def _order_item(plan: DrawPlan, prize: Prize, status: str) -> OrderItem:
    assert plan.order_id is not None and prize.item_id is not None
    placed = members_repo.utc_iso(plan.at)
    coupon = status == mall.ISSUED
    return OrderItem(
        pk=keys.member_pk(plan.member_id),
        sk=keys.mall_order_sk(plan.order_id),
        order_id=plan.order_id,
        member_id=plan.member_id,
        item_id=prize.item_id,
        item_name=prize.name,
        kind=prize.kind,  # "coupon" / "gift": the mall's kinds
        quantity=1,
        points=0,  # paid by the draw's cost, not by the order: a cancellation returns none
        status=status,
        placed_at=placed,
        updated_at=placed,
        coupon_code=plan.coupon_code if coupon else None,
        coupon_expires_on=(
            plan.coupon_expires_on.isoformat() if coupon and plan.coupon_expires_on else None
        ),
        pickup_failures=0,
        stocked=False,
        counted_total=False,
        order_pk=keys.mall_order_id_key(plan.order_id),
        st_pk=keys.orders_status_pk(status),
        st_sk=keys.orders_status_sk(placed, plan.order_id),
    )


def _add_prize(tx: Tx, plan: DrawPlan) -> None:
    prize = plan.prize
    if prize is None:
        return
    pk = keys.lottery_pk(plan.lottery.lottery_id)
    if prize.limited:
        tx.update(
            STOCK,
            PrizeStockItem(pk=pk, sk=keys.prize_sk(prize.prize_id)),
            [PrizeStockItem.stock.add(-1)],
            condition=PrizeStockItem.stock >= 1,
        )
    if prize.kind == rules_of.COUPON:
        order = _order_item(plan, prize, mall.ISSUED)
        tx.put(ORDER, order, condition=OrderItem.pk.does_not_exist())
        assert plan.coupon_code is not None and plan.coupon_expires_on is not None
        tx.put(
            COUPON,
            orders_repo.coupon_item(order, plan.coupon_code, plan.coupon_expires_on),
            condition=CouponItem.pk.does_not_exist(),
        )
    elif prize.kind == rules_of.GIFT:
        order = _order_item(plan, prize, mall.AWAITING_ADDRESS)
        tx.put(ORDER, order, condition=OrderItem.pk.does_not_exist())
    elif prize.kind == rules_of.CASH:
        assert prize.cash is not None
        tx.put(
            PAYOUT,
            PayoutItem(
                pk=keys.payouts_pk(plan.today),
                sk=keys.payout_sk(plan.draw_id),
                order_id=plan.draw_id,  # a red packet's payout is keyed by its draw
                member_id=plan.member_id,
                points=0,
                amount=str(prize.cash),
                currency=plan.currency,
                status="pending",
                created_at=members_repo.utc_iso(plan.at),
            ),
            condition=PayoutItem.pk.does_not_exist(),
        )


def _draw_item(plan: DrawPlan) -> DrawItem:
    at = members_repo.utc_iso(plan.at)
    prize = plan.prize
    return DrawItem(
        pk=keys.member_pk(plan.member_id),
        sk=keys.draw_sk(plan.draw_id),
        draw_id=plan.draw_id,
        lottery_id=plan.lottery.lottery_id,
        lottery_ver=plan.lottery.ver,
        member_id=plan.member_id,
        at=at,
        cost=plan.lottery.cost,
        random=plan.random,
        total_weight=plan.odds.total,
        odds=json.dumps(plan.odds.as_json(), separators=(",", ":")),
        picked=plan.picked.prize_id if plan.picked else None,
        outcome=prize.prize_id if prize else None,
        note=plan.note,
        prize_name=prize.name if prize else None,
        prize_kind=prize.kind if prize else None,
        points=prize.points if prize else None,
        cash=str(prize.cash) if prize and prize.cash is not None else None,
        order_id=plan.order_id if prize else None,
        coupon_code=plan.coupon_code if prize else None,
        response=json.dumps(plan.response, separators=(",", ":"), default=str),
        st_pk=keys.lottery_draws_pk(plan.lottery.lottery_id),
        st_sk=keys.lottery_draws_sk(at, plan.draw_id),
    )


def _refusal(cancelled: Cancelled, plan: DrawPlan) -> Exception:
    """The one reason a draw was refused, from the cancellation reasons."""
    failed = cancelled.failed
    if PROFILE in failed:
        return members_repo.refusal(failed[PROFILE], plan.member_id, plan.lottery.cost)
    if COUNTER in failed:
        return DrawLimitReached(
            f"at most {plan.lottery.daily_limit} draws a day on this lottery",
            details={"daily_limit": plan.lottery.daily_limit},
        )
    if STOCK in failed:
        return PrizeGone()
    return Stale()  # the draw id, order id or coupon code is taken


def record(plan: DrawPlan, rules: Rules) -> idempotency.Replay | None:
    """Write the draw; None when done, the first response for a repeated Idempotency-Key.

    Raises the refusal (``InsufficientPoints``, ``MemberFrozen``, ``DrawLimitReached`` ...),
    :class:`PrizeGone` when the picked prize's stock ran out since it was read, or
    :class:`Stale` when a random id is taken. A TransactionConflict is retried with the same
    plan (the same random value and outcome), so retries never re-roll the draw."""

    def attempt() -> idempotency.Replay | None:
        tx = Tx()
        _add_member(tx, plan, rules)
        _add_counter(tx, plan)
        _add_prize(tx, plan)
        _add_stats(tx, plan)
        tx.put(DRAW, _draw_item(plan), condition=DrawItem.pk.does_not_exist())
        try:
            return idempotency.commit(tx, plan.request, 201, plan.response, plan.at)
        except Cancelled as cancelled:
            raise _refusal(cancelled, plan) from None

    return run(attempt)


# The audit --------------------------------------------------------------------------------


def draws_page(
    lottery_id: str, limit: int, cursor: str | None
) -> tuple[list[DrawItem], str | None]:
    """A campaign's draws, newest first (GSI ``by_status``)."""
    partition = keys.lottery_draws_pk(lottery_id)
    result = DrawItem.by_lottery.query(
        partition,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=pages.decode(cursor, ("st_pk", partition)),
    )
    items = list(result)
    return items, pages.encode(result.last_evaluated_key)


def get_draw(member_id: str, draw_id: str) -> DrawItem | None:
    try:
        return DrawItem.get(keys.member_pk(member_id), keys.draw_sk(draw_id), consistent_read=True)
    except DoesNotExist:
        return None


class Totals(Struct):
    """The stats shards added up."""

    draws: int = 0
    points_in: int = 0
    points_out: int = 0
    cash_out_cents: int = 0
    fallbacks: int = 0
    won: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)  # 1e-12 units

    @classmethod
    def of(cls, shards: list[LotteryStatsItem]) -> Totals:
        totals = cls()
        for s in shards:
            totals.draws += int(s.draws or 0)
            totals.points_in += int(s.points_in or 0)
            totals.points_out += int(s.points_out or 0)
            totals.cash_out_cents += int(s.cash_out_cents or 0)
            totals.fallbacks += int(s.fallbacks or 0)
            for target, counts in ((totals.won, s.won), (totals.expected, s.expected)):
                for key, n in (as_plain(counts) or {}).items():
                    target[key] = target.get(key, 0) + int(Decimal(str(n)))
        return totals
