"""The stage's file store: one private bucket (TLS only, SSE-S3, access logs, imports kept 30
days and exports 7), reached by each function only on the key prefixes it declares, named to
those functions by env; background jobs may invoke their own function and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from infra.catalog import catalog
from infra.config import stage_config
from infra.permissions import INVOKE, S3_GET, S3_LIST, S3_PUT, Access, statements
from shared.settings import ENV_FILES_BUCKET

pytestmark = pytest.mark.infra

DEV = stage_config({"stage": "dev"})


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _bucket(resources: dict) -> tuple[str, dict]:
    (found,) = [
        (k, v["Properties"])
        for k, v in resources.items()
        if v["Type"] == "AWS::S3::Bucket" and k.startswith("Files")
    ]
    return found


def _function(resources: dict, name: str) -> dict:
    (fn,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function"
        and r["Properties"].get("FunctionName") == DEV.name(name)
    ]
    return fn


def _statements(resources: dict, fn: dict) -> list[dict]:
    role_id = fn["Role"]["Fn::GetAtt"][0]
    docs = [p["PolicyDocument"] for p in resources[role_id]["Properties"].get("Policies", [])]
    return [s for doc in docs for s in doc["Statement"]]


def test_the_bucket_is_private_encrypted_logged_and_expires_its_files(synth) -> None:
    resources = synth.raw()["Resources"]
    bucket_id, props = _bucket(resources)

    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["LoggingConfiguration"]["LogFilePrefix"] == "files/"
    rules = {
        r.get("Prefix"): r.get("ExpirationInDays") for r in props["LifecycleConfiguration"]["Rules"]
    }
    assert rules["imports/"] == 30 and rules["exports/"] == 7
    (cors,) = props["CorsConfiguration"]["CorsRules"]
    assert sorted(cors["AllowedMethods"]) == ["GET", "PUT"]
    assert "*" not in str(cors["AllowedOrigins"])  # the site's own origin only
    (policy,) = [
        r["Properties"]["PolicyDocument"]
        for r in resources.values()
        if r["Type"] == "AWS::S3::BucketPolicy" and r["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    deny_plain_http = [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert deny_plain_http


def test_only_the_functions_declaring_prefixes_reach_the_bucket_and_only_there(synth) -> None:
    resources = synth.raw()["Resources"]
    bucket_id, _ = _bucket(resources)
    for spec in catalog():
        fn = _function(resources, spec.name)
        s3 = [
            s
            for s in _statements(resources, fn)
            if str(s["Action"]).startswith("['s3:") or str(s["Action"]).startswith("s3:")
        ]
        declared = spec.access.files_read or spec.access.files_write
        assert (ENV_FILES_BUCKET in fn["Environment"]["Variables"]) == bool(declared), spec.name
        if not declared:
            assert s3 == [], spec.name
            continue
        prefixes = {*spec.access.files_read, *spec.access.files_write}
        for statement in s3:
            for resource in _as_list(statement["Resource"]):
                text = str(resource)
                assert bucket_id in text, (spec.name, statement)
                if S3_LIST not in _as_list(statement["Action"]):
                    assert any(f"/{p}*" in text for p in prefixes), (spec.name, statement)


def test_the_import_job_reads_and_writes_imports_and_invokes_only_itself(synth) -> None:
    resources = synth.raw()["Resources"]
    fn = _function(resources, "imports")
    found = _statements(resources, fn)
    actions = {a for s in found for a in _as_list(s["Action"])}
    assert {S3_GET, S3_PUT, S3_LIST, INVOKE} <= actions
    (invoke,) = [s for s in found if INVOKE in _as_list(s["Action"])]
    assert DEV.name("imports") in str(invoke["Resource"])
    assert "exports/" not in str([s["Resource"] for s in found])
    assert fn["Timeout"] == 900


def test_declared_prefixes_become_object_grants_and_a_listing_limited_to_them() -> None:
    access = Access(files_read=("imports/",), files_write=("imports/",), invoke_self=True)

    rendered = [
        s.to_json() for s in statements(access, "arn:t", "arn:b", None, "arn:files", "arn:fn")
    ]

    assert rendered == [
        {
            "Action": S3_LIST,
            "Condition": {"StringLike": {"s3:prefix": ["imports/*"]}},
            "Effect": "Allow",
            "Resource": "arn:files",
        },
        {"Action": S3_GET, "Effect": "Allow", "Resource": "arn:files/imports/*"},
        {
            "Action": [S3_PUT, "s3:AbortMultipartUpload"],
            "Effect": "Allow",
            "Resource": "arn:files/imports/*",
        },
        {"Action": INVOKE, "Effect": "Allow", "Resource": "arn:fn"},
    ]
    with pytest.raises(ValueError):
        statements(access, "arn:t", "arn:b")
