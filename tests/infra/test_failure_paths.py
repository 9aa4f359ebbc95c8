"""Where failures land (issue 22): every asynchronously invoked function keeps its failed
invocations in an on-failure queue, the publisher's stream keeps failed batches whole in S3,
the bus archives every business event; the names agree with what `make redrive` /
`make replay` (ops/failures.py) look for."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.catalog import catalog
from infra.config import stage_config
from ops import failures

pytestmark = pytest.mark.infra

STAGES = ("dev", "prod")


def _async_functions() -> set[str]:
    """Invoked asynchronously: by a schedule, by the bus's rule, or by itself."""
    return {
        spec.name
        for spec in catalog()
        if spec.all_schedules() or spec.bus_events or spec.access.invoke_self
    }


def _of_type(raw: dict, type_: str) -> dict[str, dict]:
    return {k: r for k, r in raw["Resources"].items() if r["Type"] == type_}


def _function_ids(raw: dict, stage: str) -> dict[str, str]:
    """Function name (spec.name) -> logical id."""
    config = stage_config({"stage": stage})
    by_name = {
        r["Properties"]["FunctionName"]: k
        for k, r in _of_type(raw, "AWS::Lambda::Function").items()
        if "FunctionName" in r["Properties"]  # CDK's own helpers' functions have none
    }
    return {spec.name: by_name[config.name(spec.name)] for spec in catalog()}


def _queue_ids(raw: dict) -> dict[str, str]:
    """Queue name -> logical id."""
    return {
        r["Properties"]["QueueName"]: k
        for k, r in _of_type(raw, "AWS::SQS::Queue").items()
        if "QueueName" in r["Properties"]
    }


def _statements(raw: dict, role_id: str) -> list[dict]:
    return [
        s
        for r in _of_type(raw, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in r["Properties"]["Roles"]
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def test_the_asynchronously_invoked_functions_are_the_expected_ones() -> None:
    # scheduled jobs, exports and imports (they invoke themselves); reports read a queue
    assert {"expire", "checkout", "tiers", "exports", "imports"} <= _async_functions()
    assert not {"publisher", "notifier", "sender", "earn", "reports"} & _async_functions()


@pytest.mark.parametrize("stage", STAGES)
def test_every_async_function_keeps_its_failed_invocations_in_its_own_queue(
    synth, stage: str
) -> None:
    raw = synth.raw(stage)
    config = stage_config({"stage": stage})
    functions = _function_ids(raw, stage)
    queues = _queue_ids(raw)
    configs = {
        r["Properties"]["FunctionName"]["Ref"]: r["Properties"]
        for r in _of_type(raw, "AWS::Lambda::EventInvokeConfig").values()
    }
    expected = _async_functions()
    assert {name for name, fid in functions.items() if fid in configs} == expected
    for name in expected:
        invoke = configs[functions[name]]
        queue_name = failures.async_failures_queue(stage, name)
        assert queue_name == config.name(f"{name}-failed")
        queue_id = queues[queue_name]
        assert invoke["DestinationConfig"] == {
            "OnFailure": {"Destination": {"Fn::GetAtt": [queue_id, "Arn"]}}
        }, name
        assert invoke["MaximumRetryAttempts"] == 2
        assert invoke["MaximumEventAgeInSeconds"] == 6 * 3600
        queue = raw["Resources"][queue_id]["Properties"]
        assert queue["SqsManagedSseEnabled"] is True
        assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
        # the role may send to its own queue, and only send (its other queues, declared in
        # infra/permissions.py or consumed, are their own tests': the job-shards queue...)
        role_id = raw["Resources"][functions[name]]["Properties"]["Role"]["Fn::GetAtt"][0]
        sqs = [
            s
            for s in _statements(raw, role_id)
            if "sqs:" in json.dumps(s["Action"]) and queue_id in json.dumps(s["Resource"])
        ]
        assert sqs == [
            {
                "Action": "sqs:SendMessage",
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
            }
        ], name


@pytest.mark.parametrize("stage", STAGES)
def test_every_on_failure_queue_refuses_plain_http(synth, stage: str) -> None:
    raw = synth.raw(stage)
    queues = _queue_ids(raw)
    policies = [r["Properties"] for r in _of_type(raw, "AWS::SQS::QueuePolicy").values()]
    for name in _async_functions():
        queue_id = queues[failures.async_failures_queue(stage, name)]
        (policy,) = [p for p in policies if {"Ref": queue_id} in p["Queues"]]
        (deny,) = policy["PolicyDocument"]["Statement"]
        assert deny["Effect"] == "Deny"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_reports_rule_keeps_undelivered_events_in_the_reports_queue_dlq(synth) -> None:
    raw = synth.raw()
    queues = _queue_ids(raw)
    queue_id, dlq_id = (
        queues["loyalty-points-dev-reports"],
        queues["loyalty-points-dev-reports-dlq"],
    )
    (target,) = [
        t
        for r in _of_type(raw, "AWS::Events::Rule").values()
        for t in r["Properties"]["Targets"]
        if t["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}


@pytest.mark.parametrize("stage", STAGES)
def test_the_publisher_keeps_failed_stream_batches_whole_in_a_private_bucket(
    synth, stage: str
) -> None:
    raw = synth.raw(stage)
    publisher = _function_ids(raw, stage)["publisher"]
    (mapping,) = [
        r["Properties"]
        for r in _of_type(raw, "AWS::Lambda::EventSourceMapping").values()
        if r["Properties"]["FunctionName"] == {"Ref": publisher}
    ]
    (bucket_id,) = [
        k
        for k, r in _of_type(raw, "AWS::S3::Bucket").items()
        if "LoggingConfiguration" in r["Properties"]
        and r["Properties"]["LoggingConfiguration"]["LogFilePrefix"] == "dlq/"
    ]
    assert mapping["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": [bucket_id, "Arn"]}}
    }
    bucket = raw["Resources"][bucket_id]["Properties"]
    assert json.dumps(bucket["BucketName"]).startswith(
        f'{{"Fn::Join": ["", ["{failures.name(stage, "dlq")}-'
    )
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 30 and rule["Status"] == "Enabled"
    (policy,) = [
        r["Properties"]["PolicyDocument"]
        for r in _of_type(raw, "AWS::S3::BucketPolicy").values()
        if r["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy["Statement"]
    )
    # the publisher writes failed batches there (PutObject under Lambda's prefix, the listing
    # Lambda checks) and cannot read or delete them
    role_id = raw["Resources"][publisher]["Properties"]["Role"]["Fn::GetAtt"][0]
    s3 = {
        (action, json.dumps(resource))
        for s in _statements(raw, role_id)
        for action in _as_list(s["Action"])
        if action.startswith("s3:")
        for resource in _as_list(s["Resource"])
    }
    assert s3 == {
        (
            "s3:PutObject",
            json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/aws/lambda/*"]]}),
        ),
        ("s3:ListBucket", json.dumps({"Fn::GetAtt": [bucket_id, "Arn"]})),
    }
    # no SQS failure queue for the stream any more (it held only pointers)
    assert not [k for k in _of_type(raw, "AWS::SQS::Queue") if k.startswith("StreamDlq")]


@pytest.mark.parametrize(("stage", "days"), [("dev", 14), ("prod", 90)])
def test_the_bus_archives_every_business_event(synth, stage: str, days: int) -> None:
    raw = synth.raw(stage)
    (bus_id,) = _of_type(raw, "AWS::Events::EventBus")
    (archive,) = [r["Properties"] for r in _of_type(raw, "AWS::Events::Archive").values()]
    assert archive["SourceArn"] == {"Fn::GetAtt": [bus_id, "Arn"]}
    assert archive["ArchiveName"] == failures.archive(stage)
    assert archive["EventPattern"] == {"source": ["loyalty.points"]}
    assert archive["RetentionDays"] == days
    assert raw["Resources"][bus_id]["Properties"]["Name"] == failures.bus(stage)


def test_counts_per_stage(synth) -> None:
    """What `make synth` deploys on the failure paths, per stage (printed with -s)."""
    for stage in STAGES:
        raw = synth.raw(stage)
        counts = {
            "on-failure destinations": len(_of_type(raw, "AWS::Lambda::EventInvokeConfig")),
            "archives": len(_of_type(raw, "AWS::Events::Archive")),
            "queues": len(_of_type(raw, "AWS::SQS::Queue")),
        }
        print(stage, counts)
        assert counts["on-failure destinations"] == len(_async_functions())
        assert counts["archives"] == 1
