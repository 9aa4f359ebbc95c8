"""The programme rules in force: operators' overrides stored in DynamoDB, cached briefly.

``current()`` is the one accessor every use case calls. The rules item, the campaigns, the
rebate campaigns and the lotteries' extra-draw terms are loaded together by one ``Query``
and kept in memory for ``TTL_SECONDS``, so a warm purchase still costs one DynamoDB round
trip; an operator's change reaches every running function within that time (at once in the
process that made it, which calls :func:`invalidate`). Tests call :func:`invalidate` to
start from the table's state, and :func:`use_clock` to move the cache's clock on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from msgspec import Struct

from shared.domain.campaigns import Campaign
from shared.domain.lottery import DrawOffer
from shared.domain.rebates import RebateCampaign
from shared.domain.rules import Rules
from shared.rules_codec import apply

TTL_SECONDS = 30.0

_lock = threading.Lock()
_monotonic: Callable[[], float] = time.monotonic


class Programme(Struct, frozen=True):
    """The programme's rules and campaigns as loaded, with when they were read."""

    rules: Rules
    campaigns: tuple[Campaign, ...]
    rebates: tuple[RebateCampaign, ...]
    draw_offers: tuple[DrawOffer, ...]
    loaded_at: float  # the cache's clock (time.monotonic unless a test set another)


_cached: Programme | None = None


def _load() -> Programme:
    from shared.dynamodb import config
    from shared.observability import logger

    overrides, stored, stored_rebates, stored_offers = config.load_programme()
    rules, problems = apply(overrides)
    if problems:
        logger.warning("stored programme settings ignored", extra={"problems": problems})
    campaigns = tuple(sorted((Campaign.from_json(c) for c in stored), key=lambda c: c.campaign_id))
    rebates = tuple(
        sorted((RebateCampaign.from_json(c) for c in stored_rebates), key=lambda c: c.campaign_id)
    )
    offers = tuple(
        sorted((DrawOffer.from_json(o) for o in stored_offers), key=lambda o: o.lottery_id)
    )
    return Programme(rules, campaigns, rebates, offers, _monotonic())


def loaded() -> Programme:
    """Rules and campaigns, from memory when loaded less than ``TTL_SECONDS`` ago."""
    global _cached
    cached = _cached
    if cached is not None and _monotonic() - cached.loaded_at < TTL_SECONDS:
        return cached
    with _lock:
        cached = _cached
        if cached is None or _monotonic() - cached.loaded_at >= TTL_SECONDS:
            cached = _cached = _load()
    return cached


def cached() -> Programme | None:
    """The programme as this process last loaded it, however old, or None if it never did:
    for choices that must not cost a read (the language of an error message)."""
    return _cached


def current() -> Rules:
    return loaded().rules


def campaigns() -> tuple[Campaign, ...]:
    """Every stored campaign (ended ones too); the caller picks those active at its time."""
    return loaded().campaigns


def rebates() -> tuple[RebateCampaign, ...]:
    """Every stored rebate campaign (closed ones too); a purchase picks those accepting it."""
    return loaded().rebates


def draw_offers() -> tuple[DrawOffer, ...]:
    """Every lottery's extra-draw terms (ended ones too); a purchase picks those open."""
    return loaded().draw_offers


def invalidate() -> None:
    """Forget the cached rules: the next ``current()`` reads the table."""
    global _cached
    with _lock:
        _cached = None


def use_clock(monotonic: Callable[[], float] = time.monotonic) -> Callable[[], float]:
    """Measure the cache's age with ``monotonic`` (seconds, only differences matter); with no
    argument, ``time.monotonic`` again. Returns the clock it replaces."""
    global _monotonic
    previous, _monotonic = _monotonic, monotonic
    return previous
