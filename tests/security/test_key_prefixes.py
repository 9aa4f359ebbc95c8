"""The partitions each function reaches are the ones its role is granted (issue 21).

infra/permissions.py conditions every DynamoDB grant on ``dynamodb:LeadingKeys``. This test
runs the real handlers on moto — the security world (tests/security/world.py), then every
route of the route table with a caller it allows and its documented example, every job, the
scheduled functions on their schedules' payloads and the event-driven ones on an event —
recording every request each handler sends (tests/key_recorder.py: the item keys of reads,
writes, batches and transactions, the index partition of each Query), and checks each one
against :meth:`infra.permissions.Access.allows`, which mirrors the synthesized statements.
A repository change that reaches a new partition fails here until its grant is declared.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from functions.notifier import handler as notifier_handler
from functions.sender import handler as sender_handler
from infra.catalog import SCHEDULED, catalog
from infra.permissions import ACCESS, SCAN
from local.gateway import LambdaContext
from shared import clock
from shared.domain.notices import POINTS_EXPIRING, SMS, Send
from shared.events import Event
from shared.jobs.registry import JOBS
from shared.notifications import aws
from shared.routes import ROUTES, Role, Route
from shared.schemas import operation_of
from tests import key_recorder
from tests.key_recorder import KeyRecorder, recording
from tests.reports_legacy import one_by_one
from tests.security.world import OWNER, World, build
from tests.support import Api

pytestmark = pytest.mark.usefixtures("frozen_clock")
REPORT = "KEY_PREFIXES_REPORT"  # a file to write the partitions reached to


class _Dispatch:
    """The notifier's sends go nowhere (the sends queue is not under test here)."""

    def dispatch(self, sends: Any, now: Any) -> None:
        return None


def _call(api: Api, route: Route, world: World) -> None:
    op = operation_of(route)
    body = op.example if op is not None and op.request is not None else None
    headers = {"Idempotency-Key": f"keys-{route.operation}"}
    raw = None
    if op is not None and op.body_example is not None:
        headers["content-type"] = op.body_media_type or "application/octet-stream"
        raw, body = op.body_example.encode(), None
    path = world.path(route.path)
    if Role.MEMBER in route.roles:
        api.member(OWNER, route.method, path, body, headers=headers, raw=raw)
    elif Role.OPERATOR in route.roles:
        api.operator(route.method, path, body, headers=headers, raw=raw)
    elif Role.SYSTEM in route.roles:
        api.system(route.method, path, body, headers=headers, raw=raw)
    else:
        api.call(route.method, path)


def _invoke(name: str, event: dict[str, Any]) -> Any:
    module = importlib.import_module(f"functions.{name}.handler")
    return module.lambda_handler(event, LambdaContext(function_name=name, aws_request_id="r-1"))


def _notice_record(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    event = {
        "id": f"eb-{detail['event_id']}",
        "time": clock.utc_iso(clock.now()),
        "detail-type": detail_type,
        "source": "loyalty.points",
        "detail": detail,
    }
    return {"messageId": detail["event_id"], "body": json.dumps(event)}


def _run_flows(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    world = build(api)
    # Members' activity (a check-in and a task done) before the routes in table order.
    api.member(OWNER, "POST", "/v1/me/checkins")
    api.member(OWNER, "POST", world.path("/v1/me/tasks/{task_id}/completions"))
    for route in ROUTES:
        _call(api, route, world)
    # An adjustment above the approval threshold waits for a second operator: its own item,
    # with a ConditionCheck that the member exists; then listed and approved by another.
    big = {"points": 200_000, "reason": "goodwill"}
    path = world.path("/v1/admin/members/{member_id}/adjustments")
    pending = api.operator("POST", path, big, headers={"Idempotency-Key": "keys-big"})
    decision = {"decision": "approve", "reason": "checked"}
    api.call(
        "POST",
        f"/v1/admin/adjustments/{pending.body['adjustment_id']}/approval",
        decision,
        token=api.token("op-2", "operators"),
    )
    for job in JOBS:
        api.operator("POST", f"/v1/admin/jobs/{job}/runs")
    for spec in SCHEDULED:
        for schedule in spec.all_schedules():
            _invoke(spec.name, dict(schedule.payload or {}))
    expiring = {
        "event_id": "keys-1",
        "member_id": OWNER,
        "points": 120,
        "expires_on": "2027-03-31",
        "threshold_days": 7,
    }
    _invoke("notifier", {"Records": [_notice_record("PointsExpiringSoon.v1", expiring)]})
    # Reports on a table counted before the counted-events table: an event counted the old
    # way (its marker in the points table), so the consumer also looks markers up there.
    earned = {"event_id": "keys-2", "member_id": OWNER, "type": "earn", "points": 5}
    one_by_one([Event("keys-old", "PointsEarned.v1", {**earned, "event_id": "keys-old"})])
    _invoke("reports", {"id": "keys-2", "detail-type": "PointsEarned.v1", "detail": earned})
    # The send of the message the notifier just wrote, on a stage that sends SMS: the sender
    # reads the member's profile (the world's members gave no phone) and the rules.
    params = {"points": 120, "expires_on": "2027-03-31"}
    send = Send(OWNER, f"2027-01-10.{POINTS_EXPIRING}", POINTS_EXPIRING, params, channel=SMS)
    monkeypatch.setenv(aws.ENV_SMS_ENABLED, "true")
    monkeypatch.setattr(sender_handler, "_channels", None)
    _invoke("sender", {"Records": [{"messageId": "s-1", "body": aws.encode(send)}]})


def _reached(recorded: KeyRecorder) -> dict[str, dict[str, list[str]]]:
    """Per function, per (action, resource): the distinct keys, ids cut after a ``#``."""
    out: dict[str, dict[str, set[str]]] = {}
    for name, requests in recorded.keys.items():
        for action, resource, key in requests:
            cut = key.split("#")[0] + "#" if "#" in key else key
            out.setdefault(name, {}).setdefault(f"{action} {resource}", set()).add(cut)
    return {n: {r: sorted(v) for r, v in sorted(by.items())} for n, by in sorted(out.items())}


def test_every_key_each_function_sends_is_within_its_declared_partitions(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    notifier_handler.use_dispatch(_Dispatch())
    try:
        with recording(monkeypatch) as recorded:
            _run_flows(api, monkeypatch)
    finally:
        notifier_handler.use_dispatch(None)

    if os.environ.get(REPORT):  # which partitions each function reached, for a maintainer
        Path(os.environ[REPORT]).write_text(json.dumps(_reached(recorded), indent=1))
    # Each function whose role may touch the table was exercised (else the check below
    # would pass for it without looking).
    granted = {spec.name for spec in catalog() if spec.access.table or spec.access.indexes}
    assert granted - set(recorded.keys) == set()
    outside = {
        name: sorted(r for r in requests if not ACCESS[name].allows(*r))
        for name, requests in recorded.keys.items()
    }
    assert {name: found for name, found in outside.items() if found} == {}
    scanning = {name for name, found in recorded.keys.items() if any(k == SCAN for *_, k in found)}
    assert scanning <= {name for name, access in ACCESS.items() if access.scan_reason}


def test_the_recorder_tells_the_counted_table_from_the_points_table() -> None:
    """A transaction spanning both tables (a report's counters and an event's marker) is
    checked item by item, each against its own table's grant."""
    marker = {"pk": {"S": "AGG#evt-1"}, "sk": {"S": "AGG"}}
    counter = {"pk": {"S": "REPORTS#07"}, "sk": {"S": "DAY#2027-01-10"}}
    params = {
        "TransactItems": [
            {"Put": {"TableName": "points-counted", "Item": marker}},
            {"Update": {"TableName": "points", "Key": counter, "UpdateExpression": "ADD n :1"}},
        ]
    }
    legacy = {"RequestItems": {"points": {"Keys": [marker]}}}

    found = key_recorder.requests("TransactWriteItems", params, "points-counted")
    found += key_recorder.requests("BatchGetItem", legacy, "points-counted")

    assert found == [
        ("dynamodb:PutItem", "counted", "AGG#evt-1"),
        ("dynamodb:UpdateItem", "table", "REPORTS#07"),
        ("dynamodb:BatchGetItem", "table", "AGG#evt-1"),
    ]
    assert all(ACCESS["reports"].allows(*request) for request in found)
    assert not ACCESS["earn"].allows(*found[0])
