"""Data access for a lottery draw (docs/data-model.md "Points lottery").

A draw is ONE TransactWriteItems (:func:`record`): the member's debit (and, for a points
prize, the credit, in the same single profile update; the profile condition also checks the
lottery's target, ``shared.dynamodb.audience``), the per-member daily counter — or, for an
extra draw earned by spend, the member's extra-draw counter instead of debit and limit —, the
prize's stock (``stock >= 1``: its own item or one of its stock shards), one stats shard
(which must hold the campaign's ``ver`` the draw was planned on: the use case may plan on a
copy cached for a few seconds), the draw
record, the order / coupon / payout the prize becomes, and the Idempotency-Key record.
Cancellations are turned into the exact reason from the old images (``ALL_OLD``), never by
reading again.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import Struct, field

from shared.clock import utc_iso
from shared.domain import lottery as rules_of
from shared.domain import mall
from shared.domain.ledger import Credit, Debit
from shared.domain.lottery import Lottery, Odds, Prize
from shared.domain.members import can_spend
from shared.domain.rules import Rules
from shared.domain.targeting import Audience
from shared.dynamodb import audience, extra_draws, holds, idempotency, keys, ledger
from shared.dynamodb import orders as orders_repo
from shared.dynamodb.lottery import DRAW_SHARDS, NONE_KEY, STATS_SHARDS
from shared.dynamodb.members import find
from shared.dynamodb.models.lottery import DrawItem, LotteryStatsItem, PrizeStockItem
from shared.dynamodb.models.mall import CounterItem, CouponItem, OrderItem, PayoutItem
from shared.dynamodb.tx import Cancelled, Tx, run
from shared.errors import (
    DrawLimitReached,
    InsufficientPoints,
    MemberFrozen,
    NoExtraDraws,
    NotAvailable,
)

PROFILE = ledger.PROFILE
COUNTER, STOCK, STATS, DRAW = "day_counter", "stock", "stats", "draw"
ORDER, COUPON, PAYOUT = "order", "coupon", "payout"


class PrizeGone(Exception):
    """The picked prize's stock ran out between the read and the write: its item's, or
    (``shard`` not None) that stock shard's."""

    def __init__(self, shard: int | None = None) -> None:
        super().__init__(shard)
        self.shard = shard


class Stale(Exception):
    """A random id (draw, order, coupon code) is taken: plan the same draw with new ids."""


class Changed(Exception):
    """The campaign was edited since the copy the draw was planned on: read it and draw
    again (nothing was written; the refusal does not depend on the outcome, so drawing again
    favours no outcome)."""


class Award(Struct, frozen=True):
    """What a won prize becomes besides its stock: a credit, an order, a coupon."""

    credit: Credit | None = None  # a points prize
    order_id: str | None = None  # a coupon or gift prize
    coupon_code: str | None = None
    coupon_expires_on: date | None = None

    @property
    def coupon(self) -> tuple[str, date] | None:
        if self.coupon_code and self.coupon_expires_on:
            return self.coupon_code, self.coupon_expires_on
        return None


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
    award: Award = field(default_factory=Award)  # what the prize becomes
    currency: str = "CNY"
    request: idempotency.Key | None = None
    extra: bool = False  # uses an extra draw earned by spend: no cost, no daily limit
    stock_shard: int | None = None  # a sharded prize won: the shard it takes from

    @property
    def note(self) -> str | None:
        return rules_of.note(self.picked, self.prize)

    @property
    def cost(self) -> int:
        return 0 if self.extra else self.lottery.cost


def _add_member(tx: Tx, plan: DrawPlan, rules: Rules) -> None:
    target = audience.condition(plan.lottery.target, rules)
    guard = ledger.active_with(plan.cost)
    guard = guard if target is None else guard & target
    credit = plan.award.credit
    if plan.extra:
        extra_draws.add_use(tx, plan.member_id, plan.lottery.lottery_id)
        if credit is not None:
            ledger.add_credit(tx, credit, rules, condition=guard)
        else:
            key = ledger.profile(plan.member_id)
            tx.check(PROFILE, type(key), key.pk, key.sk, guard)
    elif credit is not None:
        ledger.add_debit_and_credits(tx, plan.debit, [credit], rules, condition=guard)
    else:
        ledger.add_debit(tx, plan.debit, condition=guard)


def _add_counter(tx: Tx, plan: DrawPlan) -> None:
    limit = plan.lottery.daily_limit
    if limit is None or plan.extra:
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
        LotteryStatsItem.points_in.add(plan.cost),
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
        pk=keys.lottery_stats_pk(plan.lottery.lottery_id, shard), sk=keys.LOTTERY_STATS_SK
    )
    # Every definition write sets its ver on every shard (so does their lazy creation).
    tx.update(STATS, key, actions, condition=LotteryStatsItem.ver == plan.lottery.ver)


def _order_item(plan: DrawPlan, prize: Prize, status: str) -> OrderItem:
    award = plan.award
    assert award.order_id is not None and prize.item_id is not None
    placed = utc_iso(plan.at)
    coupon = status == mall.ISSUED
    return orders_repo.order_item(
        plan.member_id,
        award.order_id,
        status,
        placed,
        item_id=prize.item_id,
        item_name=prize.name,
        kind=prize.kind,  # "coupon" / "gift": the mall's kinds
        quantity=1,
        points=0,  # paid by the draw's cost, not by the order: a cancellation returns none
        coupon_code=award.coupon_code if coupon else None,
        coupon_expires_on=(
            award.coupon_expires_on.isoformat() if coupon and award.coupon_expires_on else None
        ),
        stocked=False,
        counted_total=False,
    )


def _add_prize(tx: Tx, plan: DrawPlan) -> None:
    prize = plan.prize
    if prize is None:
        return
    lottery_id = plan.lottery.lottery_id
    if prize.limited:
        shard = plan.stock_shard
        if shard is None:
            key = PrizeStockItem(pk=keys.lottery_pk(lottery_id), sk=keys.prize_sk(prize.prize_id))
        else:
            pk = keys.lottery_prize_shard_pk(lottery_id, prize.prize_id, shard)
            key = PrizeStockItem(pk=pk, sk=keys.STOCK_SK)
        tx.update(STOCK, key, [PrizeStockItem.stock.add(-1)], condition=PrizeStockItem.stock >= 1)
    if prize.kind == rules_of.COUPON:
        order = _order_item(plan, prize, mall.ISSUED)
        tx.put(ORDER, order, condition=OrderItem.pk.does_not_exist())
        assert plan.award.coupon is not None
        tx.put(
            COUPON,
            orders_repo.coupon_item(order, *plan.award.coupon),
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
                created_at=utc_iso(plan.at),
            ),
            condition=PayoutItem.pk.does_not_exist(),
        )


def _draw_item(plan: DrawPlan) -> DrawItem:
    at = utc_iso(plan.at)
    prize = plan.prize
    return DrawItem(
        pk=keys.member_pk(plan.member_id),
        sk=keys.draw_sk(plan.draw_id),
        draw_id=plan.draw_id,
        lottery_id=plan.lottery.lottery_id,
        lottery_ver=plan.lottery.ver,
        member_id=plan.member_id,
        at=at,
        cost=plan.cost,
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
        order_id=plan.award.order_id if prize else None,
        coupon_code=plan.award.coupon_code if prize else None,
        response=json.dumps(plan.response, separators=(",", ":"), default=str),
        st_pk=keys.lottery_draws_shard_pk(plan.lottery.lottery_id, random.randrange(DRAW_SHARDS)),
        st_sk=keys.lottery_draws_sk(at, plan.draw_id),
    )


def _refusal(cancelled: Cancelled, plan: DrawPlan, zone: ZoneInfo) -> Exception:
    """The one reason a draw was refused, from the cancellation reasons."""
    failed = cancelled.failed
    if STATS in failed:  # first: every other condition was planned on that campaign
        return Changed()
    if PROFILE in failed:  # first: "not for you" says more than "none left"
        return _profile_refusal(failed[PROFILE], plan, zone)
    if extra_draws.USE in failed:
        return NoExtraDraws(f"no extra draws left on {plan.lottery.name}")
    if COUNTER in failed:
        return DrawLimitReached(
            f"at most {plan.lottery.daily_limit} draws a day on this lottery",
            details={"daily_limit": plan.lottery.daily_limit},
        )
    if STOCK in failed:
        return PrizeGone(plan.stock_shard)
    return Stale()  # the draw id, order id or coupon code is taken


def _profile_refusal(raw: dict[str, Any] | None, plan: DrawPlan, zone: ZoneInfo) -> Exception:
    """Why the profile condition failed: the lottery is not for this member, or the spend's
    own refusal. An extra draw without a points prize only checked the profile (no image):
    it is read, on this refusal path only."""
    target = plan.lottery.target
    if raw is None and plan.extra:
        member = find(plan.member_id)
        if member is None:
            return ledger.not_registered(plan.member_id)
        seen = Audience(member.tier, datetime.fromisoformat(member.registered_at))
        if not target.admits(seen, zone):
            return _not_for(plan)
        if not can_spend(member.status):
            return MemberFrozen(f"member {plan.member_id!r} is frozen for redeeming")
        return InsufficientPoints(
            "a member in debt cannot draw", details={"needed": 0, "spendable": member.spendable}
        )
    seen_image = audience.of_image(raw)
    if seen_image is not None and not target.admits(seen_image, zone):
        return _not_for(plan)
    return holds.free_or_refuse(raw, plan.member_id, plan.cost)


def _not_for(plan: DrawPlan) -> NotAvailable:
    target = plan.lottery.target
    return NotAvailable(f"{plan.lottery.name} is for {target.describe()}", details=target.to_json())


def record(plan: DrawPlan, rules: Rules) -> idempotency.Replay | None:
    """Write the draw; None when done, the first response for a repeated Idempotency-Key.

    Raises the refusal (``InsufficientPoints``, ``MemberFrozen``, ``DrawLimitReached`` ...),
    :class:`PrizeGone` when the picked prize's stock (or the stock shard the plan names) ran
    out since it was read,
    :class:`Stale` when a random id is taken, or :class:`Changed` when the campaign was
    edited since the copy the plan was made on. A TransactionConflict is retried with the same
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
            raise _refusal(cancelled, plan, rules.zone) from None

    return run(attempt)
