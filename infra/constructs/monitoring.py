"""The stage's alarms, their SNS topic and its CloudWatch dashboard (docs/operations.md is
the runbook: one section per alarm).

Every alarm sends its ALARM and its OK to the topic ``loyalty-points-<stage>-alarms``; its
name is ``loyalty-points-<stage>-<what>``. Built at the end of the stack, it finds what to
watch in the stack itself: every function, every SQS queue of the construct tree and every
bucket a stream consumer puts its failed batches in (so one added anywhere is covered without
a line here), the HTTP API, the tables and the points table's indexes, the stream consumers,
and every job
schedule marked ``"deadline": true`` in infra/catalog.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from aws_cdk import ArnFormat, Aws, CfnOutput, Duration, NestedStack, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from infra.catalog import FunctionSpec
from infra.config import PROJECT, StageConfig
from infra.constructs.api import HttpApi
from infra.constructs.function import LoyaltyFunction
from shared import metrics
from shared.tables import POINTS_TABLE

FIVE_MINUTES = Duration.minutes(5)
# Context ``alarmEmail``: an address for every stage, or an object stage -> address (as a
# JSON string with ``-c``). The address confirms the subscription from the mail SNS sends.
ALARM_EMAIL_CONTEXT = "alarmEmail"
_ADDRESS = re.compile(r"[^@\s<>\"]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Work queues whose messages wait on purpose: the sender hides a send due later (quiet hours,
# a backoff) for up to SQS's 12 hours (functions/sender/handler.py MAX_VISIBILITY), so its
# oldest message may be that old before anything is wrong.
# The job-shards queue's tasks wait for a free worker (SHARD_WORKERS at once, 15 minutes
# each at most, infra/catalog.py): a task may wait two of them before anything is wrong.
QUEUE_HOLD_S: Mapping[str, int] = {"sends": 12 * 3600, "job-shards": 2 * 900}
# Who publishes the business metrics (shared/metrics.py): the stream's publisher derives
# them from committed items; redeem counts the sold-outs it refuses.
BUSINESS_PUBLISHERS: Mapping[str, tuple[str, ...]] = {
    "publisher": (
        metrics.POINTS_ISSUED,
        metrics.POINTS_REDEEMED,
        metrics.POINTS_EXPIRED,
        metrics.REDEMPTIONS,
        metrics.DRAWS,
        metrics.HOLDS_CAPTURED,
        metrics.HOLDS_RELEASED,
    ),
    "redeem": (metrics.SOLD_OUTS,),
}
# The function behind POST /v1/admin/jobs/{job}/runs (its job metrics: service=jobs).
OPERATOR_RUNS = "jobs"
# A metric math expression reads at most 10 metrics.
_MATH_METRICS = 10


@dataclass(frozen=True, slots=True)
class WatchedQueue:
    """A queue of the stack and what its alarm watches: ``dead_letter`` (nothing consumes
    it: what lands there waits for a person) or a work queue (a function consumes it)."""

    queue: sqs.Queue
    label: str  # its name without the stage's prefix, e.g. ``notices-dlq``
    dead_letter: bool


class MonitoredStack(Protocol):
    """What Monitoring watches in the stage's stack (infra/stack.py LoyaltyPointsStack)."""

    functions: dict[str, LoyaltyFunction]
    http: HttpApi
    table: dynamodb.TableV2
    counted: dynamodb.TableV2  # the counted-events table (shared/tables.py COUNTED_TABLE)


class Monitoring(NestedStack):
    """The stage's alarm topic (``self.topic``), alarms (``self.alarms``) and dashboard, for
    ``scope``: the stage's stack, complete (built last, so nothing it should watch is
    missing); ``specs``: its functions' catalog entries (streams, job schedules).

    A nested stack of its own: CloudFormation takes at most 500 resources in a stack and the
    stage's stack is near that without its ~80 alarms (the stage's values reach it as
    parameters of the nested stack, which CDK adds for every reference)."""

    def __init__(
        self,
        scope: Stack,
        construct_id: str,
        *,
        config: StageConfig,
        specs: Sequence[FunctionSpec],
    ) -> None:
        super().__init__(
            scope, construct_id, description=f"Loyalty points {config.stage}: alarms, dashboard"
        )
        stack: MonitoredStack = scope  # type: ignore[assignment]
        functions, table, counted = stack.functions, stack.table, stack.counted
        self._config = config
        self._namespace = config.metrics_namespace
        self.alarms: list[cloudwatch.Alarm] = []
        self.topic = alarm_topic(
            self, config, alarm_email(self.node.try_get_context(ALARM_EMAIL_CONTEXT), config)
        )
        CfnOutput(
            scope,
            "AlarmTopicArn",
            value=self.topic.topic_arn,
            description="SNS topic of the stage's alarms (ALARM and OK): subscribe on-call here",
        )
        self._action = cw_actions.SnsAction(self.topic)
        self.queues = watched_queues(scope, config)
        streams = {spec.name: functions[spec.name] for spec in specs if spec.table_stream}
        api_metrics = _ApiMetrics(stack.http.api.api_id, stack.http.stage.stage_name)
        # The counted-events table has no index; its writes are in the reports' transactions.
        throttles = table_throttles({table.table_name: gsi_names(), counted.table_name: ()})

        self._function_alarms(functions)
        self._queue_alarms()
        for label, bucket in failure_buckets(scope, config):
            self._bucket_alarm(label, bucket)
        for name, fn in streams.items():
            self._iterator_age_alarm(name, fn)
        self._api_alarms(api_metrics)
        self._table_alarms(throttles)
        for service, job in deadline_jobs(specs):
            self._deadline_alarm(service, job)

        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{PROJECT}-{config.stage}",
            default_interval=Duration.hours(6),
        )
        self._dashboard(specs, functions, streams, api_metrics, (table, counted), throttles)

    # Alarms -----------------------------------------------------------------------------

    def _alarm(
        self,
        what: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        missing: cloudwatch.TreatMissingData,
        *,
        evaluation_periods: int = 1,
        datapoints_to_alarm: int | None = None,
        comparison: cloudwatch.ComparisonOperator = (
            cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ),
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            f"Alarm-{what}",
            alarm_name=self._config.name(what),
            alarm_description=f"{description} Runbook: docs/operations.md.",
            metric=metric,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            treat_missing_data=missing,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms.append(alarm)
        return alarm

    def _function_alarms(self, functions: Mapping[str, LoyaltyFunction]) -> None:
        # Missing data: not breaching. Lambda reports Errors and Throttles (0 or more) for
        # every period with invocations; no invocations, no data, nothing failed.
        missing = cloudwatch.TreatMissingData.NOT_BREACHING
        for name, fn in functions.items():
            self._alarm(
                f"{name}-errors",
                fn.function.metric_errors(period=FIVE_MINUTES, statistic="Sum"),
                1,
                f"Function {name}: an invocation failed (an exception, a timeout or out of "
                "memory) in 5 minutes.",
                missing,
            )
            self._alarm(
                f"{name}-throttles",
                fn.function.metric_throttles(period=FIVE_MINUTES, statistic="Sum"),
                1,
                f"Function {name}: Lambda refused an invocation for concurrency in 5 minutes.",
                missing,
            )

    def _queue_alarms(self) -> None:
        thresholds = self._config.alarms
        for watched in self.queues:
            queue = watched.queue
            if watched.dead_letter:
                # Missing data: ignore. SQS stops reporting a queue nobody touched for six
                # hours, messages or not: a dead-letter alarm stays in ALARM until a datapoint
                # shows the queue empty (after a redrive), never "OK" for want of data.
                self._alarm(
                    f"{watched.label}-not-empty",
                    queue.metric_approximate_number_of_messages_visible(
                        period=FIVE_MINUTES, statistic="Maximum"
                    ),
                    1,
                    f"Queue {watched.label} holds failed messages or events: nothing consumes "
                    "it, they wait for a fix and a redrive.",
                    cloudwatch.TreatMissingData.IGNORE,
                )
            else:
                limit = thresholds.queue_age_s + QUEUE_HOLD_S.get(watched.label, 0)
                # Missing data: not breaching (an idle queue reports nothing and is fine).
                self._alarm(
                    f"{watched.label}-oldest-message",
                    queue.metric_approximate_age_of_oldest_message(
                        period=FIVE_MINUTES, statistic="Maximum"
                    ),
                    limit,
                    f"Queue {watched.label}: a message has waited more than {limit} s; its "
                    "consumer is failing, throttled or too slow.",
                    cloudwatch.TreatMissingData.NOT_BREACHING,
                    comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                )

    def _bucket_alarm(self, label: str, bucket: s3.Bucket) -> None:
        # S3 reports a bucket's object count once a day, and nothing for an empty bucket:
        # missing data is not breaching (empty), and the alarm may come a day late (a failed
        # batch is kept whole there: late, not lost; the stream consumer's Errors come first).
        self._alarm(
            f"{label}-not-empty",
            cloudwatch.Metric(
                namespace="AWS/S3",
                metric_name="NumberOfObjects",
                dimensions_map={"BucketName": bucket.bucket_name, "StorageType": "AllStorageTypes"},
                period=Duration.days(1),
                statistic="Maximum",
            ),
            1,
            f"Bucket {label} holds failed stream batches: they wait for a fix and a redrive.",
            cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    def _iterator_age_alarm(self, name: str, fn: LoyaltyFunction) -> None:
        limit_s = self._config.alarms.iterator_age_s
        # Missing data: not breaching. Lambda reports IteratorAge with each batch it reads; a
        # consumer retrying a failing batch still reads (and reports the batch's age).
        self._alarm(
            f"{name}-iterator-age",
            fn.function.metric("IteratorAge", period=FIVE_MINUTES, statistic="Maximum"),
            limit_s * 1000,
            f"Stream consumer {name} is more than {limit_s} s behind the table's changes.",
            cloudwatch.TreatMissingData.NOT_BREACHING,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )

    def _api_alarms(self, api: _ApiMetrics) -> None:
        thresholds = self._config.alarms
        least = thresholds.api_min_requests
        # Missing data: not breaching (no requests: no data). Both expressions are 0 in a
        # period with fewer than ``least`` requests.
        self._alarm(
            "api-5xx-rate",
            cloudwatch.MathExpression(
                expression=f"IF(requests >= {least}, 100 * FILL(errors, 0) / requests, 0)",
                using_metrics={"requests": api.metric("Count"), "errors": api.metric("5xx")},
                label="5xx % of requests",
                period=FIVE_MINUTES,
            ),
            thresholds.api_5xx_percent,
            f"HTTP API: more than {thresholds.api_5xx_percent} % of the requests answered 5xx "
            f"in 5 minutes (with {least} requests or more).",
            cloudwatch.TreatMissingData.NOT_BREACHING,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )
        self._alarm(
            "api-p99-latency",
            cloudwatch.MathExpression(
                expression=f"IF(requests >= {least}, latency, 0)",
                using_metrics={
                    "requests": api.metric("Count"),
                    "latency": api.metric("Latency", "p99"),
                },
                label="p99 latency (ms)",
                period=FIVE_MINUTES,
            ),
            thresholds.api_p99_latency_ms,
            f"HTTP API: p99 latency above {thresholds.api_p99_latency_ms} ms in 2 of 3 "
            f"5-minute periods (with {least} requests or more).",
            cloudwatch.TreatMissingData.NOT_BREACHING,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )

    def _table_alarms(self, throttles: Mapping[str, list[cloudwatch.Metric]]) -> None:
        # Missing data: not breaching. DynamoDB reports throttle events only when some occur.
        for kind, series in throttles.items():
            for index, chunk in enumerate(_chunks(series, _MATH_METRICS)):
                self._alarm(
                    f"dynamodb-{kind}-throttles" + (f"-{index + 1}" if index else ""),
                    _sum(chunk, f"{kind} throttle events"),
                    1,
                    f"DynamoDB: {kind} requests throttled on the points table, one of its "
                    "global secondary indexes or the counted-events table in 5 minutes.",
                    cloudwatch.TreatMissingData.NOT_BREACHING,
                )

    def _deadline_alarm(self, service: str, job: str) -> None:
        # Missing data: not breaching. Only a schedule's deadline run reports the metric
        # (once a day or month); the alarm returns to OK an hour after a miss: the OK says
        # no NEW miss, the runbook's check says whether the job has caught up since.
        self._alarm(
            f"{job if job == service else f'{service}-{job}'}-missed-deadline",
            self._business(metrics.JOB_MISSED_DEADLINE, service, job, period=Duration.hours(1)),
            1,
            f"Job {job} ({service}) was not complete by its deadline run.",
            cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    def _business(
        self,
        name: str,
        service: str,
        job: str | None = None,
        *,
        period: Duration = FIVE_MINUTES,
        statistic: str = "Sum",
    ) -> cloudwatch.Metric:
        """A metric of shared/metrics.py, with exactly the dimensions it is published with."""
        return cloudwatch.Metric(
            namespace=self._namespace,
            metric_name=name,
            dimensions_map={"service": service, **({"job": job} if job else {})},
            period=period,
            statistic=statistic,
            label=f"{name} {service}: {job}" if job else name,
        )

    # Dashboard ----------------------------------------------------------------------------

    def _dashboard(
        self,
        specs: Sequence[FunctionSpec],
        functions: Mapping[str, LoyaltyFunction],
        streams: Mapping[str, LoyaltyFunction],
        api: _ApiMetrics,
        tables: tuple[dynamodb.ITableV2, dynamodb.ITableV2],
        throttles: Mapping[str, list[cloudwatch.Metric]],
    ) -> None:
        graph = _graph
        fns = list(functions.items())
        business = {
            name: self._business(name, service)
            for service, names in BUSINESS_PUBLISHERS.items()
            for name in names
        }
        # The scheduled runs, and the same jobs run now by an operator (the jobs function).
        scheduled = scheduled_jobs(specs)
        jobs = _unique([*scheduled, *((OPERATOR_RUNS, job) for _, job in scheduled)])
        # The points table's reads and writes; the counted-events table is only written.
        table, counted = tables
        capacity = [
            t.metric(name, period=FIVE_MINUTES, statistic="Sum", label=label)
            for t, name, label in (
                (table, "ConsumedReadCapacityUnits", "read units"),
                (table, "ConsumedWriteCapacityUnits", "write units"),
                (counted, "ConsumedWriteCapacityUnits", "counted-events write units"),
            )
        ]
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(
                title="Alarms", alarms=list(self.alarms), width=24, height=4
            )
        )
        self.dashboard.add_widgets(
            graph("API requests", [api.metric("Count", label="requests")]),
            graph("API 4xx / 5xx", [api.metric("4xx"), api.metric("5xx")]),
            graph(
                "API latency (ms)",
                [api.metric("Latency", "p50", "p50"), api.metric("Latency", "p99", "p99")],
            ),
        )
        self.dashboard.add_widgets(
            graph(
                "Points issued / redeemed / expired",
                [
                    business[metrics.POINTS_ISSUED],
                    business[metrics.POINTS_REDEEMED],
                    business[metrics.POINTS_EXPIRED],
                ],
            ),
            graph(
                "Redemptions, sold-outs, draws",
                [
                    business[metrics.REDEMPTIONS],
                    business[metrics.SOLD_OUTS],
                    business[metrics.DRAWS],
                ],
            ),
            graph(
                "Checkout holds",
                [business[metrics.HOLDS_CAPTURED], business[metrics.HOLDS_RELEASED]],
            ),
        )
        self.dashboard.add_widgets(
            graph(
                "Jobs: items processed",
                [self._business(metrics.JOB_PROCESSED, fn, job) for fn, job in jobs],
            ),
            graph(
                "Jobs: runs out of time / missed deadlines",
                [
                    *(self._business(metrics.JOB_INCOMPLETE, fn, job) for fn, job in jobs),
                    *(
                        self._business(metrics.JOB_MISSED_DEADLINE, fn, job)
                        for fn, job in deadline_jobs(specs)
                    ),
                ],
            ),
            graph(
                "Stream iterator age (ms, max)",
                [
                    fn.function.metric(
                        "IteratorAge", period=FIVE_MINUTES, statistic="Maximum", label=name
                    )
                    for name, fn in streams.items()
                ],
            ),
        )
        self.dashboard.add_widgets(
            graph(
                "Lambda errors",
                [f.function.metric_errors(period=FIVE_MINUTES, label=n) for n, f in fns],
            ),
            graph(
                "Lambda throttles",
                [f.function.metric_throttles(period=FIVE_MINUTES, label=n) for n, f in fns],
            ),
            graph(
                "Lambda duration p99 (ms)",
                [
                    f.function.metric_duration(period=FIVE_MINUTES, statistic="p99", label=n)
                    for n, f in fns
                ],
            ),
        )
        self.dashboard.add_widgets(
            graph("DynamoDB consumed capacity", capacity),
            graph(
                "DynamoDB throttle events",
                [
                    _sum(chunk, f"{kind} throttles")
                    for kind, series in throttles.items()
                    for chunk in _chunks(series, _MATH_METRICS)
                ],
            ),
            graph(
                "Queues: messages visible",
                [
                    w.queue.metric_approximate_number_of_messages_visible(
                        period=FIVE_MINUTES, statistic="Maximum", label=w.label
                    )
                    for w in self.queues
                ],
            ),
            graph(
                "Work queues: oldest message (s)",
                [
                    w.queue.metric_approximate_age_of_oldest_message(
                        period=FIVE_MINUTES, statistic="Maximum", label=w.label
                    )
                    for w in self.queues
                    if not w.dead_letter
                ],
            ),
        )


@dataclass(frozen=True, slots=True)
class _ApiMetrics:
    """The HTTP API stage's own metrics: namespace AWS/ApiGateway, ApiId and Stage."""

    api_id: str
    stage: str

    def metric(
        self, name: str, statistic: str = "Sum", label: str | None = None
    ) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/ApiGateway",
            metric_name=name,
            dimensions_map={"ApiId": self.api_id, "Stage": self.stage},
            period=FIVE_MINUTES,
            statistic=statistic,
            label=label,
        )


def alarm_topic(scope: Construct, config: StageConfig, email: str | None) -> sns.Topic:
    """``loyalty-points-<stage>-alarms``: encrypted with a key of its own (CloudWatch cannot
    use SNS's AWS managed key, so alarms could not publish to a topic encrypted with it),
    TLS only, CloudWatch alarms of this account and stage allowed to publish; ``email``
    subscribed if given."""
    key = kms.Key(
        scope,
        "AlarmTopicKey",
        description=f"{config.name('alarms')}: SNS encryption (CloudWatch alarms publish)",
        enable_key_rotation=True,
        removal_policy=config.removal_policy,
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="CloudWatchAlarmsPublish",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],  # in a key policy: this key
        )
    )
    topic = sns.Topic(
        scope,
        "AlarmTopic",
        topic_name=config.name("alarms"),
        display_name=f"Loyalty points {config.stage} alarms",
        master_key=key,
        enforce_ssl=True,
    )
    # A topic policy replaces SNS's default one: CloudWatch needs its own statement.
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="CloudWatchAlarmsPublish",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "ArnLike": {
                    "aws:SourceArn": Stack.of(scope).format_arn(
                        service="cloudwatch",
                        resource="alarm",
                        resource_name=config.name("*"),
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                },
                "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
            },
        )
    )
    if email:
        topic.add_subscription(subscriptions.EmailSubscription(email))
    return topic


def alarm_email(value: object, config: StageConfig) -> str | None:
    """The address context ``alarmEmail`` subscribes for ``config``'s stage: the value itself
    (every stage), or its entry for the stage in an object (or that object as JSON)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.lstrip().startswith("{"):
        value = json.loads(value)
    if isinstance(value, dict):
        value = value.get(config.stage)
        if value is None:
            return None
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise ValueError(f"{ALARM_EMAIL_CONTEXT}: {value!r} is not an e-mail address")
    return value


def watched_queues(stack: Stack, config: StageConfig) -> list[WatchedQueue]:
    """Every SQS queue in ``stack``'s construct tree. A queue a Lambda event source mapping
    reads is a work queue; any other is a dead-letter queue: a queue's redrive target, an
    event source's or rule target's failure queue, an on-failure destination — whatever
    lands there stays until a person re-drives it, so one message is worth an alarm."""
    nodes = stack.node.find_all()
    consumed = {
        _resolved(stack, node.event_source_arn)
        for node in nodes
        if isinstance(node, lambda_.CfnEventSourceMapping) and node.event_source_arn
    }
    return [
        WatchedQueue(
            node,
            _label(stack, node, config, getattr(node.node.default_child, "queue_name", None)),
            _resolved(stack, node.queue_arn) not in consumed,
        )
        for node in nodes
        if isinstance(node, sqs.Queue)
    ]


def failure_buckets(stack: Stack, config: StageConfig) -> list[tuple[str, s3.Bucket]]:
    """Every S3 bucket of ``stack`` an event source mapping writes its failed batches to (its
    on-failure destination), with a label (``stream-failures``)."""
    nodes = stack.node.find_all()
    destinations = {
        _resolved(stack, (stack.resolve(node.destination_config) or {}).get("onFailure"))
        for node in nodes
        if isinstance(node, lambda_.CfnEventSourceMapping)
    }
    return [
        (_label(stack, node, config, getattr(node.node.default_child, "bucket_name", None)), node)
        for node in nodes
        if isinstance(node, s3.Bucket)
        and _resolved(stack, {"destination": node.bucket_arn}) in destinations
    ]


def deadline_jobs(specs: Iterable[FunctionSpec]) -> list[tuple[str, str]]:
    """(function, job) of every schedule whose payload says ``"deadline": true``: its last
    try of the day (infra/catalog.py), which reports JobMissedDeadline."""
    return _unique(
        (spec.name, str(schedule.payload.get("job", spec.name)))
        for spec in specs
        for schedule in spec.all_schedules()
        if schedule.payload and schedule.payload.get("deadline")
    )


def scheduled_jobs(specs: Iterable[FunctionSpec]) -> list[tuple[str, str]]:
    """(function, job) of every schedule naming its job (the jobs' metrics' dimensions)."""
    return _unique(
        (spec.name, str(schedule.payload["job"]))
        for spec in specs
        for schedule in spec.all_schedules()
        if schedule.payload and "job" in schedule.payload
    )


def gsi_names() -> list[str]:
    return [index.name for index in POINTS_TABLE.indexes if not index.local]


def table_throttles(tables: Mapping[str, Sequence[str]]) -> dict[str, list[cloudwatch.Metric]]:
    """Read and write throttle events of each table (name -> its global secondary indexes)
    and of each of its indexes (an index reports its own; the table's figure leaves them
    out)."""
    return {
        kind: [
            cloudwatch.Metric(
                namespace="AWS/DynamoDB",
                metric_name=f"{kind.title()}ThrottleEvents",
                dimensions_map={
                    "TableName": table_name,
                    **({"GlobalSecondaryIndexName": g} if g else {}),
                },
                period=FIVE_MINUTES,
                statistic="Sum",
            )
            for table_name, gsis in tables.items()
            for g in (None, *gsis)
        ]
        for kind in ("read", "write")
    }


def _sum(series: Sequence[cloudwatch.IMetric], label: str) -> cloudwatch.MathExpression:
    """One series: the sum of ``series`` at each time (a series without data adds nothing).
    Its metrics' ids come from ``label``: a graph with two sums needs them distinct."""
    prefix = re.sub(r"[^a-z0-9]", "", label.lower())
    return cloudwatch.MathExpression(
        expression="SUM(METRICS())",
        using_metrics={f"{prefix}{i}": metric for i, metric in enumerate(series)},
        label=label,
        period=FIVE_MINUTES,
    )


def _chunks(items: Sequence[cloudwatch.Metric], size: int) -> list[Sequence[cloudwatch.Metric]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _graph(title: str, metrics_: Sequence[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(title=title, left=list(metrics_), width=8, height=6)


def _unique(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(pairs))


def _resolved(stack: Stack, value: object) -> str:
    return json.dumps(stack.resolve(value), sort_keys=True)


def _label(stack: Stack, node: IConstruct, config: StageConfig, name: object) -> str:
    """``name`` (a physical name) without ``loyalty-points-<stage>-``; a resource CloudFormation
    names, or named with tokens: its construct path under the stack in kebab case
    (``bus-dlq-reports``)."""
    prefix = config.name("")
    if isinstance(name, str) and not Token.is_unresolved(name) and name.startswith(prefix):
        return name.removeprefix(prefix).removesuffix(".fifo")
    path = node.node.path.removeprefix(stack.node.path + "/")
    kebab = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", path.replace("/", "-"))
    return re.sub(r"-+", "-", kebab).lower()
