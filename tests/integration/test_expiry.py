"""Points expiry through the HTTP layer with the clock pinned (docs/product.md §5)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from msgspec import structs

from shared import clock, programme, rules_codec
from shared.domain.rules import DEFAULT_RULES
from shared.dynamodb import keys
from tests.support import Api, at, conflicting, spend, table_items


def run(api: Api, job: str = "expire") -> dict:
    res = api.operator("POST", f"/v1/admin/jobs/{job}/runs")
    assert res.status == 200, res.body
    return res.body


@pytest.fixture
def scenario(api: Api) -> Api:
    """100 earned 2027-01-10 (welcome), 50 earned 2027-02-01, 30 spent 2027-03-01."""
    at("2027-01-10")
    api.system("POST", "/v1/members", {"member_id": "m-x"})
    at("2027-02-01")
    api.system("POST", "/v1/purchases", {"order_id": "o-1", "member_id": "m-x", "amount": "50"})
    at("2027-03-01")
    spend("m-x", 30, "gift-1")
    yield api
    clock.release()


def ledger(api: Api, member: str = "m-x") -> list[dict]:
    return api.member(member, "GET", "/v1/me/ledger?limit=100").body["items"]


def test_the_soonest_lot_expires_what_spending_left_of_it(scenario: Api) -> None:
    api = scenario
    at("2027-07-11", hour=3)

    result = run(api)

    assert result["expired_points"] == 70
    me = api.member("m-x", "GET", "/v1/me").body
    assert me["balance"] == 50
    assert me["expiring"] == [{"points": 50, "expires_on": "2027-08-01"}]
    newest = ledger(api)[0]
    assert (newest["type"], newest["points"], newest["balance_after"]) == ("expire", -70, 50)
    assert me["balance"] == sum(e["points"] for e in ledger(api))


def test_running_the_job_again_the_same_day_changes_nothing(scenario: Api) -> None:
    api = scenario
    at("2027-07-11", hour=3)
    run(api)
    before = (api.member("m-x", "GET", "/v1/me").body, ledger(api))

    again = run(api)

    assert again["expired_points"] == 0
    assert (api.member("m-x", "GET", "/v1/me").body, ledger(api)) == before


def test_points_stay_valid_through_their_last_day(scenario: Api) -> None:
    api = scenario
    at("2027-07-10", hour=23)
    assert run(api)["expired_points"] == 0
    at("2027-08-01", hour=23)
    run(api)  # expires the first lot's 70
    assert api.member("m-x", "GET", "/v1/me").body["balance"] == 50
    at("2027-08-02", hour=1)
    assert run(api)["expired_points"] == 50
    assert api.member("m-x", "GET", "/v1/me").body["balance"] == 0


def test_a_member_in_points_debt_loses_nothing_more(api: Api) -> None:
    at("2027-01-10")
    api.system("POST", "/v1/members", {"member_id": "m-debt"})
    api.system("POST", "/v1/purchases", {"order_id": "o-9", "member_id": "m-debt", "amount": "100"})
    spend("m-debt", 150, "gift-9")
    api.system("POST", "/v1/refunds", {"refund_id": "r-9", "order_id": "o-9", "amount": "100"})
    assert api.member("m-debt", "GET", "/v1/me").body["balance"] == -50

    at("2027-07-11")
    result = run(api)

    assert result["expired_points"] == 0
    assert result["lots"] == 2  # both lots closed, nothing left in them to expire
    assert api.member("m-debt", "GET", "/v1/me").body["balance"] == -50
    assert all(e["type"] != "expire" for e in ledger(api, "m-debt"))


def test_fully_spent_lots_close_without_an_expire_entry(api: Api) -> None:
    at("2027-01-10")
    api.system("POST", "/v1/members", {"member_id": "m-spent"})
    spend("m-spent", 100, "gift-1")
    at("2027-07-11")

    result = run(api)

    assert (result["lots"], result["expired_points"]) == (1, 0)
    assert [e["type"] for e in ledger(api, "m-spent")] == ["redeem", "earn"]


def test_unknown_job_is_404_and_only_operators_run_jobs(api: Api) -> None:
    assert api.operator("POST", "/v1/admin/jobs/nope/runs").status == 404
    assert api.member("m-1", "POST", "/v1/admin/jobs/expire/runs").status == 403
    assert api.system("POST", "/v1/admin/jobs/expire/runs").status == 403


@pytest.mark.dynamodb_local
def test_reminders_are_published_once_per_member_date_and_threshold(local_api: Api, bus) -> None:
    api = local_api
    at("2027-01-10")
    for member in ("m-r1", "m-r2"):
        api.system("POST", "/v1/members", {"member_id": member})
    spend("m-r2", 40, "gift-1")  # m-r2 has 60 of the 100 left
    bus.clear()

    at("2027-06-15")  # 25 days before 2027-07-10
    first = run(api, "expiry-reminders")
    again = run(api, "expiry-reminders")
    at("2027-07-05")  # 5 days before
    week = run(api, "expiry-reminders")
    run(api, "expiry-reminders")

    reminders = [e for e in bus.drain() if e["detail-type"] == "PointsExpiringSoon.v1"]
    seen = sorted(
        (
            e["detail"]["member_id"],
            e["detail"]["threshold_days"],
            e["detail"]["points"],
            e["detail"]["expires_on"],
        )
        for e in reminders
    )
    assert seen == [
        ("m-r1", 7, 100, "2027-07-10"),
        ("m-r1", 30, 100, "2027-07-10"),
        ("m-r2", 7, 60, "2027-07-10"),
        ("m-r2", 30, 60, "2027-07-10"),
    ]
    assert (first["reminders"], again["reminders"], week["reminders"]) == (2, 0, 2)
    assert len({e["detail"]["event_id"] for e in reminders}) == 4


def test_goodwill_moves_what_is_left_of_the_expiring_lot(scenario: Api) -> None:
    api = scenario
    at("2027-07-01")  # 70 left of the 100 expiring 2027-07-10; 50 expire 2027-08-01

    res = api.operator(
        "POST",
        "/v1/admin/members/m-x/expiry-extensions",
        {"reason": "store closed for renovation", "expires_on": "2027-07-10", "to": "2027-09-30"},
    )

    assert res.status == 201, res.body
    assert res.body["moved"] == [{"points": 70, "from": "2027-07-10", "to": "2027-09-30"}]
    me = api.member("m-x", "GET", "/v1/me").body
    assert me["balance"] == 120
    assert me["expiring"] == [
        {"points": 50, "expires_on": "2027-08-01"},
        {"points": 70, "expires_on": "2027-09-30"},
    ]
    at("2027-08-02")
    assert run(api)["expired_points"] == 50
    at("2027-10-01")
    assert run(api)["expired_points"] == 70
    assert api.member("m-x", "GET", "/v1/me").body["balance"] == 0


def test_a_goodwill_extension_meeting_another_transaction_is_tried_again(scenario: Api) -> None:
    """Its transaction is cancelled once by another in progress on the member (a purchase at
    that moment): tried again, it moves the points once, and the operator gets 201."""
    at("2027-07-01")
    body = {"reason": "store closed", "expires_on": "2027-07-10", "to": "2027-09-30"}

    with conflicting() as refused:
        res = scenario.operator("POST", "/v1/admin/members/m-x/expiry-extensions", body)

    assert refused and res.status == 201, res.body
    assert res.body["moved"] == [{"points": 70, "from": "2027-07-10", "to": "2027-09-30"}]
    assert scenario.member("m-x", "GET", "/v1/me").body["expiring"] == [
        {"points": 50, "expires_on": "2027-08-01"},
        {"points": 70, "expires_on": "2027-09-30"},
    ]


def test_a_reminder_meeting_another_runs_transaction_is_sent_once(scenario: Api) -> None:
    """Two runs reach the member at once (the day's and an operator's): the reminder whose
    transaction meets the other's in progress is tried again and then seen as sent."""
    at("2027-07-05")

    with conflicting() as refused:
        first = run(scenario, "expiry-reminders")
    again = run(scenario, "expiry-reminders")

    # 70 due 07-10 (within 30 and within 7 days), 50 due 08-01 (within 30)
    assert refused and first["reminders"] == 3
    assert again["reminders"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"to": "2027-09-30"},  # no reason
        {"reason": "x"},  # neither to nor days
        {"reason": "x", "to": "2027-09-30", "days": 10},
        {"reason": "x", "days": 0},
        {"reason": "x", "to": "30/09/2027"},
        {"reason": "x", "to": "2027-07-05", "expires_on": "2027-07-10"},  # earlier than lots
    ],
)
def test_bad_extensions_are_422_and_change_nothing(scenario: Api, body: dict) -> None:
    api = scenario
    at("2027-07-01")
    before = api.member("m-x", "GET", "/v1/me").body

    res = api.operator("POST", "/v1/admin/members/m-x/expiry-extensions", body)

    assert res.status == 422, res.body
    assert api.member("m-x", "GET", "/v1/me").body == before


def test_extension_without_expiring_points_is_409(scenario: Api) -> None:
    at("2027-03-02")  # nothing expires within 30 days
    res = scenario.operator(
        "POST", "/v1/admin/members/m-x/expiry-extensions", {"reason": "x", "days": 30}
    )
    assert (res.status, res.code) == (409, "nothing_to_extend")


def test_a_run_out_of_time_resumes_from_its_checkpoint(api: Api) -> None:
    from shared.expiry import run_expiry

    at("2027-01-10")
    for i in range(12):
        api.system("POST", "/v1/members", {"member_id": f"m-{i:02d}"})
    at("2027-07-11")
    calls = iter(range(1000))

    first = run_expiry(clock.now(), time_left=lambda: 60 if next(calls) < 5 else 0)
    second = run_expiry(clock.now())

    assert first["complete"] is False
    assert second["complete"] is True
    assert second["expired_points"] == 1200  # counters carried over from the checkpoint
    assert sum(api.member(f"m-{i:02d}", "GET", "/v1/me").body["balance"] for i in range(12)) == 0


def test_the_scheduled_entry_point_runs_the_same_job(scenario: Api) -> None:
    from functions.expire.handler import lambda_handler
    from local.gateway import LambdaContext

    at("2027-07-11", hour=3)
    result = lambda_handler({"job": "expire"}, LambdaContext("expire", "req-1"))

    assert (result["job"], result["expired_points"]) == ("expire", 70)
    with pytest.raises(ValueError):
        lambda_handler({"job": "tiers"}, LambdaContext("expire", "req-2"))


def test_the_fixed_date_policy_expires_on_the_configured_date(api: Api) -> None:
    at("2027-01-10")
    rules = api.operator(
        "PUT",
        "/v1/admin/rules",
        {"validity": {"policy": "fixed", "month": 12, "day": 31, "years_after": 1}},
    )
    assert rules.status == 200, rules.body
    api.system("POST", "/v1/members", {"member_id": "m-f"})
    at("2027-03-05")
    api.system("POST", "/v1/purchases", {"order_id": "o-f", "member_id": "m-f", "amount": "40"})
    assert api.member("m-f", "GET", "/v1/me").body["expiring"] == [
        {"points": 140, "expires_on": "2028-12-31"}
    ]

    at("2028-12-31", hour=23)
    assert run(api)["expired_points"] == 0  # still valid through its last day
    at("2029-01-01", hour=3)
    assert run(api)["expired_points"] == 140
    assert api.member("m-f", "GET", "/v1/me").body["balance"] == 0


# Issue 23 raised the default expiry_shards from 10 to 64 --------------------------------------

SHIPPED_EXPIRY_SHARDS = (10, 64)  # every release's default: items sit in shards below each


@contextmanager
def release_with(expiry_shards: int) -> Iterator[None]:
    """Run as a release whose default ``expiry_shards`` is ``expiry_shards`` (a programme
    stores none of its own: the setting is read-only)."""
    shipped = rules_codec.DEFAULT_RULES
    rules_codec.DEFAULT_RULES = structs.replace(shipped, expiry_shards=expiry_shards)
    programme.invalidate()
    try:
        yield
    finally:
        rules_codec.DEFAULT_RULES = shipped
        programme.invalidate()


def index_partitions(sk_prefix: str) -> dict[str, str]:
    """Item ``pk`` -> its ``by_expiry`` partition, for the open lots (``LOT#``) or the active
    holds (``HOLD``)."""
    return {
        item["pk"]["S"]: item["exp_pk"]["S"]
        for item in table_items()
        if item["sk"]["S"].startswith(sk_prefix) and "exp_pk" in item
    }


def test_lots_written_under_10_shards_are_reminded_and_expired_after_the_raise(api: Api) -> None:
    old = ["m-old-1", "m-old-2", "m-old-3", "m-old-5", "m-old-8", "m-old-9"]  # shards 0 … 9
    at("2027-01-10")
    with release_with(10):
        for member in old:
            api.system("POST", "/v1/members", {"member_id": member})
    api.system("POST", "/v1/members", {"member_id": "m-new"})  # under this release's 64
    shards = DEFAULT_RULES.expiry_shards
    assert shards == 64
    written = {keys.member_pk(m): keys.expiry_pk(keys.shard_of(m, 10)) for m in old}
    written[keys.member_pk("m-new")] = keys.expiry_pk(keys.shard_of("m-new", shards))
    assert index_partitions("LOT#") == written
    # (none of them in the partition this release would have written)
    assert all(keys.shard_of(m, 10) != keys.shard_of(m, shards) for m in old)

    at("2027-06-15")  # 25 days before their last day, 2027-07-10
    reminded = run(api, "expiry-reminders")
    at("2027-07-11", hour=3)
    expired = run(api, "expire")

    assert (reminded["members"], reminded["reminders"]) == (7, 7)
    assert (expired["members"], expired["lots"], expired["expired_points"]) == (7, 7, 700)
    assert [api.member(m, "GET", "/v1/me").body["balance"] for m in [*old, "m-new"]] == [0] * 7
    assert index_partitions("LOT#") == {}


def test_a_hold_placed_under_10_shards_is_swept_after_the_raise(api: Api) -> None:
    at("2027-01-10")
    api.system("POST", "/v1/members", {"member_id": "m-h"})
    hold = {"member_id": "m-h", "order_amount": "10.00", "points": 100}
    with release_with(10):
        placed = api.system("POST", "/v1/holds", {**hold, "hold_id": "h-old", "order_id": "o-1"})
    assert placed.status == 201, placed.body
    assert index_partitions("HOLD") == {
        "HOLD#h-old": keys.hold_expiry_pk(keys.shard_of("h-old", 10))
    }
    assert keys.shard_of("h-old", 10) != keys.shard_of("h-old", DEFAULT_RULES.expiry_shards)
    clock.pin(clock.now() + timedelta(minutes=31))

    swept = run(api, "holds")

    assert swept["released"] == 1
    assert api.member("m-h", "GET", "/v1/me").body["held"] == 0
    assert index_partitions("HOLD") == {}


def test_expiry_shards_is_never_lowered(api: Api) -> None:
    """Through the API (a GET sent back is fine, any change is refused) or from an override an
    older release might have stored; and no release ships a smaller default than one before."""
    shown = api.operator("GET", "/v1/admin/rules").body["expiry_shards"]
    lowered = api.operator("PUT", "/v1/admin/rules", {"expiry_shards": 10})
    same = api.operator("PUT", "/v1/admin/rules", {"expiry_shards": shown})
    rules, problems = rules_codec.apply({"expiry_shards": 10})

    assert shown == DEFAULT_RULES.expiry_shards >= max(SHIPPED_EXPIRY_SHARDS)
    assert (lowered.status, lowered.code) == (422, "validation_error")
    assert "expiry_shards" in lowered.body["error"]["details"]["fields"]
    assert same.status == 200 and same.body["expiry_shards"] == shown
    assert rules.expiry_shards == shown and "expiry_shards" in problems
