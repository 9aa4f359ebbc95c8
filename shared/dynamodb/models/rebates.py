"""Year-end rebates: a member's accrual and statement in one campaign, bank payout records.

The campaign definitions themselves are ``ProgrammeItem`` rows (``PROGRAMME`` /
``REBATE#<cid>``), loaded with the earning rules in one Query.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from shared.dynamodb.models.base import Item
from shared.dynamodb.models.indexes import ByCampaign, ByStatus


class RebateItem(Item):
    """``MEMBER#<mid>`` / ``REBATE#<cid>``: the accrual (written with ``ADD`` by purchases,
    refunds and receipts until the campaign closes or the item is settled) and, once
    settled, the statement on the same item (``status`` set: no accrual write applies)."""

    # Accrual: bases only, integers (cents / units), so ADD stays exact.
    campaign_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    qualifying = NumberAttribute(default=0)  # cents
    listed = NumberAttribute(default=0)  # cents of the quantity ladder's SKUs
    # One entry per accruing write: {"n": {sku: units}, "b": {bundle id: cents}} (signed,
    # non-zero only); the item's per-SKU units and per-bundle cents are their sums.
    deltas = ListAttribute(of=MapAttribute, null=True)
    referral = NumberAttribute(default=0)  # cents of referred customers' confirmed purchases
    ver = NumberAttribute(default=0)  # +1 on every change; settlement writes against it
    cp_pk = UnicodeAttribute(null=True)  # GSI by_campaign: REBATE#<cid>#<NN>
    cp_sk = UnicodeAttribute(null=True)  # member id

    # Statement (settlement, review, payout).
    status = UnicodeAttribute(null=True)  # draft | approved | rejected | paid
    lines = ListAttribute(of=MapAttribute, null=True)  # {rule, basis, rate, amount} strings
    total = UnicodeAttribute(null=True)  # decimal string, after the cap
    capped = BooleanAttribute(null=True)
    settled_at = UnicodeAttribute(null=True)
    adjustment = UnicodeAttribute(null=True)  # signed decimal string
    reason = UnicodeAttribute(null=True)
    reviewed_by = UnicodeAttribute(null=True)
    reviewed_at = UnicodeAttribute(null=True)
    payable = UnicodeAttribute(null=True)  # decimal string: total + adjustment
    paid_at = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)  # points payout
    payout_ref = UnicodeAttribute(null=True)  # bank payout: the payout record's reference
    st_pk = UnicodeAttribute(null=True)  # GSI by_status: REBATE#<cid>#<status>
    st_sk = UnicodeAttribute(null=True)  # member id

    by_campaign = ByCampaign()
    by_status = ByStatus()


class RebatePayoutItem(Item):
    """``MEMBER#<mid>`` / ``PAYOUT#rebate#<cid>``: a bank payout for finance to execute."""

    member_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    amount = UnicodeAttribute()  # decimal string
    currency = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # pending
    at = UnicodeAttribute()  # UTC ISO-8601
