"""Use cases of membership tiers and birthdays: the monthly evaluation that
demotes, the daily birthday points. Promotion happens in the earning transactions
(``shared.dynamodb.tiers.credit_part``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared import programme
from shared.domain import ledger as kinds
from shared.domain.calendar import local_date
from shared.domain.ledger import Credit
from shared.domain.lots import expiry_date
from shared.domain.rules import Rules, Tier
from shared.domain.tiers import (
    birthday_days,
    demotion,
    index_of,
    month_key,
    qualifying_total,
    stale_buckets,
)
from shared.dynamodb import tiers as repo
from shared.jobs.runner import Partitions, TimeLeft, fan_out, forever
from shared.observability import logger

TIERS_JOB, BIRTHDAYS_JOB = "tiers", "birthdays"
BIRTHDAY_SOURCE = "birthday"


# Monthly evaluation -------------------------------------------------------------------------


def evaluate_tiers(now: datetime, time_left: TimeLeft = forever) -> dict[str, Any]:
    """Demote, by one step, every member above the first tier whose qualifying points are
    below their tier's threshold; refresh everyone's stored total and drop old buckets.

    Reads only the members above the first tier (GSI ``by_tier``, one partition per tier and
    shard), so its cost follows them, not all members. Once per month: a member's
    demotion carries the month's marker (``tier_evaluated``) in its conditional update, so a
    second or concurrent run cannot demote twice; a completed run answers at once when run
    again that month; one task per index partition, each resuming at its checkpoint
    (``fan_out``).
    """
    return fan_out(tiers_work(now), now, time_left)


def tiers_work(now: datetime) -> Partitions:
    """The evaluation's run of ``now``'s month."""
    rules = programme.current()
    today = local_date(now, rules.zone)
    return Partitions(
        TIERS_JOB,
        month_key(today),
        repo.tier_partitions(rules.tiers[1:]),
        repo.members_in_tier,
        lambda member_id: {"processed": 1, _evaluate_member(member_id, today, rules, now): 1},
        ("processed", "demoted", "kept", "skipped", "contended"),
    )


def _evaluate_member(member_id: str, today: date, rules: Rules, now: datetime) -> str:
    """One member: ``demoted`` | ``kept`` | ``skipped`` (no longer above the first tier — a
    stale index entry — or already demoted this month) | ``contended``."""
    month = month_key(today)
    for _ in range(5):
        member = repo.tier_state(member_id)
        if member is None or index_of(member.tier, rules.tiers) == 0:
            return "skipped"
        if member.tier_evaluated == month:
            return "skipped"
        buckets = member.qualifying
        total = qualifying_total(buckets, today)
        prune = tuple(stale_buckets(buckets, today))
        demote_to = demotion(member.tier, total, rules.tiers)
        fresh = member.qualifying_month == month and member.qualifying_total == total
        if demote_to is None and not prune and fresh:
            return "kept"
        threshold = rules.tiers[index_of(member.tier, rules.tiers)].threshold
        evaluation = repo.Evaluation(
            total=total,
            month=month,
            prune=prune,
            demote_to=demote_to,
            reason=f"qualifying points {total} below {member.tier} ({threshold}) in {month}",
        )
        if not repo.evaluate(member, evaluation, rules, now):
            continue  # the member earned, spent or was evaluated meanwhile: read again
        return "demoted" if demote_to else "kept"
    logger.warning("tier evaluation contended", extra={"member_id": member_id})
    return "contended"


# Birthdays ----------------------------------------------------------------------------------


def credit_birthdays(now: datetime, time_left: TimeLeft = forever) -> dict[str, Any]:
    """Credit each member whose birthday is today (programme time zone) their tier's
    birthday points, once per year (ledger key ``LEDGER#birthday#<year>``).

    Reads only today's members (GSI ``by_birthday``, keys only, one partition per shard);
    29 February birthdays are celebrated on 28 February in other years. A frozen member on
    their birthday gets nothing that year. Checkpointed like the tier evaluation; a
    completed run answers at once when run again that day, and even a second full run
    credits nobody twice (the ledger key).
    """
    return fan_out(birthdays_work(now), now, time_left)


def birthdays_work(now: datetime) -> Partitions:
    """The birthdays' run of ``now``'s day."""
    rules = programme.current()
    today = local_date(now, rules.zone)

    def step(member_id: str) -> dict[str, int]:
        outcome, points = _birthday(member_id, today, rules, now)
        return {"processed": 1, outcome: 1, "points": points}

    return Partitions(
        BIRTHDAYS_JOB,
        today.isoformat(),
        repo.birthday_partitions(birthday_days(today)),
        repo.members_born_on,
        step,
        ("processed", "credited", "points", "already", "frozen", "not_registered"),
    )


def _tier(name: str | None, rules: Rules) -> Tier:
    return rules.tiers[index_of(name, rules.tiers)]


def _birthday(member_id: str, today: date, rules: Rules, now: datetime) -> tuple[str, int]:
    """Credit one member's birthday: (outcome, points). Written first for the first tier
    without a read (most members); a member in another tier makes the condition fail and
    the cancellation's image gives the tier to try again with."""
    tier = _tier(None, rules)
    if tier.birthday_points <= 0:  # the first tier gets nothing: read the member's tier
        member = repo.tier_state(member_id)
        if member is None:
            return "not_registered", 0
        tier = _tier(member.tier, rules)
    for _ in range(3):
        if tier.birthday_points <= 0:
            return "no_points", 0
        credit = Credit(
            member_id=member_id,
            type=kinds.EARN,
            source=BIRTHDAY_SOURCE,
            ref=str(today.year),
            points=tier.birthday_points,
            at=now,
            earned_on=today,
            expires_on=expiry_date(today, rules.validity),
            **kinds.wording("birthday", {"tier": tier.name}),
        )
        outcome = repo.credit_birthday(credit, tier.name, rules)
        if outcome.credited:
            return "credited", credit.points
        if outcome.reason != "tier":
            return outcome.reason, 0
        tier = _tier(outcome.tier, rules)
    return "contended", 0
