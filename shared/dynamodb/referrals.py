"""Data access for referral codes: ``REFCODE#<code>`` → the member who owns the code.

Registration writes the code's item in its own transaction (``shared.dynamodb.members``).
"""

from __future__ import annotations

from shared.domain.referrals import Referral
from shared.dynamodb import keys
from shared.dynamodb.models.members import ReferralCodeItem
from shared.dynamodb.values import row_at


def owner(code: str) -> Referral | None:
    """Who a new member naming ``code`` would be referred by: the code's owner, and the
    owner's own referrer (the second level); None for an unknown code."""
    item = row_at(ReferralCodeItem, keys.referral_code_pk(code), keys.REFCODE_SK, consistent=False)
    if item is None:
        return None
    return Referral(referred_by=item.member_id, chain=item.referred_by)
