"""Membership tiers and birthdays through the handlers, with the clock pinned
(docs/product.md §7): promotion inside the earning transactions, the monthly evaluation, birthday
points, tier-only catalog items."""

from __future__ import annotations

from collections import Counter

import pytest

from shared import clock
from shared.dynamodb import keys
from shared.dynamodb.models import JobRunItem, MemberItem, as_plain
from tests.support import Api, adjust, at, conflicting, purchase, register_member, transfer

# Each test starts on 2027-01-10 at 10:00, Shanghai time (``at`` moves the clock on).
pytestmark = pytest.mark.usefixtures("frozen_clock")


def buy(api: Api, member_id: str, order_id: str, amount: str) -> dict:
    res = purchase(api, member_id, order_id, amount)
    assert res.status == 201, res.body
    return res.body


def gold_member(api: Api, member_id: str) -> str:
    """``member_id`` registered and promoted to gold by a 5 000.00 purchase (order o-1)."""
    register_member(api, member_id)
    buy(api, member_id, "o-1", "5000.00")
    return member_id


def me(api: Api, member_id: str) -> dict:
    res = api.member(member_id, "GET", "/v1/me")
    assert res.status == 200, res.body
    return res.body


def standing(api: Api, member_id: str) -> tuple:
    view = me(api, member_id)
    return (
        view["tier"],
        view["qualifying_points"],
        view["next_tier"],
        view["points_to_next_tier"],
    )


def run(api: Api, job: str) -> dict:
    res = api.operator("POST", f"/v1/admin/jobs/{job}/runs")
    assert res.status == 200, res.body
    return res.body


def tier_audit(api: Api, member_id: str) -> list[tuple[str, str, str]]:
    audit = api.operator("GET", f"/v1/admin/members/{member_id}").body["audit"]
    return [
        (a["action"], a["ref"], a["actor"])
        for a in reversed(audit)
        if a["action"] in ("promotion", "demotion")
    ]


def ledger(api: Api, member_id: str) -> list[dict]:
    return api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]


def in_tier_index(member_id: str) -> bool:
    from shared.dynamodb import tiers

    return any(
        member_id in {found for found, _ in tiers.members_in_tier(tier, shard)}
        for tier in ("silver", "gold", "platinum", "diamond")
        for shard in range(keys.TIER_SHARDS)
    )


# Promotion -----------------------------------------------------------------------------


def test_purchases_take_a_member_to_silver_then_gold(api: Api) -> None:
    register_member(api, "m-t")
    assert standing(api, "m-t") == ("bronze", 0, "silver", 1000)  # welcome points do not count

    first = buy(api, "m-t", "o-1", "1000.00")
    assert first["points"] == 1000  # earned at the tier before the purchase
    assert standing(api, "m-t") == ("silver", 1000, "gold", 4000)

    second = buy(api, "m-t", "o-2", "4000.00")
    assert second["points"] == 4400  # silver ×1.1
    assert standing(api, "m-t") == ("gold", 5400, "platinum", 14600)
    assert tier_audit(api, "m-t") == [
        ("promotion", "bronze->silver", "system"),
        ("promotion", "silver->gold", "system"),
    ]
    assert in_tier_index("m-t")


def test_one_purchase_can_skip_tiers(api: Api) -> None:
    register_member(api, "m-s")

    buy(api, "m-s", "o-1", "5000.00")

    assert standing(api, "m-s") == ("gold", 5000, "platinum", 15000)
    assert tier_audit(api, "m-s") == [("promotion", "bronze->gold", "system")]


def test_a_repeated_purchase_promotes_once(api: Api) -> None:
    register_member(api, "m-r")
    buy(api, "m-r", "o-1", "1000.00")

    again = purchase(api, "m-r", "o-1", "1000.00")

    assert again.status == 200
    assert standing(api, "m-r")[:2] == ("silver", 1000)
    assert len(tier_audit(api, "m-r")) == 1


def test_a_purchase_that_promotes_costs_a_second_round_trip_and_others_one(
    api: Api, dynamodb_calls: Counter
) -> None:
    register_member(api, "m-w")
    register_member(api, "m-0")
    # Warms the rules cache; another member's, so that o-1 is m-w's first purchase of the day
    # (a later one that day costs a second round trip for the daily velocity anyway).
    buy(api, "m-0", "o-0", "1.00")
    dynamodb_calls.clear()

    buy(api, "m-w", "o-1", "900.00")
    assert dynamodb_calls == Counter({"TransactWriteItems": 1})
    dynamodb_calls.clear()
    buy(api, "m-w", "o-2", "200.00")  # 1 101: the blind attempt is cancelled, the retry exact
    assert dynamodb_calls == Counter({"TransactWriteItems": 2})
    assert me(api, "m-w")["tier"] == "silver"


def test_a_gold_members_100_purchase_earns_125_points(api: Api) -> None:
    gold_member(api, "m-g")

    res = buy(api, "m-g", "o-2", "100.00")

    assert res["points"] == 125
    assert {p["rule"]: p["points"] for p in res["breakdown"]} == {"base": 100, "tier:gold": 25}


def test_check_ins_tasks_and_referral_bonuses_promote_too(api: Api) -> None:
    register_member(api, "m-c")
    buy(api, "m-c", "o-c", "995.00")
    assert api.member("m-c", "POST", "/v1/me/checkins").status == 201  # +10
    assert standing(api, "m-c")[:2] == ("silver", 1005)

    register_member(api, "m-k")
    buy(api, "m-k", "o-k", "990.00")
    api.operator("PUT", "/v1/admin/tasks/survey", {"name": "Survey", "points": 20, "limit": "once"})
    assert api.member("m-k", "POST", "/v1/me/tasks/survey/completions").status == 201
    assert standing(api, "m-k")[:2] == ("silver", 1010)

    register_member(api, "m-referrer")
    buy(api, "m-referrer", "o-r", "950.00")
    code = me(api, "m-referrer")["referral_code"]
    register_member(api, "m-new", referral_code=code)
    buy(api, "m-new", "o-n", "10.00")  # first purchase: the referrer gets 100
    assert standing(api, "m-referrer")[:2] == ("silver", 1050)
    assert standing(api, "m-new")[:2] == ("bronze", 60)  # 10 + the 50 welcome bonus


def test_transfers_and_adjustments_do_not_qualify(api: Api) -> None:
    register_member(api, "m-a")
    register_member(api, "m-b")
    assert adjust(api, "m-a", {"points": 5000, "reason": "gift"}).status == 201
    sent = transfer(api, "m-a", {"to_member_id": "m-b", "points": 1000})
    assert sent.status == 201, sent.body

    assert standing(api, "m-a")[:2] == ("bronze", 0)
    assert standing(api, "m-b")[:2] == ("bronze", 0)


def test_a_total_kept_for_an_earlier_month_is_recomputed_from_the_buckets(api: Api) -> None:
    register_member(api, "m-q")
    buy(api, "m-q", "o-1", "800.00")
    at("2027-03-05")  # the stored total is January's

    buy(api, "m-q", "o-2", "300.00")

    assert standing(api, "m-q")[:2] == ("silver", 1100)
    at("2028-02-05")  # January 2027 no longer counts
    buy(api, "m-q", "o-3", "100.00")  # silver ×1.1 → 110
    profile = MemberItem.get(keys.member_pk("m-q"), keys.PROFILE)
    assert (profile.qualifying_month, int(profile.qualifying_total)) == ("2028-02", 410)
    assert standing(api, "m-q")[:2] == ("silver", 410)  # credits never demote


def test_a_refund_takes_its_points_out_of_the_qualifying_total(api: Api) -> None:
    register_member(api, "m-f")
    buy(api, "m-f", "o-1", "1000.00")
    refund = api.system(
        "POST", "/v1/refunds", {"refund_id": "rf-1", "order_id": "o-1", "amount": "400.00"}
    )
    assert refund.status == 201, refund.body

    assert standing(api, "m-f")[:2] == ("silver", 600)  # demotion waits for the evaluation
    at("2027-02-01", hour=4)
    run(api, "tiers")
    assert standing(api, "m-f")[:2] == ("bronze", 600)


# The monthly evaluation ----------------------------------------------------------------


def test_thirteen_months_without_activity_two_runs_take_gold_to_silver_to_bronze(
    api: Api,
) -> None:
    gold_member(api, "m-d")
    at("2027-02-01", hour=4)
    assert run(api, "tiers")["demoted"] == 0
    at("2028-01-01", hour=4)  # January 2027's points still count (12 months)
    assert run(api, "tiers")["demoted"] == 0
    assert standing(api, "m-d")[:2] == ("gold", 5000)

    at("2028-02-01", hour=4)
    first = run(api, "tiers")
    after_first = (me(api, "m-d"), ledger(api, "m-d"), tier_audit(api, "m-d"))
    again = run(api, "tiers")

    assert (first["processed"], first["demoted"]) == (1, 1)
    assert standing(api, "m-d") == ("silver", 0, "gold", 5000)
    assert again["processed"] == 0 and again["already_complete"] is True
    assert (me(api, "m-d"), ledger(api, "m-d"), tier_audit(api, "m-d")) == after_first

    at("2028-03-01", hour=4)
    assert run(api, "tiers")["demoted"] == 1
    after_second = (me(api, "m-d"), tier_audit(api, "m-d"))
    assert run(api, "tiers")["processed"] == 0
    assert (me(api, "m-d"), tier_audit(api, "m-d")) == after_second
    assert standing(api, "m-d") == ("bronze", 0, "silver", 1000)
    assert tier_audit(api, "m-d") == [
        ("promotion", "bronze->gold", "system"),
        ("demotion", "gold->silver", "system"),
        ("demotion", "silver->bronze", "system"),
    ]
    assert not in_tier_index("m-d")  # bronze members leave the index
    assert me(api, "m-d")["balance"] == sum(e["points"] for e in ledger(api, "m-d"))


def test_a_second_run_in_the_month_does_not_demote_again_even_without_the_checkpoint(
    api: Api,
) -> None:
    gold_member(api, "m-d")
    at("2028-02-01", hour=4)
    run(api, "tiers")
    JobRunItem(pk=keys.job_pk("tiers"), sk=keys.job_run_sk("2028-02")).delete()

    again = run(api, "tiers")

    assert (again["demoted"], again["skipped"]) == (0, 1)
    assert me(api, "m-d")["tier"] == "silver"


def test_a_demotion_meeting_another_transaction_on_the_member_is_tried_again(api: Api) -> None:
    """The demotion's transaction is cancelled once by another in progress on the member (a
    purchase at that moment): tried again, the member is demoted once and the run ends well."""
    gold_member(api, "m-d")
    at("2028-02-01", hour=4)

    with conflicting() as refused:
        result = run(api, "tiers")

    assert refused and (result["demoted"], result["complete"]) == (1, True)
    assert me(api, "m-d")["tier"] == "silver"


def test_the_evaluation_reads_only_members_above_bronze(api: Api) -> None:
    for i in range(6):
        register_member(api, f"m-{i}")
    buy(api, "m-0", "o-0", "1000.00")
    buy(api, "m-1", "o-1", "5000.00")
    at("2027-02-01", hour=4)

    result = run(api, "tiers")

    assert (result["processed"], result["kept"], result["demoted"]) == (2, 2, 0)


def test_the_evaluations_reads_and_writes_follow_the_members_above_bronze(
    api: Api, dynamodb_calls: Counter
) -> None:
    for i in range(30):
        register_member(api, f"m-{i:02d}")
    buy(api, "m-00", "o-0", "5000.00")
    buy(api, "m-01", "o-1", "1000.00")
    at("2027-02-01", hour=4)
    dynamodb_calls.clear()

    run(api, "tiers")

    partitions = 4 * keys.TIER_SHARDS  # silver, gold, platinum, diamond (shared/jobs/fanout.py)
    assert "Scan" not in dynamodb_calls
    assert dynamodb_calls["GetItem"] == 2 + 2  # the run's item before and after + the members
    # their totals move to February; each partition is counted done on the run's item, each
    # with members leased and let go (one or two); the run completed
    assert dynamodb_calls["UpdateItem"] in (2 + partitions + 2 + 1, 2 + partitions + 4 + 1)
    assert dynamodb_calls["TransactWriteItems"] == 0
    # rules + the index partitions + the shards' checkpoints summed at completion
    assert dynamodb_calls["Query"] <= 1 + partitions + 1
    assert dynamodb_calls["PutItem"] == 1 + 1  # the run's item (its round), the audit entry


def test_the_evaluation_drops_buckets_that_no_longer_count(api: Api) -> None:
    gold_member(api, "m-p")
    at("2027-06-10")
    buy(api, "m-p", "o-2", "10.00")
    at("2028-02-01", hour=4)

    run(api, "tiers")

    profile = MemberItem.get(keys.member_pk("m-p"), keys.PROFILE)
    assert as_plain(profile.qualifying) == {"2027-06": 12}  # gold ×1.25 of 10
    assert (profile.qualifying_month, int(profile.qualifying_total)) == ("2028-02", 12)


def test_a_run_out_of_time_resumes_from_its_checkpoint(api: Api) -> None:
    from shared.tiers import evaluate_tiers

    for i in range(12):
        register_member(api, f"m-{i:02d}")
        buy(api, f"m-{i:02d}", f"o-{i}", "5000.00")
    at("2028-02-01", hour=4)
    calls = iter(range(1000))

    first = evaluate_tiers(clock.now(), time_left=lambda: 60 if next(calls) < 5 else 0)
    second = evaluate_tiers(clock.now())

    assert first["complete"] is False and second["complete"] is True
    assert second["demoted"] == 12  # counters carried over from the checkpoint
    assert {me(api, f"m-{i:02d}")["tier"] for i in range(12)} == {"silver"}


def test_the_scheduled_entry_point_runs_the_tier_jobs(api: Api) -> None:
    from functions.tiers.handler import lambda_handler
    from local.gateway import LambdaContext

    gold_member(api, "m-d")
    at("2028-02-01", hour=4)

    result = lambda_handler({"job": "tiers"}, LambdaContext("tiers", "req-1"))

    assert (result["job"], result["demoted"]) == ("tiers", 1)
    assert lambda_handler({"job": "birthdays"}, LambdaContext("tiers", "req-2"))["job"] == (
        "birthdays"
    )
    with pytest.raises(ValueError):
        lambda_handler({"job": "expire"}, LambdaContext("tiers", "req-3"))


# Birthdays -------------------------------------------------------------------------------


def birthday_entries(api: Api, member_id: str) -> list[tuple[str, int]]:
    return [
        (e["entry_id"], e["points"]) for e in ledger(api, member_id) if e["source"] == "birthday"
    ]


def test_the_birthday_job_credits_the_tiers_birthday_points_once_per_year(api: Api) -> None:
    register_member(api, "m-b", birthday="03-15")
    register_member(api, "m-g", birthday="03-15")
    buy(api, "m-g", "o-g", "5000.00")  # gold
    register_member(api, "m-o", birthday="03-16")
    register_member(api, "m-none")
    at("2027-03-15", hour=0, minute=10)

    first = run(api, "birthdays")

    assert (first["credited"], first["points"]) == (2, 50 + 200)
    assert birthday_entries(api, "m-b") == [("birthday:2027", 50)]
    assert birthday_entries(api, "m-g") == [("birthday:2027", 200)]
    assert birthday_entries(api, "m-o") == []
    balances = {m: me(api, m)["balance"] for m in ("m-b", "m-g")}

    assert run(api, "birthdays")["processed"] == 0  # the day's run is complete
    JobRunItem(pk=keys.job_pk("birthdays"), sk=keys.job_run_sk("2027-03-15")).delete()
    again = run(api, "birthdays")  # a full second run: the ledger key refuses it
    assert (again["credited"], again["already"]) == (0, 2)
    at("2027-03-16", hour=0, minute=10)
    later = run(api, "birthdays")
    assert later["credited"] == 1 and birthday_entries(api, "m-o") == [("birthday:2027", 50)]
    assert {m: me(api, m)["balance"] for m in ("m-b", "m-g")} == balances
    at("2028-03-15", hour=0, minute=10)
    assert run(api, "birthdays")["credited"] == 2  # next year
    assert birthday_entries(api, "m-b") == [("birthday:2028", 50), ("birthday:2027", 50)]
    assert me(api, "m-b")["balance"] == sum(e["points"] for e in ledger(api, "m-b"))


def test_birthday_points_do_not_qualify_for_tiers(api: Api) -> None:
    register_member(api, "m-b", birthday="01-11")
    at("2027-01-11", hour=1)
    run(api, "birthdays")

    assert standing(api, "m-b")[:2] == ("bronze", 0)
    assert me(api, "m-b")["balance"] == 150


def test_a_leap_day_birthday_is_celebrated_on_28_february_in_other_years(api: Api) -> None:
    register_member(api, "m-l", birthday="02-29")
    at("2027-02-28", hour=0, minute=10)
    assert run(api, "birthdays")["credited"] == 1
    at("2028-02-28", hour=0, minute=10)
    assert run(api, "birthdays")["credited"] == 0  # 2028 has a 29th
    at("2028-02-29", hour=0, minute=10)
    assert run(api, "birthdays")["credited"] == 1
    assert [e for e, _ in birthday_entries(api, "m-l")] == ["birthday:2028", "birthday:2027"]


def test_a_frozen_member_gets_no_birthday_points(api: Api) -> None:
    register_member(api, "m-z", birthday="01-12")
    api.operator("POST", "/v1/admin/members/m-z/freeze", {"reason": "fraud review"})
    at("2027-01-12", hour=0, minute=10)

    result = run(api, "birthdays")

    assert (result["credited"], result["frozen"]) == (0, 1)
    assert birthday_entries(api, "m-z") == []


def test_birthday_points_follow_the_programme_rules(api: Api) -> None:
    rules = api.operator("GET", "/v1/admin/rules").body
    tiers = [{**t, "birthday_points": 75} if t["name"] == "bronze" else t for t in rules["tiers"]]
    assert api.operator("PUT", "/v1/admin/rules", {"tiers": tiers}).status == 200
    register_member(api, "m-b", birthday="01-11")
    at("2027-01-11", hour=0, minute=10)

    run(api, "birthdays")

    assert birthday_entries(api, "m-b") == [("birthday:2027", 75)]


# Benefits: tier-only catalog items ---------------------------------------------------------


def test_a_bronze_member_cannot_redeem_a_gold_only_item(api: Api) -> None:
    api.operator(
        "PUT",
        "/v1/admin/catalog/lounge",
        {
            "name": "Lounge pass",
            "kind": "gift",
            "points": 100,
            "min_tier": "gold",
            "per_member_limit": None,
        },
    )
    register_member(api, "m-v")
    delivery = {"method": "pickup", "name": "V", "phone": "13800000000"}
    order = {"item_id": "lounge", "quantity": 1, "delivery": delivery}

    bronze = api.member("m-v", "POST", "/v1/redemptions", order)
    assert (bronze.status, bronze.code) == (409, "not_available")
    assert me(api, "m-v")["balance"] == 100  # nothing changed

    buy(api, "m-v", "o-1", "5000.00")
    gold = api.member("m-v", "POST", "/v1/redemptions", order)
    assert gold.status == 201, gold.body
