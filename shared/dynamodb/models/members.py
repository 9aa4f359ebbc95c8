"""Members and their ledger: the profile (with the tier and birthday indexes), ledger entries,
lots, the audit trail, referral codes."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)

from shared.dynamodb.models.base import Item
from shared.dynamodb.models.indexes import ByBirthday, ByBoard, ByExpiry, ByOrder, ByTier, ByTime


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
    # Earning rules: referrals, check-in streak, daily activity cap.
    referral_code = UnicodeAttribute(null=True)  # the member's own code (item REFCODE#<code>)
    referred_by = UnicodeAttribute(null=True)  # the referrer's member id
    referrer_chain = UnicodeAttribute(null=True)  # the referrer's referrer (second level)
    first_purchase_rewarded = BooleanAttribute(null=True)  # False while referral bonuses wait
    checkin_last = UnicodeAttribute(null=True)  # date of the last check-in (programme zone)
    checkin_streak = NumberAttribute(null=True)  # consecutive days up to checkin_last
    activity_day = UnicodeAttribute(null=True)  # the day activity_points counts
    activity_points = NumberAttribute(null=True)  # check-in + task points credited that day
    # Tiers: the qualifying total kept for one month (see shared/dynamodb/tiers.py),
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
    # Leaderboard: set with each credit that counts (``qualifying``), see shared/leaderboard.py.
    earned_at = UnicodeAttribute(null=True)  # UTC ISO-8601 of the last such credit (ties)
    board_pk = UnicodeAttribute(null=True)  # GSI by_board: shard
    board_sk = UnicodeAttribute(null=True)  # "<YYYY-MM of that credit>#<member id>"
    # Contact details in clear (personal data): attributes of the profile only; lookups go
    # through CONTACT#<hmac> rows (shared/dynamodb/contacts.py), never an index on these.
    phone = UnicodeAttribute(null=True)  # E.164
    email = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    # Notification preferences (GET/PUT /v1/me/preferences): None = the programme's default
    # locale; SMS and e-mail only where the member opted in (in-app is always on).
    locale = UnicodeAttribute(null=True)  # "zh-CN" | "en"
    notify_sms = BooleanAttribute(null=True)
    notify_email = BooleanAttribute(null=True)
    # Risk (shared/dynamodb/reviews.py): purchase points credited on ``purchase_day`` (the
    # daily velocity), and purchases waiting in the review queue (order ids, their points).
    purchase_day = UnicodeAttribute(null=True)
    purchase_points = NumberAttribute(null=True)
    pending_reviews = UnicodeSetAttribute(null=True)
    pending_review = NumberAttribute(null=True)

    by_tier = ByTier()
    by_birthday = ByBirthday()
    by_board = ByBoard()


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
    description = UnicodeAttribute(default="")  # English, rendered when written
    # The text's stable code and what its template fills in (shared/i18n/catalogs/ledger.py);
    # absent on entries written before codes: readers show the stored description.
    code = UnicodeAttribute(null=True)
    params = MapAttribute(null=True)
    expires_on = UnicodeAttribute(null=True)  # credits: the lot's last valid day
    # Purchases (looked up by order id for refunds).
    order_pk = UnicodeAttribute(null=True)
    amount = UnicodeAttribute(null=True)  # decimal string
    currency = UnicodeAttribute(null=True)
    breakdown = ListAttribute(of=MapAttribute, null=True)
    refunded = UnicodeAttribute(null=True)  # decimal string, total refunded so far
    clawed_back = NumberAttribute(null=True)
    refunds = MapAttribute(null=True)  # refund_id -> {"amount", "points"}
    # Rebates: campaign id -> {"q", "l", "n": {sku: units}, "b": {bundle: cents}} this
    # purchase contributed; the receipt's time and the referrer's accrual it triggered
    # (campaign id -> {"referrer", "r"}).
    rebates = MapAttribute(null=True)
    occurred_at = UnicodeAttribute(null=True)  # when the purchase happened (shop's time)
    receipt_at = UnicodeAttribute(null=True)
    referral = MapAttribute(null=True)

    # Clawbacks: which refund/order they answer.
    order_id = UnicodeAttribute(null=True)
    # Operator adjustments: who made them.
    actor = UnicodeAttribute(null=True)
    # Members imports' opening balances: which import and row wrote them (a resumed import
    # tells its own earlier rows from another import's and from a repeated member id).
    import_id = UnicodeAttribute(null=True)
    import_row = NumberAttribute(null=True)

    by_time = ByTime()
    by_order = ByOrder()


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

    by_expiry = ByExpiry()


class AuditItem(Item):
    """One operator action on a member (``MEMBER#<id>`` / ``AUDIT#<at>#<action>``)."""

    member_id = UnicodeAttribute()
    action = UnicodeAttribute()  # adjust | freeze | unfreeze | ...
    actor = UnicodeAttribute()  # the operator's id (token sub)
    reason = UnicodeAttribute()
    at = UnicodeAttribute()  # UTC ISO-8601
    points = NumberAttribute(null=True)
    ref = UnicodeAttribute(null=True)  # e.g. the adjustment id


class ReferralCodeItem(Item):
    """``REFCODE#<code>`` → the member who owns the code (and that member's own referrer)."""

    member_id = UnicodeAttribute()
    referred_by = UnicodeAttribute(null=True)
