"""Every key and index key of the table is built here, and nowhere else."""

from __future__ import annotations

import hashlib
from datetime import date

# Members and their ledger: profile, entries, lots, audit trail --------------------------------
MEMBER = "MEMBER#"
PROFILE = "PROFILE"
LEDGER = "LEDGER#"
LOT = "LOT#"
ORDER = "ORDER#"
AUDIT = "AUDIT#"


def member_pk(member_id: str) -> str:
    return f"{MEMBER}{member_id}"


def member_id_of(pk: str) -> str:
    return pk.removeprefix(MEMBER)


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


def order_pk(order_id: str) -> str:
    """GSI ``by_order``: the shop's order id → its purchase ledger entry."""
    return f"{ORDER}{order_id}"


def audit_sk(at_utc: str, action: str) -> str:
    return f"AUDIT#{at_utc}#{action}"


def shard_of(member_id: str, shards: int) -> int:
    digest = hashlib.blake2b(member_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % shards


# Expiry: open lots by expiry date, reminder markers -------------------------------------------
EXPIRY = "EXPIRY#"


def expiry_pk(shard: int) -> str:
    """GSI ``by_expiry`` partition: open lots spread over ``shards`` partitions.

    The sort key starts with the expiry date, so "everything due before day D" is one
    range query per shard, and the job's cost follows the lots due, not the members.
    """
    return f"{EXPIRY}{shard:02d}"


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


def campaign_sk(campaign_id: str) -> str:
    return f"{CAMPAIGN}{campaign_id}"


def task_sk(task_id: str) -> str:
    return f"{TASK}{task_id}"


def referral_code_pk(code: str) -> str:
    return f"{REFCODE}{code}"


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


def item_pk(item_id: str) -> str:
    """A catalog item's own partition: its stock and counters (the hot item of a sale)."""
    return f"{ITEM}{item_id}"


def catalog_sk(item_id: str) -> str:
    """The item's entry in the ``CATALOG`` listing partition."""
    return f"{ITEM}{item_id}"


def mall_order_sk(order_id: str) -> str:
    """Orders live in their member's partition; ids are time-ordered (newest-first query)."""
    return f"{MALL_ORDER}{order_id}"


def mall_order_id_key(order_id: str) -> str:
    """GSI ``by_order`` key of a mall order (operators and the shop find it by id)."""
    return f"{MALL_ORDER_ID}{order_id}"


def orders_status_pk(status: str) -> str:
    """GSI ``by_status`` partition: orders in one status (operators' queue, the sweep)."""
    return f"{ORDERS_IN}{status}"


def orders_status_sk(placed_at_utc: str, order_id: str) -> str:
    return f"{placed_at_utc}#{order_id}"


def coupon_pk(code: str) -> str:
    return f"{COUPON}{code}"


def limit_item_sk(item_id: str) -> str:
    """Per-member counter of the units of one item ever redeemed."""
    return f"{LIMIT}ITEM#{item_id}"


def limit_day_sk(kind: str, day: date) -> str:
    """Per-member counter of the units of one kind redeemed on one day (expires by TTL)."""
    return f"{LIMIT}DAY#{day.isoformat()}#{kind}"


def payouts_pk(day: date) -> str:
    """Cash-out payout records for finance, one partition per programme day."""
    return f"{PAYOUTS}{day.isoformat()}"


def payout_sk(order_id: str) -> str:
    return f"PAYOUT#{order_id}"


# Checkout: holds ------------------------------------------------------------------------------
HOLD = "HOLD#"
HOLD_SK = "HOLD"
HOLD_EXPIRY = "HOLDEXP#"


def hold_pk(hold_id: str) -> str:
    return f"{HOLD}{hold_id}"


def hold_expiry_pk(shard: int) -> str:
    """GSI ``by_expiry`` partition of active holds (apart from lots' ``EXPIRY#``)."""
    return f"{HOLD_EXPIRY}{shard:02d}"


def hold_expiry_sk(expires_at_utc: str, hold_id: str) -> str:
    return f"{expires_at_utc}#{hold_id}"


# Transfers ------------------------------------------------------------------------------------
def transfers_day_sk(day: date) -> str:
    """Per-sender per-day transfer counter (count and points), under the sender."""
    return f"TRANSFERS#{day.isoformat()}"


# Reports: daily aggregates kept from the event stream -----------------------------------------
REPORTS = "REPORTS"


def report_day_sk(day: date) -> str:
    return f"DAY#{day.isoformat()}"


def report_part_sk(day: date, part: str, name: str) -> str:
    """A per-day counter of one source (``SOURCE``) or catalog item (``ITEM``)."""
    return f"DAY#{day.isoformat()}#{part}#{name}"


def active_pk(day: date) -> str:
    return f"ACTIVE#{day.isoformat()}"


def aggregated_pk(event_id: str) -> str:
    """Marker: this event was counted (events arrive at least once)."""
    return f"AGG#{event_id}"


# Lottery: campaigns, prize stock, stats shards, draws, daily counters -------------------------
LOTTERY = "LOTTERY#"
LOTTERY_SK = "LOTTERY"  # the campaign's definition in its own partition
LOTTERIES = "LOTTERIES"  # partition listing the campaigns by end time (one Query)
PRIZE = "PRIZE#"
LOTTERY_STATS = "STATS#"
DRAW = "DRAW#"
LOTTERY_DRAWS = "LOTTERYDRAWS#"
LOTTERY_DAY = "LIMIT#LOTTERY#"


def lottery_pk(lottery_id: str) -> str:
    """A campaign's partition: its definition, its limited prizes' stock, its stats shards."""
    return f"{LOTTERY}{lottery_id}"


def prize_sk(prize_id: str) -> str:
    return f"{PRIZE}{prize_id}"


def lottery_stats_sk(shard: int) -> str:
    """One of the campaign's counter shards (each draw adds to one, picked at random)."""
    return f"{LOTTERY_STATS}{shard:02d}"


def lottery_listing_sk(ends_at_utc: str, lottery_id: str) -> str:
    """The campaign's line in ``LOTTERIES``: by end time, so "not ended yet" is one range."""
    return f"{ends_at_utc}#{lottery_id}"


def draw_sk(draw_id: str) -> str:
    """A draw's record lives in its member's partition (ids are time-ordered)."""
    return f"{DRAW}{draw_id}"


def lottery_draws_pk(lottery_id: str) -> str:
    """GSI ``by_status`` partition of a campaign's draws (the operators' audit, newest first)."""
    return f"{LOTTERY_DRAWS}{lottery_id}"


def lottery_draws_sk(at_utc: str, draw_id: str) -> str:
    return f"{at_utc}#{draw_id}"


def lottery_day_prefix(day: date) -> str:
    """Every per-campaign draw counter of a member on one programme day (one Query)."""
    return f"{LOTTERY_DAY}{day.isoformat()}#"


def lottery_day_sk(day: date, lottery_id: str) -> str:
    """Per-member counter of the draws on one campaign on one day (expires by TTL)."""
    return f"{lottery_day_prefix(day)}{lottery_id}"


# Jobs: checkpointed runs ----------------------------------------------------------------------
JOB = "JOB#"


def job_pk(job: str) -> str:
    return f"{JOB}{job}"


def job_run_sk(run: str) -> str:
    return f"RUN#{run}"


# Rebates: campaigns (in the programme partition), accruals and statements ---------------------
REBATE = "REBATE#"
REBATE_SHARDS = 16  # never change: accruals would be stranded in the old shards
REBATE_PAYOUT = "PAYOUT#rebate#"


def rebate_campaign_sk(campaign_id: str) -> str:
    """A rebate campaign's definition, in ``PROGRAMME`` (loaded with the rules, one Query)."""
    return f"{REBATE}{campaign_id}"


def rebate_sk(campaign_id: str) -> str:
    """A member's accrual and, once settled, statement in one campaign (member partition)."""
    return f"{REBATE}{campaign_id}"


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


def rebate_payout_sk(campaign_id: str) -> str:
    """A bank payout record for finance (member partition), written when a statement is paid."""
    return f"{REBATE_PAYOUT}{campaign_id}"
