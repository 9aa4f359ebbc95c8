"""Operations of the points lottery: odds, draws, pools, audit and stats."""

from __future__ import annotations

from shared.requests.lottery import DRAW, GIVE_DELIVERY_ADDRESS, PUT_LOTTERY
from shared.schemas.base import (
    ANY_OBJECT,
    DELIVERY_EXAMPLE,
    INT,
    STRING,
    Operation,
    items,
    nullable,
    obj,
    page,
    paged,
    ref,
    upsert,
)

OPERATIONS: dict[str, Operation] = {
    # Points lottery ---------------------------------------------------------------------------
    "lottery.list_lotteries": Operation(
        "Open lotteries with the odds in force, the draws left today, who each is for "
        "(tiers, registered_after) and the extra draws earned by spend that the member has "
        "left (extra_draws_left).",
        {200: items(ANY_OBJECT)},
        (404,),
    ),
    "lottery.draw": Operation(
        "Draw once: the cost is debited and a prize picked in one transaction. With "
        '{"extra": true} it uses an extra draw earned by spend instead: cost 0, outside the '
        "daily limit (409 no_extra_draws when none is left). 409 not_available also when "
        "the lottery is for other tiers or newer members.",
        {
            201: obj({"draw_id": STRING, "cost": INT, "prize": nullable(ANY_OBJECT)}),
            200: obj({"draw_id": STRING, "cost": INT, "prize": nullable(ANY_OBJECT)}),
        },
        (400, 403, 404, 409, 413, 422, 503),
        request=DRAW.schema(),
        body_required=False,
        example={},
        idempotency_key=True,
    ),
    "lottery.give_delivery_address": Operation(
        "Give the delivery address of a gift won in a draw.",
        {200: ref("Order")},
        (400, 404, 409, 413, 422, 503),
        request=GIVE_DELIVERY_ADDRESS.ref(),
        example=DELIVERY_EXAMPLE,
    ),
    "lottery_admin.list_lotteries": paged(
        "Every lottery with its prize pool and stock, latest end first.", ref("LotteryPage")
    ),
    "lottery_admin.get_lottery": Operation(
        "A lottery with its prize pool and stock.", {200: ref("Lottery")}, (404,)
    ),
    "lottery_admin.put_lottery": upsert(
        "a lottery and its prize pool",
        ref("Lottery"),
        (400, 404, 409, 413, 422, 503),
        PUT_LOTTERY.schema(),
        {
            "name": "Spring draw",
            "cost": 50,
            "daily_limit": 3,
            "starts_at": "2027-01-01T00:00:00+08:00",
            "ends_at": "2027-02-01T00:00:00+08:00",
            "extra_draws": {"per_amount": "100.00", "draws": 1},
            "prizes": [
                {
                    "prize_id": "p-10",
                    "name": "10 points",
                    "kind": "points",
                    "weight": 1,
                    "points": 10,
                },
            ],
        },
    ),
    "lottery_admin.list_draws": paged(
        "Every draw of a lottery, newest first (the audit).", page(ANY_OBJECT), (404, 422)
    ),
    "lottery_admin.lottery_stats": Operation(
        "Observed outcomes against the published odds.",
        {200: obj({"draws": INT, "outcomes": {"type": "array"}})},
        (404,),
    ),
}
