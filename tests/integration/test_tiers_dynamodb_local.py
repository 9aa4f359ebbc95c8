"""Tiers on DynamoDB Local: TierChanged events from the table's stream, and promotions and
demotions under concurrency."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest

from shared.domain.rules import DEFAULT_TIERS
from shared.domain.tiers import tier_for
from shared.dynamodb import jobs
from tests.support import Api, at, register_member
from tests.support import purchase as buy

# Each test starts on 2027-01-10 at 10:00, Shanghai time (``at`` moves the clock on).
pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]
ORDER = [t.name for t in DEFAULT_TIERS]


def race(calls: list) -> list:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [f.result() for f in [pool.submit(call) for call in calls]]


def tier_changes(bus, member_id: str) -> list[dict]:
    return [
        e["detail"]
        for e in bus.drain()
        if e["detail-type"] == "TierChanged.v1" and e["detail"]["member_id"] == member_id
    ]


def me(api: Api, member_id: str) -> dict:
    return api.member(member_id, "GET", "/v1/me").body


def test_promotions_and_demotions_are_announced_as_tier_changed_events(local_api: Api, bus) -> None:
    api = local_api
    register_member(api, "m-e")
    buy(api, "m-e", "o-1", "1000.00")
    buy(api, "m-e", "o-2", "4000.00")
    for month in ("2028-02-01", "2028-03-01"):
        at(month, hour=4)
        for _ in range(2):
            assert api.operator("POST", "/v1/admin/jobs/tiers/runs").status == 200

    changes = tier_changes(bus, "m-e")

    assert [(c["from"], c["to"], c["change"]) for c in changes] == [
        ("bronze", "silver", "promotion"),
        ("silver", "gold", "promotion"),
        ("gold", "silver", "demotion"),
        ("silver", "bronze", "demotion"),
    ]
    assert [c["qualifying_points"] for c in changes] == [1000, 5400, 0, 0]
    assert len({c["event_id"] for c in changes}) == 4
    assert tier_changes(bus, "m-e") == changes  # draining again repeats nothing


def test_concurrent_purchases_crossing_a_threshold_promote_exactly_once(
    local_api: Api, bus
) -> None:
    api = local_api
    register_member(api, "m-c")
    buy(api, "m-c", "o-0", "900.00")

    results = race([lambda i=i: buy(api, "m-c", f"o-{i + 1}", "50.00") for i in range(10)])

    assert [r.status for r in results] == [201] * 10
    view = me(api, "m-c")
    assert view["qualifying_points"] == 900 + sum(r.body["points"] for r in results)
    assert view["tier"] == "silver"
    # Purchases committed before the promotion earned 50, those after it silver's 55.
    assert sorted({r.body["points"] for r in results}) in ([50, 55], [50])
    assert [(c["from"], c["to"]) for c in tier_changes(bus, "m-c")] == [("bronze", "silver")]
    audit = api.operator("GET", "/v1/admin/members/m-c").body["audit"]
    assert [a["ref"] for a in audit if a["action"] == "promotion"] == ["bronze->silver"]


def test_concurrent_purchases_crossing_several_thresholds_end_in_the_right_tier(
    local_api: Api, bus
) -> None:
    api = local_api
    register_member(api, "m-s")

    results = race([lambda i=i: buy(api, "m-s", f"o-{i}", "2500.00") for i in range(8)])

    assert [r.status for r in results] == [201] * 8
    view = me(api, "m-s")
    assert view["qualifying_points"] == sum(r.body["points"] for r in results)
    assert view["tier"] == tier_for(view["qualifying_points"], DEFAULT_TIERS).name
    changes = [(c["from"], c["to"]) for c in tier_changes(bus, "m-s")]
    assert changes and changes[0][0] == "bronze" and changes[-1][1] == view["tier"]
    assert all(ORDER.index(a) < ORDER.index(b) for a, b in changes)  # only upwards
    assert all(prev[1] == nxt[0] for prev, nxt in pairwise(changes))


def test_concurrent_runs_of_the_evaluation_demote_each_member_once(local_api: Api) -> None:
    api = local_api
    members = [f"m-{i}" for i in range(6)]
    for i, member in enumerate(members):
        register_member(api, member)
        buy(api, member, f"o-{i}", "5000.00")
    at("2028-02-01", hour=4)

    runs = race([lambda: api.operator("POST", "/v1/admin/jobs/tiers/runs") for _ in range(4)])

    assert [r.status for r in runs] == [200] * 4
    # The requests share the month's run (shared/jobs/fanout.py): each shard is worked by
    # one of them (its lease), each answers the run's counters so far; twice would be bronze.
    assert all(0 <= r.body["demoted"] <= 6 for r in runs)
    run = jobs.fan_out_state("tiers", "2028-02")
    assert run is not None and run.complete and run.stats["demoted"] == 6
    assert Counter(me(api, m)["tier"] for m in members) == {"silver": 6}


def test_a_purchase_racing_the_evaluation_leaves_a_consistent_tier(local_api: Api) -> None:
    api = local_api
    register_member(api, "m-x")
    buy(api, "m-x", "o-0", "5000.00")
    at("2028-02-01", hour=4)

    job, purchase = race(
        [
            lambda: api.operator("POST", "/v1/admin/jobs/tiers/runs"),
            lambda: buy(api, "m-x", "o-1", "6000.00"),
        ]
    )

    assert (job.status, purchase.status) == (200, 201)
    view = me(api, "m-x")
    # Either the purchase came first (gold ×1.25, nothing to demote) or the demotion did
    # (silver ×1.1, and the purchase promoted back to gold).
    assert (view["tier"], purchase.body["points"]) in (("gold", 7500), ("gold", 6600))
    assert view["qualifying_points"] == purchase.body["points"]
