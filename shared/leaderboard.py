"""Use cases of the leaderboard (积分排名): the scheduled snapshot and a member's read.

Keeping it costs no hot item: the points are the members' own ``qualifying`` buckets, kept
by every crediting transaction anyway (shared/dynamodb/ledger.py), and the snapshot job
finds the members who earned through the sparse ``by_board`` index, in shards. Reading it
is one BatchGetItem: the period's snapshot and the caller's profile.

The job snapshots this month and this year, and each period just ended once more after its
end (its final board, ``closed``); it reads every member who earned since the first month
of those periods, once, and answers ``complete: False`` without saving anything when its
time runs out (the next scheduled run starts over).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared import programme
from shared.clock import utc_iso
from shared.domain import leaderboard as board
from shared.domain.calendar import iso_local, local_date
from shared.domain.members import can_earn
from shared.dynamodb import leaderboard as repo

if TYPE_CHECKING:
    from shared.jobs.runner import TimeLeft


def run_snapshots(now: datetime, time_left: TimeLeft | None = None) -> dict[str, Any]:
    """Snapshot the current periods and any just-ended one not yet final (scheduled job
    ``leaderboard``)."""
    from shared.jobs.runner import Budget, forever  # the job's, not the member read's

    today = local_date(now, programme.current().zone)
    wanted = [(period, board.period_key(period, today), False) for period in board.PERIODS]
    for period in board.PERIODS:
        ended = board.previous_key(period, today)
        if not repo.is_closed(period, ended):
            wanted.append((period, ended, True))
    tallies = {key: board.Tally() for _, key, _ in wanted}
    budget = Budget(time_left or forever)
    since = min(board.first_month(key) for _, key, _ in wanted)
    read = 0
    for earner in repo.earners(repo.earners_since(since)):
        if budget.spent():
            return {"processed": read, "complete": False, "boards": []}
        read += 1
        if not can_earn(earner.status):  # frozen for earning: off the board
            continue
        for key, tally in tallies.items():
            points = board.points_in(earner.buckets, key)
            tally.add(board.Standing(earner.member_id, points, earner.earned_at))
    as_of = utc_iso(now)
    for period, key, closed in wanted:
        repo.save(tallies[key].board(period, key, as_of, closed))
    return {
        "processed": read,
        "complete": True,
        "boards": [f"{period}:{key}" for period, key, _ in wanted],
    }


def leaderboard(member_id: str, period: str, now: datetime) -> dict[str, Any]:
    """``GET /v1/leaderboard``: the period's top rows (member ids masked) as of the last
    snapshot, and the caller's rank among them with their own points as they are now."""
    zone = programme.current().zone
    key = board.period_key(period, local_date(now, zone))
    snapshot, me = repo.board_and_member(period, key, member_id)
    mine = board.points_in(me.buckets, key) if me is not None and can_earn(me.status) else 0
    view: dict[str, Any] = {"period": period, "key": key, "as_of": None, "items": [], "me": None}
    if snapshot is None:
        return view
    view["as_of"] = iso_local(datetime.fromisoformat(snapshot.as_of), zone)
    view["ranked"] = snapshot.ranked
    view["items"] = [
        {"rank": row.rank, "member": board.mask(row.member_id), "points": row.points}
        for row in snapshot.top
    ]
    if mine > 0:
        rank, exact = snapshot.levels.rank_of(mine)
        view["me"] = {"rank": rank, "points": mine, "exact": exact}
    return view
