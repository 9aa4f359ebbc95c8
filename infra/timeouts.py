"""Lambda timeouts that local mode must know too, as plain numbers (no CDK imports): the
catalog (infra/catalog.py) deploys them and local mode's stand-in for Lambda's context
(local/gateway.py) counts down from them, so a handler that reads the time it has left
runs locally within what it gets in AWS (a fixed 30 s there once hid a jobs route that
did no work in its deployed 10 s)."""

from __future__ import annotations

DEFAULT_S = 10  # Lambda's default, and a FunctionSpec's (infra/catalog.py)
# The jobs function: an operator's run within API Gateway's 30 s (shared.jobs.runner
# HTTP_BUDGET_S), then its continuations in the background, each 15 minutes like a schedule's.
JOBS_S = 900

# HTTP functions whose handlers read the time they have left and deploy another timeout than
# the default (tests/infra/test_job_schedules.py: never more than the catalog deploys).
HTTP_TIMEOUTS = {"jobs": JOBS_S}


def timeout_of(function: str) -> int:
    """The deployed timeout local mode gives ``function``'s invocations, in seconds."""
    return HTTP_TIMEOUTS.get(function, DEFAULT_S)
