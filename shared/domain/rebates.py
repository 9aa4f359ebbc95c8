"""Year-end rebate campaigns (返利): what a campaign pays and what a member has accrued.

Pure values, no I/O. Money is kept in *cents* (integers) wherever it is summed in storage,
so DynamoDB's ``ADD`` stays exact; the API shows decimal strings. Rates are percent as
``Decimal`` with at most two places (``Decimal("2.5")`` = 2.5 %).

The accrual holds *bases* only (amounts and quantities), never a rate: the ladder is
applied when a statement is computed (``shared/domain/rebate_statements.py``), so what a
purchase writes does not depend on the ladder in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

from msgspec import Struct, field

from shared.domain.members import can_earn

CENT = Decimal("0.01")
DEFAULT_RETURN_DAYS = 7
DEFAULT_POINTS_PER_UNIT = 100  # 1 point per 0.01 of the currency unit


def to_cents(amount: Decimal) -> int:
    """An amount with at most two decimal places as whole cents (exact)."""
    return int((amount / CENT).to_integral_exact())


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


class SpendRung(Struct, frozen=True):
    min_amount: Decimal
    rate: Decimal


class QuantityRung(Struct, frozen=True):
    min_quantity: int
    rate: Decimal


class Bundle(Struct, frozen=True):
    bundle_id: str
    skus: frozenset[str]
    extra_rate: Decimal


class RebateCampaign(Struct, frozen=True):
    """A rebate campaign as operators define it (``PUT /v1/admin/rebates/{campaign_id}``).

    Purchases that *occurred* in ``[starts_at, ends_at)`` accrue; accrual closes at
    :attr:`closes_at` (``ends_at`` + the return window), after which nothing is written to
    the campaign's accruals but the settlement.
    """

    campaign_id: str
    name: str
    starts_at: datetime
    ends_at: datetime  # exclusive
    payout: str  # "points" | "bank"
    spend_ladder: tuple[SpendRung, ...]
    quantity_ladder: tuple[QuantityRung, ...] = ()
    quantity_skus: frozenset[str] = frozenset()
    bundles: tuple[Bundle, ...] = ()
    referral_rate: Decimal | None = None
    cap: Decimal | None = None  # per member, on the statement's total
    return_days: int = DEFAULT_RETURN_DAYS
    eligible_tiers: frozenset[str] | None = None  # None: every tier
    points_per_unit: int = DEFAULT_POINTS_PER_UNIT
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def closes_at(self) -> datetime:
        return self.ends_at + timedelta(days=self.return_days)

    def in_window(self, occurred_at: datetime) -> bool:
        return self.starts_at <= occurred_at < self.ends_at

    def accepting(self, occurred_at: datetime, now: datetime) -> bool:
        """Does a purchase that occurred at ``occurred_at``, reported at ``now``, accrue?"""
        return self.in_window(occurred_at) and now < self.closes_at

    def eligible(self, status: str, tier: str | None) -> bool:
        if not can_earn(status):  # frozen for earning: accrues nothing
            return False
        return self.eligible_tiers is None or tier in self.eligible_tiers

    def to_json(self) -> dict[str, Any]:
        """The stored and shown shape (decimal strings, ISO times)."""

        def dec(value: Decimal | None) -> str | None:
            return str(value) if value is not None else None

        return {
            "campaign_id": self.campaign_id,
            "name": self.name,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "payout": self.payout,
            "spend_ladder": [
                {"min_amount": str(r.min_amount), "rate": str(r.rate)} for r in self.spend_ladder
            ],
            "quantity_ladder": [
                {"min_quantity": r.min_quantity, "rate": str(r.rate)} for r in self.quantity_ladder
            ],
            "quantity_skus": sorted(self.quantity_skus),
            "bundles": [
                {"bundle_id": b.bundle_id, "skus": sorted(b.skus), "extra_rate": str(b.extra_rate)}
                for b in self.bundles
            ],
            "referral_rate": dec(self.referral_rate),
            "cap": dec(self.cap),
            "return_days": self.return_days,
            "eligible_tiers": sorted(self.eligible_tiers)
            if self.eligible_tiers is not None
            else None,
            "points_per_unit": self.points_per_unit,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RebateCampaign:
        """From :meth:`to_json`'s shape (stored data, already validated)."""

        def dec(key: str) -> Decimal | None:
            value = data.get(key)
            return Decimal(value) if value is not None else None

        def when(key: str) -> datetime | None:
            value = data.get(key)
            return datetime.fromisoformat(value) if value else None

        tiers = data.get("eligible_tiers")
        return cls(
            campaign_id=data["campaign_id"],
            name=data["name"],
            starts_at=datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.fromisoformat(data["ends_at"]),
            payout=data["payout"],
            spend_ladder=tuple(
                SpendRung(Decimal(r["min_amount"]), Decimal(r["rate"]))
                for r in data["spend_ladder"]
            ),
            quantity_ladder=tuple(
                QuantityRung(int(r["min_quantity"]), Decimal(r["rate"]))
                for r in data.get("quantity_ladder") or ()
            ),
            quantity_skus=frozenset(data.get("quantity_skus") or ()),
            bundles=tuple(
                Bundle(b["bundle_id"], frozenset(b["skus"]), Decimal(b["extra_rate"]))
                for b in data.get("bundles") or ()
            ),
            referral_rate=dec("referral_rate"),
            cap=dec("cap"),
            return_days=int(data.get("return_days", DEFAULT_RETURN_DAYS)),
            eligible_tiers=frozenset(tiers) if tiers is not None else None,
            points_per_unit=int(data.get("points_per_unit", DEFAULT_POINTS_PER_UNIT)),
            created_at=when("created_at"),
            updated_at=when("updated_at"),
        )


class Contribution(Struct, frozen=True):
    """What one purchase adds to one campaign's accrual (all in cents / units).

    Kept on the purchase's ledger entry (map ``rebates``: campaign id → this), so a refund
    knows exactly what to take back and the soak can check Σ contributions = accrual.
    """

    qualifying: int  # the purchase's amount
    listed: int = 0  # amount of the lines whose SKU is in quantity_skus
    quantity: dict[str, int] = field(default_factory=dict)  # listed SKU -> units
    bundles: dict[str, int] = field(default_factory=dict)  # bundle id -> amount of its lines


class Accrual(Struct, frozen=True):
    """A member's running totals in one campaign (item ``MEMBER#<id>`` / ``REBATE#<cid>``)."""

    campaign_id: str
    member_id: str
    qualifying: int = 0  # cents: Σ purchases in the window − refunds
    listed: int = 0  # cents of the quantity ladder's SKUs
    quantity: dict[str, int] = field(default_factory=dict)  # SKU -> units
    bundles: dict[str, int] = field(default_factory=dict)  # bundle id -> cents
    referral: int = 0  # cents of referred customers' confirmed purchases
    ver: int = 0  # +1 on every change: settlement writes against the version it read

    @property
    def units(self) -> int:
        return sum(self.quantity.values())


# Campaign definitions --------------------------------------------------------------------
PAYOUTS = ("points", "bank")
MAX_RATE = Decimal(100)
MAX_RETURN_DAYS = 90


def _strictly_increasing(values: list[Any]) -> bool:
    return all(a < b for a, b in pairwise(values))


def definition_problems(
    campaign: RebateCampaign, tiers: frozenset[str] | None = None
) -> dict[str, str]:
    """What is wrong with a campaign beyond its single fields (field name -> problem):
    the window, the rungs' order, bundle ids, the quantity ladder's SKUs, unknown tiers."""
    problems: dict[str, str] = {}
    if campaign.ends_at <= campaign.starts_at:
        problems["ends_at"] = "must be after starts_at"
    if not _strictly_increasing([r.min_amount for r in campaign.spend_ladder]):
        problems["spend_ladder"] = "rungs must have strictly increasing min_amount"
    if not _strictly_increasing([r.min_quantity for r in campaign.quantity_ladder]):
        problems["quantity_ladder"] = "rungs must have strictly increasing min_quantity"
    if campaign.quantity_ladder and not campaign.quantity_skus:
        problems["quantity_skus"] = "must list the SKUs the quantity ladder counts"
    ids = [b.bundle_id for b in campaign.bundles]
    if len(set(ids)) != len(ids):
        problems["bundles"] = "bundle ids must be unique"
    if tiers is not None and campaign.eligible_tiers is not None:
        unknown = sorted(campaign.eligible_tiers - tiers)
        if unknown:
            problems["eligible_tiers"] = "unknown tiers: " + ", ".join(unknown)
    if not (
        campaign.spend_ladder
        or campaign.quantity_ladder
        or campaign.bundles
        or campaign.referral_rate
    ):
        problems["spend_ladder"] = "the campaign pays nothing: give a ladder, bundle or referral"
    return problems


def terms_changed(old: RebateCampaign, new: RebateCampaign) -> bool:
    """Would ``new`` change what accrues or what the accrued bases pay (ladders, window,
    listed SKUs, bundles, referral rate)? Refused once a purchase has accrued."""

    def terms(c: RebateCampaign) -> tuple[Any, ...]:
        return (
            c.starts_at,
            c.ends_at,
            c.spend_ladder,
            c.quantity_ladder,
            c.quantity_skus,
            c.bundles,
            c.referral_rate,
        )

    return terms(old) != terms(new)


# Accrual ------------------------------------------------------------------------------------
def contribution(campaign: RebateCampaign, amount: Decimal, lines: Iterable[Any]) -> Contribution:
    """What a purchase of ``amount`` with ``lines`` (objects with ``amount``, ``sku``,
    ``quantity``) adds to ``campaign``: the amount; the listed SKUs' amount and units; for
    each bundle whose every SKU is among the order's lines, the amount of those lines."""
    lines = tuple(lines)
    listed = 0
    units: dict[str, int] = {}
    for line in lines:
        if line.sku is not None and line.sku in campaign.quantity_skus:
            listed += to_cents(line.amount)
            units[line.sku] = units.get(line.sku, 0) + int(getattr(line, "quantity", 1) or 1)
    skus = {line.sku for line in lines if line.sku is not None}
    bundles: dict[str, int] = {}
    for bundle in campaign.bundles:
        if bundle.skus <= skus:
            cents = sum(to_cents(line.amount) for line in lines if line.sku in bundle.skus)
            if cents > 0:
                bundles[bundle.bundle_id] = cents
    return Contribution(to_cents(amount), listed, units, bundles)


def _share(contributed: int, amount: int, refunded: int) -> int:
    """What is left of ``contributed`` cents once ``refunded`` of ``amount`` is refunded:
    half-even, so refunds adding up to the whole amount leave exactly 0."""
    if amount <= 0:
        return 0
    return round(Fraction(contributed * (amount - min(refunded, amount)), amount))


def remaining(c: Contribution, amount: int, refunded: int) -> Contribution:
    """A purchase's contribution after ``refunded`` cents of its ``amount`` cents were
    refunded: qualifying by the cents, listed and bundle cents proportionally, quantities
    only when refunded in full."""
    full = refunded >= amount
    return Contribution(
        qualifying=max(c.qualifying - refunded, 0),
        listed=_share(c.listed, amount, refunded),
        quantity={} if full else dict(c.quantity),
        bundles={k: _share(v, amount, refunded) for k, v in c.bundles.items()},
    )


def refund_change(c: Contribution, amount: int, before: int, after: int) -> Contribution:
    """What a refund taking the refunded cents of a purchase from ``before`` to ``after``
    does to its contribution (negative or zero numbers; cumulative, so any split of refunds
    adds up to the same)."""
    was, now = remaining(c, amount, before), remaining(c, amount, after)
    return Contribution(
        qualifying=now.qualifying - was.qualifying,
        listed=now.listed - was.listed,
        quantity={k: now.quantity.get(k, 0) - v for k, v in was.quantity.items()},
        bundles={k: now.bundles[k] - v for k, v in was.bundles.items()},
    )


def referral_change(referral: int, amount: int, before: int, after: int) -> int:
    """A refund after receipt: the referrer's ``referral`` cents from this purchase (the
    amount not refunded at receipt) go down by the refunded cents, never below zero."""
    return min(referral, amount - after) - min(referral, amount - before)


def is_empty(c: Contribution) -> bool:
    return not (c.qualifying or c.listed or any(c.quantity.values()) or any(c.bundles.values()))
