"""Every key and index key of the table is built here, and nowhere else.

Most keys are a prefix and one value (an id, a day, a shard) or a time and an id: those are
made by the three builders below, so each key is one line naming its prefix."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date


def _prefixed(prefix: str, doc: str = "") -> Callable[[str], str]:
    """A key builder ``prefix + value`` (a member's, an order's, an item's id...)."""

    def key(value: str) -> str:
        return f"{prefix}{value}"

    key.__doc__ = doc or f"``{prefix}<value>``."
    return key


def _dated(prefix: str, doc: str = "") -> Callable[[date], str]:
    """A key builder ``prefix + ISO day``: one partition or counter per programme day."""

    def key(day: date) -> str:
        return f"{prefix}{day.isoformat()}"

    key.__doc__ = doc or f"``{prefix}<YYYY-MM-DD>``."
    return key


def _sharded(prefix: str, doc: str) -> Callable[[int], str]:
    """A key builder ``prefix + two-digit shard``: one of the partitions a hot key is spread on."""

    def key(shard: int) -> str:
        return f"{prefix}{shard:02d}"

    key.__doc__ = doc
    return key


def time_ordered_sk(at_utc: str, item_id: str) -> str:
    """An index sort key ``<UTC time>#<id>``: a range query lists the items by time."""
    return f"{at_utc}#{item_id}"


# Members and their ledger: profile, entries, lots, audit trail --------------------------------
MEMBER = "MEMBER#"
PROFILE = "PROFILE"
LEDGER = "LEDGER#"
LOT = "LOT#"
ORDER = "ORDER#"
AUDIT = "AUDIT#"

member_pk = _prefixed(MEMBER)


def member_id_of(pk: str) -> str:
    return pk.removeprefix(MEMBER)


# Inbox: one message per kind per member per programme day (MEMBER#<id> partition)
MESSAGE = "MSG#"


def message_sk(message_id: str) -> str:
    """``MSG#<YYYY-MM-DD>#<kind>`` for message id ``<YYYY-MM-DD>.<kind>``: newest day first
    when read backwards."""
    day, _, kind = message_id.partition(".")
    return f"{MESSAGE}{day}#{kind}"


def ledger_sk(source: str, ref: str) -> str:
    """A ledger entry's key is its business key, so a retry collides instead of repeating."""
    return f"{LEDGER}{source}#{ref}"


def entry_id(source: str, ref: str) -> str:
    return f"{source}:{ref}"


def ledger_time_key(at_utc: str, entry: str) -> str:
    """LSI ``by_time`` sort key: newest-first listing of a member's ledger."""
    return f"{LEDGER}{at_utc}#{entry}"


def lot_sk(expires_on: date, source: str, ref: str) -> str:
    return f"{LOT}{expires_on.isoformat()}#{source}#{ref}"


order_pk = _prefixed(ORDER, "GSI ``by_order``: the shop's order id → its purchase ledger entry.")


def audit_sk(at_utc: str, action: str) -> str:
    return f"AUDIT#{at_utc}#{action}"


def shard_of(member_id: str, shards: int) -> int:
    digest = hashlib.blake2b(member_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % shards


# Expiry: open lots by expiry date, reminder markers -------------------------------------------
EXPIRY = "EXPIRY#"

# The sort key starts with the expiry date, so "everything due before day D" is one range
# query per shard, and the job's cost follows the lots due, not the members.
expiry_pk = _sharded(
    EXPIRY, "GSI ``by_expiry`` partition: open lots spread over ``shards`` partitions."
)


def expiry_sk(expires_on: date, member_id: str, lot: str) -> str:
    return f"{expires_on.isoformat()}#{member_pk(member_id)}#{lot}"


def expiry_before(day: date) -> str:
    """Upper bound (exclusive) of ``exp_sk`` for lots whose last valid day is before ``day``."""
    return day.isoformat()


def reminder_sk(threshold_days: int, expires_on: date) -> str:
    """Marker: the member was reminded of points expiring on a date, at a threshold."""
    return f"REMINDER#{threshold_days}#{expires_on.isoformat()}"


# Tiers and birthdays: sparse keys-only indexes over member profiles ---------------------------
TIER = "TIER#"
BIRTHDAY = "BDAY#"
TIER_SHARDS = 10  # never change: members would be stranded in the old shards
BIRTHDAY_SHARDS = 10


def tier_pk(tier: str, shard: int) -> str:
    """GSI ``by_tier`` partition: members of one tier above the first, in one shard. Set
    (and moved) by the same profile update that changes ``tier``; absent for the first tier."""
    return f"{TIER}{tier}#{shard:02d}"


def birthday_pk(month_day: str, shard: int) -> str:
    """GSI ``by_birthday`` partition: members born on ``MM-DD``, in one shard (registration)."""
    return f"{BIRTHDAY}{month_day}#{shard:02d}"


def birthday_index(member_id: str, month_day: str) -> dict[str, str]:
    """The ``by_birthday`` index attributes a profile gets at registration (its shard is the
    member id's)."""
    shard = shard_of(member_id, BIRTHDAY_SHARDS)
    return {"bday_pk": birthday_pk(month_day, shard), "bday_sk": member_id}


# Programme configuration: rules overrides, campaigns, tasks, referral codes -------------------
PROGRAMME = "PROGRAMME"  # partition of the rules overrides and the campaigns (one Query)
RULES = "RULES"
CAMPAIGN = "CAMPAIGN#"
TASKS = "TASKS"
TASK = "TASK#"
REFCODE = "REFCODE#"
REFCODE_SK = "REFCODE"

campaign_sk = _prefixed(CAMPAIGN)
task_sk = _prefixed(TASK)
referral_code_pk = _prefixed(REFCODE)

# Idempotency keys -----------------------------------------------------------------------------
IDEMPOTENCY = "IDEMPOTENCY#"


def idempotency_pk(caller: str, key: str) -> str:
    """An ``Idempotency-Key`` of one caller (API.md: same key from the same caller)."""
    return f"{IDEMPOTENCY}{caller}#{key}"


# Mall: catalog, orders, coupons, per-member limits, payouts -----------------------------------
ITEM = "ITEM#"
ITEM_SK = "ITEM"
CATALOG = "CATALOG"  # partition listing every catalog item (one Query per page)
MALL_ORDER = "ORDER#"  # a mall order's sort key in its member's partition
MALL_ORDER_ID = "MALLORDER#"  # GSI by_order: a mall order by its id
ORDERS_IN = "ORDERS#"  # GSI by_status partition
COUPON = "COUPON#"
COUPON_SK = "COUPON"
LIMIT = "LIMIT#"
PAYOUTS = "PAYOUTS#"

item_pk = _prefixed(
    ITEM, "A catalog item's own partition: its stock and counters (the hot item of a sale)."
)
catalog_sk = _prefixed(ITEM, "The item's entry in the ``CATALOG`` listing partition.")
mall_order_sk = _prefixed(
    MALL_ORDER, "Orders live in their member's partition; ids are time-ordered (newest first)."
)
mall_order_id_key = _prefixed(
    MALL_ORDER_ID, "GSI ``by_order`` key of a mall order (operators and the shop find it by id)."
)
orders_status_pk = _prefixed(
    ORDERS_IN, "GSI ``by_status`` partition: orders in one status (operators' queue, the sweep)."
)
orders_status_sk = time_ordered_sk  # placed_at_utc, order_id
STOCK_SK = "STOCK"
# Statuses every order of a sale enters: their by_status partition is spread over shards.
SHARDED_STATUSES = frozenset({"placed"})
ORDER_STATUS_SHARDS = 10  # ≈ 10 000 index writes/s for the placed queue


def stock_shard_pk(item_id: str, shard: int) -> str:
    """A hot item's stock shard ``ITEM#<id>#<kk>`` / ``STOCK``: its own partition, so a
    flash sale spreads its writes over the shards (under ``ITEM#``: same grants)."""
    return f"{ITEM}{item_id}#{shard:02d}"


def orders_status_shard(order_id: str) -> int:
    """The by_status shard of an order in a sharded status (stable per order)."""
    return int(hashlib.sha256(order_id.encode()).hexdigest()[:8], 16) % ORDER_STATUS_SHARDS


def orders_status_key(status: str, order_id: str) -> str:
    """GSI ``by_status`` partition of an order: ``ORDERS#<status>``, or for the statuses a
    sale floods ``ORDERS#<status>#<kk>`` (the order's shard; orders indexed before the
    sharding stay in ``ORDERS#<status>`` and are read with the shards)."""
    if status in SHARDED_STATUSES:
        return f"{ORDERS_IN}{status}#{orders_status_shard(order_id):02d}"
    return orders_status_pk(status)


def orders_status_partitions(status: str) -> list[str]:
    """Every by_status partition holding orders in ``status`` (old layout first)."""
    if status not in SHARDED_STATUSES:
        return [orders_status_pk(status)]
    shards = [f"{ORDERS_IN}{status}#{k:02d}" for k in range(ORDER_STATUS_SHARDS)]
    return [orders_status_pk(status), *shards]


coupon_pk = _prefixed(COUPON)
limit_item_sk = _prefixed(
    f"{LIMIT}ITEM#", "Per-member counter of the units of one item ever redeemed."
)


def limit_day_sk(kind: str, day: date) -> str:
    """Per-member counter of the units of one kind redeemed on one day (expires by TTL)."""
    return f"{LIMIT}DAY#{day.isoformat()}#{kind}"


payouts_pk = _dated(
    PAYOUTS, "Cash-out payout records for finance, one partition per programme day."
)
payout_sk = _prefixed("PAYOUT#")

# Checkout: holds ------------------------------------------------------------------------------
HOLD = "HOLD#"
HOLD_SK = "HOLD"
HOLD_EXPIRY = "HOLDEXP#"

hold_pk = _prefixed(HOLD)
hold_expiry_pk = _sharded(
    HOLD_EXPIRY, "GSI ``by_expiry`` partition of active holds (apart from lots' ``EXPIRY#``)."
)
hold_expiry_sk = time_ordered_sk  # expires_at_utc, hold_id

# Transfers ------------------------------------------------------------------------------------
transfers_day_sk = _dated(
    "TRANSFERS#", "Per-sender per-day transfer counter (count and points), under the sender."
)

# Reports: daily aggregates kept from the event stream -----------------------------------------
REPORTS = "REPORTS"

report_day_sk = _dated("DAY#")


def report_part_sk(day: date, part: str, name: str) -> str:
    """A per-day counter of one source (``SOURCE``) or catalog item (``ITEM``)."""
    return f"DAY#{day.isoformat()}#{part}#{name}"


active_pk = _dated(
    "ACTIVE#", "Before issue 23: a marker per member active that day (read only now)."
)

# Since issue 23 the consumer adds a batch's numbers to one of REPORT_SHARDS partitions picked
# at random (``REPORTS#00``..): the day's counters (``report_day_sk``, sources and items as
# ``SOURCE#<name>`` / ``ITEM#<id>`` attributes) and the day's active-member sketch.
REPORT_SHARDS = 4
report_shard_pk = _sharded("REPORTS#", "One of the report counters' partitions (issue 23).")
report_sketch_sk = _dated("HLL#", "A day's active-member sketch in one report shard.")


def report_running_day_sk(day: date) -> str:
    """A day's counters in one report shard since the running totals (``DAY#<date>#T``:
    sorted right after the day's item of before, ``DAY#<date>``, which is no longer written)."""
    return f"{report_day_sk(day)}#T"


def report_total_pk(shard: int) -> str:
    """``REPORTS#<k>#TOTAL`` / :data:`REPORT_TOTAL_SK`: a shard's running all-time totals
    (every transaction adding to a ``DAY#<date>#T`` item adds the same to it), a partition of
    its own so the day's partition takes no more writes."""
    return f"{report_shard_pk(shard)}#TOTAL"


REPORT_TOTAL_SK = "TOTAL"
# In ``REPORTS#00``: the all-time totals of the days counted before the running totals.
REPORT_BASE_SK = "BASE"
# In ``REPORTS#00``: when the counted-events table took over the events' markers (absent
# ``since``: nothing was counted before it, so no marker of before to look for).
REPORT_COUNTED_SK = "COUNTED"
aggregated_pk = _prefixed("AGG#", "Marker: this event was counted (events arrive at least once).")
AGGREGATED_SK = "AGG"

# Lottery: campaigns, prize stock, stats shards, draws, daily counters -------------------------
LOTTERY = "LOTTERY#"
LOTTERY_SK = "LOTTERY"  # the campaign's definition in its own partition
LOTTERIES = "LOTTERIES"  # partition listing the campaigns by end time (one Query)
PRIZE = "PRIZE#"
LOTTERY_STATS = "STATS#"
DRAW = "DRAW#"
LOTTERY_DRAWS = "LOTTERYDRAWS#"
LOTTERY_DAY = "LIMIT#LOTTERY#"

lottery_pk = _prefixed(
    LOTTERY, "A campaign's partition: its definition and its limited prizes' stock items."
)
prize_sk = _prefixed(PRIZE)
# Before issue 23 the stats shards shared the campaign's partition (``STATS#00..09``): still
# read (and summed) for campaigns that have them, never written any more.
lottery_stats_sk = _sharded(
    LOTTERY_STATS, "One of a campaign's old counter shards, in the campaign's own partition."
)
LOTTERY_STATS_SK = "STATS"  # the sort key of a counter shard in its own partition


def lottery_stats_pk(lottery_id: str, shard: int) -> str:
    """``LOTTERY#<id>#STATS#<nn>``: one of a campaign's counter shards, each a partition of its
    own (each draw adds to one, picked at random), so the draws' counting spreads."""
    return f"{lottery_pk(lottery_id)}#{LOTTERY_STATS}{shard:02d}"


def lottery_prize_shard_pk(lottery_id: str, prize_id: str, shard: int) -> str:
    """``LOTTERY#<id>#PRIZE#<prize_id>#<nn>`` / ``STOCK``: one share of a limited prize's
    stock, a partition of its own, so the wins of a prize won often spread (issue 23)."""
    return f"{lottery_pk(lottery_id)}#{PRIZE}{prize_id}#{shard:02d}"


# The campaign's line in ``LOTTERIES``: by end time, so "not ended yet" is one range.
lottery_listing_sk = time_ordered_sk  # ends_at_utc, lottery_id
draw_sk = _prefixed(DRAW, "A draw's record lives in its member's partition (ids are time-ordered).")
lottery_draws_pk = _prefixed(
    LOTTERY_DRAWS,
    "GSI ``by_status`` partition of a campaign's draws before issue 23 (still read).",
)


def lottery_draws_shard_pk(lottery_id: str, shard: int) -> str:
    """``LOTTERYDRAWS#<id>#<nn>``: one of the GSI ``by_status`` partitions a campaign's draw
    records are spread on (the operators' audit merges them, newest first)."""
    return f"{lottery_draws_pk(lottery_id)}#{shard:02d}"


lottery_draws_sk = time_ordered_sk  # at_utc, draw_id


def lottery_day_prefix(day: date) -> str:
    """Every per-campaign draw counter of a member on one programme day (one Query)."""
    return f"{LOTTERY_DAY}{day.isoformat()}#"


def lottery_day_sk(day: date, lottery_id: str) -> str:
    """Per-member counter of the draws on one campaign on one day (expires by TTL)."""
    return f"{lottery_day_prefix(day)}{lottery_id}"


# Targeting: extra lottery draws earned by spend, per-month redemption counters ---------------
EXTRA_DRAWS = "XDRAWS#"

extra_draws_terms_sk = _prefixed(
    EXTRA_DRAWS,
    "A lottery's extra-draw terms in ``PROGRAMME`` (loaded with the rules: a purchase reads none).",
)
extra_draws_sk = _prefixed(
    EXTRA_DRAWS, "A member's extra draws left on one lottery, earned by purchases."
)


def limit_month_sk(item_id: str, month: str) -> str:
    """Per-member counter of the units of one item redeemed in one month "YYYY-MM" (TTL)."""
    return f"{LIMIT}MONTH#{month}#{item_id}"


# Jobs: checkpointed runs ----------------------------------------------------------------------
JOB = "JOB#"

job_pk = _prefixed(JOB)
job_run_sk = _prefixed("RUN#")


def job_shard_sk(run: str, shard: int) -> str:
    """A fanned-out run's checkpoint of one shard (its partition ``job_pk``, beside the run's
    item ``RUN#<run>``): where the shard's task stopped, its counters, its lease."""
    return f"{job_run_sk(run)}#SHARD#{shard:04d}"


def job_shards_prefix(run: str) -> str:
    """Every shard checkpoint of ``run`` (``begins_with``)."""
    return f"{job_run_sk(run)}#SHARD#"


# Rebates: campaigns (in the programme partition), accruals and statements ---------------------
REBATE = "REBATE#"
REBATE_SHARDS = 16  # never change: accruals would be stranded in the old shards
REBATE_PAYOUT = "PAYOUT#rebate#"

rebate_campaign_sk = _prefixed(
    REBATE, "A rebate campaign's definition, in ``PROGRAMME`` (loaded with the rules, one Query)."
)
rebate_sk = _prefixed(
    REBATE, "A member's accrual and, once settled, statement in one campaign (member partition)."
)


def rebate_index(campaign_id: str, member_id: str) -> dict[str, str]:
    """GSI ``by_campaign`` attributes of an accrual: the campaign's participants, in shards,
    so settlement reads the participants and never the members."""
    return {
        "cp_pk": rebate_shard_pk(campaign_id, shard_of(member_id, REBATE_SHARDS)),
        "cp_sk": member_id,
    }


def rebate_shard_pk(campaign_id: str, shard: int) -> str:
    return f"{REBATE}{campaign_id}#{shard:02d}"


def rebate_status_pk(campaign_id: str, status: str) -> str:
    """GSI ``by_status`` partition of a campaign's statements in one status (the console)."""
    return f"{REBATE}{campaign_id}#{status}"


rebate_payout_sk = _prefixed(
    REBATE_PAYOUT,
    "A bank payout record for finance (member partition), written when a statement is paid.",
)

# Audit log: every operator write, by month; by actor and by target through reused indexes ----
audit_log_pk = _prefixed(
    "AUDITLOG#", "The audit log's partition of one month (``YYYY-MM``, UTC), entries by time."
)
audit_actor_pk = _prefixed("AUDITBY#", "GSI ``by_status`` partition: one actor's audit entries.")
audit_target_pk = _prefixed("AUDITON#", "GSI ``by_order`` partition: one target's audit entries.")

# Contact lookups: a member by the keyed hash of a phone or e-mail (never the clear value) ---
CONTACT = "CONTACT#"
contact_pk = _prefixed(
    CONTACT, "``CONTACT#<hex HMAC>`` (shared/pii.py): the members with one phone or e-mail."
)

# Exports: one item per export job (operators' CSV files for finance) --------------------------
export_pk = _prefixed("EXPORT#", "An export job's own partition: its request, status and rows.")
EXPORT_SK = "EXPORT"

# Imports: one partition per members import (its status item and its rejected rows) -----------
import_pk = _prefixed("IMPORT#", "An import's own partition: its status item and rejected rows.")
IMPORT_SK = "IMPORT"
IMPORTS_ACTIVE = "IMPORTS#active"  # GSI by_status: unfinished imports (the resume schedule)


def import_rejected_sk(row: int) -> str:
    """A rejected row of an import, in row order."""
    return f"REJECTED#{row:010d}"


# Risk: the review queue ----------------------------------------------------------------------
REVIEW = "REVIEW#"
REVIEWS_IN = "REVIEWS#"

review_pk = _prefixed(REVIEW, "A credit waiting for (or decided by) an operator; sk ``REVIEW``.")
reviews_status_pk = _prefixed(
    REVIEWS_IN, "GSI ``by_status`` partition: the reviews in one status (the operators' queue)."
)

# Second approval: operator adjustments above the programme's threshold ------------------------
ADJUSTMENT = "ADJUSTMENT#"
ADJUSTMENTS_IN = "ADJUSTMENTS#"

adjustment_pk = _prefixed(
    ADJUSTMENT, "An adjustment waiting for (or decided by) a second operator; sk ``ADJUSTMENT``."
)
adjustments_status_pk = _prefixed(
    ADJUSTMENTS_IN, "GSI ``by_status`` partition: the adjustments awaiting approval, or decided."
)

# Leaderboard: members who earned, by the month of their last counted credit; snapshots -------
BOARD = "BOARD#"
BOARD_SHARDS = 16  # never change: members would be stranded in the old shards
LEADERBOARD = "LEADERBOARD#"
SNAPSHOT_SK = "SNAPSHOT"

board_shard_pk = _sharded(BOARD, "GSI ``by_board`` partition: one shard of the members who earned.")


def board_index(member_id: str, month: str) -> dict[str, str]:
    """GSI ``by_board`` keys a profile gets with each credit that counts for the leaderboard:
    its shard, and ``<YYYY-MM of that credit>#<member id>``, so the members who earned since
    a month are one range query per shard (the key changes once a month per member)."""
    return {
        "board_pk": board_shard_pk(shard_of(member_id, BOARD_SHARDS)),
        "board_sk": f"{month}#{member_id}",
    }


def leaderboard_pk(period: str, key: str) -> str:
    """A leaderboard's snapshot (sk ``SNAPSHOT``): ``period`` month|year, ``key`` 2026-11|2026."""
    return f"{LEADERBOARD}{period}#{key}"
