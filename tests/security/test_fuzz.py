"""Fuzzing the local server from the generated OpenAPI document (schemathesis).

The local server runs as a subprocess on a port of its own, in memory, without demo data,
on the session's DynamoDB Local. Every operation of the document gets generated requests —
valid and invalid bodies, parameters and headers — sent with a token of a role the route
allows (``x-roles``). Each response must not be a 5xx and must conform to the document
(status documented, body valid, JSON content type). A request answered with a 4xx must have
changed nothing: the table is scanned before and after it and compared, ignoring only the
report aggregates the server's event bus writes in the background from earlier successes.

Short by default (``FUZZ_EXAMPLES`` = 10 generated examples per operation, ~45 s); the long
run adds schemathesis' coverage phase (every boundary case the schema defines: missing and
extra fields, values and lengths just outside the bounds, other HTTP methods), on by default
when more than 10 examples are asked for (``FUZZ_COVERAGE=1`` forces it)::

    FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/security/test_fuzz.py
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis  # a pinned dev dependency: missing, the suite fails rather than skips
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from shared.openapi import document
from tests.local_server import http_json, local_server

pytestmark = pytest.mark.dynamodb_local

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
MEMBER = "m-fuzz"
# Written by the server's event-bus consumer, asynchronously, from earlier successful requests;
# and export jobs (EXPORT#), which the server runs in a thread after an accepted request.
DERIVED_PREFIXES = ("REPORTS", "ACTIVE#", "AGG#", "EXPORT#")
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]

# The coverage phase (every boundary case the schema defines: missing and extra fields,
# lengths and bounds just outside, other methods) runs only in the long run.
COVERAGE = os.environ.get("FUZZ_COVERAGE", "1" if EXAMPLES > 10 else "0") == "1"
schema = schemathesis.openapi.from_dict(
    document(),
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": COVERAGE}}}),
)


def _post(url: str, body: Any, token: str | None = None) -> tuple[int, Any]:
    return http_json("POST", url, body, {"authorization": f"Bearer {token}"} if token else None)


class Server:
    def __init__(self, base: str, endpoint: str, table: str):
        self.base, self.endpoint, self.table = base, endpoint, table
        self.tokens: dict[str, str] = {}
        self.client: Any = None

    def snapshot(self) -> list[dict[str, Any]]:
        items, kwargs = [], {"TableName": self.table, "ConsistentRead": True}
        while True:
            page = self.client.scan(**kwargs)
            items += [i for i in page["Items"] if not i["pk"]["S"].startswith(DERIVED_PREFIXES)]
            if "LastEvaluatedKey" not in page:
                return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


STATS: Counter[str] = Counter()


@pytest.fixture(scope="module")
def server(ddb_local: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import boto3

    log = tmp_path_factory.mktemp("fuzz") / "server.log"
    with local_server(ddb_local.endpoint, "fuzz", log, "--no-demo") as (base, table):
        srv = Server(base, ddb_local.endpoint, table)
        srv.client = boto3.client(
            "dynamodb",
            endpoint_url=ddb_local.endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        for role, (sub, groups) in {
            "member": (MEMBER, []),
            "operator": ("op-fuzz", ["operators"]),
            "system": ("shop-fuzz", ["systems"]),
        }.items():
            srv.tokens[role] = _post(f"{base}/local/token", {"sub": sub, "groups": groups})[1][
                "token"
            ]
        # A registered member with points, so member routes reach their logic.
        assert _post(f"{base}/v1/members", {"member_id": MEMBER}, srv.tokens["system"])[0] == 201
        body = {"order_id": "o-fuzz", "member_id": MEMBER, "amount": "5000"}
        assert _post(f"{base}/v1/purchases", body, srv.tokens["system"])[0] == 201
        with urllib.request.urlopen(f"{base}/v1/openapi.json", timeout=10) as reply:
            assert json.loads(reply.read()) == json.loads(json.dumps(document()))
        yield srv


def _token_for(case: Any, server: Server) -> dict[str, str]:
    roles = case.operation.definition.raw.get("x-roles", [])
    for role in ("member", "operator", "system"):
        if role in roles:
            return {"Authorization": f"Bearer {server.tokens[role]}"}
    return {}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_fuzzed_requests_get_no_5xx_conform_and_change_nothing_when_refused(
    case: Any, server: Server
) -> None:
    writes = case.method.upper() != "GET"
    before = server.snapshot() if writes else None
    response = case.call(base_url=server.base, headers=_token_for(case, server), timeout=60)
    STATS["requests"] += 1
    STATS[f"{response.status_code // 100}xx"] += 1
    try:
        case.validate_response(response, checks=CHECKS)
    except Exception as failure:
        text = str(failure)
        STATS["server errors" if "Server error" in text else "schema violations"] += 1
        raise
    if before is not None and 400 <= response.status_code < 500:
        STATS["refused writes compared"] += 1
        after = server.snapshot()
        if after != before:
            STATS["refused writes that changed data"] += 1
        assert after == before, (
            f"{case.method} {case.formatted_path} -> {response.status_code} changed the table"
        )
