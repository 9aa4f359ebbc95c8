"""The one Lambda function construct: every function of the stack is built here."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import cast

from aws_cdk import ArnFormat, Aws, Duration, Size, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import nag
from infra.catalog import FunctionSpec
from infra.config import StageConfig
from infra.constructs.cursor_key import paging_functions
from infra.permissions import GET_SECRET, sms_statements, statements
from shared.notifications.aws import ENV_EMAIL_FROM, ENV_SMS_ENABLED
from shared.settings import (
    ENV_COUNTED_TABLE_NAME,
    ENV_CURSOR_SECRET_ID,
    ENV_EVENT_BUS_NAME,
    ENV_FILES_BUCKET,
    ENV_PII_SECRET_ID,
    ENV_STAGE,
    ENV_TABLE_NAME,
)

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64


class LoyaltyFunction(Construct):
    """Python 3.12 on arm64, X-Ray active tracing, its own log group with retention, the
    Powertools and app environment, and its OWN role: logs to its own log group plus exactly
    the grants ``spec.access`` declares (see infra/permissions.py)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: FunctionSpec,
        config: StageConfig,
        code_dir: Path,
        layer: lambda_.ILayerVersion,
        table: dynamodb.ITableV2,
        bus: events.IEventBus,
        counted_table: dynamodb.ITableV2 | None = None,
        pii_key: secretsmanager.ISecret | None = None,
        cursor_key: secretsmanager.ISecret | None = None,
        files_bucket: s3.IBucket | None = None,
        queues: Mapping[str, sqs.IQueue] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        function_name = config.name(spec.name)

        self.log_group = config.log_group(
            self, "Logs", log_group_name=f"/aws/lambda/{function_name}"
        )
        policies = {
            # Instead of the managed AWSLambdaBasicExecutionRole (logs on every log group).
            "Logs": iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[self.log_group.log_group_arn],
                    )
                ]
            )
        }
        # The stage's PII HMAC key only for the functions declaring it (infra/permissions.py).
        pii_key = pii_key if spec.access.pii_key else None
        pii_key_arn = pii_key.secret_arn if pii_key is not None else None
        # The counted-events table only for the functions declaring it (the reports consumer).
        counted = counted_table if spec.access.counted_table else None
        # The stage's cursor key only for the functions serving a paged list (the routes).
        pages = cursor_key is not None and spec.name in paging_functions()
        cursor_key_arn = cursor_key.secret_arn if cursor_key is not None and pages else None
        # The file store only for the functions declaring prefixes of it; the function's own
        # ARN (from its name: no reference cycle) for a background job's self-invocation.
        files = files_bucket if spec.access.files_read or spec.access.files_write else None
        function_arn = Stack.of(self).format_arn(
            service="lambda",
            resource="function",
            resource_name=function_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        # The stage's queues it sends to, and its SES identity if it delivers e-mail.
        send_to = {name: (queues or {})[name] for name in spec.access.send_to}
        notifications = config.notifications
        email = None
        if spec.access.deliver and notifications.email_identity and notifications.email_from:
            identity_arn = Stack.of(self).format_arn(
                service="ses", resource="identity", resource_name=notifications.email_identity
            )
            email = (identity_arn, notifications.email_from)
        data = statements(
            spec.access,
            table.table_arn,
            bus.event_bus_arn,
            pii_key_arn,
            files.bucket_arn if files is not None else None,
            function_arn,
            {name: queue.queue_arn for name, queue in send_to.items()},
            email,
            counted.table_arn if counted is not None else None,
        )
        if cursor_key_arn is not None:
            data.append(iam.PolicyStatement(actions=[GET_SECRET], resources=[cursor_key_arn]))
        if data:
            policies["Data"] = iam.PolicyDocument(statements=data)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{function_name}: own log group + declared table/bus grants",
            inline_policies=policies,
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=f"loyalty points: {spec.name} ({config.stage})",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=f"functions.{spec.name}.handler.lambda_handler",
            code=lambda_.Code.from_asset(str(code_dir)),
            layers=[layer],
            role=self.role,
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            # kept for it, and its ceiling, where the stage reserves any (infra/traffic.py)
            reserved_concurrent_executions=config.traffic.reserved_concurrency.get(spec.name),
            ephemeral_storage_size=Size.mebibytes(spec.tmp_mb),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            environment={
                "POWERTOOLS_SERVICE_NAME": spec.name,
                "POWERTOOLS_METRICS_NAMESPACE": config.metrics_namespace,
                "POWERTOOLS_LOG_LEVEL": config.log_level,
                ENV_TABLE_NAME: table.table_name,
                **({ENV_COUNTED_TABLE_NAME: counted.table_name} if counted is not None else {}),
                ENV_EVENT_BUS_NAME: bus.event_bus_name,
                ENV_STAGE: config.stage,
                **({ENV_PII_SECRET_ID: pii_key_arn} if pii_key_arn else {}),
                **({ENV_CURSOR_SECRET_ID: cursor_key_arn} if cursor_key_arn else {}),
                **({ENV_FILES_BUCKET: files.bucket_name} if files is not None else {}),
                **{queue_url_env(name): queue.queue_url for name, queue in send_to.items()},
                **(channels_env(config) if spec.channels or spec.access.deliver else {}),
            },
        )
        if spec.access.deliver and notifications.sms:
            self._allow_sms()

        if files is not None:
            bucket_id = Stack.of(self).get_logical_id(cast(s3.CfnBucket, files.node.default_child))
            for prefix in sorted({*spec.access.files_read, *spec.access.files_write}):
                nag.acknowledge(
                    self.role,
                    f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{prefix}*]",
                    f"The files under {prefix} of the stage's file store: the keys are made per "
                    "import/export at run time, so the grant names their prefix, not each key.",
                )
        # Tracing makes CDK add a DefaultPolicy holding only the X-Ray statement; acknowledge
        # there, so a wildcard in the declared grants (the role's inline policies) still fails.
        nag.acknowledge(
            self.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray active tracing: xray:PutTraceSegments/PutTelemetryRecords have no "
            "resource-level permissions, so CDK grants them on '*' (this policy holds only those).",
        )
        nag.acknowledge(
            self.function,
            "AwsSolutions-L1",
            f"Pinned to {RUNTIME.name}: the dependencies layer is built for CPython 3.12 "
            "(infra/build_layer.py) and the code is tested on it; move runtime and layer together.",
        )

    def _allow_sms(self) -> None:
        """SNS SMS in a policy of its own, so the acknowledgement of its ``*`` covers nothing
        else (a wildcard in the declared grants still fails cdk-nag)."""
        policy = iam.Policy(self, "Sms", statements=sms_statements(Aws.PARTITION))
        policy.attach_to_role(self.role)
        nag.acknowledge(
            policy,
            "AwsSolutions-IAM5[Resource::*]",
            "SMS to a member's phone: SNS Publish with a PhoneNumber has no resource ARN to "
            "name, so it is allowed on '*'; this policy holds only that, and denies "
            "sns:Publish on every SNS ARN, so topics and platform endpoints stay out of reach.",
        )


def queue_url_env(queue: str) -> str:
    """The environment variable a function finds a queue's URL in: ``SENDS_QUEUE_URL``,
    ``JOB_SHARDS_QUEUE_URL``."""
    return f"{queue.upper().replace('-', '_')}_QUEUE_URL"


def channels_env(config: StageConfig) -> dict[str, str]:
    """The member channels the stage configures, as shared/notifications/aws.py reads them:
    ``SMS_ENABLED=true`` and ``EMAIL_FROM``; absent: off."""
    notifications = config.notifications
    return {
        **({ENV_SMS_ENABLED: "true"} if notifications.sms else {}),
        **({ENV_EMAIL_FROM: notifications.email_from} if notifications.email_from else {}),
    }
