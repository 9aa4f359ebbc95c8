"""A member's redemption (``POST /v1/redemptions``): the rules decide on the item as read
(possibly a cached copy), then one transaction in ``shared.dynamodb.redemptions`` debits,
takes stock, counts the limits and records the order and the Idempotency-Key's response."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from msgspec import Struct

from shared import metrics, programme
from shared.domain import mall
from shared.domain.calendar import local_date
from shared.domain.mall import Listing, Offer
from shared.domain.rules import Rules
from shared.dynamodb import catalog as catalog_repo
from shared.dynamodb import idempotency
from shared.dynamodb import orders as orders_repo
from shared.dynamodb import redemptions as redemptions_repo
from shared.errors import Invalid, ItemNotFound, LimitReached, NotAvailable, SoldOut
from shared.mall.views import redemption_view
from shared.replan import until_done

Plan = redemptions_repo.Plan


class Redeem(Struct, frozen=True):
    """A member's redemption of a catalog item."""

    member_id: str
    item_id: str
    quantity: int
    delivery: dict[str, str] | None = None
    idempotency_key: str | None = None
    request: dict[str, Any] | None = None  # the body, fingerprinted with the key


def _plan(
    cmd: Redeem,
    offer: Offer,
    now: datetime,
    rules: Rules,
    first_donation: bool | None,
    request: idempotency.Key | None,
    shard: int | None = None,
    same_day: bool = False,
) -> Plan:
    limits = mall.limits_of(offer, rules)
    points = mall.cost(offer, cmd.quantity)
    cash = mall.cash_due(offer, cmd.quantity)
    status = mall.first_status(offer.kind, cash)
    today = local_date(now, rules.zone)
    coupon = offer.kind == mall.COUPON
    pickup = offer.kind == mall.GIFT and (cmd.delivery or {}).get("method") == mall.PICKUP
    fields: dict[str, Any] = {
        "member_id": cmd.member_id,
        "order_id": mall.new_order_id(now),
        "offer": offer,
        "quantity": cmd.quantity,
        "points": points,
        "status": status,
        "at": now,
        "today": today,
        "day_ttl": int((now + timedelta(days=3)).timestamp()),
        "limits": limits,
        "currency": rules.currency,
        "response": {},
        "delivery": cmd.delivery if offer.kind == mall.GIFT else None,
        "pickup_code": mall.new_pickup_code() if pickup else None,
        "coupon_code": mall.new_coupon_code() if coupon else None,
        "coupon_expires_on": (
            mall.coupon_expires_on(today, offer.coupon_valid_days) if coupon else None
        ),
        "cash_due": cash,
        "payment_due_at": mall.payment_due(now, rules) if cash is not None else None,
        "payout_amount": (
            mall.cash_out_value(points, rules) if offer.kind == mall.CASH_OUT else None
        ),
        "first_donation": first_donation,
        "request": request,
        "shard": shard,
        "same_day": same_day,
    }
    plan = Plan(**fields)
    return Plan(**{**fields, "response": redemption_view(plan, rules)})


def _redeemable(item: Listing | None, cmd: Redeem, now: datetime, rules: Rules) -> Listing:
    """The item, if the rules let anyone redeem ``cmd.quantity`` of it now; else why not."""
    if item is None:
        raise ItemNotFound(f"no catalog item {cmd.item_id!r}")
    reason = mall.unavailable(item, now, rules)
    if reason == "sold_out":
        raise SoldOut(f"{item.name} is sold out", details={"item_id": item.item_id})
    if reason is not None:
        raise NotAvailable(f"{item.name} cannot be redeemed now")
    limits = mall.limits_of(item, rules)
    if mall.over_limit(limits, cmd.quantity):
        raise LimitReached(
            f"at most {limits.as_dict()} per member", details={"limits": limits.as_dict()}
        )
    return item


_turns: dict[str, Iterator[int]] = {}


def _rotation(item_id: str) -> Callable[[list[int]], int]:
    """How this process picks a hot item's shard: each redemption one further along the
    shards that may hold stock, from a random first one per process, so the takes spread
    evenly (by turns, not by chance) and processes start on different shards."""
    turn = _turns.get(item_id)
    if turn is None:
        turn = _turns.setdefault(item_id, itertools.count(random.randrange(1 << 16)))
    return lambda left: left[next(turn) % len(left)]


class _Redemption:
    """One redemption's attempts: what a failed attempt learnt carries to the next."""

    def __init__(self, cmd: Redeem, now: datetime) -> None:
        self.cmd, self.now, self.rules = cmd, now, programme.current()
        self.request = (
            idempotency.Key(
                cmd.member_id,
                cmd.idempotency_key,
                idempotency.fingerprint("POST", "/v1/redemptions", cmd.request),
            )
            if cmd.idempotency_key
            else None
        )
        self.first_donation: bool | None = None
        self.same_day = False  # the member's per-day counter of the kind counts today
        self.refused: set[int] = set()  # a hot item's shards that refused this redemption

    def attempt(self) -> tuple[int, dict[str, Any]] | None:
        cmd, now = self.cmd, self.now
        sold_out = catalog_repo.sold_out_lately(cmd.item_id)
        if sold_out is not None:  # a fresh read showed no stock a moment ago: no read again
            return self._refuse(
                SoldOut(f"{sold_out} is sold out", details={"item_id": cmd.item_id})
            )
        item, fresh = catalog_repo.get_cached(cmd.item_id)
        try:
            offer = _redeemable(item, cmd, now, self.rules)
        except (ItemNotFound, SoldOut, NotAvailable, LimitReached) as refusal:
            if not fresh:  # never refuse on a cached copy: read the item again
                catalog_repo.forget(cmd.item_id)
                return None
            if isinstance(refusal, SoldOut) and item is not None:
                catalog_repo.remember_sold_out(item)
            return self._refuse(refusal)
        problems = mall.request_problems(offer, cmd.quantity, cmd.delivery)
        if problems:
            raise Invalid(
                "invalid fields: " + ", ".join(sorted(problems)), details={"fields": problems}
            )
        if offer.kind == mall.DONATION and self.first_donation is None:
            self.first_donation = not orders_repo.has_redeemed(cmd.member_id, offer.item_id)
        while True:
            try:
                shard = self._shard(offer) if offer.limited and offer.stock_shards else None
            except SoldOut as refusal:
                return self._refuse(refusal)
            plan = _plan(
                cmd,
                offer,
                now,
                self.rules,
                self.first_donation,
                self.request,
                shard,
                self.same_day,
            )
            try:
                return self._place(plan)
            except redemptions_repo.ShardEmpty as empty:
                self.refused.add(empty.shard)
                catalog_repo.remember_empty(
                    offer.item_id, catalog_repo.empty_shards(offer.item_id) | {empty.shard}
                )

    def _refuse(self, refusal: Exception) -> tuple[int, dict[str, Any]]:
        """Raise ``refusal``, unless this is the repeat of a request that succeeded (the
        retry of a redemption that took the last unit): its first response, whatever now."""
        replay = idempotency.find(self.request, self.now) if self.request else None
        if replay is not None:
            return replay.status, replay.body
        raise refusal

    def _shard(self, offer: Offer) -> int:
        """A hot item's next shard to take from: a random one that has not refused (this
        redemption) nor lately (this process); when none is left, the shards as read now.
        ``sold_out`` once no shard holds the quantity."""
        shards, item_id = offer.stock_shards or 0, offer.item_id
        hint = self.refused | catalog_repo.empty_shards(item_id)
        pick = _rotation(item_id)
        shard = mall.shard_to_try(shards, hint, pick)
        if shard is not None:
            return shard
        stocks = catalog_repo.shard_stocks(item_id, shards)
        short = {k for k, stock in enumerate(stocks) if stock < self.cmd.quantity}
        catalog_repo.remember_empty(item_id, short)
        shard = mall.shard_to_try(shards, self.refused | short, pick)
        if shard is None:
            catalog_repo.forget(item_id)  # the next request reads the stock afresh
            if not any(stocks):
                catalog_repo.remember_sold_out(offer)
            raise SoldOut(f"{offer.name} is sold out", details={"item_id": item_id})
        return shard

    def _place(self, plan: Plan) -> tuple[int, dict[str, Any]] | None:
        cmd = self.cmd
        try:
            replay = redemptions_repo.place(plan)
        except redemptions_repo.Stale as stale:
            if stale.same_day is not None:
                self.same_day = stale.same_day
            elif stale.first_donation is not None:
                self.first_donation = stale.first_donation
            else:
                catalog_repo.forget(cmd.item_id)
            return None
        except SoldOut:
            catalog_repo.forget(cmd.item_id)  # the next request reads the stock afresh
            raise
        if replay is not None:
            return replay.status, replay.body
        return 201, plan.response


@metrics.counts_refusal(SoldOut, metrics.SOLD_OUTS)
def redeem(cmd: Redeem, now: datetime) -> tuple[int, dict[str, Any]]:
    """``POST /v1/redemptions``: one transaction debits, takes stock, counts the limits and
    records the order (and the Idempotency-Key's response). Returns (status, body)."""
    return until_done(_Redemption(cmd, now).attempt, "item")
