"""Ledger entries as the domain sees them, and running balances for a history page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from msgspec import Struct

from shared import i18n
from shared.domain.calendar import local_date
from shared.domain.lots import expiry_date
from shared.domain.rules import Rules

# Ledger entry types: the `type` of GET /v1/me/ledger entries (`LedgerEntry` in docs/openapi.json).
EARN = "earn"
REDEEM = "redeem"
EXPIRE = "expire"
CLAWBACK = "clawback"
ADJUST = "adjust"
TRANSFER_IN = "transfer_in"
TRANSFER_OUT = "transfer_out"
LOTTERY_COST = "lottery_cost"
LOTTERY_PRIZE = "lottery_prize"
REFUND = "refund"
CHECKOUT = "checkout"

# How entry types move the programme's totals (operators' reports, business metrics), with p
# the entry's signed points: issued += p, redeemed −= p (points given back are a negative
# redemption), expired −= p, clawed back −= p. Transfers move points between members and count
# apart. So issued − redeemed − expired − clawed back = Σ ledger = Σ balances.
ISSUING = frozenset({EARN, LOTTERY_PRIZE, ADJUST})
SPENDING = frozenset({REDEEM, LOTTERY_COST, CHECKOUT, REFUND})

Params = dict[str, str | int]

# Sources whose credits count toward tier qualification (docs/product.md §7).
QUALIFYING_SOURCES = frozenset({"purchase", "checkin", "task", "referral", "campaign"})


class Credit(Struct, frozen=True):
    """Points added as a new lot (everything earned, won or granted)."""

    member_id: str
    type: str
    source: str
    ref: str
    points: int
    at: datetime
    earned_on: date
    expires_on: date
    description: str = ""  # English, rendered at write time (exports, events, old readers)
    code: str = ""  # the text's stable code: a template in shared/i18n/catalogs/ledger.py
    params: Params = {}  # what the template fills in

    @property
    def qualifying(self) -> bool:
        return self.source in QUALIFYING_SOURCES


def credit(
    member_id: str,
    source: str,
    ref: str,
    points: int,
    code: str,
    params: Params | None = None,
    *,
    at: datetime,
    rules: Rules,
    kind: str = EARN,
) -> Credit:
    """Points earned ``at``: the lot's day is the programme's local date then, and it lasts
    as the rules' validity says; its text is ``code`` with ``params`` (:func:`wording`)."""
    today = local_date(at, rules.zone)
    expires_on = expiry_date(today, rules.validity)
    return Credit(
        member_id, kind, source, ref, points, at, today, expires_on, **wording(code, params)
    )


def wording(code: str, params: Params | None = None) -> dict[str, Any]:
    """An entry's text fields: its stable ``code``, the ``params`` its templates fill in,
    and ``description``, the English text now (for exports, events and readers that do not
    localise). KeyError for a code without a template."""
    params = dict(params or {})
    return {"code": code, "params": params, "description": describe(code, params, i18n.EN)}


def describe(code: str, params: Params, locale: str) -> str:
    """The text of ``code`` in ``locale``; a ``tier`` param is a tier's name, shown as the
    catalog names it (``gold`` -> Gold / 金卡) when it does."""
    shown: dict[str, Any] = dict(params)
    tier = shown.get("tier")
    if isinstance(tier, str) and i18n.has(f"ledger.tier.{tier}", locale):
        shown["tier"] = i18n.text(locale, f"ledger.tier.{tier}")
    return i18n.text(locale, f"ledger.{code}", shown)


def shown_text(entry: Entry, locale: str) -> tuple[str, str]:
    """``(code, description)`` of a stored entry in ``locale``. An entry written before
    codes (or with a code no catalog knows any more) keeps its stored description, and its
    type stands for its code."""
    if entry.code and i18n.has(f"ledger.{entry.code}", locale):
        return entry.code, describe(entry.code, entry.params, locale)
    return entry.code or entry.type, entry.description


class Movement(Struct, frozen=True):
    """Points moved out of or back into a member's existing lots (no new lot)."""

    member_id: str
    type: str
    source: str
    ref: str
    points: int  # positive amount taken or returned
    at: datetime
    description: str = ""  # as Credit's
    code: str = ""
    params: Params = {}


class Debit(Movement, frozen=True):
    """Points taken away; consumes lots soonest-expiring first."""


class Return(Movement, frozen=True):
    """Points given back after a spend is undone (a cancelled or rejected mall order).

    Not new earning: no new lot; the points go back to the lots they were spent from.
    """


class Entry(Struct, frozen=True):
    """A ledger entry as stored: one balance change (``at`` is UTC ISO-8601)."""

    entry_id: str
    member_id: str
    type: str
    source: str
    ref: str
    points: int  # signed
    at: str
    description: str = ""  # English at write time
    code: str = ""  # "" = written before entries had codes
    params: Params = {}
    expires_on: str | None = None  # credits: the lot's last valid day
    actor: str | None = None  # operator adjustments: who made them
    breakdown: list[dict[str, Any]] = []  # purchases: the points of each earning rule


def running_balances(balance_after_newest: int, points_newest_first: list[int]) -> list[int]:
    """``balance_after`` of each entry of a newest-first page, given the newest's.

    The balance after an entry is the balance after the next-newer one minus that one's
    points; a page's cursor carries the balance before its last entry to the next page.
    """
    out: list[int] = []
    balance = balance_after_newest
    for points in points_newest_first:
        out.append(balance)
        balance -= points
    return out
