"""Local mode: the whole product on one machine, no AWS account.

Starts AWS's DynamoDB Local (data kept in .local/ddb), creates the tables, loads demo
data, and serves the API on http://127.0.0.1:8000 by turning each request into the API
Gateway payload-v2 event and calling the same handlers Lambda calls. Requests are served
concurrently (one thread each). Local-only routes: POST /local/token, PUT|GET|DELETE
/local/clock, GET|DELETE /local/events (what the bus carried), GET|DELETE /local/outbox (the
SMS and e-mail that would have been sent: local/outbox.py), GET /local/docs (the API's
routes, from GET /v1/openapi.json), GET|PUT /local/files/<key> (signed URLs of the file
store: local/files.py). The built web apps (web/dist, local/web.py): the member app at /,
the operator console at /console/.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".local"
WEB_DIST = ROOT / "web" / "dist"


def configure_environment(endpoint: str, table_name: str) -> None:
    """Set what the handlers read, before any of them is imported."""
    from local.keys import kept_secret
    from shared.settings import (
        ENV_CURSOR_HMAC_KEY,
        ENV_DYNAMODB_ENDPOINT,
        ENV_PII_HMAC_KEY,
        ENV_STAGE,
        ENV_TABLE_NAME,
    )

    os.environ.update(
        {
            ENV_DYNAMODB_ENDPOINT: endpoint,
            ENV_TABLE_NAME: table_name,
            ENV_STAGE: "local",
            "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
            "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
            "AWS_REGION": os.environ.get("AWS_REGION", "us-east-1"),
            "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
            "POWERTOOLS_SERVICE_NAME": "loyalty-local",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            # Business metrics (shared/metrics.py) are EMF lines for CloudWatch: none locally
            # unless asked for (POWERTOOLS_METRICS_DISABLED=false and a namespace).
            "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
            # The HMAC key of contact lookups (shared/pii.py), kept so lookups survive restarts.
            ENV_PII_HMAC_KEY: os.environ.get(ENV_PII_HMAC_KEY) or kept_secret(STATE / "pii.key"),
            # The key signing pagination cursors (shared/cursor_key.py): cursors a client holds
            # stay valid across a restart.
            ENV_CURSOR_HMAC_KEY: os.environ.get(ENV_CURSOR_HMAC_KEY)
            or kept_secret(STATE / "cursor.key"),
        }
    )
    from shared.dynamodb import connection

    connection.reset()


class LocalApp:
    """The gateway plus the local-only routes (tokens, clock, recorded events) and the built
    web apps (local/web.py: the member app at /, the console at /console/)."""

    def __init__(
        self,
        gateway: Any,
        bus: Any = None,
        web_dist: Path | None = WEB_DIST,
        outbox: Any = None,
    ):
        self.gateway = gateway
        self.bus = bus
        self.outbox = outbox
        from local.web import WebApps

        self.web = WebApps(web_dist) if web_dist is not None else None

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        path = raw_path.partition("?")[0]
        if path == "/local/token" and method == "POST":
            return self._token(body)
        if path == "/local/clock":
            return self._clock(method, body)
        if path == "/local/events" and self.bus is not None:
            return self._events(method, raw_path)
        if path == "/local/outbox" and self.outbox is not None:
            return self._outbox(method)
        if path.startswith("/local/files/"):
            from local.files import serve

            return serve(method, raw_path, body)
        if path == "/local/docs" and method == "GET":
            from local.docs import page

            return 200, {"content-type": "text/html; charset=utf-8"}, page().encode()
        if self.web is not None:
            served = self.web.handle(method, path, headers)
            if served is not None:
                return served
        reply = self.gateway.handle(method, raw_path, headers, body)
        return reply.status, reply.headers, reply.body.encode()

    @staticmethod
    def _json(status: int, payload: Any) -> tuple[int, dict[str, str], bytes]:
        # UTF-8 as is (JSON's own encoding), so curl shows the Chinese text of /local/outbox.
        body = json.dumps(payload, ensure_ascii=False).encode()
        return status, {"content-type": "application/json"}, body

    def _error(self, status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
        return self._json(status, {"error": {"code": code, "message": message}})

    def _body(self, body: bytes) -> dict[str, Any] | None:
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _token(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        data = self._body(body)
        if data is None:
            return self._error(400, "bad_request", "the body must be a JSON object")
        sub, groups, scopes = data.get("sub"), data.get("groups", []), data.get("scopes")
        valid_groups = isinstance(groups, list) and all(isinstance(g, str) for g in groups)
        # "scopes" (optional): a systems token granted only these instead of every scope.
        valid_scopes = scopes is None or (
            isinstance(scopes, list) and all(isinstance(s, str) for s in scopes)
        )
        if not isinstance(sub, str) or not sub or len(sub) > 128 or not valid_groups:
            return self._json(
                422,
                {
                    "error": {
                        "code": "validation_error",
                        "message": "sub must be a non-empty string, groups a list of strings",
                        "details": {"fields": {"sub": "required", "groups": "list"}},
                    }
                },
            )
        if not valid_scopes:
            return self._error(422, "validation_error", "scopes must be a list of strings")
        return self._json(200, {"token": self.gateway.signer.sign(sub, groups, scopes=scopes)})

    def _events(self, method: str, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        """What the publisher would have sent to EventBridge, oldest first.

        ``GET /local/events?detail_type=PointsExpiringSoon.v1`` filters; DELETE forgets.
        """
        from urllib.parse import parse_qs

        if method == "DELETE":
            self.bus.clear()
            return self._json(200, {"items": []})
        if method != "GET":
            return self._error(405, "method_not_allowed", f"{method} /local/events")
        wanted = parse_qs(raw_path.partition("?")[2]).get("detail_type")
        items = [e for e in self.bus.drain() if not wanted or e["detail-type"] in wanted]
        return self._json(200, {"items": items})

    def _outbox(self, method: str) -> tuple[int, dict[str, str], bytes]:
        """The SMS and e-mail the stage would have sent (masked recipients), oldest first:
        the bus is drained and the sends due by the local clock delivered first."""
        from shared import clock

        if method == "DELETE":
            self.outbox.clear()
            return self._json(200, {"items": []})
        if method != "GET":
            return self._error(405, "method_not_allowed", f"{method} /local/outbox")
        if self.bus is not None:
            self.bus.drain()
        self.outbox.release(clock.now())
        return self._json(200, {"items": self.outbox.items()})

    def _clock(self, method: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        from shared import clock

        if method == "PUT":
            data = self._body(body)
            try:
                instant = datetime.fromisoformat(data["now"]) if data else None
            except (KeyError, TypeError, ValueError):
                instant = None
            if instant is None or instant.tzinfo is None:
                return self._json(
                    422,
                    {
                        "error": {
                            "code": "validation_error",
                            "message": "now must be an ISO-8601 time with a UTC offset",
                            "details": {"fields": {"now": "ISO-8601 with offset"}},
                        }
                    },
                )
            clock.pin(instant)
        elif method == "DELETE":
            clock.release()
        elif method != "GET":
            return self._error(405, "method_not_allowed", f"{method} /local/clock")
        return self._json(
            200, {"now": clock.now().isoformat(), "pinned": clock.pinned() is not None}
        )


def make_handler(app: LocalApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "loyalty-local"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                status, headers, payload = app.handle(
                    self.command, self.path, dict(self.headers.items()), body
                )
            except Exception as exc:  # the handlers map their own errors; this is a bug
                print(f"local server error: {exc!r}", file=sys.stderr)
                status, headers = 500, {"content-type": "application/json"}
                payload = b'{"error": {"code": "internal", "message": "internal error"}}'
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def __getattr__(self, name: str) -> Any:
            # Any other method (HEAD, OPTIONS, QUERY ...) reaches the gateway too: 405 on a
            # known path, in the API's error shape (http.server would answer a 501 HTML page).
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:
            if os.environ.get("LOCAL_ACCESS_LOG"):
                # No query strings: a member lookup's phone or e-mail rides in one.
                super().log_message(format, *(without_query(a) for a in args))

    return Handler


def without_query(value: Any) -> Any:
    """A request line ("GET /path?phone=... HTTP/1.1") without its query string's values."""
    if not isinstance(value, str) or "?" not in value:
        return value
    method, _, rest = value.partition(" ")
    target, _, version = rest.partition(" ")
    path, _, query = target.partition("?")
    names = "&".join(part.split("=", 1)[0] + "=…" for part in query.split("&") if part)
    return " ".join(p for p in (method, f"{path}?{names}", version) if p)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def banner(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    return f"""
Loyalty points platform — local mode
  Member app {base}/            (sign in as m-alice, m-bob or m-carol)
  Console    {base}/console/    (sign in as an operator)
  API        {base}/v1/health
  Demo data  members m-alice, m-bob, m-carol (with purchases); the mall catalog (docs/product.md §4)

Get a token (member: any sub; operator: groups ["operators"]; shop system: ["systems"]):
  TOKEN=$(curl -s -X POST {base}/local/token -d '{{"sub":"m-alice","groups":[]}}' \\
          | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
  curl -s {base}/v1/me -H "Authorization: Bearer $TOKEN"

Pin the clock:  curl -X PUT {base}/local/clock -d '{{"now":"2027-07-11T03:00:00+08:00"}}'
Run a job now:  curl -X POST {base}/v1/admin/jobs/expire/runs -H "Authorization: Bearer $OPS"
Events sent:    curl -s {base}/local/events
SMS / e-mail:   curl -s {base}/local/outbox   (what would have been sent; nothing is)
API docs:       {base}/local/docs  (OpenAPI document: {base}/v1/openapi.json)
Stop with Ctrl-C.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--db-path", type=Path, default=STATE / "ddb")
    parser.add_argument("--in-memory", action="store_true", help="keep no data on disk")
    parser.add_argument("--no-demo", action="store_true", help="do not load demo data")
    parser.add_argument("--table", default="loyalty-points-local")
    parser.add_argument(
        "--web-dist", type=Path, default=WEB_DIST, help="the built web apps (default web/dist)"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from local.dynamodb_local import DynamoDBLocal

    external = os.environ.get("DYNAMODB_ENDPOINT")
    ddb = None
    if external:
        endpoint = external
    else:
        ddb = DynamoDBLocal.start(
            in_memory=args.in_memory, db_path=None if args.in_memory else args.db_path
        )
        endpoint = ddb.endpoint
    try:
        configure_environment(endpoint, args.table)
        # The file store (imports, exports) in .local/files, its signed URLs on this server.
        from shared.files import ENV_FILES_BASE_URL, ENV_FILES_DIR

        os.environ.setdefault(ENV_FILES_DIR, str(STATE / "files"))
        os.environ[ENV_FILES_BASE_URL] = f"http://127.0.0.1:{args.port}"
        from local.bus import LocalBus, StreamPosition, StreamTail
        from local.demo import load
        from local.gateway import Gateway
        from local.tables import ensure_tables
        from local.tokens import TokenSigner

        ensure_tables(endpoint, args.table)
        gateway = Gateway(TokenSigner.from_file(STATE / "token-secret"))
        from local.outbox import Outbox, subscriber, tick
        from shared import clock, reports

        # Like the stack's rules on the bus: every business event is counted for reports, and
        # the member-facing ones become inbox messages and (recorded, not sent) SMS / e-mail.
        outbox = Outbox()
        # The bus resumes where it stopped (.local/bus/<table>.json), as an event source
        # mapping does, instead of replaying the stream's retained day on every start (an
        # --in-memory run keeps nothing on disk, this position neither).
        kept = None if args.in_memory else STATE / "bus" / f"{args.table}.json"
        bus = LocalBus(
            StreamTail(endpoint, args.table, position=StreamPosition(kept) if kept else None),
            subscribers=[lambda found: reports.aggregate(found, clock.now()), subscriber(outbox)],
            ticks=[tick(outbox)],
        )
        bus.run_in_background()
        app = LocalApp(gateway, bus, args.web_dist, outbox)
        if not args.no_demo:
            system = gateway.signer.sign("demo-loader", ["systems"])
            operator = gateway.signer.sign("demo-loader", ["operators"])

            def call(method: str, path: str, body: Any = None, token: str = system) -> int:
                data = json.dumps(body).encode() if body is not None else b""
                reply = gateway.handle(method, path, {"authorization": f"Bearer {token}"}, data)
                if reply.status >= 400 and not (method == "GET" and reply.status == 404):
                    raise RuntimeError(f"demo data: {method} {path} -> {reply.status} {reply.body}")
                return reply.status

            load(call, lambda method, path, body=None: call(method, path, body, operator))
        httpd = Server(("127.0.0.1", args.port), make_handler(app))
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        print(banner(args.port), flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
    finally:
        if ddb is not None:
            ddb.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
