"""Data access for referral codes: ``REFCODE#<code>`` → the member who owns the code."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from shared.dynamodb import keys
from shared.dynamodb.models import ReferralCodeItem


def code_item(code: str, member_id: str, referred_by: str | None) -> ReferralCodeItem:
    """The lookup item registration writes (in its transaction) for a new member's code."""
    return ReferralCodeItem(
        pk=keys.referral_code_pk(code),
        sk=keys.REFCODE_SK,
        member_id=member_id,
        referred_by=referred_by,
    )


def owner(code: str) -> ReferralCodeItem | None:
    try:
        return ReferralCodeItem.get(keys.referral_code_pk(code), keys.REFCODE_SK)
    except DoesNotExist:
        return None
