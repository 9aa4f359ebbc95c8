"""Where the stage's failures land, kept so they can be re-driven (``make redrive``).

- Asynchronous invocations (schedules, the bus's rule for reports, a function invoking itself)
  that still fail after Lambda's two retries, or wait longer than ``ASYNC_MAX_EVENT_AGE``:
  the invocation record (``requestPayload`` = the event) in the function's on-failure queue
  ``loyalty-points-<stage>-<function>-failed`` (:class:`QueueOnFailure`).
- A batch of the table's stream the publisher could not publish after its retries: the whole
  batch (the stream records themselves, not pointers to them: the stream keeps a record
  24 hours) as one object in the stream failures bucket (:func:`stream_failures_bucket`).

The grants are the least each destination needs, in a policy of their own on the function's
role: ``sqs:SendMessage`` on its queue; ``s3:PutObject`` under the bucket's ``aws/lambda/``
prefix (where Lambda writes) and ``s3:ListBucket``. CDK's own ``SqsDestination`` and
``S3OnFailureDestination`` would grant more (``S3OnFailureDestination`` read, write and
delete on every object).
"""

from __future__ import annotations

from typing import cast

import jsii
from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra import nag
from infra.config import StageConfig

ASYNC_RETRIES = 2  # Lambda's own default, stated
ASYNC_MAX_EVENT_AGE = Duration.hours(6)  # Lambda's longest: a throttled event waits, not drops
STREAM_FAILURES_DAYS = 30
# Where Lambda writes a failed batch: aws/lambda/<mapping id>/<shard id>/YYYY/MM/DD/...
STREAM_FAILURES_PREFIX = "aws/lambda/"


def stream_failures_bucket_name(config: StageConfig) -> str:
    """``loyalty-points-<stage>-dlq-<account>-<region>`` (S3 names are global; at most 63
    characters for a stage name of up to 14, like the file store's)."""
    return f"{config.name('dlq').lower()}-{Aws.ACCOUNT_ID}-{Aws.REGION}"


def stream_failures_bucket(scope: Construct, config: StageConfig, logs: s3.IBucket) -> s3.Bucket:
    """Private, TLS only, SSE-S3, access logs into the site's log bucket (``dlq/``); a batch
    is kept ``STREAM_FAILURES_DAYS`` days: time to find the cause and re-drive it."""
    return s3.Bucket(
        scope,
        "StreamFailures",
        bucket_name=stream_failures_bucket_name(config),
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        server_access_logs_bucket=logs,
        server_access_logs_prefix="dlq/",
        lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(STREAM_FAILURES_DAYS))],
        removal_policy=config.removal_policy,
    )


def _own_policy(
    scope: Construct, construct_id: str, role: iam.IRole, statements: list[iam.PolicyStatement]
) -> iam.Policy:
    policy = iam.Policy(scope, construct_id, statements=statements)
    policy.attach_to_role(role)
    return policy


@jsii.implements(lambda_.IDestination)
class QueueOnFailure:
    """An asynchronous invocation's on-failure destination: an SQS queue; the function's role
    may only ``sqs:SendMessage`` to it."""

    def __init__(self, scope: Construct, role: iam.IRole, queue_arn: str) -> None:
        self._scope, self._role, self._arn = scope, role, queue_arn

    def bind(
        self, scope: Construct, fn: lambda_.IFunction, *, type: lambda_.DestinationType
    ) -> lambda_.DestinationConfig:
        statement = iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self._arn])
        _own_policy(self._scope, "AsyncOnFailure", self._role, [statement])
        return lambda_.DestinationConfig(destination=self._arn)


@jsii.implements(lambda_.IEventSourceDlq)
class BucketOnFailure:
    """A stream event source mapping's on-failure destination: an S3 bucket, which keeps the
    whole failed batch (an SQS or SNS destination keeps only where it was in the stream)."""

    def __init__(self, scope: Construct, role: iam.IRole, bucket: s3.IBucket) -> None:
        self._scope, self._role, self._bucket = scope, role, bucket

    def bind(
        self, target: lambda_.IEventSourceMapping, target_handler: lambda_.IFunction
    ) -> lambda_.DlqDestinationConfig:
        bucket = self._bucket
        policy = _own_policy(
            self._scope,
            "StreamOnFailure",
            self._role,
            [
                iam.PolicyStatement(
                    actions=["s3:PutObject"],
                    resources=[bucket.arn_for_objects(f"{STREAM_FAILURES_PREFIX}*")],
                ),
                iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn]),
            ],
        )
        bucket_id = Stack.of(self._scope).get_logical_id(
            cast(s3.CfnBucket, bucket.node.default_child)
        )
        nag.acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{STREAM_FAILURES_PREFIX}*]",
            "Lambda names each failed batch's object when it writes it (mapping id, shard, "
            "time, a random id): the grant names the prefix it writes under, PutObject only.",
        )
        return lambda_.DlqDestinationConfig(destination=bucket.bucket_arn)
