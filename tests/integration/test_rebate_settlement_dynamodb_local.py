"""Rebate settlement on DynamoDB Local: purchases reported during the return window race the
settlement of their members' accruals. Every accrual write is either in the statement or
refused (the purchase then earns its points without accruing), and each statement is the
statement of its final accrual."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from shared.domain.rebate_statements import compute
from shared.domain.rebates import Accrual, RebateCampaign, from_cents
from shared.dynamodb import keys
from shared.dynamodb.models.members import LedgerItem
from shared.dynamodb.models.rebates import RebateItem
from tests.support import Api, purchase, rebate_body, register_member

pytestmark = pytest.mark.dynamodb_local
SHANGHAI = ZoneInfo("Asia/Shanghai")
DURING = datetime(2026, 12, 10, 10, 0, tzinfo=SHANGHAI)
ENDED = datetime(2027, 1, 2, 10, 0, tzinfo=SHANGHAI)
LATE = "2026-12-31T21:00:00+08:00"  # in the window, reported in the return window
MEMBERS = [f"m-{n}" for n in range(6)]
LATE_AMOUNTS = ("700.00", "1300.00", "2100.00", "3900.00", "150.00", "480.00", "999.99", "60.01")


@pytest.fixture(autouse=True)
def _release_clock():
    yield
    clock.release()


def contributed_cents(member_id: str, order_ids: list[str]) -> int:
    """Σ of what the member's purchases say they added to campaign ``ye``."""
    total = 0
    for order_id in order_ids:
        entry = LedgerItem.get(
            keys.member_pk(member_id), keys.ledger_sk("purchase", order_id), consistent_read=True
        )
        rebates = entry.rebates.as_dict() if entry.rebates is not None else {}
        if "ye" in rebates:
            total += int(rebates["ye"]["q"])
    return total


def test_purchases_racing_the_settlement_are_in_the_statement_or_refused(local_api: Api) -> None:
    api = local_api
    clock.pin(DURING)
    assert api.operator("PUT", "/v1/admin/rebates/ye", rebate_body()).status == 201
    orders: dict[str, list[str]] = {}
    for member_id in MEMBERS:
        register_member(api, member_id)
        assert purchase(api, member_id, f"{member_id}-o0", "1000.00").status == 201
        orders[member_id] = [f"{member_id}-o0"]
    clock.pin(ENDED)

    calls: list[Any] = [lambda: api.operator("POST", "/v1/admin/rebates/ye/settlements")]
    for member_id in MEMBERS:
        for n, amount in enumerate(LATE_AMOUNTS, start=1):
            order_id = f"{member_id}-o{n}"
            orders[member_id].append(order_id)
            calls.append(
                lambda m=member_id, o=order_id, a=amount: purchase(api, m, o, a, occurred_at=LATE)
            )
    with ThreadPoolExecutor(max_workers=8) as pool:  # purchases outlast the settlement
        results = [f.result() for f in [pool.submit(call) for call in calls]]
    settled = api.operator("POST", "/v1/admin/rebates/ye/settlements")  # finish, if it paused

    assert results[0].status == 200, results[0].body
    assert all(r.status == 201 for r in results[1:]), [r.body for r in results[1:]]
    assert settled.body["complete"] and settled.body["statements"] == len(MEMBERS)
    campaign = RebateCampaign.from_json(api.operator("GET", "/v1/admin/rebates/ye").body)
    grand_total = 0
    for member_id in MEMBERS:
        cents = contributed_cents(member_id, orders[member_id])
        item = RebateItem.get(keys.member_pk(member_id), keys.rebate_sk("ye"), consistent_read=True)
        statement = api.member(member_id, "GET", "/v1/me/rebates/ye/statement").body
        expected = compute(campaign, Accrual("ye", member_id, qualifying=cents))
        # every purchase that says it accrued is in the accrual, and nothing else is
        assert item.qualifying == cents
        assert statement["qualifying_amount"] == str(from_cents(cents))
        assert statement["total"] == str(expected.total)
        assert statement["lines"] == [line.to_json() for line in expected.lines]
        grand_total += int(expected.total * 100)
    assert settled.body["total"] == str(from_cents(grand_total))
