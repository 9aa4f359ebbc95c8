"""Rebate statements (返利凭证): what a member's accrual pays under a campaign's rules.

Pure, no I/O. The accrual (``shared/domain/rebates.py``) holds bases in cents; this module
applies the ladders when a statement is computed or progress is shown:

- ``spend``: the qualifying amount at the rate of the highest spend rung it reached;
- ``quantity``: the listed SKUs' amount at the rate of the highest quantity rung reached
  by the units bought;
- ``bundle:<id>``: each bundle's amount at its extra rate;
- ``referral``: the referred customers' confirmed purchases at the referral rate.

A line exists only for a basis above zero at a rate reached. Each line's amount is rounded
half-even to 0.01 once; the total is the sum of the lines, capped at the campaign's cap.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from msgspec import Struct

from shared.domain.rebates import (
    CENT,
    Accrual,
    QuantityRung,
    RebateCampaign,
    SpendRung,
    from_cents,
)

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


class Line(Struct, frozen=True):
    """One rule's part of a statement: ``amount = basis × rate / 100`` (rounded once)."""

    rule: str  # spend | quantity | bundle:<id> | referral
    basis: Decimal
    rate: Decimal
    amount: Decimal

    def to_json(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "basis": str(self.basis),
            "rate": str(self.rate),
            "amount": str(self.amount),
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Line:
        return cls(
            data["rule"], Decimal(data["basis"]), Decimal(data["rate"]), Decimal(data["amount"])
        )


class Statement(Struct, frozen=True):
    lines: tuple[Line, ...]
    total: Decimal
    capped: bool = False


class NextRung(Struct, frozen=True):
    min_amount: Decimal
    rate: Decimal
    amount_to_go: Decimal


class Progress(Struct, frozen=True):
    """Where a member stands on the spend ladder: the rate reached (0 before the first
    rung) and the next rung with the amount still to spend (None at the highest rung)."""

    rate: Decimal
    next_rung: NextRung | None


def spend_rung(campaign: RebateCampaign, qualifying: Decimal) -> SpendRung | None:
    """The highest spend rung ``qualifying`` reached (``min_amount`` included)."""
    reached = [r for r in campaign.spend_ladder if qualifying >= r.min_amount]
    return max(reached, key=lambda r: r.min_amount, default=None)


def quantity_rung(campaign: RebateCampaign, units: int) -> QuantityRung | None:
    """The highest quantity rung ``units`` reached (``min_quantity`` included)."""
    reached = [r for r in campaign.quantity_ladder if units >= r.min_quantity]
    return max(reached, key=lambda r: r.min_quantity, default=None)


def line(rule: str, basis: Decimal, rate: Decimal) -> Line:
    amount = (basis * rate / HUNDRED).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return Line(rule, basis, rate, amount)


def compute(campaign: RebateCampaign, accrual: Accrual) -> Statement:
    """The statement ``accrual`` earns under ``campaign`` (a participant with no rung
    reached and nothing else gets no lines and a total of 0.00)."""
    lines: list[Line] = []
    qualifying = from_cents(accrual.qualifying)
    rung = spend_rung(campaign, qualifying)
    if accrual.qualifying > 0 and rung is not None:
        lines.append(line("spend", qualifying, rung.rate))
    by_units = quantity_rung(campaign, accrual.units)
    if accrual.listed > 0 and by_units is not None:
        lines.append(line("quantity", from_cents(accrual.listed), by_units.rate))
    for bundle in campaign.bundles:
        cents = accrual.bundles.get(bundle.bundle_id, 0)
        if cents > 0:
            lines.append(line(f"bundle:{bundle.bundle_id}", from_cents(cents), bundle.extra_rate))
    if accrual.referral > 0 and campaign.referral_rate is not None:
        lines.append(line("referral", from_cents(accrual.referral), campaign.referral_rate))
    total = sum((x.amount for x in lines), ZERO)
    if campaign.cap is not None and total > campaign.cap:
        return Statement(tuple(lines), campaign.cap.quantize(CENT), capped=True)
    return Statement(tuple(lines), total.quantize(CENT))


def progress(campaign: RebateCampaign, accrual: Accrual | None) -> Progress:
    """The spend rate reached and the next rung, with the amount to go ("3 200 more to reach
    5 %"); ``accrual`` None: nothing bought yet."""
    qualifying = from_cents(accrual.qualifying if accrual is not None else 0)
    rung = spend_rung(campaign, qualifying)
    above = [r for r in campaign.spend_ladder if r.min_amount > qualifying]
    nxt = min(above, key=lambda r: r.min_amount, default=None)
    return Progress(
        rate=rung.rate if rung is not None else Decimal(0),
        next_rung=NextRung(nxt.min_amount, nxt.rate, (nxt.min_amount - qualifying).quantize(CENT))
        if nxt is not None
        else None,
    )


def payable(total: Decimal, adjustment: Decimal | None = None) -> Decimal:
    """What is paid: the total plus the reviewer's signed adjustment, never below zero."""
    return max(ZERO, (total + (adjustment or ZERO)).quantize(CENT))


def points_of(amount: Decimal, campaign: RebateCampaign) -> int:
    """Points for a payable amount (98.00 → 9 800 with the default 100 per unit). Exact with
    the default; a fraction of a point (a smaller ``points_per_unit``) is never paid."""
    return int((amount * campaign.points_per_unit).to_integral_value(rounding=ROUND_DOWN))


def rebate_rate(rebated: Decimal, spend: Decimal) -> Decimal | None:
    """Rebates as a percent of spend (0.01 places), None without spend (reports)."""
    if spend <= 0:
        return None
    return (rebated * HUNDRED / spend).quantize(CENT, rounding=ROUND_HALF_EVEN)
