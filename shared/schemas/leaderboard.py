"""Operations of the leaderboard (积分排名): members read the month's or the year's board."""

from __future__ import annotations

from shared.domain.leaderboard import PERIODS
from shared.schemas.base import BOOL, INT, STRING, Operation, enum, obj
from shared.validation import Schema, nullable

ROW = obj({"rank": INT, "member": STRING, "points": INT})
ME = obj({"rank": INT, "points": INT}, {"exact": BOOL})
BOARD: Schema = obj(
    {
        "period": enum(PERIODS),
        "key": STRING,
        "as_of": nullable(STRING),
        "items": {"type": "array", "items": ROW, "maxItems": 100},
        "me": nullable(ME),
    },
    {"ranked": INT},
)

OPERATIONS: dict[str, Operation] = {
    "leaderboard.get_leaderboard": Operation(
        "The top 100 members by points earned in this month or this year (programme time "
        "zone; the credits that count for tiers, less refunds' clawbacks), ids masked, as of "
        "the last snapshot (as_of; null and no items before the period's first), and the "
        "caller's rank with their points as they are now (null without points in the "
        "period). Equal points share a rank (1, 2, 2, 4), who reached the total first "
        "listed first. `exact` is false when the caller's total lies in a band of the "
        "kept distribution: the rank is then the band's best.",
        {200: BOARD},
        (422,),
        query={"period": enum(PERIODS)},
    ),
}
