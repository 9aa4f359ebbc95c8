"""The HTTP adapter: route-table dispatch, authorization, JSON in/out, one error mapping.

A function's handler registers one callable per operation of the route table; ``resolve``
matches the payload-v2 event's ``routeKey``, authorizes the caller, runs the operation and
maps errors to the API's ``{"error": {"code", "message"}}`` shape, the message in the
caller's language (``error_locale``, ``shared/i18n/catalogs/errors.py``). Deliberately tiny (no
resolver framework): it costs nothing at cold start and cannot drift from the route table.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from msgspec import Struct, field

from shared import errors
from shared.auth import Principal, authorize
from shared.errors import AppError, BadRequest, Invalid
from shared.observability import logger
from shared.routes import Route, routes_for
from shared.validation import ID_PATTERN, json_object

MAX_BODY_BYTES = 64 * 1024

# One place maps error categories to HTTP statuses (most specific base class wins).
STATUS: dict[type[AppError], int] = {
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.Invalid: 422,
    errors.RateLimited: 429,
    errors.Contention: 503,
}


def status_of(error: AppError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


class Response(Struct):
    """What a handler answers: status, JSON body and extra headers. A ``str`` body is sent
    as it is, with ``headers`` naming its content type (``text/csv`` exports)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def upserted(cls, result: tuple[Any, bool]) -> Response:
        """A create-or-replace's ``(body, created)``: 201 when it created, else 200 (it
        replaced, or a repeat answers what the first did)."""
        body, created = result
        return cls(201 if created else 200, body)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


# Every answer to an authenticated route (and to a request that matched no route) is someone's
# data or refusal: no browser, proxy or CDN may keep it (API.md is silent; issue 21).
NO_STORE = {"cache-control": "no-store"}


def to_event_response(response: Response, private: bool = True) -> dict[str, Any]:
    """The payload-v2 answer; ``private`` (all but public routes) adds ``no-store``."""
    extra = NO_STORE if private else {}
    if isinstance(response.body, str):  # a document (e.g. text/csv): its headers name the type
        headers = {**response.headers, **extra}
        return {"statusCode": response.status, "headers": headers, "body": response.body}
    return {
        "statusCode": response.status,
        "headers": {"content-type": "application/json", **response.headers, **extra},
        "body": json.dumps(response.body, default=_default, ensure_ascii=False),
    }


def error_response(error: AppError, locale: str | None = None) -> Response:
    """The API's error answer; ``message`` in ``locale`` (None: the raise site's English)."""
    message = error.message if locale is None else error_message(error, locale)
    body: dict[str, Any] = {"code": error.code, "message": message}
    if error.details is not None:
        body["details"] = error.details
    return Response(status_of(error), {"error": body})


def error_locale(event: dict[str, Any]) -> str:
    """The language of an error's ``message``: ``Accept-Language`` when it names one of ours,
    else the programme's default if this process has the rules in memory (an error path
    never reads the table for its wording), else zh-CN. No saved member choice: an error can
    come before anyone is known, and the apps send their language on every call."""
    from shared import i18n, programme

    chosen = i18n.from_header((event.get("headers") or {}).get("accept-language"))
    if chosen is not None:
        return chosen
    cached = programme.cached()
    if cached is not None:
        return i18n.supported(cached.rules.notifications.default_locale)
    return i18n.DEFAULT_LOCALE


def error_message(error: AppError, locale: str) -> str:
    """``error``'s text for people in ``locale``. English keeps the raise site's message (it
    names the ids and limits); another locale renders the catalog template of the error's
    code, or of the nearest category it belongs to, with ``params`` and the scalar
    ``details`` filling the ``.detailed`` template when they bring all of its fields."""
    from shared import i18n

    if locale == i18n.EN and error.message:
        return error.message
    templates = i18n.catalog("errors", locale)
    params = error_params(error)
    codes = [error.code] + [c.code for c in type(error).__mro__ if issubclass(c, AppError)]
    for code in codes:
        if code not in templates:
            continue
        detailed = templates.get(f"{code}.detailed")
        if detailed is not None and i18n.fields(detailed) <= params.keys():
            return i18n.text(locale, f"errors.{code}.detailed", params)
        return i18n.text(locale, f"errors.{code}", params)
    return error.message or error.code  # pragma: no cover - AppError's own code is catalogued


def error_params(error: AppError) -> dict[str, Any]:
    """The values an error's template may name: scalar ``details`` (``needed``,
    ``daily_limit``...), ``fields`` (the names ``details.fields`` lists), then the raise
    site's own ``params``."""
    params: dict[str, Any] = {}
    details = error.details
    if isinstance(details, dict):
        for name, value in details.items():
            if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
                params[name] = value
        fields = details.get("fields")
        if isinstance(fields, dict) and fields:
            params["fields"] = ", ".join(sorted(map(str, fields)))
    params.update(error.params or {})
    return params


class Request(Struct):
    """An API Gateway payload-v2 request with its route and authenticated caller."""

    event: dict[str, Any]
    route: Route
    caller: Principal | None
    context: Any = None  # Lambda's context (remaining time for long operations)

    @property
    def path(self) -> dict[str, str]:
        return self.event.get("pathParameters") or {}

    def path_id(self, name: str, not_found: type[errors.NotFound], what: str | None = None) -> str:
        """The path parameter ``name`` as an id; a value that is no id names nothing, so it
        is ``not_found`` (404: "no <what> <value>"), like an id that is not there."""
        value = self.path.get(name, "")
        if not ID_PATTERN.match(value):
            raise not_found(
                f"no {what or name.removesuffix('_id')} {value!r}", params={"id": value}
            )
        return value

    def new_id(self, name: str) -> str:
        """The path parameter ``name`` as the id of what a PUT creates or replaces: a value
        that is no id cannot be created, so it is bad input (400), not a 404."""
        value = self.path.get(name, "")
        if not ID_PATTERN.match(value):
            raise Invalid(
                f"{name} must be 1-64 characters of letters, digits and _ . : @ -",
                details={"fields": {name: "is not a valid id"}},
            )
        return value

    @property
    def query(self) -> dict[str, str]:
        return self.event.get("queryStringParameters") or {}

    def header(self, name: str) -> str | None:
        headers = self.event.get("headers") or {}
        return headers.get(name.lower())

    def locale(self, saved: str | None = None) -> str:
        """The language to answer in: ``Accept-Language`` when it names one of ours, else
        the member's ``saved`` choice (callers that read the profile anyway pass it), else
        the programme's default (shared/i18n ``negotiate``)."""
        from shared import i18n, programme

        header = self.header("accept-language")
        if i18n.from_header(header) is None and i18n.supported(saved, default="") == "":
            return i18n.supported(programme.current().notifications.default_locale)
        return i18n.negotiate(header, saved, i18n.DEFAULT_LOCALE)

    def json(self) -> dict[str, Any]:
        """The body as a JSON object: 400 if malformed (``shared.validation.json_object``:
        strict RFC 8259, bounded nesting), 413 if too large."""
        raw = self.event.get("body") or ""
        if self.event.get("isBase64Encoded"):
            try:
                raw = base64.b64decode(raw).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise BadRequest("the body is not valid UTF-8") from None
        return json_object(raw, MAX_BODY_BYTES)

    def limit(self, default: int = 20, maximum: int = 100) -> int:
        raw = self.query.get("limit")
        if raw is None:
            return default
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:  # not "１０"
            raise Invalid(
                f"limit must be an integer from 1 to {maximum}",
                details={"fields": {"limit": f"must be 1-{maximum}"}},
            )
        return int(raw)

    @property
    def member_id(self) -> str:
        assert self.caller is not None
        return self.caller.member_id

    @property
    def operator(self) -> str:
        """The calling operator (``actor`` of what they change); operator routes only."""
        assert self.caller is not None
        return self.caller.subject


Operation = Callable[[Request], Response | dict[str, Any]]


class HttpApp:
    """Routes of one function folder, dispatched by the payload-v2 ``routeKey``."""

    def __init__(self, function: str):
        self.function = function
        self.routes = {r.route_key: r for r in routes_for(function)}
        self.operations: dict[str, Operation] = {}

    def operation(self, name: str) -> Callable[[Operation], Operation]:
        if name not in {r.operation for r in self.routes.values()}:
            raise ValueError(f"{name!r} is not an operation of {self.function!r} in the routes")

        def register(fn: Operation) -> Operation:
            self.operations[name] = fn
            return fn

        return register

    def resolve(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        route = self.routes.get(event.get("routeKey", ""))
        try:
            if route is None:
                raise errors.NotFound("no such route")
            caller = authorize(route, event)
            result = self.operations[route.operation](Request(event, route, caller, context))
            response = result if isinstance(result, Response) else Response(200, result)
        except AppError as error:
            response = error_response(error, error_locale(event))
            logger.info(
                "request refused",
                extra={
                    "route": event.get("routeKey"),
                    "status": response.status,
                    "code": error.code,
                },
            )
        except Exception as exc:
            if throttled(exc):  # DynamoDB still throttling after the SDK's retries: transient
                logger.warning("throttled", extra={"route": event.get("routeKey")})
                busy = errors.Contention("the database is busy; retry the request")
                response = error_response(busy, error_locale(event))
            else:
                logger.exception("unhandled error", extra={"route": event.get("routeKey")})
                response = error_response(AppError("internal error"), error_locale(event))
        return to_event_response(response, private=route is None or not route.public)


# DynamoDB's answers meaning "too much right now, try again" (botocore error codes).
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}
)


def throttled(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it: pynamodb wraps botocore's error) is throttling.
    Duck-typed on botocore's ``response["Error"]["Code"]``: no botocore import here."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        response = getattr(exc, "response", None)
        error = response.get("Error") if isinstance(response, dict) else None
        if isinstance(error, dict) and error.get("Code") in THROTTLING_CODES:
            return True
        cause = getattr(exc, "cause", None)  # pynamodb keeps botocore's error here
        exc = cause if isinstance(cause, BaseException) else exc.__cause__ or exc.__context__
    return False
