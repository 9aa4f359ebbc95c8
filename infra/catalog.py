"""Every Lambda function of the stack: HTTP ones come from the route table, scheduled ones
are listed here. Adding a function is one line (plus its grants in infra/permissions.py)."""

from __future__ import annotations

from dataclasses import dataclass

from infra.permissions import Access, access_for
from shared.routes import functions as http_functions


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str  # folder under functions/; handler functions.<name>.handler.lambda_handler
    access: Access
    schedule: str | None = None  # EventBridge schedule expression, e.g. "cron(5 16 * * ? *)"
    memory_mb: int = 512
    timeout_s: int = 10  # API Gateway gives up after 30 s; scheduled jobs may ask for more


# Scheduled jobs (no HTTP route), one line each, e.g.:
#   FunctionSpec("expire", access_for("expire"), schedule="cron(5 16 * * ? *)", timeout_s=300),
SCHEDULED: tuple[FunctionSpec, ...] = ()


def catalog() -> tuple[FunctionSpec, ...]:
    """HTTP functions in route-table order, then the scheduled ones. A scheduled entry named
    like an HTTP function replaces it (the function then serves routes and runs on schedule)."""
    specs = {name: FunctionSpec(name, access_for(name)) for name in http_functions()}
    for spec in SCHEDULED:
        specs[spec.name] = spec
    return tuple(specs.values())
