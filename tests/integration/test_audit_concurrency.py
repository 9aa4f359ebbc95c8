"""Operators racing to change the same thing, on AWS's DynamoDB Local: each write is logged
against exactly what it replaced (the write is pinned to what it read)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support import Api

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]

RACERS = 8


def log(api: Api, target: str) -> list[dict[str, Any]]:
    res = api.operator("GET", f"/v1/admin/audit?target={target}&limit=100")
    assert res.status == 200, res.body
    return res.body["items"]


def one_chain(entries: list[dict[str, Any]], first: Any, key: Any) -> list[Any]:
    """The values the entries' before → after links go through from ``first``; fails unless
    the links form one chain using every entry once (no two writes replaced the same state)."""
    links = {key(e["before"]): key(e["after"]) for e in entries}
    assert len(links) == len(entries), "two writes were logged against the same state"
    chain, at = [first], first
    while at in links:
        at = links.pop(at)
        chain.append(at)
    assert not links, f"entries off the chain: {links}"
    return chain


def test_racing_rules_puts_are_logged_as_one_chain_of_changes(local_api: Api) -> None:
    api = local_api
    default = api.operator("GET", "/v1/admin/rules").body["checkin_points"]
    values = [default + 1 + i for i in range(RACERS)]

    def put(points: int) -> int:
        return api.operator("PUT", "/v1/admin/rules", {"checkin_points": points}).status

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        statuses = list(pool.map(put, values))

    entries = log(api, "rules")
    chain = one_chain(entries, default, lambda rules: rules["checkin_points"])
    assert statuses == [200] * RACERS
    assert sorted(chain[1:]) == values
    assert chain[-1] == api.operator("GET", "/v1/admin/rules").body["checkin_points"]


def test_racing_task_puts_are_logged_as_one_chain_of_changes(local_api: Api) -> None:
    api = local_api

    def put(points: int) -> int:
        body = {"name": "Survey", "points": points, "limit": "daily"}
        return api.operator("PUT", "/v1/admin/tasks/t-race", body).status

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        statuses = sorted(pool.map(put, range(1, RACERS + 1)))

    entries = log(api, "task:t-race")
    chain = one_chain(entries, None, lambda task: task and task["points"])
    assert statuses == [200] * (RACERS - 1) + [201]
    assert sorted(chain[1:]) == list(range(1, RACERS + 1))
