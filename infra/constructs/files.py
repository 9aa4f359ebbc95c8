"""The stage's file store (shared/files.py on AWS): members imports and finance exports.

One private bucket: no public access, TLS only, SSE-S3 encryption, server access logs into
the site's log bucket (prefix ``files/``). Files are working copies, not records: imports
(``imports/``, the operators' CSVs, with members' contact details) are deleted after 30 days,
exports (``exports/``) after 7; unfinished multipart uploads after a day. Each function
reaches only the prefixes it declares (``files_read`` / ``files_write`` in
infra/permissions.py); operators reach a file only through a presigned, time-limited URL.

The bucket is named (:func:`files_bucket_name`) rather than left to CloudFormation, so the
console's CSP can name its origin (:func:`files_origin`) without a reference to the bucket:
the bucket's CORS names the site's distribution, whose headers policy carries the CSP, and a
reference back would be a cycle.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.config import StageConfig

IMPORTS_DAYS = 30
EXPORTS_DAYS = 7


def files_bucket_name(config: StageConfig) -> str:
    """``loyalty-points-<stage>-files-<account>-<region>``: unique per account and region (S3
    names are global), at most 63 characters for a stage name of up to 14."""
    return f"{config.name('files').lower()}-{Aws.ACCOUNT_ID}-{Aws.REGION}"


def files_origin(config: StageConfig) -> str:
    """The bucket's regional virtual-hosted origin, the host shared/files.py presigns for
    (``https://<bucket>.s3.<region>.amazonaws.com``): the console PUTs imports there."""
    return f"https://{files_bucket_name(config)}.s3.{Aws.REGION}.{Aws.URL_SUFFIX}"


def files_bucket(
    scope: Construct, config: StageConfig, logs: s3.IBucket, site_url: str
) -> s3.Bucket:
    """``site_url``: the web apps' origin, whose console PUTs an import to its presigned URL
    and downloads an export (CORS for that origin only, GET and PUT only)."""
    return s3.Bucket(
        scope,
        "Files",
        bucket_name=files_bucket_name(config),
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        server_access_logs_bucket=logs,
        server_access_logs_prefix="files/",
        lifecycle_rules=[
            s3.LifecycleRule(prefix="imports/", expiration=Duration.days(IMPORTS_DAYS)),
            s3.LifecycleRule(prefix="exports/", expiration=Duration.days(EXPORTS_DAYS)),
            s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1)),
        ],
        cors=[
            s3.CorsRule(
                allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.PUT],
                allowed_origins=[site_url],
                allowed_headers=["content-type"],
                max_age=3600,
            )
        ],
        removal_policy=config.removal_policy,
    )
