"""Data access for rebate campaigns (definitions in ``PROGRAMME``) and for the accruals that
purchases, refunds and receipts write *inside their own transactions*.

An accrual (``MEMBER#<mid>`` / ``REBATE#<cid>``) is changed by ``ADD`` only (exact integers,
no read), ``ver`` +1, with the ``by_campaign`` index keys set, on the condition that it is
not settled (``attribute_not_exists(status)``). Per-SKU units and per-bundle cents are
appended as one entry per write to the list ``deltas``
(``SET deltas = list_append(if_not_exists(deltas, :empty), :entry)``, valid whether or not
the item or the list exists yet), so every accruing write is one action per attribute, with
no guess about the item's state; reading sums the list (:func:`summed`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from msgspec import Struct

from shared.domain.audit import AuditEntry
from shared.domain.rebates import Contribution, RebateCampaign
from shared.dynamodb import audit, config, keys
from shared.dynamodb.models.base import Item
from shared.dynamodb.models.members import LedgerItem
from shared.dynamodb.models.programme import ProgrammeItem
from shared.dynamodb.models.rebates import RebateItem
from shared.dynamodb.tx import Cancelled, Tx, run

LABEL = "rebate|"
ENTRY = "entry"
CAMPAIGN = "campaign"


# Campaign definitions ----------------------------------------------------------------------
class Stored(Struct, frozen=True):
    """A stored definition and its JSON text as read (a write pins it)."""

    campaign: RebateCampaign
    data: str


def put_campaign(
    campaign: RebateCampaign, at: str, actor: str, change: AuditEntry, read: Stored | None
) -> bool:
    """Create (``read`` None) or replace the definition ``read``, with the audit entry
    ``change``, in one transaction. False when the stored definition is no longer the one
    read (the caller reads and decides again)."""
    item = ProgrammeItem(
        pk=keys.PROGRAMME,
        sk=keys.rebate_campaign_sk(campaign.campaign_id),
        data=json.dumps(campaign.to_json(), sort_keys=True),
        updated_at=at,
        updated_by=actor,
    )
    condition = Item.pk.does_not_exist() if read is None else ProgrammeItem.data == read.data
    tx = Tx().put(CAMPAIGN, item, condition)
    audit.add(tx, change)
    return run(tx.committed)


def read_campaign(campaign_id: str) -> Stored | None:
    """The stored definition with its text (consistent read), or None."""
    data = config.programme_data(keys.rebate_campaign_sk(campaign_id))
    return Stored(RebateCampaign.from_json(json.loads(data)), data) if data is not None else None


def get_campaign(campaign_id: str) -> RebateCampaign | None:
    """The stored definition (consistent read), or None."""
    stored = read_campaign(campaign_id)
    return stored.campaign if stored is not None else None


def campaigns() -> list[RebateCampaign]:
    """Every stored campaign (consistent)."""
    return [
        RebateCampaign.from_json(json.loads(data))
        for data in config.programme_data_under(keys.REBATE)
    ]


def has_accrual(campaign_id: str) -> bool:
    """Has any purchase (or receipt) accrued into the campaign? One ``Limit=1`` query per
    ``by_campaign`` shard, stopping at the first hit."""
    for shard in range(keys.REBATE_SHARDS):
        pk = keys.rebate_shard_pk(campaign_id, shard)
        if next(iter(RebateItem.by_campaign.query(pk, limit=1)), None) is not None:
            return True
    return False


# Accrual writes ----------------------------------------------------------------------------
class AccrualWrite(Struct, frozen=True):
    """One change of one member's accrual in one campaign (deltas, cents / units)."""

    member_id: str
    campaign_id: str
    change: Contribution
    referral: int = 0


class Refused(Exception):
    """Accrual writes the transaction's condition refused: those (member id, campaign id)
    pairs are settled and take no more writes (leave them out)."""

    def __init__(self, settled: set[tuple[str, str]]):
        super().__init__(sorted(settled))
        self.settled = settled


def _label(write: AccrualWrite) -> str:
    return f"{LABEL}{write.member_id}|{write.campaign_id}"


def add_accrual(tx: Tx, write: AccrualWrite) -> None:
    """Add ``write`` to the transaction: ADD the bases, ver +1, append the units and bundle
    cents to ``deltas`` (one action, the list may not exist yet), SET ids and index keys."""
    item = RebateItem
    actions: list[Any] = [
        item.ver.add(1),
        item.campaign_id.set(write.campaign_id),
        item.member_id.set(write.member_id),
        *(
            getattr(item, name).set(value)
            for name, value in keys.rebate_index(write.campaign_id, write.member_id).items()
        ),
    ]
    change = write.change
    for attribute, delta in (
        (item.qualifying, change.qualifying),
        (item.listed, change.listed),
        (item.referral, write.referral),
    ):
        if delta:
            actions.append(attribute.add(delta))
    entry = _delta_entry(change)
    if entry:
        actions.append(item.deltas.set((item.deltas | []).append([entry])))
    row = RebateItem(pk=keys.member_pk(write.member_id), sk=keys.rebate_sk(write.campaign_id))
    tx.update(_label(write), row, actions, condition=item.status.does_not_exist())


def _delta_entry(change: Contribution) -> dict[str, dict[str, int]]:
    """The ``deltas`` entry of a change: ``n`` SKU -> units, ``b`` bundle id -> cents, the
    non-zero ones only ({}: nothing to append)."""
    entry = {
        name: {k: v for k, v in sorted(values.items()) if v}
        for name, values in (("n", change.quantity), ("b", change.bundles))
    }
    return {name: values for name, values in entry.items() if values}


def summed(deltas: Iterable[dict[str, Any]] | None) -> tuple[dict[str, int], dict[str, int]]:
    """The accrual's per-SKU units and per-bundle cents: the sums of its ``deltas``."""
    quantity: dict[str, int] = {}
    bundles: dict[str, int] = {}
    for entry in deltas or ():
        for name, total in (("n", quantity), ("b", bundles)):
            for key, value in (entry.get(name) or {}).items():
                total[key] = total.get(key, 0) + int(value)
    return quantity, bundles


def refused(cancelled: Cancelled) -> Refused | None:
    """The accrual writes a cancellation names: their only condition is "not settled"
    (None: it names none)."""
    settled: set[tuple[str, str]] = set()
    for label in cancelled.failed:
        if label.startswith(LABEL):
            member_id, campaign_id = label[len(LABEL) :].split("|", 1)
            settled.add((member_id, campaign_id))
    return Refused(settled) if settled else None


# What a purchase contributed, as kept on its ledger entry ------------------------------------
def contribution_map(c: Contribution) -> dict[str, Any]:
    return {"q": c.qualifying, "l": c.listed, "n": dict(c.quantity), "b": dict(c.bundles)}


def contribution_of(stored: dict[str, Any]) -> Contribution:
    return Contribution(
        qualifying=int(stored.get("q", 0)),
        listed=int(stored.get("l", 0)),
        quantity={k: int(v) for k, v in (stored.get("n") or {}).items()},
        bundles={k: int(v) for k, v in (stored.get("b") or {}).items()},
    )


# Receipt ------------------------------------------------------------------------------------
class EntryChanged(Exception):
    """The purchase entry was refunded or confirmed since it was read."""


def confirm_receipt(
    member_id: str,
    order_id: str,
    refunded: str,
    at: str,
    referral: dict[str, dict[str, Any]],
    writes: tuple[AccrualWrite, ...],
) -> None:
    """Mark the purchase's receipt (once: ``attribute_not_exists(receipt_at)``, and against
    the refunded amount read) with the referral accruals it triggers, in ONE transaction.
    Raises :class:`EntryChanged` or :class:`Refused` for the caller to re-plan."""
    tx = Tx()
    actions: list[Any] = [LedgerItem.receipt_at.set(at)]
    if referral:
        actions.append(LedgerItem.referral.set(referral))
    tx.update(
        ENTRY,
        LedgerItem(pk=keys.member_pk(member_id), sk=keys.ledger_sk("purchase", order_id)),
        actions,
        condition=LedgerItem.receipt_at.does_not_exist() & (LedgerItem.refunded == refunded),
    )
    for write in writes:
        add_accrual(tx, write)
    try:
        tx.commit()
    except Cancelled as cancelled:
        if ENTRY in cancelled:
            raise EntryChanged() from None
        refusal = refused(cancelled)
        if refusal is not None:
            raise refusal from None
        raise
