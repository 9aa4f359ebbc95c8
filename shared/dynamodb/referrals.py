"""Data access for referral codes: ``REFCODE#<code>`` → the member who owns the code.

Registration writes the code's item in its own transaction (``shared.dynamodb.members``).
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from shared.domain.referrals import Referral
from shared.dynamodb import keys
from shared.dynamodb.models.members import ReferralCodeItem


def owner(code: str) -> Referral | None:
    """Who a new member naming ``code`` would be referred by: the code's owner, and the
    owner's own referrer (the second level); None for an unknown code."""
    try:
        item = ReferralCodeItem.get(keys.referral_code_pk(code), keys.REFCODE_SK)
    except DoesNotExist:
        return None
    return Referral(referred_by=item.member_id, chain=item.referred_by)
