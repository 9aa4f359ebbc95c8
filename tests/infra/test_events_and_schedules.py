"""The event pipeline (stream → publisher → bus, failed batches kept) and the job schedules."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from infra.catalog import REPORT_EVENTS, catalog
from infra.config import stage_config

pytestmark = pytest.mark.infra
DEV = stage_config({"stage": "dev"})


def _function_logical_id(raw: dict, name: str) -> str:
    (found,) = [
        key
        for key, r in raw["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function"
        and r["Properties"].get("FunctionName") == DEV.name(name)
    ]
    return found


def test_the_publisher_consumes_the_table_stream_with_a_dead_letter_queue(synth) -> None:
    raw = synth.raw()
    publisher = _function_logical_id(raw, "publisher")
    mappings = [
        r["Properties"]
        for r in raw["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    (mapping,) = [m for m in mappings if m["FunctionName"] == {"Ref": publisher}]
    assert "StreamArn" in json.dumps(mapping["EventSourceArn"])
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert "DestinationConfig" in mapping  # failed batches, whole, in S3 (test_failure_paths)
    # each bus rule's target DLQ, each consumed queue (notices, sends, job-shards...) and its
    # DLQ, and one on-failure queue per asynchronously invoked function
    specs = catalog()
    invoked_async = [
        spec for spec in specs if spec.all_schedules() or spec.bus_events or spec.access.invoke_self
    ]
    rule_dlqs = sum(1 for spec in specs if spec.bus_events)
    consumed = sum(2 for spec in specs if spec.queue is not None)
    synth.template().resource_count_is("AWS::SQS::Queue", rule_dlqs + consumed + len(invoked_async))
    synth.template().has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {"StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"}},
    )


def test_the_publisher_knows_the_bus(synth) -> None:
    synth.template().has_resource_properties(
        "AWS::Lambda::Function",
        {
            "FunctionName": DEV.name("publisher"),
            "Environment": {"Variables": Match.object_like({"EVENT_BUS_NAME": Match.any_value()})},
        },
    )
    synth.template().resource_count_is("AWS::Events::EventBus", 1)


def test_expiry_and_reminders_run_on_their_schedules(synth) -> None:
    raw = synth.raw()
    expire = _function_logical_id(raw, "expire")
    inputs = sorted(
        json.loads(t["Input"])["job"]
        for r in raw["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
        for t in r["Properties"]["Targets"]
        if t["Arn"] == {"Fn::GetAtt": [expire, "Arn"]}
    )
    # each twice: the hourly retries and the window's last try, the deadline
    assert inputs == ["expire", "expire", "expiry-reminders", "expiry-reminders"]


def test_tier_evaluation_and_birthdays_run_on_their_schedules(synth) -> None:
    raw = synth.raw()
    tiers = _function_logical_id(raw, "tiers")
    schedules = sorted(
        (json.loads(t["Input"])["job"], r["Properties"]["ScheduleExpression"])
        for r in raw["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
        for t in r["Properties"]["Targets"]
        if t["Arn"] == {"Fn::GetAtt": [tiers, "Arn"]}
    )
    # 04:00 programme time (UTC+8) on the 1st, retried hourly; birthdays daily from 00:10;
    # the last try of each window on its own (its deadline: tests/infra/test_job_schedules.py)
    assert schedules == [
        ("birthdays", "cron(10 16-18 * * ? *)"),
        ("birthdays", "cron(10 19 * * ? *)"),
        ("tiers", "cron(0 20-22 L * ? *)"),
        ("tiers", "cron(0 23 L * ? *)"),
    ]


def test_rebate_settlement_runs_daily_on_its_own_function_with_time_for_large_campaigns(
    synth,
) -> None:
    raw = synth.raw()
    settlement = _function_logical_id(raw, "rebate_settlement")
    schedules = sorted(
        (json.loads(t["Input"])["job"], r["Properties"]["ScheduleExpression"])
        for r in raw["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
        for t in r["Properties"]["Targets"]
        if t["Arn"] == {"Fn::GetAtt": [settlement, "Arn"]}
    )
    # 02:30 programme time (UTC+8), retried hourly until the run completes; the last try is
    # the deadline.
    assert schedules == [
        ("rebate-settlement", "cron(30 18-20 * * ? *)"),
        ("rebate-settlement", "cron(30 21 * * ? *)"),
    ]
    assert raw["Resources"][settlement]["Properties"]["Timeout"] == 900


def test_reports_count_their_events_from_a_queue_a_thousand_at_a_time(synth) -> None:
    """Issue 23: a rule puts the events reports count on the reports queue (undelivered ones
    in its DLQ); the function takes up to 1 000 gathered for 2 s and reports each failure."""
    raw = synth.raw()
    resources = raw["Resources"]
    reports = _function_logical_id(raw, "reports")
    (queue,) = [
        k
        for k, r in resources.items()
        if r["Type"] == "AWS::SQS::Queue"
        and r["Properties"].get("QueueName") == DEV.name("reports")
    ]
    (mapping,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": reports}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert mapping["BatchSize"] == 1000 and mapping["MaximumBatchingWindowInSeconds"] == 2
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    (rule,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Events::Rule"
        and any(t["Arn"] == {"Fn::GetAtt": [queue, "Arn"]} for t in r["Properties"]["Targets"])
    ]
    assert set(rule["EventPattern"]["detail-type"]) == set(REPORT_EVENTS)
    (target,) = rule["Targets"]
    assert "DeadLetterConfig" in target and target["RetryPolicy"]["MaximumRetryAttempts"] == 20
    # nothing invokes the function from the bus any more
    assert not [
        r
        for r in resources.values()
        if r["Type"] == "AWS::Events::Rule"
        and any(t["Arn"] == {"Fn::GetAtt": [reports, "Arn"]} for t in r["Properties"]["Targets"])
    ]
