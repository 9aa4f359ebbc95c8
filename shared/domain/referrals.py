"""Referrals: codes, who a new member may name as referrer, and who is rewarded."""

from __future__ import annotations

import secrets

from msgspec import Struct

from shared.domain.rules import Rules

# No 0/O, 1/I/L: codes are read aloud and typed from screenshots.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8  # 31^8 ≈ 8.5e11 codes: not guessable by trying


def new_code() -> str:
    """A fresh, unguessable referral code (cryptographically secure randomness)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


class Referral(Struct, frozen=True):
    """Who referred a new member, and who referred the referrer (second level)."""

    referred_by: str  # the referrer's member id
    chain: str | None  # the referrer's own referrer (second level), if any


def refusal(member_id: str, referrer: str, referrer_referrer: str | None) -> str | None:
    """Why ``member_id`` may not be referred by ``referrer`` (None if it may).

    Codes resolve at registration and a member's referrer never changes afterwards, so the
    referral graph only grows by new members pointing at existing ones; these checks refuse
    the only shapes a request could still ask for: naming oneself, or closing a loop through
    one's own referee.
    """
    if referrer == member_id:
        return "is the member's own code (self-referral)"
    if referrer_referrer == member_id:
        return "belongs to a member this member referred (referral loop)"
    return None


class Reward(Struct, frozen=True):
    """Points a referral credits to one member (the referrer or the new member)."""

    member_id: str
    points: int
    role: str  # referrer | referee | second_level


def first_purchase_rewards(member_id: str, referral: Referral, rules: Rules) -> list[Reward]:
    """Who gets what when a referred member makes a first purchase (zero rewards dropped)."""
    rewards = [
        Reward(referral.referred_by, rules.referral_referrer_points, "referrer"),
        Reward(member_id, rules.referral_referee_points, "referee"),
    ]
    if referral.chain and referral.chain not in (member_id, referral.referred_by):
        rewards.append(Reward(referral.chain, rules.referral_second_level_points, "second_level"))
    return [r for r in rewards if r.points > 0]
