"""Data access for a reported purchase: its credit and, on a referred member's first
purchase, the referral bonuses — all in ONE transaction.

The purchase is written against an *expectation* of the member's state (status, tier,
referral bonuses pending) put in the profile update's condition, so no read is needed:
when the member is as expected (the usual case) the purchase is one round trip; when not,
the cancellation returns the member's image (``ALL_OLD``) and the caller recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.domain.ledger import Credit
from shared.domain.rules import Rules
from shared.dynamodb import keys
from shared.dynamodb.members import (
    ENTRY,
    PROFILE,
    Written,
    add_credit,
    add_credit_entry,
    credit_actions,
)
from shared.dynamodb.models import LedgerItem, MemberItem
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.errors import MemberNotFound

OWN_REWARD = "own"


@dataclass(frozen=True, slots=True)
class Expect:
    """The member state a purchase was computed for (checked by the profile condition)."""

    status: str  # "active" or "frozen"
    tier: str
    default_tier: bool  # the programme's first tier: also matches a member without ``tier``
    pending: bool  # referral bonuses wait for this member's first purchase


class Stale(Exception):
    """The member is not as expected; ``member`` is its current image."""

    def __init__(self, member: MemberItem):
        super().__init__(member.member_id)
        self.member = member


class RecipientRefused(Exception):
    """A referral bonus recipient is not active (or was already paid): leave them out."""

    def __init__(self, member_id: str):
        super().__init__(member_id)
        self.member_id = member_id


def _condition(expect: Expect) -> Any:
    tier = MemberItem.tier == expect.tier
    if expect.default_tier:
        tier = tier | MemberItem.tier.does_not_exist()
    rewarded = MemberItem.first_purchase_rewarded
    if expect.pending:
        pending = rewarded == False  # noqa: E712 - a DynamoDB condition, not a Python test
    else:
        pending = rewarded.does_not_exist() | (rewarded == True)  # noqa: E712
    return MemberItem.pk.exists() & (MemberItem.status == expect.status) & tier & pending


def record(
    credit: Credit,
    rules: Rules,
    expect: Expect,
    rewards: list[Credit],
    **entry_fields: Any,
) -> Written:
    """Write the purchase credit (once per order) and ``rewards`` (referral bonuses).

    Paying the bonuses flips ``first_purchase_rewarded`` to true in the same transaction,
    guarded by its being false, and each bonus entry is keyed
    ``LEDGER#referral#<new member>`` under its recipient: each bonus is paid once, even
    when first purchases race or are retried. Raises :class:`Stale` or
    :class:`RecipientRefused` for the caller to recompute.
    """
    own = [r for r in rewards if r.member_id == credit.member_id]
    others = [r for r in rewards if r.member_id != credit.member_id]
    pay_bonuses = expect.pending and expect.status == "active"

    def attempt() -> Written:
        tx = Tx()
        actions = credit_actions([credit, *own])
        if pay_bonuses:
            actions.append(MemberItem.first_purchase_rewarded.set(True))
        tx.update(
            PROFILE,
            MemberItem(pk=keys.member_pk(credit.member_id), sk=keys.PROFILE),
            actions,
            condition=_condition(expect),
        )
        entry = add_credit_entry(tx, credit, rules, **entry_fields)
        for reward in own:
            add_credit_entry(tx, reward, rules, label=OWN_REWARD)
        for i, reward in enumerate(others):
            add_credit(
                tx,
                reward,
                rules,
                label=f"r{i}",
                condition=MemberItem.pk.exists() & (MemberItem.status == "active"),
            )
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ENTRY in cancelled:
                return Written(image(cancelled.failed[ENTRY], LedgerItem), replayed=True)
            if PROFILE in cancelled:
                member = image(cancelled.failed[PROFILE], MemberItem)
                if member is None:
                    raise MemberNotFound(f"member {credit.member_id!r} is not registered") from None
                raise Stale(member) from None
            for i, reward in enumerate(others):
                if f"r{i}{PROFILE}" in cancelled or f"r{i}{ENTRY}" in cancelled:
                    raise RecipientRefused(reward.member_id) from None
            raise
        return Written(entry, replayed=False)

    return run(attempt)
