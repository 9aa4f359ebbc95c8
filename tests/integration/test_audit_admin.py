"""The audit log of the admin, expiry and jobs operator writes, and its read
(``GET /v1/admin/audit``): what each entry says, what writes none, how the log filters."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from shared import clock
from shared.domain import audit
from shared.dynamodb import config
from tests.support import Api, at, member_with_points

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def member(api: Api) -> str:
    return member_with_points(api, "m-1", 1_000)


def log(api: Api, **query: str) -> list[dict[str, Any]]:
    """Every entry the read lists for ``query`` (following the cursor)."""
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {**query, **({"cursor": cursor} if cursor else {})}
        qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
        res = api.operator("GET", f"/v1/admin/audit?{qs}")
        assert res.status == 200, res.body
        out += res.body["items"]
        cursor = res.body["next_cursor"]
        if cursor is None:
            return out


def as_op(api: Api, operator: str, method: str, path: str, body: Any, **kw: Any) -> Any:
    return api.call(method, path, body, token=api.token(operator, "operators"), **kw)


# What each write logs ----------------------------------------------------------------------


def test_a_rules_put_logs_the_settings_it_replaced_and_the_ones_it_stored(api: Api) -> None:
    defaults = api.operator("GET", "/v1/admin/rules").body
    api.operator("PUT", "/v1/admin/rules", {"checkin_points": 10})
    as_op(api, "op-2", "PUT", "/v1/admin/rules", {"checkin_points": 12})

    second, first = log(api, target="rules")

    assert (first["action"], first["actor"], first["before"]) == ("rules.put", "op-1", defaults)
    assert first["after"] == {**defaults, "checkin_points": 10}
    assert (second["actor"], second["before"], second["after"]) == (
        "op-2",
        first["after"],
        {**defaults, "checkin_points": 12},
    )
    assert second["after"] == api.operator("GET", "/v1/admin/rules").body


def test_task_and_campaign_puts_log_none_before_a_create_and_the_old_one_before_a_replace(
    api: Api,
) -> None:
    task = {"name": "Survey", "points": 20, "limit": "daily"}
    created = api.operator("PUT", "/v1/admin/tasks/t-1", task).body
    replaced = api.operator("PUT", "/v1/admin/tasks/t-1", {**task, "points": 30}).body
    campaign = {
        "name": "Double days",
        "starts_at": "2027-02-01T00:00:00+08:00",
        "ends_at": "2027-03-01T00:00:00+08:00",
        "multiplier": "2",
    }
    api.operator("PUT", "/v1/admin/campaigns/c-1", campaign)
    api.operator("PUT", "/v1/admin/campaigns/c-1", {**campaign, "multiplier": "3"})

    task_log = log(api, target="task:t-1")
    campaign_log = log(api, target="campaign:c-1")

    assert [(e["action"], e["before"], e["after"]) for e in task_log] == [
        ("task.put", created, replaced),
        ("task.put", None, created),
    ]
    assert [e["action"] for e in campaign_log] == ["campaign.put", "campaign.put"]
    assert campaign_log[1]["before"] is None
    assert campaign_log[0]["before"] == campaign_log[1]["after"]
    assert (campaign_log[1]["after"]["multiplier"], campaign_log[0]["after"]["multiplier"]) == (
        "2",
        "3",
    )


def test_an_adjustment_logs_its_answer_and_reason_and_a_replay_logs_nothing(
    api: Api, member: str
) -> None:
    body = {"points": -40, "reason": "duplicate credit"}
    key = {"Idempotency-Key": "adj-1"}
    first = api.operator("POST", "/v1/admin/members/m-1/adjustments", body, headers=key)
    replay = api.operator("POST", "/v1/admin/members/m-1/adjustments", body, headers=key)

    (entry,) = log(api, target="member:m-1")

    assert replay.body == first.body
    assert (entry["action"], entry["before"], entry["after"]) == ("member.adjust", None, first.body)
    assert (entry["reason"], entry["actor"]) == ("duplicate credit", "op-1")


def test_freeze_and_unfreeze_log_the_status_change_and_a_no_op_freeze_logs_nothing(
    api: Api, member: str
) -> None:
    api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "bot activity"})
    again = api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "again"})
    api.operator("POST", "/v1/admin/members/m-1/unfreeze", {"reason": "cleared"})

    entries = log(api, target="member:m-1")

    assert again.body["changed"] is False
    active = {"status": "active", "frozen_scope": None}
    frozen = {"status": "frozen", "frozen_scope": "all"}
    assert [(e["action"], e["before"], e["after"], e["reason"]) for e in entries] == [
        ("member.unfreeze", frozen, active, "cleared"),
        ("member.freeze", active, frozen, "bot activity"),
    ]


def test_an_expiry_extension_logs_the_expiring_points_before_and_after(
    api: Api, member: str
) -> None:
    expiring = api.member("m-1", "GET", "/v1/me").body["expiring"]
    body = {"reason": "store closed", "expires_on": "2099-12-31", "days": 30}

    res = api.operator("POST", "/v1/admin/members/m-1/expiry-extensions", body)
    (entry,) = log(api, target="member:m-1")

    assert res.status == 201, res.body
    assert (entry["action"], entry["reason"]) == ("member.extend_expiry", "store closed")
    assert entry["before"] == {
        "expiring": [{"points": m["points"], "expires_on": m["from"]} for m in res.body["moved"]]
    }
    assert entry["after"] == {
        "expiring": [{"points": m["points"], "expires_on": m["to"]} for m in res.body["moved"]]
    }
    assert sum(m["points"] for m in res.body["moved"]) == sum(e["points"] for e in expiring)


def test_a_job_run_logs_its_answer_and_an_unknown_job_logs_nothing(api: Api) -> None:
    ran = api.operator("POST", "/v1/admin/jobs/tiers/runs")
    unknown = api.operator("POST", "/v1/admin/jobs/no-such-job/runs")

    entries = log(api)

    assert (ran.status, unknown.status) == (200, 404)
    assert [(e["action"], e["target"], e["after"]) for e in entries] == [
        ("job.run", "job:tiers", ran.body)
    ]


def test_refused_operator_writes_log_nothing(api: Api, member: str) -> None:
    refused = [
        api.operator("PUT", "/v1/admin/rules", {"checkin_points": -1}),
        api.operator("PUT", "/v1/admin/tasks/t-1", {"name": "x", "points": 0, "limit": "once"}),
        api.operator(
            "POST",
            "/v1/admin/members/m-1/adjustments",
            {"points": 5, "reason": "x"},
            headers={"Idempotency-Key": "not a key!"},
        ),
        api.operator(
            "POST",
            "/v1/admin/members/m-404/adjustments",
            {"points": 5, "reason": "x"},
            headers={"Idempotency-Key": "k-404"},
        ),
        api.operator("POST", "/v1/admin/members/m-404/freeze", {"reason": "x"}),
        api.operator("POST", "/v1/admin/members/m-1/expiry-extensions", {"reason": "x", "days": 5}),
        api.call("PUT", "/v1/admin/rules", {"checkin_points": 3}, token=api.token("m-1")),
    ]

    assert [r.status for r in refused] == [422, 422, 422, 404, 404, 409, 403]
    assert log(api) == []


# The read ---------------------------------------------------------------------------------


def test_the_log_filters_by_actor_target_and_time_newest_first_in_pages(
    api: Api, member: str
) -> None:
    at("2027-01-10", 9)
    as_op(api, "op-a", "POST", "/v1/admin/members/m-1/freeze", {"reason": "one"})
    at("2027-01-11", 9)
    as_op(api, "op-b", "POST", "/v1/admin/members/m-1/unfreeze", {"reason": "two"})
    at("2027-02-03", 9)  # next month: another partition of the log
    as_op(api, "op-a", "PUT", "/v1/admin/rules", {"checkin_points": 7})
    at("2027-02-04", 9)

    everything = log(api, limit="1")
    by_op_a = log(api, actor="op-a")
    by_both = log(api, actor="op-a", target="member:m-1")
    window = log(api, **{"from": "2027-01-11T00:00:00+08:00", "to": "2027-02-03T09:00:00+08:00"})

    assert [e["reason"] for e in everything] == ["", "two", "one"]
    assert [e["action"] for e in by_op_a] == ["rules.put", "member.freeze"]
    assert [e["action"] for e in by_both] == ["member.freeze"]
    assert [e["action"] for e in window] == ["member.unfreeze"]  # from included, to excluded
    assert everything[-1]["at"] == "2027-01-10T09:00:00+08:00"  # in the programme's zone


@pytest.mark.parametrize(
    "query",
    [
        "from=2027-01-10T00:00:00%2B08:00&to=2027-01-10T00:00:00%2B08:00",
        "from=2027-01-11T00:00:00%2B08:00&to=2027-01-10T00:00:00%2B08:00",
        "from=yesterday",
        "to=2027-01-10T00:00:00",
        "limit=0",
    ],
)
def test_a_bad_window_or_page_is_422(api: Api, query: str) -> None:
    res = api.operator("GET", f"/v1/admin/audit?{query}")

    assert (res.status, res.code) == (422, "validation_error")


def test_a_write_pinned_to_a_stale_read_writes_neither_the_change_nor_its_entry(
    api: Api,
) -> None:
    stale = config.rules_data()  # nothing stored yet
    api.operator("PUT", "/v1/admin/rules", {"checkin_points": 10})  # another operator meanwhile
    entry = audit.entry(clock.now(), "op-late", "rules.put", "rules")

    written = config.put_rules({"checkin_points": 99}, stale, entry, "2027-01-10", "op-late")

    assert written is False
    assert api.operator("GET", "/v1/admin/rules").body["checkin_points"] == 10
    assert [e["actor"] for e in log(api)] == ["op-1"]


@pytest.mark.parametrize(
    ("window", "listed"),
    [
        ("from=0001-01-01T00:00:00%2B01:00", 1),
        ("to=9999-12-31T23:59:59-01:00", 1),
        ("to=0001-01-01T00:59:59%2B01:00", 0),
        ("from=2099-01-01T00:00:00%2B08:00&to=2100-01-01T00:00:00%2B08:00", 0),
    ],
)
def test_far_off_windows_read_only_what_can_hold_entries(
    api: Api, member: str, window: str, listed: int
) -> None:
    api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "x"})

    res = api.operator("GET", f"/v1/admin/audit?{window}")

    assert res.status == 200, res.body
    assert len(res.body["items"]) == listed


def test_a_sparse_window_is_read_a_year_of_months_per_request(
    api: Api, member: str, dynamodb_calls: Any
) -> None:
    api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "x"})  # January 2027
    dynamodb_calls.clear()

    first = api.operator("GET", "/v1/admin/audit?from=2020-01-01T00:00:00%2B08:00")
    queries = dynamodb_calls["Query"]
    every = log(api, **{"from": "2020-01-01T00:00:00+08:00"})

    assert len(first.body["items"]) == 1 and first.body["next_cursor"] is not None
    assert queries <= 13  # twelve months of the log, and the programme's rules
    assert [e["action"] for e in every] == ["member.freeze"]
