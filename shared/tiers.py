"""Use cases of membership tiers and birthdays (SPEC §7): the monthly evaluation that
demotes, the daily birthday points. Promotion happens in the earning transactions
(``shared.dynamodb.tiers.credit_part``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
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
from shared.dynamodb import expiry as runs
from shared.dynamodb import keys
from shared.dynamodb import members as members_repo
from shared.dynamodb import tiers as repo
from shared.dynamodb.models import as_plain
from shared.dynamodb.tx import Cancelled
from shared.observability import logger

TimeLeft = Callable[[], float]
TIERS_JOB, BIRTHDAYS_JOB = "tiers", "birthdays"
BIRTHDAY_SOURCE = "birthday"
SAFETY_SECONDS = 10  # stop (and checkpoint) when Lambda has less time than this left


def _forever() -> float:
    return math.inf


def _resume(job: str, run: str) -> tuple[int, dict[str, int], bool]:
    """(first partition to do, counters so far, already complete) of a run."""
    previous = runs.get_run(job, run)
    if previous is None:
        return 0, {}, False
    stats = {k: int(v) for k, v in (previous.stats.as_dict() or {}).items()}
    return int(previous.next_shard), stats, previous.complete == "yes"


def _answer(job: str, run: str, complete: bool, stats: dict[str, int], **extra: Any) -> dict:
    return {
        "job": job,
        "run": run,
        "complete": complete,
        "processed": stats.get("processed", 0),
        **stats,
        **extra,
    }


def _run_partitions(
    job: str,
    run: str,
    partitions: list[tuple[str, int]],
    members: Callable[[str, int], Iterable[str]],
    step: Callable[[str], dict[str, int]],
    counters: tuple[str, ...],
    now: datetime,
    time_left: TimeLeft,
    label: str,
) -> dict[str, Any]:
    """Run ``step`` for every member of every partition (an index partition: a tier or a
    day, and a shard) and add up the counters it returns. Resumes at the run's checkpoint;
    checkpoints after each partition with work, and stops (checkpointed) when Lambda's time
    runs short. A completed run answers at once."""
    first, stats, complete = _resume(job, run)
    if complete:
        return _answer(job, run, True, {"processed": 0}, already_complete=True)
    for key in ("processed", *counters):
        stats.setdefault(key, 0)
    for position in range(first, len(partitions)):
        before = stats["processed"]
        for member_id in members(*partitions[position]):
            if time_left() < SAFETY_SECONDS:
                runs.save_run(job, run, position, False, stats, now)
                logger.info(f"{label} paused", extra={"run": run, **stats})
                return _answer(job, run, False, stats)
            for key, n in step(member_id).items():
                stats[key] = stats.get(key, 0) + n
            stats["processed"] += 1
        if stats["processed"] != before:  # a checkpoint only after a partition with work
            runs.save_run(job, run, position + 1, False, stats, now)
    runs.save_run(job, run, len(partitions), True, stats, now)
    logger.info(f"{label} done", extra={"run": run, **stats})
    return _answer(job, run, True, stats)


# Monthly evaluation -------------------------------------------------------------------------


def evaluate_tiers(now: datetime, time_left: TimeLeft = _forever) -> dict[str, Any]:
    """Demote, by one step, every member above the first tier whose qualifying points are
    below their tier's threshold; refresh everyone's stored total and drop old buckets.

    Reads only the members above the first tier (GSI ``by_tier``, one partition per tier and
    shard), so its cost follows them, not all members. Once per month: a member's
    demotion carries the month's marker (``tier_evaluated``) in its conditional update, so a
    second or concurrent run cannot demote twice; a completed run answers at once when run
    again that month; a run stopped for time resumes at its checkpoint.
    """
    rules = programme.current()
    today = local_date(now, rules.zone)
    run = month_key(today)
    partitions = [(t.name, s) for t in rules.tiers[1:] for s in range(keys.TIER_SHARDS)]
    return _run_partitions(
        TIERS_JOB,
        run,
        partitions,
        repo.members_in_tier,
        lambda member_id: {_evaluate_member(member_id, today, rules, now): 1},
        ("demoted", "kept", "skipped", "contended"),
        now,
        time_left,
        "tier evaluation",
    )


def _evaluate_member(member_id: str, today: date, rules: Rules, now: datetime) -> str:
    """One member: ``demoted`` | ``kept`` | ``skipped`` (no longer above the first tier — a
    stale index entry — or already demoted this month) | ``contended``."""
    month = month_key(today)
    for _ in range(5):
        member = members_repo.find(member_id)
        if member is None or index_of(member.tier, rules.tiers) == 0:
            return "skipped"
        if member.tier_evaluated == month:
            return "skipped"
        buckets = as_plain(member.qualifying) or {}
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
        try:
            repo.evaluate(member, evaluation, rules, now)
        except Cancelled:
            continue  # the member earned, spent or was evaluated meanwhile: read again
        return "demoted" if demote_to else "kept"
    logger.warning("tier evaluation contended", extra={"member_id": member_id})
    return "contended"


# Birthdays ----------------------------------------------------------------------------------


def credit_birthdays(now: datetime, time_left: TimeLeft = _forever) -> dict[str, Any]:
    """Credit each member whose birthday is today (programme time zone) their tier's
    birthday points, once per year (ledger key ``LEDGER#birthday#<year>``).

    Reads only today's members (GSI ``by_birthday``, keys only, one partition per shard);
    29 February birthdays are celebrated on 28 February in other years. A frozen member on
    their birthday gets nothing that year. Checkpointed like the tier evaluation; a
    completed run answers at once when run again that day, and even a second full run
    credits nobody twice (the ledger key).
    """
    rules = programme.current()
    today = local_date(now, rules.zone)
    run = today.isoformat()
    partitions = [(d, s) for d in birthday_days(today) for s in range(keys.BIRTHDAY_SHARDS)]

    def step(member_id: str) -> dict[str, int]:
        outcome, points = _birthday(member_id, today, rules, now)
        return {outcome: 1, "points": points}

    return _run_partitions(
        BIRTHDAYS_JOB,
        run,
        partitions,
        repo.members_born_on,
        step,
        ("credited", "points", "already", "frozen", "not_registered"),
        now,
        time_left,
        "birthdays",
    )


def _tier(name: str | None, rules: Rules) -> Tier:
    return rules.tiers[index_of(name, rules.tiers)]


def _birthday(member_id: str, today: date, rules: Rules, now: datetime) -> tuple[str, int]:
    """Credit one member's birthday: (outcome, points). Written first for the first tier
    without a read (most members); a member in another tier makes the condition fail and
    the cancellation's image gives the tier to try again with."""
    tier = _tier(None, rules)
    if tier.birthday_points <= 0:  # the first tier gets nothing: read the member's tier
        member = members_repo.find(member_id)
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
            description=f"Happy birthday! {tier.name.capitalize()} birthday points",
        )
        outcome = repo.credit_birthday(credit, tier.name, rules)
        if outcome.credited:
            return "credited", credit.points
        if outcome.reason != "tier":
            return outcome.reason, 0
        tier = _tier(outcome.tier, rules)
    return "contended", 0
