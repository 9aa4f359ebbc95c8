"""A burst of member-facing events through the notifier's real handler on DynamoDB Local.

Seeds M member profiles (default 2 000; some opted into SMS and/or e-mail, some frozen), then
builds N business events (default 10 000): points-expiry reminders (30- and 7-day ones for the
same member the same day: one message), orders shipped, tier changes, prizes, rebates,
birthday points, transfers, and some events that tell no one or name no member. It shuffles
them, adds R redeliveries (default 500: copies of events already delivered, later in the
stream) and feeds the handler SQS batches of 100 records, as the event source mapping would,
with the stage's SMS and e-mail on and a dispatch that records sends instead of queueing them.

Prints the messages written, the redeliveries recognised, the kinds already taken that day,
the sends handed over, the duplicates (messages beyond one per member, kind and day in the
table, or written more than once: must be 0), the time, and the invocations.

Usage: python bench/notifier_burst.py [N] [M] [R]
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from _support import ROOT, local_stack

BATCH = 100
DAY_ONE = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
NOW = DAY_ONE + timedelta(days=1, hours=2)  # outside SMS quiet hours


class Recorder:
    """The dispatch: counts sends per (member, message, channel) instead of queueing them."""

    def __init__(self) -> None:
        self.sends: Counter[tuple[str, str, str]] = Counter()

    def dispatch(self, sends: Sequence[Any], now: datetime) -> None:
        self.sends.update((s.member_id, s.message_id, s.channel) for s in sends)


def seed(members: int) -> None:
    """Member profiles straight into the table: every 3rd opted into SMS, every 4th into
    e-mail, every 50th frozen; all with a phone and an address."""
    from shared.dynamodb import keys
    from shared.dynamodb.models.members import MemberItem

    with MemberItem.batch_write() as batch:
        for i in range(members):
            member_id = f"m-{i:05d}"
            batch.save(
                MemberItem(
                    pk=keys.member_pk(member_id),
                    sk=keys.PROFILE,
                    member_id=member_id,
                    registered_at="2027-01-01T00:00:00.000000+00:00",
                    status="frozen" if i % 50 == 49 else "active",
                    phone=f"+86138{i:08d}",
                    email=f"member{i}@example.com",
                    notify_sms=i % 3 == 0,
                    notify_email=i % 4 == 0,
                )
            )


def event(n: int, members: int, rng: random.Random) -> tuple[str, dict[str, Any], datetime]:
    """The n-th event of the burst: (detail-type, detail, time)."""
    member = f"m-{rng.randrange(members + members // 20):05d}"  # ~5 % name no profile
    at = DAY_ONE + timedelta(days=rng.randrange(2), minutes=rng.randrange(600))
    base = {"event_id": f"bench-{n}", "member_id": member}
    pick = n % 10
    if pick in (0, 1):
        expires = {"points": 100 + n % 500, "expires_on": "2027-03-31"}
        return "PointsExpiringSoon.v1", {**base, **expires, "threshold_days": 30 - 23 * pick}, at
    if pick == 2:
        ship = {"order_id": f"o-{n}", "item_id": "tea", "status": "shipped"}
        return (
            "OrderStatusChanged.v1",
            {**base, **ship, "carrier": "SF", "tracking_no": f"SF{n}"},
            at,
        )
    if pick == 3:
        return (
            "TierChanged.v1",
            {**base, "from": "bronze", "to": "silver", "change": "promotion"},
            at,
        )
    if pick == 4:
        return "LotteryPrizeWon.v1", {**base, "type": "lottery_prize", "points": 88}, at
    if pick == 5:
        return "RebateStatementIssued.v1", {**base, "campaign_id": "spring", "total": "12.50"}, at
    if pick == 6:
        return "PointsEarned.v1", {**base, "type": "earn", "source": "birthday", "points": 50}, at
    if pick == 7:
        return "PointsReceived.v1", {**base, "type": "transfer_in", "points": 20}, at
    if pick == 8:
        return "OrderStatusChanged.v1", {**base, "order_id": f"o-{n}", "status": "delivered"}, at
    return "PointsEarned.v1", {**base, "type": "earn", "source": "purchase", "points": 10}, at


def record(index: int, found: tuple[str, dict[str, Any], datetime]) -> dict[str, Any]:
    detail_type, detail, at = found
    body = {
        "id": f"eb-{detail['event_id']}",
        "time": at.isoformat().replace("+00:00", "Z"),
        "detail-type": detail_type,
        "source": "loyalty.points",
        "detail": detail,
    }
    return {"messageId": f"sqs-{index}", "body": json.dumps(body)}


def stream(n: int, members: int, redeliveries: int) -> tuple[list[dict[str, Any]], list[Any]]:
    """The SQS records in delivery order (events shuffled, redeliveries later than their
    first delivery) and the distinct events."""
    rng = random.Random(20)
    events = [event(i, members, rng) for i in range(n)]
    order = list(range(n))
    rng.shuffle(order)
    for original in rng.sample(range(n), redeliveries):
        first = order.index(original)
        order.insert(rng.randrange(first + 1, len(order) + 1), original)
    return [record(i, events[e]) for i, e in enumerate(order)], events


def expected(events: list[Any], members: int) -> set[tuple[str, str]]:
    """(member, message id) of every message the burst should leave: one per member, kind
    and programme day, for members with a profile."""
    from shared.domain.notices import notice_of
    from shared.domain.rules import DEFAULT_RULES

    keys = set()
    for detail_type, detail, at in events:
        notice = notice_of(detail_type, detail, at, DEFAULT_RULES)
        if notice is not None and int(notice.member_id[2:]) < members:
            keys.add((notice.member_id, notice.message_id))
    return keys


def stored_messages() -> Counter[tuple[str, str]]:
    """Every inbox message in the table, by (member, message id)."""
    from shared.dynamodb import connection
    from shared.settings import settings

    client = connection.connection().client
    found: Counter[tuple[str, str]] = Counter()
    kwargs: dict[str, Any] = {
        "TableName": settings().table_name,
        "FilterExpression": "begins_with(sk, :m)",
        "ExpressionAttributeValues": {":m": {"S": "MSG#"}},
        "ProjectionExpression": "member_id, message_id",
    }
    while True:
        page = client.scan(**kwargs)
        found.update((i["member_id"]["S"], i["message_id"]["S"]) for i in page["Items"])
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def main() -> None:
    args = [int(a) for a in sys.argv[1:]]
    n, members, redeliveries = (args + [10_000, 2_000, 500][len(args) :])[:3]
    os.environ["SMS_ENABLED"] = "true"
    os.environ["EMAIL_FROM"] = "notices@example.com"
    print(
        f"notifier burst: {n} events + {redeliveries} redeliveries, {members} members "
        f"(repo {ROOT.name}; DynamoDB Local, in memory; SQS batches of {BATCH}):"
    )
    with local_stack(table="notifier-bench"):
        from functions.notifier import handler
        from local.gateway import LambdaContext
        from shared import clock
        from shared.notifications import notifier

        seed(members)
        records, events = stream(n, members, redeliveries)
        want = expected(events, members)
        dispatch = Recorder()
        handler.use_dispatch(dispatch)
        clock.pin(NOW)
        totals: Counter[str] = Counter()
        original = notifier.process

        def counted(*a: Any, **kw: Any) -> notifier.Outcome:
            outcome = original(*a, **kw)
            totals.update(outcome.counts())
            return outcome

        notifier.process = counted  # type: ignore[assignment]
        failures = invocations = 0
        started = time.perf_counter()
        for start in range(0, len(records), BATCH):
            context = LambdaContext("notifier", f"req-{invocations}")
            reply = handler.lambda_handler({"Records": records[start : start + BATCH]}, context)
            failures += len(reply["batchItemFailures"])
            invocations += 1
        elapsed = time.perf_counter() - started
        clock.release()
        stored = stored_messages()

    duplicates = sum(c - 1 for c in stored.values()) + max(0, totals["new"] - len(want))
    resent = sum(c - 1 for c in dispatch.sends.values())
    print(
        f"  records {len(records)}, invocations (batches) {invocations}, "
        f"{elapsed:.1f} s ({len(records) / elapsed:,.0f} events/s, "
        f"{1000 * elapsed / invocations:.0f} ms per batch)"
    )
    print(
        f"  messages written {totals['new']} (expected {len(want)}, in the table {len(stored)}), "
        f"redeliveries recognised {totals['same_event']}, kind already taken that day "
        f"{totals['taken']}, skipped {totals['skipped']}, failed records {failures}"
    )
    print(
        f"  sends handed over {totals['sends']} ({len(dispatch.sends)} distinct; "
        f"{resent} owed again by redeliveries, as no sender marked them sent)"
    )
    print(f"  duplicates {duplicates}; missing {len(want - set(stored))}")
    if duplicates or failures or want != set(stored):
        sys.exit(1)


if __name__ == "__main__":
    main()
