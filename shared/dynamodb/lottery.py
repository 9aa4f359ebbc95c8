"""Data access for the points lottery's campaigns (docs/data-model.md "Points lottery"):
definitions and stock, the listing, the members' daily counters, and the audit's reads.

A campaign's partition ``LOTTERY#<id>`` holds its definition (``LOTTERY``) and the stock of
each limited prize (``PRIZE#<prize_id>``; a prize won often has it split over stock shards,
partitions of their own: ``LOTTERY#<id>#PRIZE#<prize_id>#<nn>``); its ``STATS_SHARDS``
counter shards are partitions of their own (``LOTTERY#<id>#STATS#<nn>``) and its draw
records are spread over ``DRAW_SHARDS`` index partitions (``LOTTERYDRAWS#<id>#<nn>``), so
no partition takes every draw (docs/data-model.md "Points lottery"). Campaigns drawn before
that layout keep their old shards (``LOTTERY#<id>`` / ``STATS#<nn>``) and audit partition
(``LOTTERYDRAWS#<id>``): both are read beside the new ones, never written again. The draw
itself, one transaction, is written by ``shared.dynamodb.lottery_draws``. Everything here
takes and returns domain values (``shared.domain.lottery``) and the Structs below.
"""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct, field

from shared.clock import utc_iso
from shared.domain import lottery as rules_of
from shared.domain.audit import AuditEntry
from shared.domain.lottery import ExtraDraws, Lottery, Odds, Prize
from shared.domain.mall import split_stock
from shared.domain.targeting import Target
from shared.dynamodb import audit, extra_draws, keys, pages
from shared.dynamodb.connection import table
from shared.dynamodb.copies import Copies, Recent
from shared.dynamodb.models.base import Item, as_plain, set_or_remove
from shared.dynamodb.models.lottery import (
    DrawItem,
    LotteryEntry,
    LotteryItem,
    LotteryStatsItem,
    PrizeStockItem,
)
from shared.dynamodb.models.mall import CounterItem
from shared.dynamodb.tx import Tx, run
from shared.dynamodb.values import rows_at
from shared.errors import LotteryNotFound

# Counter shards per campaign, each its own partition: each draw updates one, picked at
# random. A partition takes 1 000 WCU/s and a draw's update costs 2 WCU (a transaction's
# write of an item under 1 KB, which a pool of MAX_PRIZES keeps), so 20 shards carry 5 000
# draws/s at half the limit (500 WCU/s each) and 10 000 at the limit.
STATS_SHARDS = 20
# Index partitions a campaign's draw records are spread on (GSI ``by_status``): a record is
# one index write per KB (1-3 KB with the odds of a big pool), so 16 partitions take 5 000
# draws/s at 310-940 WCU/s each. The audit merges them (one Query per shard and page).
DRAW_SHARDS = 16
OLD_STATS_SHARDS = 10  # the shards of the campaign's partition before issue 23 (read only)
NONE_KEY = "_none"  # the stats' key of "no prize" (prize ids start with a letter or digit)

DEF, ENTRY, OLD_ENTRY, STOCK, STATS = "lottery", "entry", "old_entry", "stock", "stats"
TERMS = "extra_draw_terms"


# Reading a campaign -----------------------------------------------------------------------


class State(Struct, frozen=True):
    """A campaign as a draw sees it: the definition and its limited prizes' stock (a
    sharded prize's: the sum of its shards, and each shard's in ``shard_stocks``)."""

    lottery: Lottery
    stocks: dict[str, int] = field(default_factory=dict)  # limited prizes only
    stocked: dict[str, int] = field(default_factory=dict)  # stock as the operator last set it
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None  # the operator who last wrote it
    sharded: bool = True  # its stats shards in their own partitions exist (with its ver)
    # The prizes whose stock is in shards: each shard's stock, in shard order.
    shard_stocks: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def odds(self) -> Odds:
        return rules_of.odds_in_force(
            self.lottery.prizes, self.lottery.no_prize_weight, self.stocks
        )

    def stock_of(self, prize: Prize) -> int | None:
        return self.stocks.get(prize.prize_id, 0) if prize.limited else None


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


class Entry(Struct, frozen=True):
    """A campaign's line in the listing."""

    lottery_id: str
    starts_at: str  # UTC ISO-8601


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


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
        target=Target.from_json(
            {"tiers": _json(item.tiers), "registered_after": item.registered_after}
        ),
        extra_draws=ExtraDraws.from_json(json.loads(item.extra_draws))
        if item.extra_draws
        else None,
    )


def _json(value: str | None) -> Any:
    return json.loads(value) if value else None


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


def _stock_shard_key(lottery_id: str, prize_id: str, shard: int) -> tuple[str, str]:
    return keys.lottery_prize_shard_pk(lottery_id, prize_id, shard), keys.STOCK_SK


def _shard_stocks(lottery_id: str, counts: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """Each shard's stock of the prizes ``counts`` names (prize id -> its shards), in one
    strongly consistent BatchGetItem; a missing shard holds none."""
    wanted = [
        _stock_shard_key(lottery_id, prize_id, k)
        for prize_id, n in counts.items()
        for k in range(n)
    ]
    found = {row.pk: int(row.stock) for row in rows_at(PrizeStockItem, wanted)} if wanted else {}
    return {
        prize_id: tuple(
            found.get(_stock_shard_key(lottery_id, prize_id, k)[0], 0) for k in range(n)
        )
        for prize_id, n in counts.items()
    }


def prize_shard_stocks(lottery_id: str, prize_id: str, shards: int) -> tuple[int, ...]:
    """Each of the prize's ``shards`` stock shards' stock now (strongly consistent)."""
    return _shard_stocks(lottery_id, {prize_id: shards})[prize_id]


def _state(raws: list[dict[str, Any]]) -> tuple[State | None, list[LotteryStatsItem]]:
    """The campaign in its partition's items (its sharded prizes' shards read besides)."""
    definition: LotteryItem | None = None
    stocks: dict[str, int] = {}
    stocked: dict[str, int] = {}
    counts: dict[str, int] = {}  # sharded prizes: their shards
    shards: list[LotteryStatsItem] = []
    for raw in raws:
        sk = raw["sk"]["S"]
        if sk == keys.LOTTERY_SK:
            definition = LotteryItem.from_raw_data(raw)
        elif sk.startswith(keys.PRIZE):
            stock = PrizeStockItem.from_raw_data(raw)
            stocks[stock.prize_id] = int(stock.stock)
            stocked[stock.prize_id] = int(stock.stocked or 0)
            if stock.shards:
                counts[stock.prize_id] = int(stock.shards)
        elif sk.startswith(keys.LOTTERY_STATS):
            shards.append(LotteryStatsItem.from_raw_data(raw))
    if definition is None:
        return None, shards
    lottery = lottery_of(definition)
    in_shards = _shard_stocks(lottery.lottery_id, counts)
    for prize_id, each in in_shards.items():
        stocks[prize_id] += sum(each)
    state = State(
        lottery,
        stocks,
        stocked,
        created_at=_at(definition.created_at),
        updated_at=_at(definition.updated_at),
        updated_by=definition.updated_by,
        sharded=definition.stats_shards is not None,
        shard_stocks=in_shards,
    )
    return state, shards


def load(lottery_id: str) -> State | None:
    """The definition and the stock (one strongly consistent Query, and one BatchGetItem of
    the stock shards when a prize has some; not the stats shards)."""
    raws = _partition(keys.lottery_pk(lottery_id), Item.sk < keys.LOTTERY_STATS)
    return _state(raws)[0]


def _load_sharded(lottery_id: str) -> State | None:
    """:func:`load`; a campaign from before issue 23 gets its stats shards first."""
    state = load(lottery_id)
    if state is not None and not state.sharded:
        _shard_stats(state)
    return state


# Campaigns a draw read recently, per process, so the draws do not all read the campaign's
# one partition (5 000 draws/s would be 5 000 RCU/s there). Safe to draw on: the definition
# is checked by the draw's own write (its stats shard must hold the ``ver`` it was planned
# on, see ``lottery_draws``), so an edited campaign is read again before anything is
# written; a prize's stock only falls between edits, and a draw whose picked prize ran out
# wins nothing — exactly the odds in force without that prize, whose weight goes to "no
# prize" — and drops the copy. Never a reason to refuse by itself (not found / not open are
# read again). Seconds kept: short, as a copy may still count a prize that ran out.
COPIES: Copies[State] = Copies(_load_sharded, seconds=2.0, size=100)


# A sharded prize's shards that refused a draw lately, per process, so the next draws go to
# shards with stock (a hint only: a prize is never "out" by it alone), as the mall's hot items.
EMPTY_SHARD_SECONDS = 5.0
EMPTY_SHARDS: Recent[frozenset[int]] = Recent(EMPTY_SHARD_SECONDS, size=1000)


def empty_shards(lottery_id: str, prize_id: str) -> set[int]:
    """The prize's shards this process saw refuse in the last ``EMPTY_SHARD_SECONDS``."""
    return set(EMPTY_SHARDS.get(f"{lottery_id}:{prize_id}") or ())


def remember_empty(lottery_id: str, prize_id: str, shards: set[int]) -> None:
    """Note that these shards refused (replacing what was noted)."""
    EMPTY_SHARDS.put(f"{lottery_id}:{prize_id}", frozenset(shards))


def cached(lottery_id: str) -> tuple[State | None, bool]:
    """(campaign, fresh): a copy read less than ``COPIES.kept.seconds`` ago, else a read now."""
    return COPIES.get(lottery_id)


def forget(lottery_id: str) -> None:
    """Drop the process's copy of the campaign (it proved stale)."""
    COPIES.forget(lottery_id)


def existing(lottery_id: str) -> State:
    """:func:`load`, refusing a campaign that does not exist (``LotteryNotFound``)."""
    state = load(lottery_id)
    if state is None:
        raise LotteryNotFound(f"no lottery {lottery_id!r}")
    return state


def _stats_key(lottery_id: str, shard: int) -> tuple[str, str]:
    return keys.lottery_stats_pk(lottery_id, shard), keys.LOTTERY_STATS_SK


def with_stats(lottery_id: str) -> tuple[State, Totals]:
    """The definition, the stock and the stats shards added up: one Query of the campaign's
    partition (with the old shards a campaign drawn before issue 23 has there) and one
    BatchGetItem of its ``STATS_SHARDS`` shards. ``LotteryNotFound`` when it does not exist."""
    state, shards = _state(_partition(keys.lottery_pk(lottery_id)))
    if state is None:
        raise LotteryNotFound(f"no lottery {lottery_id!r}")
    wanted = [_stats_key(lottery_id, shard) for shard in range(STATS_SHARDS)]
    shards += rows_at(LotteryStatsItem, wanted)
    return state, Totals.of(shards)


def live_entries(now_utc: str) -> list[Entry]:
    """Campaigns that have not ended (their listing key starts with their end time)."""
    rows = LotteryEntry.query(keys.LOTTERIES, LotteryEntry.sk > now_utc)
    return [Entry(row.lottery_id, row.starts_at) for row in rows]


def entries_page(limit: int, cursor: str | None) -> tuple[list[Entry], str | None]:
    """Every campaign's line in ``LOTTERIES``, latest end time first (the operators' list)."""
    result = LotteryEntry.query(
        keys.LOTTERIES,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=pages.decode(cursor, ("pk", keys.LOTTERIES)),
    )
    entries = [Entry(row.lottery_id, row.starts_at) for row in result]
    return entries, pages.encode(result.last_evaluated_key)


def drawn_today(member_id: str, day: date) -> dict[str, int]:
    """The member's draws per campaign on ``day`` (one Query of their daily counters)."""
    prefix = keys.lottery_day_prefix(day)
    counters = CounterItem.query(
        keys.member_pk(member_id), CounterItem.sk.startswith(prefix), consistent_read=True
    )
    return {c.sk.removeprefix(prefix): int(c.n or 0) for c in counters}


# Writing a campaign -----------------------------------------------------------------------


def _definition(lottery: Lottery) -> dict[str, Any]:
    target, extra = lottery.target.to_json(), lottery.extra_draws
    return {
        "name": lottery.name,
        "cost": lottery.cost,
        "daily_limit": lottery.daily_limit,
        "starts_at": utc_iso(lottery.starts_at),
        "ends_at": utc_iso(lottery.ends_at),
        "no_prize_weight": lottery.no_prize_weight,
        "prizes": json.dumps([p.as_json() for p in lottery.prizes], separators=(",", ":")),
        "tiers": json.dumps(target["tiers"]) if target["tiers"] is not None else None,
        "registered_after": target["registered_after"],
        "extra_draws": json.dumps(extra.as_json()) if extra is not None else None,
    }


def _stock_item(lottery_id: str, prize_id: str, stock: int, shards: int) -> PrizeStockItem:
    """The prize's stock item: the stock itself, or (``shards`` > 1) 0 and how many shards
    hold it."""
    return PrizeStockItem(
        pk=keys.lottery_pk(lottery_id),
        sk=keys.prize_sk(prize_id),
        lottery_id=lottery_id,
        prize_id=prize_id,
        stock=stock if shards <= 1 else 0,
        stocked=stock,
        shards=shards if shards > 1 else None,
    )


def _set_stock(tx: Tx, lottery: Lottery, stocks: dict[str, int]) -> None:
    """Each limited prize's stock set as given: on its own item, or split evenly over the
    shards its odds call for (``rules_of.stock_shards``, cut to what the transaction has
    room for). Shards a previous layout had beyond these are no longer read (never
    written again unless a later edit spreads over them, which sets them first)."""
    weights = {p.prize_id: p.weight for p in lottery.prizes}
    total = sum(weights.values()) + lottery.no_prize_weight
    wanted = {
        prize_id: rules_of.stock_shards(weights.get(prize_id, 0), total, stock)
        for prize_id, stock in stocks.items()
    }
    counts = rules_of.fit_shards(wanted, Tx.MAX_ITEMS - tx.size - len(stocks))
    lottery_id = lottery.lottery_id
    for prize_id, stock in stocks.items():
        n = counts[prize_id]
        tx.put(f"{STOCK}:{prize_id}", _stock_item(lottery_id, prize_id, stock, n))
        if n <= 1:
            continue
        for k, share in enumerate(split_stock(stock, n)):
            pk, sk = _stock_shard_key(lottery_id, prize_id, k)
            row = PrizeStockItem(
                pk=pk, sk=sk, lottery_id=lottery_id, prize_id=prize_id, stock=share, stocked=share
            )
            tx.put(f"{STOCK}:{prize_id}:{k}", row)


def _stats_shard(lottery_id: str, shard: int) -> LotteryStatsItem:
    pk, sk = _stats_key(lottery_id, shard)
    return LotteryStatsItem(
        pk=pk,
        sk=sk,
        ver=1,
        draws=0,
        points_in=0,
        points_out=0,
        cash_out_cents=0,
        fallbacks=0,
        won={},
        expected={},
    )


def _shard_upkeep(tx: Tx, lottery_id: str, ver: int) -> None:
    """Every stats shard (created if missing, with the maps a draw adds into) takes ``ver``."""
    for shard in range(STATS_SHARDS):
        pk, sk = _stats_key(lottery_id, shard)
        actions = [
            LotteryStatsItem.ver.set(ver),
            LotteryStatsItem.won.set(LotteryStatsItem.won | {}),
            LotteryStatsItem.expected.set(LotteryStatsItem.expected | {}),
        ]
        tx.update(f"{STATS}:{shard}", LotteryStatsItem(pk=pk, sk=sk), actions)


def _shard_stats(state: State) -> bool:
    """Lazy migration of a campaign from before issue 23: creates its stats shards in their
    own partitions (its old shards stay where they are, read by the stats, never written) and
    marks the definition, unless it was edited since ``state`` was read (the edit did it).
    Idempotent; False when the campaign changed meanwhile."""
    lottery = state.lottery
    tx = Tx()
    _shard_upkeep(tx, lottery.lottery_id, lottery.ver)
    key = LotteryItem(pk=keys.lottery_pk(lottery.lottery_id), sk=keys.LOTTERY_SK)
    marked = [LotteryItem.stats_shards.set(STATS_SHARDS)]
    tx.update(DEF, key, marked, LotteryItem.ver == lottery.ver)
    return run(tx.committed)


def put(
    lottery: Lottery,
    stocks: dict[str, int],
    now: datetime,
    actor: str,
    change: AuditEntry,
    read: State | None,
) -> bool:
    """Create (``read`` None) or replace the campaign ``read``, with the audit entry
    ``change``, in one transaction. The limited prizes' stock is set as given; the stats
    shards survive a replace, which sets the new ``ver`` on each (a draw planned on the
    campaign as it was is then refused by its shard). False when the campaign is no longer
    as read (created or edited meanwhile: the caller reads and decides again)."""
    lottery_id = lottery.lottery_id
    pk = keys.lottery_pk(lottery_id)
    at = utc_iso(now)
    values = _definition(lottery)
    list_sk = keys.lottery_listing_sk(values["ends_at"], lottery_id)
    tx = Tx()
    if read is None:
        item = LotteryItem(
            pk=pk,
            sk=keys.LOTTERY_SK,
            lottery_id=lottery_id,
            list_sk=list_sk,
            ver=1,
            created_at=at,
            updated_at=at,
            updated_by=actor,
            stats_shards=STATS_SHARDS,
            **{k: v for k, v in values.items() if v is not None},
        )
        tx.put(DEF, item, condition=LotteryItem.pk.does_not_exist())
        for shard in range(STATS_SHARDS):
            tx.put(f"{STATS}:{shard}", _stats_shard(lottery_id, shard))
    else:
        before = read.lottery
        actions = set_or_remove(LotteryItem, values)
        actions += [
            LotteryItem.list_sk.set(list_sk),
            LotteryItem.ver.add(1),
            LotteryItem.updated_at.set(at),
            LotteryItem.updated_by.set(actor),
            LotteryItem.stats_shards.set(STATS_SHARDS),
        ]
        key = LotteryItem(pk=pk, sk=keys.LOTTERY_SK)
        tx.update(DEF, key, actions, LotteryItem.ver == before.ver)
        _shard_upkeep(tx, lottery_id, before.ver + 1)  # a draw planned on `before` now fails
        old_sk = keys.lottery_listing_sk(utc_iso(before.ends_at), lottery_id)
        if old_sk != list_sk:
            tx.delete(OLD_ENTRY, LotteryEntry(pk=keys.LOTTERIES, sk=old_sk))
        for prize in before.prizes:
            if prize.limited and prize.prize_id not in stocks:
                tx.delete(
                    f"gone:{prize.prize_id}",
                    PrizeStockItem(pk=pk, sk=keys.prize_sk(prize.prize_id)),
                )
    entry = LotteryEntry(
        pk=keys.LOTTERIES, sk=list_sk, lottery_id=lottery_id, starts_at=values["starts_at"]
    )
    tx.put(ENTRY, entry)
    terms = extra_draws.terms_item(lottery_id, lottery.offer(), at, actor)
    if lottery.offer() is not None:
        tx.put(TERMS, terms)  # what purchases apply, loaded with the rules
    else:
        tx.delete(TERMS, terms)
    audit.add(tx, change)
    _set_stock(tx, lottery, stocks)  # last: its shards take the room the rest leaves
    return run(tx.committed)


# The audit --------------------------------------------------------------------------------


class Draw(Struct, frozen=True):
    """A recorded draw as auditors read it."""

    draw_id: str
    lottery_id: str
    lottery_ver: int
    member_id: str
    at: datetime
    cost: int
    random: int  # r, uniform in [0, total_weight)
    total_weight: int
    odds: list[dict[str, Any]]  # as recorded: [{"prize_id", "weight", "odds"}], pool order
    picked: str | None  # the prize r picked (None: no prize)
    outcome: str | None  # the prize won (differs only after a fallback)
    note: str | None
    prize: dict[str, Any] | None  # the prize as the member was told (the 201 body's)


def _draw(item: DrawItem) -> Draw:
    return Draw(
        draw_id=item.draw_id,
        lottery_id=item.lottery_id,
        lottery_ver=int(item.lottery_ver),
        member_id=item.member_id,
        at=datetime.fromisoformat(item.at),
        cost=int(item.cost),
        random=int(item.random),
        total_weight=int(item.total_weight),
        odds=json.loads(item.odds),
        picked=item.picked,
        outcome=item.outcome,
        note=item.note,
        prize=json.loads(item.response).get("prize"),
    )


DRAWS_CURSOR = "lottery-draws"  # the audit's cursor kind: the last record's index sort key


def _newest_first(partition: str, before: str | None, page: int) -> Iterator[DrawItem]:
    """One index partition's draw records, newest first, older than ``before``, read ``page``
    at a time as they are consumed."""
    start = None
    while True:
        result = DrawItem.by_lottery.query(
            partition,
            DrawItem.st_sk < before if before is not None else None,
            scan_index_forward=False,
            limit=page,
            last_evaluated_key=start,
        )
        yield from result
        start = result.last_evaluated_key
        if not start:
            return


def draws_page(lottery_id: str, limit: int, cursor: str | None) -> tuple[list[Draw], str | None]:
    """A campaign's draws, newest first: its ``DRAW_SHARDS`` index partitions (and the one
    partition of the draws before issue 23) merged by ``st_sk`` (``<at>#<draw_id>``, unique),
    each read a few records at a time. The cursor is the campaign and the last record's
    ``st_sk``."""
    before = None
    if cursor:
        content = pages.verify(cursor, DRAWS_CURSOR)
        before = content.get("before")
        if content.get("lottery_id") != lottery_id or not isinstance(before, str):
            raise pages.invalid()  # another campaign's, or not of the shape written below
    partitions = [keys.lottery_draws_shard_pk(lottery_id, n) for n in range(DRAW_SHARDS)]
    partitions.append(keys.lottery_draws_pk(lottery_id))
    page = min(limit + 1, max(5, 2 * -(-(limit + 1) // len(partitions))))
    merged = heapq.merge(
        *(_newest_first(p, before, page) for p in partitions),
        key=lambda row: row.st_sk,
        reverse=True,
    )
    rows = list(itertools.islice(merged, limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        next_cursor = pages.sign({"lottery_id": lottery_id, "before": rows[-1].st_sk}, DRAWS_CURSOR)
    return [_draw(row) for row in rows], next_cursor
