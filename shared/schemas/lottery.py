"""Operations of the points lottery: odds, draws, pools, audit and stats."""

from __future__ import annotations

from shared.domain import lottery as lottery_rules
from shared.schemas.base import (
    ANY_OBJECT,
    DELIVERY_EXAMPLE,
    INT,
    LIST_QUERY,
    MAX_STOCK,
    STRING,
    Operation,
    enum,
    integer,
    nullable,
    obj,
    page,
    ref,
    text,
)

PRIZE_REQUEST = obj(
    {
        "prize_id": ref("Id"),
        "name": text(200),
        "kind": enum(lottery_rules.KINDS),
        "weight": integer(0, lottery_rules.MAX_WEIGHT),
    },
    {
        "stock": nullable(integer(0, MAX_STOCK)),
        "points": integer(1, lottery_rules.MAX_PRIZE_POINTS),
        "item_id": ref("Id"),
        "cash": ref("Money"),
    },
)

OPERATIONS: dict[str, Operation] = {
    # Points lottery ---------------------------------------------------------------------------
    "lottery.list_lotteries": Operation(
        "Open lotteries with the odds in force and the draws left today.",
        {200: obj({"items": {"type": "array", "items": ANY_OBJECT}})},
        (404,),
    ),
    "lottery.draw": Operation(
        "Draw once: the cost is debited and a prize picked in one transaction.",
        {
            201: obj({"draw_id": STRING, "cost": INT, "prize": nullable(ANY_OBJECT)}),
            200: obj({"draw_id": STRING, "cost": INT, "prize": nullable(ANY_OBJECT)}),
        },
        (400, 403, 404, 409, 413, 422, 503),
        request=ANY_OBJECT,
        body_required=False,
        example={},
        idempotency_key=True,
    ),
    "lottery.give_delivery_address": Operation(
        "Give the delivery address of a gift won in a draw.",
        {200: ref("Order")},
        (400, 404, 409, 413, 422, 503),
        request=ref("Delivery"),
        example=DELIVERY_EXAMPLE,
    ),
    "lottery_admin.list_lotteries": Operation(
        "Every lottery with its prize pool and stock, latest end first.",
        {200: ref("LotteryPage")},
        (422,),
        query=LIST_QUERY,
    ),
    "lottery_admin.get_lottery": Operation(
        "A lottery with its prize pool and stock.", {200: ref("Lottery")}, (404,)
    ),
    "lottery_admin.put_lottery": Operation(
        "Create (201) or replace (200) a lottery and its prize pool.",
        {201: ref("Lottery"), 200: ref("Lottery")},
        (400, 404, 409, 413, 422, 503),
        request=obj(
            {
                "name": text(200),
                "starts_at": ref("Timestamp"),
                "ends_at": ref("Timestamp"),
                "prizes": {
                    "type": "array",
                    "items": PRIZE_REQUEST,
                    "minItems": 1,
                    "maxItems": lottery_rules.MAX_PRIZES,
                },
            },
            {
                "cost": integer(1, lottery_rules.MAX_COST),
                "daily_limit": nullable(integer(1, lottery_rules.MAX_DAILY_LIMIT)),
                "no_prize_weight": integer(0, lottery_rules.MAX_WEIGHT),
            },
        ),
        example={
            "name": "Spring draw",
            "cost": 50,
            "daily_limit": 3,
            "starts_at": "2027-01-01T00:00:00+08:00",
            "ends_at": "2027-02-01T00:00:00+08:00",
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
    "lottery_admin.list_draws": Operation(
        "Every draw of a lottery, newest first (the audit).",
        {200: page(ANY_OBJECT)},
        (404, 422),
        query=LIST_QUERY,
    ),
    "lottery_admin.lottery_stats": Operation(
        "Observed outcomes against the published odds.",
        {200: obj({"draws": INT, "outcomes": {"type": "array"}})},
        (404,),
    ),
}
