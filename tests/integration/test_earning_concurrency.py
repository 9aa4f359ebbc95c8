"""Racing check-ins, task completions, first purchases and adjustments on DynamoDB Local."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import Api

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]


def race(n: int, fn) -> list:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: fn(), range(n)))


def ledger(api: Api, member_id: str) -> list[dict]:
    return api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]


def test_twenty_concurrent_check_ins_credit_exactly_once(local_api: Api) -> None:
    api = local_api
    api.system("POST", "/v1/members", {"member_id": "m-1"})

    results = race(20, lambda: api.member("m-1", "POST", "/v1/me/checkins"))

    assert Counter(r.status for r in results) == {201: 1, 409: 19}
    assert {r.code for r in results if r.status == 409} == {"already_checked_in"}
    entries = [e for e in ledger(api, "m-1") if e["source"] == "checkin"]
    assert [e["points"] for e in entries] == [10]
    me = api.member("m-1", "GET", "/v1/me").body
    assert (me["balance"], me["checkin_streak"]) == (110, 1)


def test_twenty_concurrent_completions_of_a_once_task_credit_exactly_once(
    local_api: Api,
) -> None:
    api = local_api
    api.system("POST", "/v1/members", {"member_id": "m-1"})
    api.operator("PUT", "/v1/admin/tasks/survey", {"name": "Survey", "points": 20, "limit": "once"})

    results = race(20, lambda: api.member("m-1", "POST", "/v1/me/tasks/survey/completions"))

    assert Counter(r.status for r in results) == {201: 1, 409: 19}
    assert {r.code for r in results if r.status == 409} == {"task_limit_reached"}
    assert [e["points"] for e in ledger(api, "m-1") if e["source"] == "task"] == [20]
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 120


def test_concurrent_activity_never_passes_the_daily_cap(local_api: Api) -> None:
    api = local_api
    api.system("POST", "/v1/members", {"member_id": "m-1"})
    for i in range(10):
        api.operator("PUT", f"/v1/admin/tasks/t-{i}", {"name": "t", "points": 90, "limit": "daily"})

    with ThreadPoolExecutor(max_workers=11) as pool:
        futures = [
            pool.submit(api.member, "m-1", "POST", f"/v1/me/tasks/t-{i}/completions")
            for i in range(10)
        ]
        checkin_future = pool.submit(api.member, "m-1", "POST", "/v1/me/checkins")
        tasks = [f.result() for f in futures]
        checkin = checkin_future.result()

    assert [r.status for r in tasks] == [201] * 10 and checkin.status == 201
    credited = sum(r.body["points"] for r in [*tasks, checkin])
    capped = sum(r.body["capped"] for r in [*tasks, checkin])
    assert (credited, capped) == (500, 10 * 90 + 10 - 500)
    activity = [e for e in ledger(api, "m-1") if e["source"] in ("task", "checkin")]
    assert sum(e["points"] for e in activity) == 500


def test_concurrent_first_purchases_pay_the_referral_bonuses_once(local_api: Api) -> None:
    api = local_api
    api.system("POST", "/v1/members", {"member_id": "m-a"})
    code_a = api.member("m-a", "GET", "/v1/me").body["referral_code"]
    api.system("POST", "/v1/members", {"member_id": "m-b", "referral_code": code_a})
    code_b = api.member("m-b", "GET", "/v1/me").body["referral_code"]
    api.system("POST", "/v1/members", {"member_id": "m-c", "referral_code": code_b})

    def buy(i: int):
        body = {"order_id": f"o-{i % 8}", "member_id": "m-c", "amount": "10"}
        return api.system("POST", "/v1/purchases", body)

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(buy, range(24)))  # 8 orders, each sent 3 times

    assert Counter(r.status for r in results) == {201: 8, 200: 16}
    for member_id, points in (("m-b", 100), ("m-c", 50), ("m-a", 20)):
        bonuses = [e["points"] for e in ledger(api, member_id) if e["source"] == "referral"]
        assert bonuses == [points], member_id
    assert api.member("m-c", "GET", "/v1/me").body["balance"] == 100 + 8 * 10 + 50


def test_concurrent_adjustments_with_one_idempotency_key_apply_once(local_api: Api) -> None:
    api = local_api
    api.system("POST", "/v1/members", {"member_id": "m-1"})

    results = race(
        12,
        lambda: api.operator(
            "POST",
            "/v1/admin/members/m-1/adjustments",
            {"points": 40, "reason": "goodwill"},
            headers={"Idempotency-Key": "k-1"},
        ),
    )

    assert {r.status for r in results} == {201}
    assert len({r.body["adjustment_id"] for r in results}) == 1
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 140
