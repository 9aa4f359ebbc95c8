"""Work an operator's request starts and a job finishes later: imports and exports.

The request records the job (status ``queued``) and calls :func:`start`; the function's
handler hands events :func:`claims` to its job (``run(payload(event), time_left)``).

- On AWS (``AWS_LAMBDA_FUNCTION_NAME`` is set) :func:`start` invokes the SAME function
  asynchronously (``InvocationType=Event``) with ``{"background": payload}``: the job gets
  the function's own timeout (up to 15 minutes), not API Gateway's 30 s, and Lambda retries
  an invocation that failed (twice). A job that needs more than one invocation starts its
  continuation the same way (:func:`start` again with its checkpoint's payload). The role
  needs ``lambda:InvokeFunction`` on its own function (``Access(invoke_self=True)`` in
  infra/permissions.py).
- Locally (the local server, tests, scripts) the job runs in a daemon thread of this
  process, or, with ``BACKGROUND_JOBS=inline``, at once in the caller (tests: the POST's
  answer comes after the job has run, so a following GET sees its outcome).

``run`` is the job's local entry point (the same callable the handler calls for a
background event), passed in by the use case, so this module imports no function.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from shared.observability import logger

EVENT_KEY = "background"
ENV_MODE = "BACKGROUND_JOBS"  # local only: "thread" (default) or "inline"
ENV_FUNCTION = "AWS_LAMBDA_FUNCTION_NAME"  # set by Lambda: the function invokes itself

Payload = dict[str, Any]
Runner = Callable[[Payload], Any]


def claims(event: Mapping[str, Any] | None) -> bool:
    """Whether ``event`` is a background job's (API Gateway's and schedules' are not)."""
    return isinstance(event, Mapping) and isinstance(event.get(EVENT_KEY), Mapping)


def payload(event: Mapping[str, Any]) -> Payload:
    return dict(event[EVENT_KEY])


def event_of(job_payload: Payload) -> Payload:
    """The event :func:`start` sends (what the handler receives)."""
    return {EVENT_KEY: dict(job_payload)}


@cache
def _lambda() -> Any:
    import boto3

    from shared.settings import settings

    return boto3.client("lambda", region_name=settings().region)


def start(job_payload: Payload, run: Runner) -> None:
    """Start ``run(job_payload)`` in the background (see the module's docstring)."""
    function = os.environ.get(ENV_FUNCTION)
    if function:
        _lambda().invoke(
            FunctionName=function,
            InvocationType="Event",
            Payload=json.dumps(event_of(job_payload)).encode(),
        )
        return
    if os.environ.get(ENV_MODE) == "inline":
        run(dict(job_payload))
        return
    thread = threading.Thread(target=_logged, args=(run, dict(job_payload)), daemon=True)
    thread.start()


def _logged(run: Runner, job_payload: Payload) -> None:
    try:
        run(job_payload)
    except Exception:  # a thread's exception would otherwise vanish
        logger.exception("background job failed", extra={"payload": job_payload})
