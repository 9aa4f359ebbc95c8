"""Rebate settlement, statements and members' progress through the real handlers (moto):
settling only after the end, once however often it is asked, the ladder's statement, the
scheduled settlement after the return window, the live totals and what members see."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from shared.dynamodb import jobs
from shared.rebates import settlement
from tests.support import Api, Result, purchase, rebate_body, register_member

SHANGHAI = ZoneInfo("Asia/Shanghai")
DURING = datetime(2026, 12, 10, 10, 0, tzinfo=SHANGHAI)
ENDED = datetime(2027, 1, 2, 10, 0, tzinfo=SHANGHAI)  # after ends_at, before closes_at
CLOSED = datetime(2027, 1, 9, 10, 0, tzinfo=SHANGHAI)  # the 7-day return window is over


@pytest.fixture(autouse=True)
def in_december(frozen_clock: None) -> None:
    clock.pin(DURING)


def campaign(api: Api, campaign_id: str = "ye", **fields: Any) -> None:
    res = api.operator("PUT", f"/v1/admin/rebates/{campaign_id}", rebate_body(**fields))
    assert res.status == 201, res.body


def settle(api: Api, campaign_id: str = "ye") -> Result:
    return api.operator("POST", f"/v1/admin/rebates/{campaign_id}/settlements")


def statement(api: Api, member_id: str, campaign_id: str = "ye") -> Result:
    return api.member(member_id, "GET", f"/v1/me/rebates/{campaign_id}/statement")


def my_rebates(api: Api, member_id: str) -> list[dict[str, Any]]:
    res = api.member(member_id, "GET", "/v1/me/rebates")
    assert res.status == 200, res.body
    return res.body["items"]


def buyers(api: Api, *spends: tuple[str, str]) -> None:
    """Registers each member and records one purchase of the amount during the campaign."""
    for n, (member_id, amount) in enumerate(spends):
        register_member(api, member_id)
        assert purchase(api, member_id, f"o-{member_id}-{n}", amount).status == 201


def test_settling_before_the_end_is_refused_and_writes_nothing(api: Api) -> None:
    campaign(api)
    buyers(api, ("m-1", "4000.00"))

    res = settle(api)

    assert (res.status, res.code) == (409, "campaign_not_ended")
    assert statement(api, "m-1").code == "statement_not_found"
    assert my_rebates(api, "m-1")[0]["status"] == "running"


def test_the_ladder_statement_98_00_from_4000_plus_1500_minus_a_600_refund(api: Api) -> None:
    campaign(api)
    register_member(api, "m-1")
    assert purchase(api, "m-1", "o-1", "4000.00").status == 201
    assert purchase(api, "m-1", "o-2", "1500.00").status == 201
    refund = {"refund_id": "r-1", "order_id": "o-2", "amount": "600.00"}
    assert api.system("POST", "/v1/refunds", refund).status == 201
    buyers(api, ("m-top", "10000.00"), ("m-low", "999.99"))
    clock.pin(ENDED)

    res = settle(api)

    assert res.status == 200, res.body
    assert res.body == {"complete": True, "statements": 3, "total": "598.00"}
    mine = statement(api, "m-1").body
    assert mine["status"] == "draft"
    assert mine["qualifying_amount"] == "4900.00"
    assert mine["lines"] == [{"rule": "spend", "basis": "4900.00", "rate": "2", "amount": "98.00"}]
    assert (mine["total"], mine["payable"], mine["adjustment"]) == ("98.00", "98.00", None)
    assert statement(api, "m-top").body["total"] == "500.00"
    low = statement(api, "m-low").body  # a participant below the first rung: an empty one
    assert (low["lines"], low["total"]) == ([], "0.00")


def test_settling_twice_writes_once_and_answers_the_same(api: Api) -> None:
    campaign(api)
    buyers(api, ("m-1", "4900.00"), ("m-2", "5000.00"))
    clock.pin(ENDED)
    first = settle(api)
    written = statement(api, "m-1").body

    again = settle(api)

    assert first.status == again.status == 200
    assert first.body == again.body == {"complete": True, "statements": 2, "total": "248.00"}
    assert statement(api, "m-1").body == written  # same settled_at: not written again


def test_a_settled_accrual_takes_no_more_purchases_and_the_statement_stands(api: Api) -> None:
    campaign(api)
    buyers(api, ("m-1", "4900.00"))
    clock.pin(ENDED)
    assert settle(api).status == 200
    late = {"occurred_at": "2026-12-31T20:00:00+08:00"}  # in the window, reported after it

    assert purchase(api, "m-1", "o-late", "500.00", **late).status == 201

    assert statement(api, "m-1").body["total"] == "98.00"
    assert my_rebates(api, "m-1")[0]["qualifying_amount"] == "4900.00"


def test_members_see_the_rate_reached_the_next_rung_and_the_amount_to_go(api: Api) -> None:
    campaign(api)
    register_member(api, "m-1")
    (before,) = my_rebates(api, "m-1")  # an open campaign, nothing bought yet
    assert before["next_rung"] == {"min_amount": "1000.00", "rate": "2", "amount_to_go": "1000.00"}
    assert (before["rate"], before["accrued"], before["status"]) == ("0", "0.00", "running")

    assert purchase(api, "m-1", "o-1", "1800.00").status == 201
    (during,) = my_rebates(api, "m-1")

    assert during["campaign_id"] == "ye" and during["name"] == "Year-end rebate"
    assert during["qualifying_amount"] == "1800.00"
    assert during["rate"] == "2"
    assert during["next_rung"] == {"min_amount": "5000.00", "rate": "3", "amount_to_go": "3200.00"}
    assert during["accrued"] == "36.00"

    clock.pin(ENDED)
    (ended,) = my_rebates(api, "m-1")
    assert (ended["status"], ended["next_rung"], ended["accrued"]) == ("closing", None, "36.00")
    assert settle(api).status == 200
    (settled,) = my_rebates(api, "m-1")
    assert (settled["status"], settled["accrued"]) == ("draft", "36.00")


def test_members_see_closed_campaigns_only_where_they_took_part(api: Api) -> None:
    campaign(api, "ye")
    november = {"starts_at": "2026-11-01T00:00:00+08:00", "ends_at": "2026-12-01T00:00:00+08:00"}
    campaign(api, "other", **november)  # closed before m-1 bought
    buyers(api, ("m-1", "1200.00"))
    register_member(api, "m-2")
    clock.pin(CLOSED)

    assert [c["campaign_id"] for c in my_rebates(api, "m-1")] == ["ye"]
    assert my_rebates(api, "m-2") == []


def test_the_schedule_settles_a_closed_campaign_and_late_first_purchases(api: Api) -> None:
    campaign(api)
    buyers(api, ("m-1", "4900.00"))
    clock.pin(ENDED)
    assert settle(api).body["statements"] == 1
    register_member(api, "m-late")  # first purchase reported in the return window
    late = purchase(api, "m-late", "o-late", "2000.00", occurred_at="2026-12-30T12:00:00+08:00")
    assert late.status == 201
    clock.pin(CLOSED)

    run = api.operator("POST", "/v1/admin/jobs/rebate-settlement/runs")
    again = api.operator("POST", "/v1/admin/jobs/rebate-settlement/runs")

    assert run.status == 200, run.body
    assert (run.body["complete"], run.body["processed"], run.body["settled"]) == (True, 2, 1)
    assert statement(api, "m-late").body["total"] == "40.00"
    assert (again.body["campaigns"], again.body["processed"]) == (0, 0)  # done: one read


def test_the_campaign_shows_live_totals_from_its_participants(api: Api) -> None:
    campaign(api)
    buyers(api, ("m-1", "4900.00"), ("m-2", "10000.00"), ("m-3", "500.00"))
    register_member(api, "m-none")

    during = api.operator("GET", "/v1/admin/rebates/ye").body

    assert during["participants"] == 3
    assert during["qualifying_amount"] == "15400.00"
    assert during["accrued"] == "598.00"
    assert (during["approved"], during["paid"]) == ("0.00", "0.00")
    assert during["rebate_rate"] == "3.88"  # 598 / 15 400
    clock.pin(ENDED)
    settle(api)
    assert api.operator("GET", "/v1/admin/rebates/ye").body["accrued"] == "598.00"


def test_unknown_campaigns_and_statements_are_404_and_change_nothing(api: Api) -> None:
    campaign(api)
    buyers(api, ("m-1", "4900.00"))
    clock.pin(ENDED)

    assert settle(api, "nope").code == "campaign_not_found"
    assert settle(api, "bad id!").code == "campaign_not_found"
    assert statement(api, "m-1", "nope").code == "statement_not_found"
    assert statement(api, "m-1", "bad id!").status == 404
    assert api.member("m-1", "POST", "/v1/admin/rebates/ye/settlements").status == 403
    assert statement(api, "m-1").code == "statement_not_found"  # nothing was settled


def test_a_settlement_stopped_for_time_resumes_where_it_stopped(api: Api) -> None:
    campaign(api)
    members = [(f"m-{n}", f"{1000 + n}.00") for n in range(12)]
    buyers(api, *members)
    clock.pin(ENDED)
    readings = iter([60.0] * 6)  # the budget's first reading, then five steps' worth

    paused = settlement.settle("ye", clock.now(), lambda: next(readings, 0.0), actor="op-1")
    checkpoint = jobs.get_run(settlement.JOB, "ye#closing")
    resumed = settle(api)

    assert paused["complete"] is False and 0 < paused["statements"] < len(members)
    assert checkpoint is not None and not checkpoint.complete  # where it stopped
    assert resumed.body["complete"] is True
    assert resumed.body["statements"] == len(members)
    assert resumed.body == settle(api).body  # and again: the same
    assert all(statement(api, m).status == 200 for m, _ in members)
