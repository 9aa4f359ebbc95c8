"""pynamodb models of the items in the points table (see docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import TableConnection
from pynamodb.indexes import (
    AllProjection,
    GlobalSecondaryIndex,
    KeysOnlyProjection,
    LocalSecondaryIndex,
)
from pynamodb.models import Model

from shared.dynamodb.connection import table


class Item(Model):
    """Base of every item: the table name and connection come from settings at first use."""

    class Meta:
        table_name = "points"  # placeholder; the real name comes from shared.settings

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)

    @classmethod
    def _get_connection(cls) -> TableConnection:
        return table()


class MemberByTier(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_tier"
        projection = KeysOnlyProjection()

    tier_pk = UnicodeAttribute(hash_key=True)
    tier_sk = UnicodeAttribute(range_key=True)


class MemberByBirthday(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_birthday"
        projection = KeysOnlyProjection()

    bday_pk = UnicodeAttribute(hash_key=True)
    bday_sk = UnicodeAttribute(range_key=True)


class MemberItem(Item):
    """The member aggregate root: balance and the counters every write keeps in step."""

    member_id = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    balance = NumberAttribute(default=0)  # may go negative only through clawbacks
    held = NumberAttribute(default=0)  # points on hold at the shop's checkout
    spendable = NumberAttribute(default=0)  # balance − held, kept in step (conditions need it)
    holds = MapAttribute(default=dict)  # active holds: hold_id -> {"points", "expires_at"}
    credited = NumberAttribute(default=0)  # points of every lot ever created
    consumed = NumberAttribute(default=0)  # points spent, clawed back or expired (FIFO)
    settled = NumberAttribute(default=0)  # points of lots the expiry job has closed
    ver = NumberAttribute(default=0)  # +1 on every ledger write: consistent ledger reads
    tier = UnicodeAttribute(default="bronze")
    qualifying = MapAttribute(default=dict)  # "YYYY-MM" -> qualifying points earned
    registered_at = UnicodeAttribute()
    joined_at = UnicodeAttribute(null=True)
    birthday = UnicodeAttribute(null=True)  # "MM-DD"
    referred_by_code = UnicodeAttribute(null=True)
    # Earning rules (issue 4): referrals, check-in streak, daily activity cap.
    referral_code = UnicodeAttribute(null=True)  # the member's own code (item REFCODE#<code>)
    referred_by = UnicodeAttribute(null=True)  # the referrer's member id
    referrer_chain = UnicodeAttribute(null=True)  # the referrer's referrer (second level)
    first_purchase_rewarded = BooleanAttribute(null=True)  # False while referral bonuses wait
    checkin_last = UnicodeAttribute(null=True)  # date of the last check-in (programme zone)
    checkin_streak = NumberAttribute(null=True)  # consecutive days up to checkin_last
    activity_day = UnicodeAttribute(null=True)  # the day activity_points counts
    activity_points = NumberAttribute(null=True)  # check-in + task points credited that day
    # Tiers (issue 8): the qualifying total kept for one month (see shared/dynamodb/tiers.py),
    # the last tier change, the monthly evaluation's marker, and the sparse index keys.
    qualifying_total = NumberAttribute(null=True)  # Σ qualifying[window of qualifying_month]
    qualifying_month = UnicodeAttribute(null=True)  # "YYYY-MM" the total is kept for
    tier_changed_at = UnicodeAttribute(null=True)  # UTC ISO-8601
    tier_change = UnicodeAttribute(null=True)  # "promotion" | "demotion" (the last change)
    tier_evaluated = UnicodeAttribute(null=True)  # "YYYY-MM" of the last demotion
    tier_pk = UnicodeAttribute(null=True)  # GSI by_tier, only above the first tier
    tier_sk = UnicodeAttribute(null=True)
    bday_pk = UnicodeAttribute(null=True)  # GSI by_birthday, members with a birthday
    bday_sk = UnicodeAttribute(null=True)

    by_tier = MemberByTier()
    by_birthday = MemberByBirthday()


class LedgerByTime(LocalSecondaryIndex):
    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    lsi1sk = UnicodeAttribute(range_key=True)


class LedgerByOrder(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_order"
        projection = AllProjection()

    order_pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class LedgerItem(Item):
    """One balance change. Its key is the business key, so a retry cannot apply twice."""

    lsi1sk = UnicodeAttribute()
    entry_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    type = UnicodeAttribute()
    source = UnicodeAttribute()
    ref = UnicodeAttribute()
    points = NumberAttribute()
    at = UnicodeAttribute()  # UTC ISO-8601
    description = UnicodeAttribute(default="")
    expires_on = UnicodeAttribute(null=True)  # credits: the lot's last valid day
    # Purchases (looked up by order id for refunds).
    order_pk = UnicodeAttribute(null=True)
    amount = UnicodeAttribute(null=True)  # decimal string
    currency = UnicodeAttribute(null=True)
    breakdown = ListAttribute(of=MapAttribute, null=True)
    refunded = UnicodeAttribute(null=True)  # decimal string, total refunded so far
    clawed_back = NumberAttribute(null=True)
    refunds = MapAttribute(null=True)  # refund_id -> {"amount", "points"}

    # Clawbacks: which refund/order they answer.
    order_id = UnicodeAttribute(null=True)
    # Operator adjustments: who made them.
    actor = UnicodeAttribute(null=True)

    by_time = LedgerByTime()
    by_order = LedgerByOrder()


class LotByExpiry(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_expiry"
        projection = AllProjection()

    exp_pk = UnicodeAttribute(hash_key=True)
    exp_sk = UnicodeAttribute(range_key=True)


class LotItem(Item):
    """Points earned together that expire together (open until the expiry job settles it)."""

    member_id = UnicodeAttribute()
    points = NumberAttribute()
    expires_on = UnicodeAttribute()  # YYYY-MM-DD, last valid day
    source = UnicodeAttribute()
    ref = UnicodeAttribute()
    earned_at = UnicodeAttribute()
    exp_pk = UnicodeAttribute(null=True)  # GSI by_expiry
    exp_sk = UnicodeAttribute(null=True)

    by_expiry = LotByExpiry()


class OutboxItem(Item):
    """An item whose only job is to announce an event once its transaction commits
    (reminder markers, ...). ``ttl`` lets DynamoDB delete it later."""

    evt_id = UnicodeAttribute()
    evt_type = UnicodeAttribute()
    evt_detail = UnicodeAttribute()
    member_id = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
    ttl = NumberAttribute(null=True)


class JobRunItem(Item):
    """Progress of one run of a scheduled job: a checkpoint to resume from and counters."""

    job = UnicodeAttribute()
    run = UnicodeAttribute()
    next_shard = NumberAttribute(default=0)
    complete = UnicodeAttribute(default="no")
    stats = MapAttribute(default=dict)
    updated_at = UnicodeAttribute()


def set_or_remove(model: type[Model], values: dict[str, Any]) -> list[Any]:
    """Update actions giving ``model``'s attributes these values; None removes one."""
    return [
        getattr(model, name).set(value) if value is not None else getattr(model, name).remove()
        for name, value in values.items()
    ]


def as_plain(value: Any) -> Any:
    """MapAttribute/ListAttribute values as plain dicts and lists."""
    if isinstance(value, MapAttribute):
        return {k: as_plain(v) for k, v in value.as_dict().items()}
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_plain(v) for v in value]
    return value


# Earning rules (issue 4) ------------------------------------------------------------------


class ProgrammeItem(Item):
    """The rules overrides (``PROGRAMME``/``RULES``) or one campaign (``CAMPAIGN#<id>``).

    ``data`` is the JSON the API shows (decimal strings, ISO times), parsed by the domain.
    """

    data = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute(null=True)


class TaskItem(Item):
    """An operator-defined task (``TASKS``/``TASK#<id>``)."""

    task_id = UnicodeAttribute()
    name = UnicodeAttribute()
    points = NumberAttribute()
    limit = UnicodeAttribute()  # once | daily | weekly
    active = BooleanAttribute(default=True)
    updated_at = UnicodeAttribute()


class ReferralCodeItem(Item):
    """``REFCODE#<code>`` → the member who owns the code (and that member's own referrer)."""

    member_id = UnicodeAttribute()
    referred_by = UnicodeAttribute(null=True)


class AuditItem(Item):
    """One operator action on a member (``MEMBER#<id>`` / ``AUDIT#<at>#<action>``)."""

    member_id = UnicodeAttribute()
    action = UnicodeAttribute()  # adjust | freeze | unfreeze | ...
    actor = UnicodeAttribute()  # the operator's id (token sub)
    reason = UnicodeAttribute()
    at = UnicodeAttribute()  # UTC ISO-8601
    points = NumberAttribute(null=True)
    ref = UnicodeAttribute(null=True)  # e.g. the adjustment id


class IdempotencyItem(Item):
    """First response to an ``Idempotency-Key``, written in the transaction it answers."""

    fingerprint = UnicodeAttribute()  # sha256 of method, path and body
    status = NumberAttribute()
    response = UnicodeAttribute()  # JSON body
    at = UnicodeAttribute()
    ttl = NumberAttribute()  # epoch seconds; DynamoDB deletes it after 24 h


# Points mall (issue 5) ---------------------------------------------------------------------


class CatalogItem(Item):
    """A mall item in its own partition (``ITEM#<id>`` / ``ITEM``): what it is, its stock and
    running counters. Redemptions update only ``stock``/``sold``/donation totals; operator
    changes to what a redemption reads (price, window, limits, retirement) bump ``ver``."""

    item_id = UnicodeAttribute()
    name = UnicodeAttribute()
    kind = UnicodeAttribute()  # gift | coupon | donation | cash_out
    points = NumberAttribute()  # price per unit
    cash = UnicodeAttribute(null=True)  # decimal string: the cash part of points + cash
    stock = NumberAttribute(null=True)  # absent = unlimited
    starts_at = UnicodeAttribute(null=True)  # UTC ISO-8601
    ends_at = UnicodeAttribute(null=True)
    min_tier = UnicodeAttribute(null=True)
    limit_mode = UnicodeAttribute(default="default")  # default | custom | none
    limit_per_day = NumberAttribute(null=True)
    limit_total = NumberAttribute(null=True)
    coupon_valid_days = NumberAttribute(null=True)
    description = UnicodeAttribute(null=True)
    image_url = UnicodeAttribute(null=True)
    retired = BooleanAttribute(default=False)
    ver = NumberAttribute(default=0)
    sold = NumberAttribute(default=0)  # units redeemed, net of cancellations (limited items)
    donated_points = NumberAttribute(null=True)  # donations: the public running total
    donors = NumberAttribute(null=True)  # donations: distinct members who gave
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class CatalogEntry(Item):
    """An item's line in the ``CATALOG`` listing partition (retired items have none)."""

    item_id = UnicodeAttribute()
    kind = UnicodeAttribute()


class MallOrderById(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_order"
        projection = AllProjection()

    order_pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class MallOrderByStatus(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    st_pk = UnicodeAttribute(hash_key=True)
    st_sk = UnicodeAttribute(range_key=True)


class OrderItem(Item):
    """A mall order in its member's partition (``MEMBER#<id>`` / ``ORDER#<order_id>``)."""

    order_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    item_id = UnicodeAttribute()
    item_name = UnicodeAttribute()
    kind = UnicodeAttribute()
    quantity = NumberAttribute()
    points = NumberAttribute()  # total points debited
    cash_due = UnicodeAttribute(null=True)  # decimal string (points + cash)
    currency = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    placed_at = UnicodeAttribute()  # UTC ISO-8601
    updated_at = UnicodeAttribute()
    delivery = MapAttribute(null=True)  # {"method", "name", "phone", "address"}
    carrier = UnicodeAttribute(null=True)
    tracking_no = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)  # why it was cancelled or rejected
    coupon_code = UnicodeAttribute(null=True)
    coupon_expires_on = UnicodeAttribute(null=True)
    coupon_used_at = UnicodeAttribute(null=True)
    pickup_code = UnicodeAttribute(null=True)
    pickup_failures = NumberAttribute(default=0)
    payment_due_at = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    payment_ref = UnicodeAttribute(null=True)
    payout_amount = UnicodeAttribute(null=True)  # cash-outs: decimal string
    # What a cancellation gives back besides the points.
    stocked = BooleanAttribute(default=False)  # one unit of stock per unit ordered
    counted_total = BooleanAttribute(default=False)  # the per-item limit counter
    counted_day = UnicodeAttribute(null=True)  # the per-day counter's day (YYYY-MM-DD)
    # Index keys: by id (GSI by_order), by status (GSI by_status).
    order_pk = UnicodeAttribute(null=True)
    st_pk = UnicodeAttribute(null=True)
    st_sk = UnicodeAttribute(null=True)

    by_order = MallOrderById()
    by_status = MallOrderByStatus()


class CouponItem(Item):
    """A coupon code (``COUPON#<code>`` / ``COUPON``): unique, consumed once by the shop."""

    code = UnicodeAttribute()
    member_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    item_id = UnicodeAttribute()
    expires_on = UnicodeAttribute()  # last valid day (programme time zone)
    used_at = UnicodeAttribute(null=True)
    used_by = UnicodeAttribute(null=True)  # the shop's order that used it


class CounterItem(Item):
    """A per-member limit counter (units of an item ever; units of a kind on one day)."""

    n = NumberAttribute(default=0)
    ttl = NumberAttribute(null=True)


class PayoutItem(Item):
    """A cash-out for finance to pay (``PAYOUTS#<day>`` / ``PAYOUT#<order_id>``)."""

    order_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    points = NumberAttribute()
    amount = UnicodeAttribute()  # decimal string
    currency = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")
    created_at = UnicodeAttribute()


class HoldByExpiry(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_expiry"
        projection = AllProjection()

    exp_pk = UnicodeAttribute(hash_key=True)
    exp_sk = UnicodeAttribute(range_key=True)


class HoldByOrder(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_order"
        projection = AllProjection()

    order_pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class HoldItem(Item):
    """Points on hold for a shop order (``HOLD#<hold_id>`` / ``HOLD``): two-phase checkout."""

    hold_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    order_pk = UnicodeAttribute(null=True)  # GSI by_order (refunds find it by order id)
    points = NumberAttribute()
    cash_value = UnicodeAttribute()  # decimal string
    order_amount = UnicodeAttribute()  # decimal string
    currency = UnicodeAttribute(default="CNY")
    status = UnicodeAttribute()  # active | captured | released | expired
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()  # UTC ISO-8601
    ended_at = UnicodeAttribute(null=True)
    exp_pk = UnicodeAttribute(null=True)  # GSI by_expiry while active (the sweep)
    exp_sk = UnicodeAttribute(null=True)
    refunded = UnicodeAttribute(null=True)  # decimal string, refunded share of the order
    returned = NumberAttribute(null=True)  # points given back by refunds
    refunds = MapAttribute(null=True)  # refund_id -> {"amount", "points"}

    by_expiry = HoldByExpiry()
    by_order = HoldByOrder()


class TransferDayItem(Item):
    """How many transfers, and how many points, a member sent on one day."""

    count = NumberAttribute(default=0)
    points = NumberAttribute(default=0)
    ttl = NumberAttribute(null=True)


class ReportDayItem(Item):
    """Daily totals (``REPORTS`` / ``DAY#<date>``), or one counter of a day (``…#SOURCE#x``)."""

    issued = NumberAttribute(default=0)
    redeemed = NumberAttribute(default=0)
    expired = NumberAttribute(default=0)
    clawed_back = NumberAttribute(default=0)
    transferred = NumberAttribute(default=0)
    registered = NumberAttribute(default=0)
    active = NumberAttribute(default=0)
    n = NumberAttribute(default=0)  # counters of one source / item


class MarkerItem(Item):
    """A presence marker (events counted, members active on a day), deleted by ``ttl``."""

    ttl = NumberAttribute(null=True)


# Points lottery (issue 7) ------------------------------------------------------------------


class LotteryItem(Item):
    """A lottery campaign's definition (``LOTTERY#<id>`` / ``LOTTERY``). Read by every draw,
    written only by operators: a draw never updates it (no hot item)."""

    lottery_id = UnicodeAttribute()
    name = UnicodeAttribute()
    cost = NumberAttribute()  # points per draw
    daily_limit = NumberAttribute(null=True)  # draws per member per day; None = no limit
    starts_at = UnicodeAttribute()  # UTC ISO-8601
    ends_at = UnicodeAttribute()
    no_prize_weight = NumberAttribute(default=0)
    prizes = UnicodeAttribute()  # JSON list of the pool's prizes (shared.domain.lottery.Prize)
    list_sk = UnicodeAttribute()  # its line in the LOTTERIES listing partition
    ver = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute(null=True)


class LotteryEntry(Item):
    """A campaign's line in ``LOTTERIES`` (sort key: end time, then id)."""

    lottery_id = UnicodeAttribute()
    starts_at = UnicodeAttribute()


class PrizeStockItem(Item):
    """The stock of one limited prize (``LOTTERY#<id>`` / ``PRIZE#<prize_id>``): a win takes
    one unit, on the condition ``stock >= 1``."""

    lottery_id = UnicodeAttribute()
    prize_id = UnicodeAttribute()
    stock = NumberAttribute()
    stocked = NumberAttribute(default=0)  # the stock the operator last set


class LotteryStatsItem(Item):
    """One counter shard of a campaign (``LOTTERY#<id>`` / ``STATS#<nn>``); each draw adds to
    one shard picked at random, the stats add the shards up."""

    draws = NumberAttribute(default=0)
    points_in = NumberAttribute(default=0)  # draw costs debited
    points_out = NumberAttribute(default=0)  # prize points credited
    cash_out_cents = NumberAttribute(default=0)  # cash red packets, in cents
    fallbacks = NumberAttribute(default=0)  # draws whose picked prize ran out at write time
    won = MapAttribute(default=dict)  # prize id ("_none": no prize) -> draws with that outcome
    expected = MapAttribute(default=dict)  # prize id -> Σ odds in force, in 1e-12 units


class DrawByLottery(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    st_pk = UnicodeAttribute(hash_key=True)
    st_sk = UnicodeAttribute(range_key=True)


class DrawItem(Item):
    """One draw, for the audit (``MEMBER#<id>`` / ``DRAW#<draw_id>``): who, when, the random
    value, the odds in force, the outcome. Listed per campaign by GSI ``by_status``."""

    draw_id = UnicodeAttribute()
    lottery_id = UnicodeAttribute()
    lottery_ver = NumberAttribute()
    member_id = UnicodeAttribute()
    at = UnicodeAttribute()  # UTC ISO-8601
    cost = NumberAttribute()
    random = NumberAttribute()  # r, uniform in [0, total_weight)
    total_weight = NumberAttribute()
    odds = UnicodeAttribute()  # JSON: [{"prize_id", "weight", "odds"}] in force, pool order
    picked = UnicodeAttribute(null=True)  # the prize r picked (None: no prize)
    outcome = UnicodeAttribute(null=True)  # the prize won (differs only after a fallback)
    note = UnicodeAttribute(null=True)  # "stock_ran_out": picked prize gone at write time
    prize_name = UnicodeAttribute(null=True)
    prize_kind = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)  # points prize
    cash = UnicodeAttribute(null=True)  # cash red packet: decimal string
    order_id = UnicodeAttribute(null=True)  # coupon / gift: the order it became
    coupon_code = UnicodeAttribute(null=True)
    response = UnicodeAttribute()  # JSON: the 201 body the member got
    st_pk = UnicodeAttribute()
    st_sk = UnicodeAttribute()

    by_lottery = DrawByLottery()
