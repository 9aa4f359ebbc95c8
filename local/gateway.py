"""A local stand-in for API Gateway's HTTP API: route matching, JWT check, payload v2.

It turns an HTTP request into the exact event shape Lambda receives (``routeKey``,
``pathParameters``, ``requestContext.authorizer.jwt.claims`` ...) and calls the same
``lambda_handler`` the deployed function runs. Used by the local server and the tests.
"""

from __future__ import annotations

import base64
import importlib
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from infra.timeouts import timeout_of
from local.tokens import TokenError, TokenSigner
from shared.routes import ROUTES, Route


@dataclass(frozen=True, slots=True)
class LambdaContext:
    """The attributes of Lambda's context object that Powertools reads, and the time left,
    counting down from the function's deployed timeout (``infra.timeouts``) as in AWS."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:local"
    timeout_s: float | None = None  # None: the function's deployed timeout
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        timeout = timeout_of(self.function_name) if self.timeout_s is None else self.timeout_s
        return max(0, int((timeout - (time.monotonic() - self.started)) * 1000))


def _pattern(path: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(f"^{regex}$")


_COMPILED: list[tuple[Route, re.Pattern[str]]] = [(r, _pattern(r.path)) for r in ROUTES]


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """(route, path parameters, path exists with another method)."""
    path_known = False
    for route, pattern in _COMPILED:
        m = pattern.match(path)
        if m:
            path_known = True
            if route.method == method:
                return route, {k: unquote(v) for k, v in m.groupdict().items()}, True
    return None, {}, path_known


@dataclass(slots=True)
class Reply:
    status: int
    body: str
    headers: dict[str, str]


def _error(status: int, code: str, message: str) -> Reply:
    body = json.dumps({"error": {"code": code, "message": message}})
    return Reply(status, body, {"content-type": "application/json"})


class Gateway:
    def __init__(self, signer: TokenSigner):
        self.signer = signer

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        path, _, query = raw_path.partition("?")
        route, params, path_known = match(method, path)
        if route is None:
            if path_known:
                return _error(405, "method_not_allowed", f"{method} is not allowed on {path}")
            return _error(404, "not_found", f"no route for {method} {path}")
        lower = {k.lower(): v for k, v in headers.items()}
        claims = None
        if not route.public:
            auth = lower.get("authorization", "")
            scheme, _, token = auth.partition(" ")
            if scheme.lower() != "bearer" or not token:
                return _error(401, "unauthorized", "a bearer token is required")
            try:
                claims = self.signer.verify(token.strip())
            except TokenError as exc:
                return _error(401, "unauthorized", f"invalid token: {exc}")
        event = build_event(route, path, query, lower, body, params, claims)
        module = importlib.import_module(f"functions.{route.function}.handler")
        context = LambdaContext(
            function_name=route.function, aws_request_id=event["requestContext"]["requestId"]
        )
        result = module.lambda_handler(event, context)
        return Reply(result["statusCode"], result.get("body") or "", result.get("headers") or {})


def build_event(
    route: Route,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    params: dict[str, str],
    claims: dict[str, Any] | None,
) -> dict[str, Any]:
    """An API Gateway HTTP API payload-v2 event."""
    pairs = parse_qsl(query, keep_blank_values=True)
    now = time.time()
    context: dict[str, Any] = {
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": "127.0.0.1",
        "http": {
            "method": route.method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": uuid.uuid4().hex,
        "routeKey": route.route_key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        # API Gateway flattens array claims to "[a b]" strings; do the same.
        flat = {
            k: "[" + " ".join(map(str, v)) + "]" if isinstance(v, list) else str(v)
            for k, v in claims.items()
        }
        context["authorizer"] = {"jwt": {"claims": flat, "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if pairs:
        event["queryStringParameters"] = {k: v for k, v in pairs}
    if params:
        event["pathParameters"] = params
    if body:
        try:
            event["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
    return event
