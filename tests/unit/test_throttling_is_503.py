"""DynamoDB throttling that outlasts the SDK's retries is a 503 the client may retry, not a 500."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError
from pynamodb.exceptions import TransactWriteError

from shared.http import HttpApp

# In English: the raise sites' own text (tests/unit/test_error_catalog.py covers the others).
EVENT = {"routeKey": "GET /v1/health", "requestContext": {}, "headers": {"accept-language": "en"}}


def _app(error: Exception) -> HttpApp:
    app = HttpApp("account")

    @app.operation("health")
    def fail(req):  # type: ignore[no-untyped-def]
        raise error

    return app


def _throttling(operation: str) -> ClientError:
    body = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
    return ClientError(body, operation)  # type: ignore[arg-type]


def test_throttling_after_the_sdk_retries_answers_503_contention() -> None:
    for error in (_throttling("GetItem"), TransactWriteError("failed", _throttling("Tx"))):
        reply = _app(error).resolve(EVENT)
        body = json.loads(reply["body"])
        assert (reply["statusCode"], body["error"]["code"]) == (503, "contention")


def test_other_unexpected_errors_stay_500_without_details() -> None:
    other = ClientError({"Error": {"Code": "ValidationException", "Message": "x"}}, "GetItem")
    for error in (RuntimeError("boom"), other):
        reply = _app(error).resolve(EVENT)
        assert reply["statusCode"] == 500
        assert json.loads(reply["body"]) == {
            "error": {"code": "internal", "message": "internal error"}
        }


def test_the_500_answer_follows_the_callers_language() -> None:
    chinese = {**EVENT, "headers": {"accept-language": "zh-CN,zh;q=0.9"}}
    reply = _app(RuntimeError("boom")).resolve(chinese)
    assert reply["statusCode"] == 500
    assert json.loads(reply["body"]) == {
        "error": {"code": "internal", "message": "服务器内部错误，请稍后重试"}
    }
