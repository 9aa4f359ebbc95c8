"""Faults injected at the data layer: botocore event hooks on the handlers' one client.

* **throttle** — before a request is sent, by seeded chance, answer it with DynamoDB's
  ``ThrottlingException`` instead of sending it; the SDK's retry sends it again (never on
  the SDK's last attempt, so injected faults alone never run its retries out).
* **timeout after commit** — a ``TransactWriteItems`` that DynamoDB committed is reported to
  the SDK as lost (as if the response timed out), so the SDK sends the *same* request again,
  with the same ``ClientRequestToken``; the handler must see one effect.
* **crash** — armed for one job run: the k-th request of the run raises before it is sent,
  so the job dies between two of its calls (the caller then runs it again).

Nothing here sleeps: retries of injected faults wait 1 ms instead of the SDK's backoff.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

from botocore.awsrequest import AWSResponse

THROTTLE_BODY = json.dumps(
    {
        "__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
        "message": "injected throttle",
    }
).encode()
MAX_ATTEMPTS = 4  # pynamodb's default: 1 + 3 retries


class InjectedCrash(Exception):
    """A process dying between two calls (not a botocore error: nothing retries it)."""


class _Raw:
    """The raw stream botocore reads an AWSResponse body from."""

    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


class FaultInjector:
    def __init__(
        self,
        rng: random.Random,
        *,
        throttle: float = 0.01,
        timeout_after_commit: float = 0.05,
    ):
        self.rng = rng
        self.throttle = throttle
        self.timeout_after_commit = timeout_after_commit
        self.counts: Counter[str] = Counter()
        self.enabled = True
        self._crash_in: int | None = None  # requests left before an armed crash
        self._client: Any = None

    # Installation ------------------------------------------------------------------------

    def install(self, client: Any) -> None:
        """Hook the handlers' botocore client (``connection().client``)."""
        if self._client is client:
            return
        events = client.meta.events
        events.register("before-send.dynamodb.*", self._before_send)
        events.register_first("needs-retry.dynamodb.*", self._needs_retry)
        self._client = client

    def arm_crash(self, after_requests: int) -> None:
        """The request after the next ``after_requests`` ones raises :class:`InjectedCrash`."""
        self._crash_in = after_requests

    def disarm(self) -> None:
        self._crash_in = None

    # Hooks -------------------------------------------------------------------------------

    def _before_send(self, request: Any, **_: Any) -> AWSResponse | None:
        if self._crash_in is not None:
            if self._crash_in <= 0:
                self._crash_in = None
                self.counts["crash"] += 1
                raise InjectedCrash("injected crash between two calls")
            self._crash_in -= 1
        attempt = (getattr(request, "context", None) or {}).get("retries", {}).get("attempt", 1)
        # Never on the SDK's last attempt: injected faults alone cannot exhaust its retries,
        # so a 5xx the client sees is the handlers' doing.
        if self.enabled and attempt < MAX_ATTEMPTS and self.rng.random() < self.throttle:
            self.counts["throttle"] += 1
            return AWSResponse(
                request.url,
                400,
                {"content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "injected"},
                _Raw(THROTTLE_BODY),
            )
        return None

    def _needs_retry(
        self,
        response: Any = None,
        attempts: int = 1,
        caught_exception: Any = None,
        operation: Any = None,
        **_: Any,
    ) -> float | None:
        if caught_exception is not None or response is None or attempts >= MAX_ATTEMPTS:
            return None  # the SDK's own decision (an injected crash is not retried)
        http, parsed = response
        error = (parsed or {}).get("Error", {})
        if error.get("Message") == "injected throttle":
            self.counts["sdk retries"] += 1
            return 0.001
        if (
            self.enabled
            and http.status_code == 200
            and operation is not None
            and operation.name == "TransactWriteItems"
            and self.rng.random() < self.timeout_after_commit
        ):
            self.counts["timeout after commit"] += 1
            self.counts["sdk retries"] += 1
            return 0.001
        return None

    @property
    def injected(self) -> int:
        return self.counts["throttle"] + self.counts["timeout after commit"] + self.counts["crash"]
