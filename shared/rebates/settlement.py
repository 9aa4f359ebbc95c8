"""Settlement: one statement per participant once a rebate campaign has ended.

An operator settles a campaign with ``POST /v1/admin/rebates/{campaign_id}/settlements``
(allowed from ``ends_at`` on), and the daily job ``rebate-settlement`` settles every
campaign whose ``closes_at`` (``ends_at`` + the return window) has passed. Both walk the
campaign's participants shard by shard through the checkpointed partition runner, so a run
stopped for time resumes where it stopped, and each participant's statement is written
exactly once (the status condition): settling again re-reads and writes nothing.

A statement is computed from the accrual as read and written only against that version; a
purchase, refund or receipt that changed the accrual meanwhile makes the write fail and the
accrual is read again. After it, no accrual write applies to the item: the statement total
is always ``compute`` of the final accrual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from shared.domain import audit
from shared.domain.audit import AuditEntry
from shared.domain.rebate_statements import compute
from shared.domain.rebates import RebateCampaign, from_cents, to_cents
from shared.dynamodb import jobs as checkpoints
from shared.dynamodb import rebate_statements as repo
from shared.dynamodb import rebates as campaign_repo
from shared.dynamodb.jobs import Checkpoint
from shared.dynamodb.rebate_statements import Participant
from shared.errors import CampaignNotEnded
from shared.jobs.runner import Budget, Partitions, TimeLeft, forever, run_partitions
from shared.rebates import campaigns

JOB = "rebate-settlement"
COUNTERS = ("statements", "settled", "total_cents")
MAX_ATTEMPTS = 50  # re-reads of one accrual changing under the settlement


def campaign_of(campaign_id: str) -> RebateCampaign:
    """The campaign as stored now (one consistent read): 404 if there is none."""
    return campaigns.get_campaign(campaign_id)


def settle(
    campaign_id: str, now: datetime, time_left: TimeLeft = forever, *, actor: str
) -> dict[str, Any]:
    """Settle a campaign now: ``{"complete", "statements", "total"}``. 409 before
    ``ends_at``. A completed campaign is walked again (reads only) and answers the same.
    The checkpoint that completes the settlement carries its ``rebate.settle`` entry."""
    campaign = campaign_of(campaign_id)
    if now < campaign.ends_at:
        raise CampaignNotEnded(
            f"campaign {campaign_id!r} ends at {campaign.ends_at.isoformat()}; settle after it"
        )

    def settled(stats: Mapping[str, int]) -> AuditEntry:
        where = audit.target("rebate", campaign_id)
        return audit.entry(now, actor, "rebate.settle", where, after=_answer(True, stats))

    result = run_partitions(_work(campaign, now, once=False), now, time_left, _Runs(settled))
    return _answer(result["complete"], result)


def _answer(complete: bool, counters: Mapping[str, int]) -> dict[str, Any]:
    return {
        "complete": complete,
        "statements": counters["statements"],
        "total": str(from_cents(counters["total_cents"])),
    }


class _Runs:
    """The checkpoints of an operator's settlement (a runner ``Store``). A run complete
        when it starts is walked again reading only: its checkpoint stays as it is. The save that
        completes a run writes ``settled(stats)``'s entry with it, only if the run is not complete
        yet, and a checkpoint of a run in progress never overwrites a completed one (a slow racer
    would mark it unfinished again), so one entry marks each settlement however many requests
    race to finish it."""

    def __init__(self, settled: Callable[[Mapping[str, int]], AuditEntry]) -> None:
        self._settled = settled
        self._was_complete = False

    def get_run(self, job: str, run: str) -> Checkpoint | None:
        checkpoint = checkpoints.get_run(job, run)
        self._was_complete = checkpoint is not None and checkpoint.complete
        return checkpoint

    def save_run(self, job: str, run: str, checkpoint: Checkpoint, at: datetime) -> None:
        if self._was_complete:
            return
        if checkpoint.complete:
            checkpoints.complete_run(job, run, checkpoint, at, self._settled(checkpoint.stats))
        else:
            checkpoints.advance_run(job, run, checkpoint, at)


def run_scheduled(now: datetime, time_left: TimeLeft = forever) -> dict[str, Any]:
    """The daily job: settle every campaign closed by ``now`` whose settlement after its
    close has not completed (completed ones cost one checkpoint read)."""
    budget = Budget(time_left)
    answer: dict[str, Any] = {"complete": True, "campaigns": 0, "processed": 0, "settled": 0}
    for campaign in campaign_repo.campaigns():
        if campaign.closes_at > now:
            continue
        if budget.spent():
            answer["complete"] = False
            break
        result = run_partitions(_work(campaign, now, once=True), now, time_left)
        if result.get("already_complete"):
            continue
        answer["campaigns"] += 1
        answer["processed"] += result["statements"]
        answer["settled"] += result["settled"]
        answer["complete"] = answer["complete"] and result["complete"]
    return answer


def _work(campaign: RebateCampaign, now: datetime, *, once: bool) -> Partitions:
    """A campaign's participants, shard by shard. One checkpoint per campaign while it is
    closing (ends_at ≤ now < closes_at) and one after its close: a settlement before the close
    does not spare the scheduled run, which also settles late first purchases."""
    closed = now >= campaign.closes_at
    run = campaign.campaign_id if closed else f"{campaign.campaign_id}#closing"
    return Partitions(
        JOB,
        run,
        repo.shards(),
        partial(repo.participants, campaign.campaign_id),
        partial(settle_one, campaign, now),
        COUNTERS,
        processed="statements",
        once=once,
    )


def settle_one(campaign: RebateCampaign, now: datetime, participant: Participant) -> dict:
    """One participant's statement (written if not yet): the counters it adds."""
    for _ in range(MAX_ATTEMPTS):
        if participant.statement is not None:
            return _counted(to_cents(participant.statement.total), settled=0)
        statement = compute(campaign, participant.accrual)
        if repo.settle(participant.accrual, statement, now):
            return _counted(to_cents(statement.total), settled=1)
        again = repo.read(campaign.campaign_id, participant.accrual.member_id)
        assert again is not None  # accrual items are never deleted
        participant = again
    raise RuntimeError(f"accrual of {participant.accrual.member_id} kept changing; run again")


def _counted(total_cents: int, settled: int) -> dict[str, int]:
    return {"statements": 1, "settled": settled, "total_cents": total_cents}
