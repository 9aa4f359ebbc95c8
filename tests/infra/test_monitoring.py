"""The stage's alarms and dashboard (infra/constructs/monitoring.py, docs/operations.md).

They live in a nested stack (the stage's stack is near CloudFormation's 500 resources); what
they watch is in the stage's stack, so every check maps the nested template's parameters back
to the stage's resources and compares with what the stage's template holds: a function, queue
or failure bucket added there without an alarm fails here."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from infra.catalog import catalog
from infra.config import stage_config
from infra.constructs.monitoring import alarm_email
from shared import metrics
from tests.infra.conftest import STAGES

pytestmark = pytest.mark.infra

LAMBDA, SQS, API, DYNAMODB = "AWS/Lambda", "AWS/SQS", "AWS/ApiGateway", "AWS/DynamoDB"
AT_LEAST = "GreaterThanOrEqualToThreshold"
PREFIX = "loyalty-points-"


@dataclass(frozen=True)
class Watched:
    """One metric an alarm reads, its dimensions resolved to the stage's template."""

    namespace: str
    name: str
    dimensions: str  # JSON of {name: value}, sorted: hashable and comparable
    stat: str

    def dims(self) -> dict[str, Any]:
        return json.loads(self.dimensions)


@dataclass(frozen=True)
class Monitored:
    stage: str
    parent: dict[str, Any]  # the stage's template
    nested: dict[str, Any]  # the monitoring nested stack's template

    def resources(self, kind: str, template: dict[str, Any] | None = None) -> dict[str, Any]:
        template = self.parent if template is None else template
        return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}

    @property
    def alarms(self) -> dict[str, dict[str, Any]]:
        return {
            v["Properties"]["AlarmName"]: v["Properties"]
            for v in self.resources("AWS::CloudWatch::Alarm", self.nested).values()
        }

    def resolve(self, value: Any) -> Any:
        """A nested stack parameter -> what the stage's stack passes for it."""
        (stack,) = self.resources("AWS::CloudFormation::Stack").values()
        if isinstance(value, dict) and set(value) == {"Ref"}:
            return stack["Properties"]["Parameters"].get(value["Ref"], value)
        return value

    def watched(self, alarm: dict[str, Any]) -> Iterator[Watched]:
        stats = [(alarm, alarm.get("Statistic") or alarm.get("ExtendedStatistic"))]
        if "Metrics" in alarm:
            stats = [
                (m["MetricStat"]["Metric"], m["MetricStat"]["Stat"])
                for m in alarm["Metrics"]
                if "MetricStat" in m
            ]
        for metric, stat in stats:
            dims = {d["Name"]: self.resolve(d["Value"]) for d in metric.get("Dimensions", [])}
            yield Watched(
                metric["Namespace"], metric["MetricName"], json.dumps(dims, sort_keys=True), stat
            )

    def alarms_on(self, namespace: str, name: str) -> list[tuple[dict[str, Any], Watched]]:
        return [
            (alarm, w)
            for alarm in self.alarms.values()
            for w in self.watched(alarm)
            if (w.namespace, w.name) == (namespace, name)
        ]

    def watched_values(self, namespace: str, name: str, dimension: str) -> set[str]:
        return {
            json.dumps(w.dims().get(dimension), sort_keys=True)
            for _, w in self.alarms_on(namespace, name)
        }


@pytest.fixture(scope="module", params=STAGES)
def monitored(request: pytest.FixtureRequest, synth) -> Monitored:
    stage = request.param
    (nested,) = synth.outdir.glob(f"LoyaltyPoints{stage}Monitoring*.nested.template.json")
    return Monitored(stage, synth.raw(stage), json.loads(nested.read_text()))


def ref(logical_id: str) -> str:
    return json.dumps({"Ref": logical_id})


def test_every_function_has_an_errors_and_a_throttles_alarm(monitored: Monitored) -> None:
    prefix = f"loyalty-points-{monitored.stage}-"
    functions = {
        ref(k)
        for k, v in monitored.resources("AWS::Lambda::Function").items()
        if str(v["Properties"].get("FunctionName", "")).startswith(prefix)
    }
    assert len(functions) == len(catalog())
    for metric in ("Errors", "Throttles"):
        assert monitored.watched_values(LAMBDA, metric, "FunctionName") == functions
        for alarm, watched in monitored.alarms_on(LAMBDA, metric):
            assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, AT_LEAST)
            assert (watched.stat, alarm["Period"]) == ("Sum", 300)


def queue_roles(monitored: Monitored) -> tuple[set[str], set[str]]:
    """(dead-letter queues, work queues) as the stage's template wires them: a redrive
    target, an on-failure destination or a rule target's DLQ; a queue a function reads."""

    def queue_of(arn: Any) -> str:
        assert set(arn) == {"Fn::GetAtt"} and arn["Fn::GetAtt"][1] == "Arn", arn
        return arn["Fn::GetAtt"][0]

    dead: set[str] = set()
    for queue in monitored.resources("AWS::SQS::Queue").values():
        if "RedrivePolicy" in queue["Properties"]:
            dead.add(queue_of(queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]))
    for config in monitored.resources("AWS::Lambda::EventInvokeConfig").values():
        dead.add(queue_of(config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]))
    for rule in monitored.resources("AWS::Events::Rule").values():
        for target in rule["Properties"].get("Targets", []):
            if "DeadLetterConfig" in target:
                dead.add(queue_of(target["DeadLetterConfig"]["Arn"]))
    work = {
        mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]
        for mapping in monitored.resources("AWS::Lambda::EventSourceMapping").values()
        if mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][1] == "Arn"
    }
    return dead, work


def test_every_queue_has_an_alarm_dead_letter_queues_on_any_message(
    monitored: Monitored,
) -> None:
    dead, work = queue_roles(monitored)
    queues = set(monitored.resources("AWS::SQS::Queue"))
    assert dead and work and not dead & work
    assert dead | work == queues  # every queue is one or the other

    def name(queue: str) -> str:
        return json.dumps({"Fn::GetAtt": [queue, "QueueName"]}, sort_keys=True)

    visible = monitored.alarms_on(SQS, "ApproximateNumberOfMessagesVisible")
    assert {w.dimensions for _, w in visible} == {
        json.dumps({"QueueName": json.loads(name(q))}, sort_keys=True) for q in dead
    }
    assert all(
        (a["Threshold"], a["ComparisonOperator"], a["TreatMissingData"]) == (1, AT_LEAST, "ignore")
        for a, _ in visible
    )
    aged = monitored.watched_values(SQS, "ApproximateAgeOfOldestMessage", "QueueName")
    assert aged == {name(q) for q in work}


def test_work_queue_age_allows_for_the_senders_quiet_hours_hold(monitored: Monitored) -> None:
    alarms = monitored.alarms
    stage = stage_config({"stage": monitored.stage}).alarms
    notices = alarms[f"loyalty-points-{monitored.stage}-notices-oldest-message"]
    sends = alarms[f"loyalty-points-{monitored.stage}-sends-oldest-message"]
    assert notices["Threshold"] == stage.queue_age_s
    assert sends["Threshold"] == stage.queue_age_s + 12 * 3600


def test_a_failed_stream_batch_in_the_failures_bucket_raises_an_alarm(
    monitored: Monitored,
) -> None:
    buckets = {
        json.dumps(m["Properties"]["DestinationConfig"]["OnFailure"]["Destination"])
        for m in monitored.resources("AWS::Lambda::EventSourceMapping").values()
        if "DestinationConfig" in m["Properties"]
    }
    watched = {
        json.dumps({"Fn::GetAtt": [json.loads(v)["Ref"], "Arn"]})
        for v in monitored.watched_values("AWS/S3", "NumberOfObjects", "BucketName")
    }
    assert watched == buckets


def test_every_alarm_sends_alarm_and_ok_to_the_stage_topic(monitored: Monitored) -> None:
    stage = monitored.stage
    topics = monitored.resources("AWS::SNS::Topic", monitored.nested)
    (topic,) = [
        k for k, v in topics.items() if v["Properties"]["TopicName"] == f"{PREFIX}{stage}-alarms"
    ]
    alarms = monitored.alarms
    assert len(alarms) == len(monitored.resources("AWS::CloudWatch::Alarm", monitored.nested))
    for name, alarm in alarms.items():
        assert name.startswith(f"loyalty-points-{stage}-")
        assert alarm["AlarmActions"] == alarm["OKActions"] == [{"Ref": topic}], name
        assert alarm["TreatMissingData"] in {"notBreaching", "ignore"}, name
        assert "docs/operations.md" in alarm["AlarmDescription"]
    output = monitored.parent["Outputs"]["AlarmTopicArn"]["Value"]["Fn::GetAtt"]
    assert output[1].startswith("Outputs.") and "AlarmTopic" in output[1]


def test_the_topic_is_encrypted_tls_only_and_open_to_the_stages_alarms(
    monitored: Monitored,
) -> None:
    (topic,) = monitored.resources("AWS::SNS::Topic", monitored.nested).values()
    (key_id, key), *_ = monitored.resources("AWS::KMS::Key", monitored.nested).items()
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert key["Properties"]["EnableKeyRotation"] is True
    assert any(
        s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(s["Action"])
        for s in key["Properties"]["KeyPolicy"]["Statement"]
    )
    (policy,) = monitored.resources("AWS::SNS::TopicPolicy", monitored.nested).values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )
    (publish,) = [s for s in statements if s["Effect"] == "Allow"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Action"] == "sns:Publish"
    source = json.dumps(publish["Condition"]["ArnLike"]["aws:SourceArn"])
    assert f":alarm:loyalty-points-{monitored.stage}-*" in source
    assert "aws:SourceAccount" in publish["Condition"]["StringEquals"]


def test_api_5xx_rate_and_p99_latency_alarms_read_the_apis_default_stage(
    monitored: Monitored,
) -> None:
    (api,) = monitored.resources("AWS::ApiGatewayV2::Api")
    stage = stage_config({"stage": monitored.stage}).alarms
    expected = json.dumps({"ApiId": {"Ref": api}, "Stage": "$default"}, sort_keys=True)
    alarms = monitored.alarms
    rate = alarms[f"loyalty-points-{monitored.stage}-api-5xx-rate"]
    latency = alarms[f"loyalty-points-{monitored.stage}-api-p99-latency"]

    assert {(w.name, w.stat, w.dimensions) for w in monitored.watched(rate)} == {
        ("5xx", "Sum", expected),
        ("Count", "Sum", expected),
    }
    (expression,) = [m["Expression"] for m in rate["Metrics"] if "Expression" in m]
    assert f"requests >= {stage.api_min_requests}" in expression
    assert "100 * FILL(errors, 0) / requests" in expression
    assert rate["Threshold"] == stage.api_5xx_percent == 1.0

    assert {(w.name, w.stat, w.dimensions) for w in monitored.watched(latency)} == {
        ("Latency", "p99", expected),
        ("Count", "Sum", expected),
    }
    assert latency["Threshold"] == stage.api_p99_latency_ms


def test_stream_consumers_alarm_on_their_iterator_age(monitored: Monitored) -> None:
    consumers = {
        json.dumps(m["Properties"]["FunctionName"])
        for m in monitored.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn"
    }
    aged = monitored.alarms_on(LAMBDA, "IteratorAge")
    assert consumers and {w.dimensions for _, w in aged} == {
        json.dumps({"FunctionName": json.loads(c)}) for c in consumers
    }
    limit_ms = stage_config({"stage": monitored.stage}).alarms.iterator_age_s * 1000
    assert all(w.stat == "Maximum" and a["Threshold"] == limit_ms for a, w in aged)


def test_dynamodb_throttles_of_each_table_and_every_index_raise_an_alarm(
    monitored: Monitored,
) -> None:
    """The points table and its indexes, and the counted-events table (no index)."""
    tables = monitored.resources("AWS::DynamoDB::GlobalTable")
    assert len(tables) == 2
    expected = [
        dims
        for table_id, table in tables.items()
        for dims in [
            {"TableName": {"Ref": table_id}},
            *(
                {"TableName": {"Ref": table_id}, "GlobalSecondaryIndexName": i["IndexName"]}
                for i in table["Properties"].get("GlobalSecondaryIndexes", [])
            ),
        ]
    ]
    for kind in ("Read", "Write"):
        watched = monitored.alarms_on(DYNAMODB, f"{kind}ThrottleEvents")
        assert sorted(w.dimensions for _, w in watched) == sorted(
            json.dumps(d, sort_keys=True) for d in expected
        )
        assert all(a["Threshold"] == 1 and w.stat == "Sum" for a, w in watched)


def deadline_schedules() -> set[tuple[str, str]]:
    return {
        (spec.name, schedule.payload["job"])
        for spec in catalog()
        for schedule in spec.all_schedules()
        if schedule.payload and schedule.payload.get("deadline")
    }


def test_every_deadline_schedule_has_a_missed_deadline_alarm(monitored: Monitored) -> None:
    watched = monitored.alarms_on(f"LoyaltyPoints/{monitored.stage}", metrics.JOB_MISSED_DEADLINE)
    assert {(w.dims()["service"], w.dims()["job"]) for _, w in watched} == deadline_schedules()
    assert all(len(w.dims()) == 2 and a["Threshold"] == 1 for a, w in watched)


def dashboard_text(monitored: Monitored) -> str:
    (dashboard,) = monitored.resources("AWS::CloudWatch::Dashboard", monitored.nested).values()
    assert dashboard["Properties"]["DashboardName"] == f"loyalty-points-{monitored.stage}"
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else "<token>" for p in parts)


def test_a_dashboard_per_stage_shows_api_functions_table_queues_and_business(
    monitored: Monitored,
) -> None:
    text = dashboard_text(monitored)
    namespace = f"LoyaltyPoints/{monitored.stage}"
    for service, names in (
        ("publisher", [n for n in metrics.BUSINESS if n != metrics.SOLD_OUTS]),
        ("redeem", [metrics.SOLD_OUTS]),
    ):
        for name in names:
            assert f'["{namespace}","{name}","service","{service}"' in text, name
    for service, job in deadline_schedules():
        assert f'"{metrics.JOB_PROCESSED}","job","{job}","service","{service}"' in text
    for needle in (
        '"AWS/ApiGateway","Count"',
        '"AWS/ApiGateway","5xx"',
        '"stat":"p99"',
        '"stat":"p50"',
        '"AWS/Lambda","Errors"',
        '"AWS/Lambda","Throttles"',
        '"AWS/Lambda","Duration"',
        '"AWS/Lambda","IteratorAge"',
        '"AWS/DynamoDB","ConsumedReadCapacityUnits"',
        '"AWS/DynamoDB","ConsumedWriteCapacityUnits"',
        '"AWS/SQS","ApproximateNumberOfMessagesVisible"',
        '"type":"alarm"',
    ):
        assert needle in text, needle


def test_prod_is_stricter_than_dev() -> None:
    dev, prod = (stage_config({"stage": s}).alarms for s in ("dev", "prod"))
    assert prod.api_p99_latency_ms < dev.api_p99_latency_ms
    assert prod.iterator_age_s < dev.iterator_age_s
    assert prod.queue_age_s < dev.queue_age_s


@pytest.mark.parametrize(
    ("value", "stage", "expected"),
    [
        (None, "dev", None),
        ("ops@example.com", "prod", "ops@example.com"),
        ({"prod": "oncall@example.com"}, "prod", "oncall@example.com"),
        ({"prod": "oncall@example.com"}, "dev", None),
        ('{"dev": "dev-team@example.com"}', "dev", "dev-team@example.com"),
    ],
)
def test_alarm_email_context_per_stage_or_for_all(value: Any, stage: str, expected: Any) -> None:
    assert alarm_email(value, stage_config({"stage": stage})) == expected


@pytest.mark.parametrize("value", ["not-an-address", {"dev": "x@"}, 42])
def test_alarm_email_context_refuses_what_is_not_an_address(value: Any) -> None:
    with pytest.raises(ValueError, match="alarmEmail"):
        alarm_email(value, stage_config({"stage": "dev"}))


def test_an_alarm_email_is_subscribed_to_the_topic() -> None:
    from aws_cdk import App, Stack
    from aws_cdk.assertions import Template

    from infra.constructs.monitoring import alarm_topic

    stack = Stack(App(), "Topic")
    alarm_topic(stack, stage_config({"stage": "dev"}), "oncall@example.com")
    Template.from_stack(stack).has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@example.com"}
    )


def test_print_alarm_counts(synth) -> None:
    for stage in STAGES:
        (nested,) = synth.outdir.glob(f"LoyaltyPoints{stage}Monitoring*.nested.template.json")
        kinds = Counter(r["Type"] for r in json.loads(nested.read_text())["Resources"].values())
        print(
            f"{stage}: {kinds['AWS::CloudWatch::Alarm']} alarms, "
            f"{kinds['AWS::CloudWatch::Dashboard']} dashboard(s); "
            f"stage stack {len(synth.raw(stage)['Resources'])} resources"
        )
        assert kinds["AWS::CloudWatch::Alarm"] > 0
