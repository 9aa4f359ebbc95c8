"""The leaderboard in the stack: a read-only function for members, an hourly snapshot
function with its own narrow grants, and the keys-only index the snapshot reads."""

from __future__ import annotations

import json

import pytest

from infra.config import stage_config
from infra.permissions import BATCH_GET, GET, PUT, QUERY
from tests.infra.test_iam import _data_grants, grants

pytestmark = pytest.mark.infra

DEV = stage_config({"stage": "dev"})


def _function(raw: dict, name: str) -> tuple[str, dict]:
    ((logical_id, props),) = [
        (k, r["Properties"])
        for k, r in raw["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function"
        and r["Properties"].get("FunctionName") == DEV.name(name)
    ]
    return logical_id, props


def test_members_read_the_board_with_one_batch_get_and_write_nothing(synth) -> None:
    """The snapshot and the caller's profile in one BatchGetItem; the rules with one Query."""
    assert _data_grants(synth, "leaderboard") == grants(QUERY, BATCH_GET)


def test_the_snapshot_reads_earners_by_index_and_writes_only_with_put(synth) -> None:
    """Earners from by_board only (never a scan of members), their profiles by BatchGetItem,
    an ended period's snapshot by GetItem; PutItem is the snapshot itself. No update, no
    delete, no other index."""
    assert _data_grants(synth, "leaderboard_snapshot") == grants(
        GET, QUERY, PUT, BATCH_GET, by_board=(QUERY,)
    )


def test_operators_run_now_can_read_the_earners_too(synth) -> None:
    assert {(BATCH_GET, "table"), (QUERY, "index/by_board")} <= _data_grants(synth, "jobs")


def test_the_snapshot_runs_hourly_on_its_own_function_with_fifteen_minutes(synth) -> None:
    raw = synth.raw()
    logical_id, props = _function(raw, "leaderboard_snapshot")
    schedules = [
        (json.loads(t["Input"])["job"], r["Properties"]["ScheduleExpression"])
        for r in raw["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
        for t in r["Properties"]["Targets"]
        if t["Arn"] == {"Fn::GetAtt": [logical_id, "Arn"]}
    ]
    assert schedules == [("leaderboard", "rate(1 hour)")]
    assert props["Timeout"] == 900


def test_the_board_index_is_keys_only(synth) -> None:
    (table,) = [
        r["Properties"]
        for r in synth.raw()["Resources"].values()
        if r["Type"] == "AWS::DynamoDB::GlobalTable" and "GlobalSecondaryIndexes" in r["Properties"]
    ]  # the points table (the counted-events table has no index)
    (index,) = [i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == "by_board"]
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["board_pk", "board_sk"]
