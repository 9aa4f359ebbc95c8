"""Data access for rebate statements: a campaign's participants, settlement, statements.

A statement lives on the member's accrual item (``MEMBER#<mid>`` / ``REBATE#<cid>``,
``RebateItem``): settlement sets ``status`` there, after which no purchase, refund or receipt
writes to the accrual (their condition is ``attribute_not_exists(status)``). A campaign's
participants are its accrual items, read from the sparse GSI ``by_campaign`` shard by shard,
so the cost of settlement and of the live totals follows the participants, never the members.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from msgspec import Struct

from shared.clock import utc_iso
from shared.domain.rebate_review import DRAFT
from shared.domain.rebate_statements import Line, Statement
from shared.domain.rebates import Accrual
from shared.dynamodb import keys
from shared.dynamodb.models.base import as_plain
from shared.dynamodb.models.rebates import RebateItem
from shared.dynamodb.rebates import summed
from shared.dynamodb.tx import updated
from shared.dynamodb.values import row_at, value_of


class StatementRecord(Struct, frozen=True):
    """A settled statement as stored, with its review and payout once they happened."""

    campaign_id: str
    member_id: str
    status: str  # draft | approved | rejected | paid
    qualifying: int  # cents, the accrual the statement was computed from
    lines: tuple[Line, ...]
    total: Decimal
    capped: bool
    settled_at: str
    ver: int = 0
    adjustment: Decimal | None = None
    reason: str | None = None
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    payable: Decimal | None = None
    paid_at: str | None = None
    points: int | None = None
    payout_ref: str | None = None


class Participant(Struct, frozen=True):
    """A member's accrual in a campaign and, once settled, its statement."""

    accrual: Accrual
    statement: StatementRecord | None = None


def accrual_of(item: RebateItem) -> Accrual:
    """The accrual an item holds, its ``deltas`` summed into per-SKU units and per-bundle
    cents (the one conversion of the stored accrual into the domain's)."""
    quantity, bundles = summed(as_plain(item.deltas))
    return value_of(item, Accrual, quantity=quantity, bundles=bundles)


def participant_of(item: RebateItem) -> Participant:
    accrual = accrual_of(item)
    if item.status is None:
        return Participant(accrual)
    return Participant(accrual, value_of(item, StatementRecord))


def shards() -> list[tuple[str, int]]:
    """Partitions of ``by_campaign`` per campaign (for :func:`participants`): (shard,)."""
    return [(shard,) for shard in range(keys.REBATE_SHARDS)]


def participants(campaign_id: str, shard: int) -> Iterator[Participant]:
    """One shard of a campaign's participants (GSI ``by_campaign``, projection ALL, paged
    lazily). The index is eventually consistent: :func:`settle` writes against the ``ver``
    read here and a stale read is refused and read again."""
    for item in RebateItem.by_campaign.query(keys.rebate_shard_pk(campaign_id, shard)):
        yield participant_of(item)


def read(campaign_id: str, member_id: str) -> Participant | None:
    """A member's accrual and statement in one campaign (consistent read); None: none."""
    item = row_at(RebateItem, keys.member_pk(member_id), keys.rebate_sk(campaign_id))
    return participant_of(item) if item is not None else None


def of_member(member_id: str) -> list[Participant]:
    """Every campaign the member accrued in: ONE Query of their partition (``REBATE#``)."""
    query = RebateItem.query(
        keys.member_pk(member_id),
        RebateItem.sk.startswith(keys.REBATE),
        consistent_read=True,
    )
    return [participant_of(item) for item in query]


def settle(accrual: Accrual, statement: Statement, at: datetime) -> bool:
    """Write ``statement`` (status draft) on the accrual item: ONE conditional UpdateItem,
    applied only if the item is still at the version read and not settled yet. False when
    it changed meanwhile (read it again) or someone settled it first."""
    item = RebateItem(pk=keys.member_pk(accrual.member_id), sk=keys.rebate_sk(accrual.campaign_id))
    actions = [
        RebateItem.status.set(DRAFT),
        RebateItem.lines.set([x.to_json() for x in statement.lines]),
        RebateItem.total.set(str(statement.total)),
        RebateItem.capped.set(statement.capped),
        RebateItem.settled_at.set(utc_iso(at)),
        RebateItem.st_pk.set(keys.rebate_status_pk(accrual.campaign_id, DRAFT)),
        RebateItem.st_sk.set(accrual.member_id),
    ]
    condition = (RebateItem.ver == accrual.ver) & RebateItem.status.does_not_exist()
    return updated(item, actions, condition)
