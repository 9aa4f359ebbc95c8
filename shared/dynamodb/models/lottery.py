"""Lottery: campaigns, their listing, prize stock, stats shards, draws."""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item
from shared.dynamodb.models.indexes import ByStatus


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
    # Targeting: who may draw (JSON list of tiers; a programme date) and extra draws earned
    # by spend (JSON {"per_amount", "draws"}); absent: everyone, none.
    tiers = UnicodeAttribute(null=True)
    registered_after = UnicodeAttribute(null=True)
    extra_draws = UnicodeAttribute(null=True)
    # The counter shards in partitions of their own (``LOTTERY#<id>#STATS#<nn>``) exist, with
    # the campaign's ``ver``: their number. Absent: a campaign from before issue 23 whose
    # shards the first draw (or edit) creates (its old ones stay in its partition, read only).
    stats_shards = NumberAttribute(null=True)


class LotteryEntry(Item):
    """A campaign's line in ``LOTTERIES`` (sort key: end time, then id)."""

    lottery_id = UnicodeAttribute()
    starts_at = UnicodeAttribute()


class PrizeStockItem(Item):
    """The stock of one limited prize (``LOTTERY#<id>`` / ``PRIZE#<prize_id>``): a win takes
    one unit, on the condition ``stock >= 1``. A prize won often has its stock split over
    ``shards`` items of the same shape in partitions of their own
    (``LOTTERY#<id>#PRIZE#<prize_id>#<nn>`` / ``STOCK``; this item's ``stock`` is then 0):
    a win takes one unit from one shard."""

    lottery_id = UnicodeAttribute()
    prize_id = UnicodeAttribute()
    stock = NumberAttribute()
    stocked = NumberAttribute(default=0)  # the stock the operator last set
    shards = NumberAttribute(null=True)  # absent (and on the shards): the stock is here


class LotteryStatsItem(Item):
    """One counter shard of a campaign (``LOTTERY#<id>#STATS#<nn>`` / ``STATS``; before issue
    23 ``LOTTERY#<id>`` / ``STATS#<nn>``); each draw adds to one shard picked at random, the
    stats add the shards up."""

    # The campaign's ``ver`` as its last write set it (absent: no write set it yet). Every
    # definition write sets it on every shard and a draw's update requires its own, so a draw
    # planned on an outdated copy of the campaign is refused (and read again) for free.
    ver = NumberAttribute(null=True)

    draws = NumberAttribute(default=0)
    points_in = NumberAttribute(default=0)  # draw costs debited
    points_out = NumberAttribute(default=0)  # prize points credited
    cash_out_cents = NumberAttribute(default=0)  # cash red packets, in cents
    fallbacks = NumberAttribute(default=0)  # draws whose picked prize ran out at write time
    won = MapAttribute(default=dict)  # prize id ("_none": no prize) -> draws with that outcome
    expected = MapAttribute(default=dict)  # prize id -> Σ odds in force, in 1e-12 units


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

    by_lottery = ByStatus()
