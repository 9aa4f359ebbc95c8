"""Use cases of referrals: resolve the code a new member names at registration."""

from __future__ import annotations

from shared.domain.referrals import Referral, refusal
from shared.dynamodb import referrals as referrals_repo
from shared.errors import Invalid


def _invalid(problem: str) -> Invalid:
    return Invalid(f"referral_code {problem}", details={"fields": {"referral_code": problem}})


def resolve(code: str, member_id: str) -> Referral:
    """The referrer (and their referrer) behind ``code``; 422 if unknown, own or a loop."""
    found = referrals_repo.owner(code.upper())
    if found is None:
        raise _invalid("is not a known referral code")
    problem = refusal(member_id, found.referred_by, found.chain)
    if problem is not None:
        raise _invalid(problem)
    return found
