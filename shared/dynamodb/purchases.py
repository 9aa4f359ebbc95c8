"""Data access for a reported purchase: its credit and, on a referred member's first
purchase, the referral bonuses — all in ONE transaction.

The purchase is written against an *expectation* of the member's state (status, tier and
qualifying total, referral bonuses pending) put in the profile update's condition, so no
read is needed: when the member is as expected (the usual case) the purchase is one round
trip; when not, the cancellation returns the member's image (``ALL_OLD``) and the caller
recomputes.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from shared.domain.ledger import Credit
from shared.domain.rules import Rules
from shared.dynamodb import keys, tiers
from shared.dynamodb.members import (
    ENTRY,
    PROFILE,
    Written,
    add_credit,
    add_credit_entry,
    credit_actions,
)
from shared.dynamodb.models import LedgerItem, MemberItem
from shared.dynamodb.tiers import Standing
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.errors import MemberNotFound

OWN_REWARD = "own"


class Expect(Struct, frozen=True):
    """The member state a purchase was computed for (checked by the profile condition)."""

    status: str  # "active" or "frozen"
    standing: Standing  # tier (its multiplier) and qualifying total (promotion), see tiers
    pending: bool  # referral bonuses wait for this member's first purchase

    @property
    def tier(self) -> str | None:
        return self.standing.tier


class Stale(Exception):
    """The member is not as expected; ``member`` is its current image."""

    def __init__(self, member: MemberItem):
        super().__init__(member.member_id)
        self.member = member


class RecipientsChanged(Exception):
    """Referral bonus recipients to leave out (``refused``: not active, or already paid) or
    whose standing differs from the expected one (``stale``: their current images)."""

    def __init__(self, refused: set[str], stale: dict[str, MemberItem]):
        super().__init__(sorted(refused | set(stale)))
        self.refused = refused
        self.stale = stale


def _condition(expect: Expect) -> Any:
    rewarded = MemberItem.first_purchase_rewarded
    if expect.pending:
        pending = rewarded == False  # noqa: E712 - a DynamoDB condition, not a Python test
    else:
        pending = rewarded.does_not_exist() | (rewarded == True)  # noqa: E712
    return MemberItem.pk.exists() & (MemberItem.status == expect.status) & pending


def record(
    credit: Credit,
    rules: Rules,
    expect: Expect,
    rewards: list[Credit],
    recipients: dict[str, Standing] | None = None,
    **entry_fields: Any,
) -> Written:
    """Write the purchase credit (once per order) and ``rewards`` (referral bonuses).

    Paying the bonuses flips ``first_purchase_rewarded`` to true in the same transaction,
    guarded by its being false, and each bonus entry is keyed
    ``LEDGER#referral#<new member>`` under its recipient: each bonus is paid once, even
    when first purchases race or are retried. Qualifying points may promote the member
    (and a bonus its recipient) in the same transaction (``shared.dynamodb.tiers``);
    ``recipients`` holds the recipients' known standings (blind otherwise). Raises
    :class:`Stale` or :class:`RecipientsChanged` for the caller to recompute.
    """
    own = [r for r in rewards if r.member_id == credit.member_id]
    others = [r for r in rewards if r.member_id != credit.member_id]
    pay_bonuses = expect.pending and expect.status == "active"
    known = recipients or {}

    def attempt() -> Written:
        tx = Tx()
        tier = tiers.credit_part(
            credit.member_id, expect.standing, [credit, *own], rules, credit.at, pin_tier=True
        )
        actions = credit_actions([credit, *own], total_correction=tier.correction)
        actions += tier.actions
        if pay_bonuses:
            actions.append(MemberItem.first_purchase_rewarded.set(True))
        tx.update(
            PROFILE,
            MemberItem(pk=keys.member_pk(credit.member_id), sk=keys.PROFILE),
            actions,
            condition=_condition(expect)
            if tier.condition is None
            else _condition(expect) & tier.condition,
        )
        tier.add_audit(tx)
        entry = add_credit_entry(tx, credit, rules, **entry_fields)
        for reward in own:
            add_credit_entry(tx, reward, rules, label=OWN_REWARD)
        for i, reward in enumerate(others):
            standing = known.get(reward.member_id) or Standing.blind(None, reward.earned_on)
            add_credit(
                tx,
                reward,
                rules,
                label=f"r{i}",
                condition=MemberItem.pk.exists() & (MemberItem.status == "active"),
                tier=tiers.credit_part(reward.member_id, standing, [reward], rules, reward.at),
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
            refused: set[str] = set()
            stale: dict[str, MemberItem] = {}
            for i, reward in enumerate(others):
                if f"r{i}{ENTRY}" in cancelled:
                    refused.add(reward.member_id)
                elif f"r{i}{PROFILE}" in cancelled:
                    member = image(cancelled.failed[f"r{i}{PROFILE}"], MemberItem)
                    if member is None or member.status != "active":
                        refused.add(reward.member_id)
                    else:  # active: its tier standing was not as expected
                        stale[reward.member_id] = member
            if refused or stale:
                raise RecipientsChanged(refused, stale) from None
            raise
        return Written(entry, replayed=False)

    return run(attempt)
