"""Fuzzing the local server from the generated OpenAPI document (schemathesis).

The local server runs as a subprocess on a port of its own, in memory, without demo data,
on the session's DynamoDB Local. Every operation of the document gets generated requests —
valid and invalid bodies, parameters and headers — sent with a token of a role the route
allows (``x-roles``). Each response must not be a 5xx and must conform to the document
(status documented, body valid, JSON content type). A request answered with a 4xx must have
changed nothing: the table is scanned before and after it and compared, ignoring only the
report aggregates the server's event bus writes in the background from earlier successes.

A second part sends what the document never declares, raw: odd query strings (any code
point, bytes that are no UTF-8, malformed escapes, numbers in other scripts or out of range),
odd headers (languages, keys, tokens, content types) and odd path parameters, every route
(``FUZZ_EXAMPLES`` per GET route, half that per write), with the same checks against the
document (``tests/security/conformance.py``) and the same before/after comparison.

Short by default (``FUZZ_EXAMPLES`` = 10 generated examples per operation, ~2 min both parts on
the shared 2-core machine); the long
run adds schemathesis' coverage phase (every boundary case the schema defines: missing and
extra fields, values and lengths just outside the bounds, other HTTP methods), on by default
when more than 10 examples are asked for (``FUZZ_COVERAGE=1`` forces it)::

    FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/security/test_fuzz.py
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis  # a pinned dev dependency: missing, the suite fails rather than skips
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from shared.openapi import document
from shared.routes import ROUTES, Route
from shared.schemas import operation_of
from tests.local_server import http_json, local_server
from tests.security import conformance
from tests.security.world import World

pytestmark = pytest.mark.dynamodb_local

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
MEMBER = "m-fuzz"
# Written by the server's event-bus consumer, asynchronously, from earlier successful requests;
# and export jobs (EXPORT#), which the server runs in a thread after an accepted request.
DERIVED_PREFIXES = ("REPORTS", "ACTIVE#", "AGG#", "EXPORT#")
# Members' inbox messages (sort keys MSG#...): the local bus's notifier writes them, also
# asynchronously, from earlier successes (points received, an order shipped ...).
DERIVED_SORT_PREFIXES = ("MSG#",)
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
            items += [
                i
                for i in page["Items"]
                if not i["pk"]["S"].startswith(DERIVED_PREFIXES)
                and not i["sk"]["S"].startswith(DERIVED_SORT_PREFIXES)
            ]
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


# --- query strings and headers ------------------------------------------------------------
# schemathesis sends the parameters the document declares, as the document types them; the
# requests below send what it never would (API.md "Text": ASCII numbers, no 5xx however odd
# the query): any code point, bytes that are no UTF-8, malformed percent escapes, numbers
# spelt in other scripts or out of every range, repeated and unknown names; and headers with
# odd languages, keys, tokens and content types; and odd path parameters. Raw: nothing
# re-encodes them on the way.

ODD_VALUES = [
    "²", "１０", "٣", "10\n", " 10", "10 ", "+10", "-1", "0", "1e999", "NaN", "Infinity",
    "9" * 400, "0x10", "1_0", "%", "%zz", "%ff%fe", "%ED%A0%80", "%00", "+", "", "null", "[]",
    "true", "2027-02-30", "２０２７-01-01", "../", "a=b", "%u0041", "\u202eevil",
]  # fmt: skip
ODD_HEADER_VALUES = [
    "", " ", "*", "zh-CN;q=NaN", "en;q=1e999", "xx-" + "a" * 4000, "zh-CN,en;q=0.\u00ff",
    "Bearer", "Bearer ", "bearer  x.y.z", "Basic Zm9vOmJhcg==", "Bearer a.b.c", "Bearer ....",
    "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "\u00e9\u00ff", "text/plain; charset=latin-1",
]  # fmt: skip


def _escaped(data: bytes) -> str:
    return "".join(f"%{b:02X}" for b in data)


def _raw(value: str) -> str:
    """``value`` in a request line: printable ASCII as it is (malformed escapes stay so),
    anything else escaped as UTF-8."""
    return "".join(c if "!" <= c <= "~" else _escaped(c.encode()) for c in value)


_query_value = st.one_of(
    st.sampled_from([_raw(v) for v in ODD_VALUES]),
    st.text(alphabet=st.characters(), max_size=12).map(
        lambda s: _escaped(s.encode("utf-8", "surrogatepass"))
    ),
    st.binary(max_size=8).map(_escaped),
    st.integers().map(str),
)
_header_value = st.one_of(
    st.sampled_from(ODD_HEADER_VALUES),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40),
)


def _query(names: list[str]) -> st.SearchStrategy[str]:
    name = st.sampled_from([*names, "limit", "cursor", "zz"]) | st.text(max_size=4).map(
        lambda s: _escaped(s.encode("utf-8", "surrogatepass"))
    )
    pair = st.tuples(name, _query_value).map(lambda p: f"{p[0]}={p[1]}")
    return st.lists(pair | st.sampled_from(["&", "=", "==", "%", "limit"]), max_size=5).map(
        "&".join
    )


def _headers(writes: bool) -> st.SearchStrategy[dict[str, str]]:
    names = ["accept-language", "content-type", "x-forwarded-for", "user-agent", "zz-odd"]
    names += ["idempotency-key"] * writes + ["authorization"]
    return st.dictionaries(st.sampled_from(names), _header_value, max_size=4)


def _send(base: str, method: str, target: str, headers: dict[str, str], body: Any) -> Any:
    import http.client

    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        data = json.dumps(body).encode() if body is not None else b""
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in {"content-length": str(len(data)), **headers}.items():
            conn.putheader(name, value.encode("latin-1"))
        conn.endheaders(data)
        reply = conn.getresponse()
        return reply.status, reply.getheader("content-type") or "", reply.read()
    finally:
        conn.close()


def _odd_requests(route: Route) -> Any:
    """(query string, headers, whether a write sends a fresh Idempotency-Key, path): the path
    with its member id, placeholders, or (when it has parameters) an odd value in one."""
    op = operation_of(route)
    writes = route.method != "GET"
    names = list(op.query) if op is not None else []
    usual = World(params={"member_id": MEMBER}).path(route.path)
    params = re.findall(r"\{(\w+)\}", route.path)
    odd_path = st.tuples(st.sampled_from(params or [""]), _query_value).map(
        lambda p: World(params={"member_id": MEMBER, p[0]: p[1] or "%20"}).path(route.path)
    )
    paths = st.just(usual) | odd_path if params else st.just(usual)
    return st.tuples(_query(names), _headers(writes), st.booleans(), paths)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route_key)
def test_odd_query_strings_and_headers_get_no_5xx_conform_and_change_nothing_when_refused(
    route: Route, server: Server
) -> None:
    op = operation_of(route)
    writes = route.method != "GET"
    role = next((r for r in ("member", "operator", "system") if r in map(str, route.roles)), None)
    token = {"authorization": f"Bearer {server.tokens[role]}"} if role else {}
    body = op.example if op is not None and op.request is not None else None

    @settings(
        max_examples=EXAMPLES if not writes else max(1, EXAMPLES // 2),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(_odd_requests(route))
    def odd(request: tuple[str, dict[str, str], bool, str]) -> None:
        query, headers, with_key, path = request
        headers = {**token, **headers}
        if writes and with_key and "idempotency-key" not in headers:
            headers["idempotency-key"] = uuid.uuid4().hex
        before = server.snapshot() if writes else None
        status, content_type, raw = _send(
            server.base, route.method, f"{path}?{query}", headers, body
        )
        STATS["requests"] += 1
        STATS["query and header requests"] += 1
        STATS[f"{status // 100}xx"] += 1
        if status >= 500:
            STATS["server errors"] += 1
        assert status < 500, f"{route.method} {path}?{query} {headers} -> {status} {raw[:300]!r}"
        found = ["not JSON"] if not content_type.startswith(("application/json", "text/")) else []
        if content_type.startswith("application/json"):
            found = conformance.problems(route, status, json.loads(raw))
        if found:
            STATS["schema violations"] += 1
        assert not found, f"{route.method} {path}?{query} {headers} -> {status}: {found}"
        if before is not None and 400 <= status < 500:
            STATS["refused writes compared"] += 1
            after = server.snapshot()
            if after != before:
                STATS["refused writes that changed data"] += 1
            assert after == before, f"{route.method} {path}?{query} -> {status} changed the table"

    odd()
