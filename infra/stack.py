"""One stack per stage (``LoyaltyPoints-<stage>``) and the app that holds it."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App, Aws, CfnOutput, Duration, Environment, Stack, Tags
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import assets, nag
from infra.catalog import FunctionSpec, QueueSource, catalog
from infra.config import PROJECT, StageConfig, cdk_json_context, flag, stage_config
from infra.constructs.api import HttpApi
from infra.constructs.auth import Auth
from infra.constructs.cursor_key import cursor_key
from infra.constructs.failures import (
    ASYNC_MAX_EVENT_AGE,
    ASYNC_RETRIES,
    BucketOnFailure,
    QueueOnFailure,
    stream_failures_bucket,
)
from infra.constructs.files import files_bucket, files_origin
from infra.constructs.function import ARCHITECTURE, RUNTIME, LoyaltyFunction
from infra.constructs.monitoring import Monitoring
from infra.constructs.pii_key import pii_key
from infra.constructs.site import Site
from infra.constructs.table import build_table
from shared.events import SOURCE as EVENT_SOURCE
from shared.routes import ROUTES
from shared.routes import functions as http_functions
from shared.tables import COUNTED_TABLE, POINTS_TABLE


@dataclass(frozen=True, slots=True)
class Build:
    """What every stage's stack deploys, prepared once per app: the functions, each one's
    staged code, the dependencies layer and the built web apps."""

    specs: tuple[FunctionSpec, ...]
    code_dirs: Mapping[str, Path]
    layer_dir: Path
    web_dist: Path

    @classmethod
    def prepare(cls, web_dist: str | None = None) -> Build:
        """Stage every function's code and the layer; ``web_dist`` as ``assets.web_dist``."""
        specs = catalog()
        code_dirs = {spec.name: assets.stage_function(spec.name) for spec in specs}
        return cls(specs, code_dirs, assets.layer_dir(), assets.web_dist(web_dist))


class LoyaltyPointsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        build: Build,
        env: Environment | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            stack_name=config.stack_name,
            description=f"Loyalty points platform ({config.stage})",
            termination_protection=config.is_prod,
            env=env,
        )
        Tags.of(self).add("project", PROJECT)
        Tags.of(self).add("stage", config.stage)

        self.table = build_table(self, POINTS_TABLE, config)
        # The reports consumer's per-event markers: no stream, no index (shared/tables.py).
        self.counted = build_table(self, COUNTED_TABLE, config)
        self.bus = events.EventBus(self, "Bus", event_bus_name=config.name("events"))
        # Every business event kept for a replay (`make replay`): 90 days in prod, 14 elsewhere.
        self.archive = events.Archive(
            self,
            "Archive",
            source_event_bus=self.bus,
            archive_name=config.name("events"),
            description=f"Business events of {config.stage} ({EVENT_SOURCE}), for replays",
            event_pattern=events.EventPattern(source=[EVENT_SOURCE]),
            retention=Duration.days(90 if config.is_prod else 14),
        )
        self.auth = Auth(self, "Auth", config=config)
        self.site = Site(
            self,
            "Site",
            config=config,
            dist=build.web_dist,
            # Both pools' token endpoints: the member app's and the console's.
            auth_origin=" ".join(
                f"https://{host}"
                for host in (self.auth.hosted_ui_host, self.auth.staff_hosted_ui_host)
            ),
            file_store_origin=files_origin(config),
        )
        self.auth.add_web_clients(self.site.url)
        self.layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=lambda_.Code.from_asset(str(build.layer_dir)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="aws-lambda-powertools, pynamodb, msgspec, tzdata (infra/build_layer.py)",
        )

        self.pii_key = pii_key(self, config)
        self.cursor_key = cursor_key(self, config)
        self.files = files_bucket(self, config, self.site.logs, self.site.url)
        self.functions: dict[str, LoyaltyFunction] = {}
        # Failed stream batches, whole (infra/constructs/failures.py); failed async invocations.
        self.stream_failures: s3.Bucket = stream_failures_bucket(self, config, self.site.logs)
        self.async_failures: dict[str, sqs.Queue] = {}
        # Queues consumed by a function (before the functions: others send to them).
        self.queues: dict[str, sqs.Queue] = {}
        self.queue_dlqs: dict[str, sqs.Queue] = {}
        for spec in build.specs:
            if spec.queue is not None:
                self._queue(spec, config)
        for spec in build.specs:
            fn = LoyaltyFunction(
                self,
                f"Fn-{spec.name}",
                spec=spec,
                config=config,
                code_dir=build.code_dirs[spec.name],
                layer=self.layer,
                table=self.table,
                bus=self.bus,
                counted_table=self.counted,
                pii_key=self.pii_key,
                cursor_key=self.cursor_key,
                files_bucket=self.files,
                queues=self.queues,
            )
            self.functions[spec.name] = fn
            for index, schedule in enumerate(spec.all_schedules()):
                payload = schedule.payload
                events.Rule(
                    self,
                    f"Schedule-{spec.name}" + (f"-{index}" if index else ""),
                    schedule=events.Schedule.expression(schedule.expression),
                    targets=[
                        targets.LambdaFunction(
                            fn.function,
                            event=events.RuleTargetInput.from_object(dict(payload))
                            if payload
                            else None,
                        )
                    ],
                )
            if spec.table_stream:
                self._consume_stream(spec.name, fn)
            if spec.bus_events:
                self._subscribe(spec.name, fn, config)
            if spec.all_schedules() or spec.bus_events or spec.access.invoke_self:
                self._on_failure(spec.name, fn, config)
            if spec.queue is not None:
                self._consume_queue(spec.queue, fn)

        # What shared/auth.py trusts: every function serving routes (cold start fails without).
        for name in http_functions():
            for key, value in self.auth.environment().items():
                self.functions[name].function.add_environment(key, value)
        self.http = HttpApi(
            self,
            "Http",
            config=config,
            routes=ROUTES,
            handlers={name: fn.function for name, fn in self.functions.items()},
            auth=self.auth,
        )
        self.site.route_api(self.http.api)
        self.site.deploy(self._runtime_config())

        for name, value, description in (
            ("ApiUrl", self.http.url, "HTTP API base URL"),
            ("UserPoolId", self.auth.user_pool.user_pool_id, "Member user pool id"),
            ("UserPoolClientId", self.auth.client.user_pool_client_id, "Members' SRP app client"),
            ("SiteUrl", self.site.url, "Member app (/) and operator console (/console/)"),
            ("CognitoDomain", self.auth.hosted_ui_host, "Member pool hosted UI domain"),
            ("MemberClientId", self.auth.member_client.user_pool_client_id, "Member app client"),
            ("StaffUserPoolId", self.auth.staff_pool.user_pool_id, "Staff user pool id"),
            ("StaffCognitoDomain", self.auth.staff_hosted_ui_host, "Staff sign-in; systems' token"),
            ("StaffClientId", self.auth.staff_client.user_pool_client_id, "Console client"),
            *(
                (
                    f"SystemClientId{name.title()}",
                    client.user_pool_client_id,
                    f"Trusted system {name}: client credentials (secret in the Cognito console)",
                )
                for name, client in self.auth.system_clients.items()
            ),
            ("TableName", self.table.table_name, "DynamoDB table name"),
            ("CountedTableName", self.counted.table_name, "Reports' counted-events table"),
            ("EventBusName", self.bus.event_bus_name, "EventBridge bus name"),
        ):
            CfnOutput(self, name, value=value, description=description)
        # Alarms (to the stage's topic, output AlarmTopicArn) and the dashboard: built last,
        # so they watch every function, queue and failure bucket above (docs/operations.md).
        self.monitoring = Monitoring(self, "Monitoring", config=config, specs=build.specs)

    def _runtime_config(self) -> dict[str, object]:
        """The web apps' /config.json (web/src/common/config.ts): the API on the site's own
        origin (CloudFront routes /v1/*), the hosted UI and one client per app. No
        ``redirectUri``: each app calls back to its own path (/callback, /console/callback)."""
        return {
            "mode": "aws",
            "apiBaseUrl": "",
            "cognito": {
                "domain": self.auth.hosted_ui_host,
                "region": Aws.REGION,
                "memberClientId": self.auth.member_client.user_pool_client_id,
                "staffClientId": self.auth.staff_client.user_pool_client_id,
                "memberUserPoolId": self.auth.user_pool.user_pool_id,
                "staffUserPoolId": self.auth.staff_pool.user_pool_id,
                # The console signs in to the staff pool, through its own hosted UI.
                "staffDomain": self.auth.staff_hosted_ui_host,
            },
        }

    def _subscribe(self, name: str, fn: LoyaltyFunction, config: StageConfig) -> None:
        """Every business event on the bus → ``fn`` (an event Lambda does not accept is retried,
        then kept in a dead-letter queue; one the function fails on: ``_on_failure``)."""
        dlq = self._dlq(f"BusDlq-{name}", config.name(f"{name}-events-dlq"))
        events.Rule(
            self,
            f"Events-{name}",
            event_bus=self.bus,
            event_pattern=events.EventPattern(source=[EVENT_SOURCE]),
            targets=[
                targets.LambdaFunction(
                    fn.function,
                    dead_letter_queue=dlq,
                    retry_attempts=20,
                    max_event_age=Duration.hours(24),
                )
            ],
        )

    def _dlq(self, construct_id: str, queue_name: str | None = None) -> sqs.Queue:
        dlq = sqs.Queue(
            self,
            construct_id,
            queue_name=queue_name,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        nag.acknowledge(
            dlq,
            "AwsSolutions-SQS3",
            "This queue IS a dead-letter destination (a function's on-failure destination, an "
            "EventBridge target's DLQ or a queue's redrive target); a DLQ of a DLQ would only "
            "move the same records again.",
        )
        return dlq

    def _on_failure(self, name: str, fn: LoyaltyFunction, config: StageConfig) -> None:
        """``fn`` is invoked asynchronously (a schedule, a bus rule, itself): an invocation that
        still fails after Lambda's retries (or waited too long) is kept, with its event, in
        ``loyalty-points-<stage>-<name>-failed`` instead of being dropped."""
        queue = self._dlq(f"AsyncDlq-{name}", config.name(f"{name}-failed"))
        fn.function.configure_async_invoke(
            on_failure=QueueOnFailure(fn, fn.role, queue.queue_arn),
            retry_attempts=ASYNC_RETRIES,
            max_event_age=ASYNC_MAX_EVENT_AGE,
        )
        self.async_failures[name] = queue

    def _queue(self, spec: FunctionSpec, config: StageConfig) -> None:
        """``spec``'s queue with its dead-letter queue; visibility per ``spec``'s timeout."""
        source = spec.queue
        assert source is not None
        dlq = self._dlq(f"QueueDlq-{source.name}", config.name(f"{source.name}-dlq"))
        self.queue_dlqs[source.name] = dlq
        self.queues[source.name] = sqs.Queue(
            self,
            f"Queue-{source.name}",
            queue_name=config.name(source.name),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            visibility_timeout=Duration.seconds(spec.visibility_timeout_s),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=source.max_receives, queue=dlq),
        )

    def _consume_queue(self, source: QueueSource, fn: LoyaltyFunction) -> None:
        """``source``'s queue → ``fn`` in batches, failed items reported one by one (the rest
        of the batch is deleted); its business events from the stage's bus onto the queue."""
        queue, dlq = self.queues[source.name], self.queue_dlqs[source.name]
        fn.function.add_event_source(
            sources.SqsEventSource(
                queue,
                batch_size=source.batch_size,
                max_batching_window=Duration.seconds(source.batching_window_s)
                if source.batching_window_s
                else None,
                report_batch_item_failures=True,
                max_concurrency=source.max_concurrency,
            )
        )
        if source.events:
            events.Rule(
                self,
                f"Events-{source.name}",
                event_bus=self.bus,
                event_pattern=events.EventPattern(
                    source=[EVENT_SOURCE], detail_type=list(source.events)
                ),
                # An event SQS refuses is retried, then kept beside the queue's own failures
                # (both DLQ messages are the event's JSON: one redrive serves both).
                targets=[
                    targets.SqsQueue(
                        queue,
                        dead_letter_queue=dlq,
                        retry_attempts=20,
                        max_event_age=Duration.hours(24),
                    )
                ],
            )

    def _consume_stream(self, name: str, fn: LoyaltyFunction) -> None:
        """The table's stream → ``fn``: retries, batch item failures; a batch still failing is
        written whole to the stream failures bucket (the stream keeps a record 24 hours)."""
        fn.function.add_event_source(
            sources.DynamoEventSource(
                self.table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=100,
                bisect_batch_on_error=True,
                retry_attempts=10,
                report_batch_item_failures=True,
                on_failure=BucketOnFailure(fn, fn.role, self.stream_failures),
            )
        )


def create_app(
    context: dict[str, Any] | None = None,
    outdir: str | None = None,
    stages: Sequence[str] | None = None,
) -> App:
    """The CDK app: cdk.json's feature flags with ``context`` on top, one stack per stage
    (context ``stage``; tests pass several ``stages`` to synthesize once), the web apps from
    context ``webDist`` (default web/dist; missing -> FileNotFoundError naming
    `make web-build`), each stage's member channels from context ``notifications``
    (infra/config.py), and the cdk-nag AwsSolutions pack unless context ``nag`` is false."""
    app = App(context={**cdk_json_context(), **(context or {})}, outdir=outdir)
    notifications = app.node.try_get_context("notifications")
    configs = [
        stage_config({"stage": s, "notifications": notifications})
        for s in stages or [app.node.try_get_context("stage")]
    ]
    build = Build.prepare(app.node.try_get_context("webDist"))
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = os.environ.get("CDK_DEFAULT_REGION")
    env = Environment(account=account, region=region) if account and region else None
    for config in configs:
        LoyaltyPointsStack(app, config.stack_name, config=config, build=build, env=env)
    if flag(app.node.try_get_context("nag"), default=True):
        nag.enable(app)
    return app
