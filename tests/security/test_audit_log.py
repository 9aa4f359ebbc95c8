"""Every operator write is in the audit log, derived from the route table (SPEC §8, issue 19).

Like the authorization matrix, this is parametrized by ``shared/routes.py`` itself, so a
route added later is covered without editing this file: each route operators may call whose
method is not GET must declare ``audit`` (the action every successful call writes), and one
call of it by an operator — path parameters from the security world
(``tests/security/world.py``), the body from its Operation's OpenAPI ``example`` (or
``body_example``, for a body that is not JSON) — must
succeed and leave exactly one new entry in the log: that action, on that target, by that
operator.

The target is ``<aggregate>:<ids>``: the action's aggregate (``member`` of
``member.adjust``) and the path parameters' values joined by ``/`` (``rebate:cny/m-1``), or,
for a route that creates what it names (``POST /v1/admin/exports``), the id the answer gives
(``export_id``); with neither, the bare aggregate (``rules``). :data:`SETUPS` holds what a
route needs besides the world and its example (a member to unfreeze must be frozen first);
a route whose state is shared by other tests belongs in the world instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from shared.routes import ROUTES, Role, Route
from shared.schemas import operation_of
from tests.security.world import OWNER, World, build
from tests.support import Api, Result, table_items

pytestmark = pytest.mark.usefixtures("frozen_clock")

OPERATOR = "op-audit"
LOG_PREFIX = "AUDITLOG#"


@dataclass
class Call:
    """What one call of the route sends (set-ups may change it)."""

    path: str
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a body that is not JSON (the members import's CSV)


Setup = Callable[[Api, World, Call], None]


def _frozen_first(api: Api, world: World, call: Call) -> None:
    """Unfreezing needs a frozen member."""
    member = world.params["member_id"]
    res = api.operator("POST", f"/v1/admin/members/{member}/freeze", {"reason": "set-up"})
    assert res.status == 200, res.body


def _through_every_lot(api: Api, world: World, call: Call) -> None:
    """The world's points expire years from now: extend every lot, not only the next 30 days'."""
    call.body = {**call.body, "expires_on": "2099-12-31"}


def _settled_first(api: Api, world: World, call: Call) -> None:
    """A statement to review: the world's rebate campaign settled (the owner's is a draft)."""
    res = api.operator("POST", f"/v1/admin/rebates/{world.params['campaign_id']}/settlements")
    assert res.status == 200 and res.body["complete"], res.body


def _approved_first(api: Api, world: World, call: Call) -> None:
    """A statement to pay: settled, then approved."""
    _settled_first(api, world, call)
    review = {"status": "approved", "reason": "set-up"}
    res = api.operator("PATCH", call.path.removesuffix("/payout"), review)
    assert res.status == 200, res.body


def _pickup_order(api: Api, world: World, call: Call) -> None:
    """The world's order is shipped: hand over a pickup order against its code instead."""
    delivery = {"method": "pickup", "name": "Li Lei", "phone": "13800000000"}
    placed = api.member(
        OWNER, "POST", "/v1/redemptions", {"item_id": "gift-cup", "delivery": delivery}
    )
    assert placed.status == 201, placed.body
    world.params["order_id"] = placed.body["order_id"]
    call.path = world.path("/v1/admin/orders/{order_id}/pickup")
    call.body = {"pickup_code": placed.body["pickup_code"]}


def _pending_adjustment(api: Api, world: World, call: Call) -> None:
    """An adjustment above the approval threshold, asked for by another operator (op-1)."""
    member = world.params["member_id"]
    body = {"points": 100_001, "reason": "set-up"}
    res = api.operator(
        "POST", f"/v1/admin/members/{member}/adjustments", body, headers={"Idempotency-Key": "ad"}
    )
    assert res.status == 202, res.body
    world.params["adjustment_id"] = res.body["adjustment_id"]
    call.path = world.path("/v1/admin/adjustments/{adjustment_id}/approval")


SETUPS: dict[str, Setup] = {
    "POST /v1/admin/adjustments/{adjustment_id}/approval": _pending_adjustment,
    "POST /v1/admin/members/{member_id}/unfreeze": _frozen_first,
    "POST /v1/admin/members/{member_id}/expiry-extensions": _through_every_lot,
    "POST /v1/admin/orders/{order_id}/pickup": _pickup_order,
    "PATCH /v1/admin/rebates/{campaign_id}/statements/{member_id}": _settled_first,
    "POST /v1/admin/rebates/{campaign_id}/statements/{member_id}/payout": _approved_first,
}

OPERATOR_WRITES = [r for r in ROUTES if Role.OPERATOR in r.roles and r.method != "GET"]


def log_rows() -> list[dict[str, Any]]:
    return [i for i in table_items() if i["pk"]["S"].startswith(LOG_PREFIX)]


def expected_target(route: Route, world: World, res: Result) -> str:
    """``<aggregate>:<ids>`` as the module docstring says."""
    assert route.audit is not None
    aggregate = route.audit.split(".")[0]
    names = re.findall(r"\{(\w+)\}", route.path)
    ids = [world.params[name] for name in names if name in world.params]
    created = res.body.get(f"{aggregate}_id") if isinstance(res.body, dict) else None
    if not ids and isinstance(created, str):
        ids = [created]
    return f"{aggregate}:{'/'.join(ids)}" if ids else aggregate


def call_of(route: Route, world: World) -> Call:
    op = operation_of(route)
    assert op is not None, f"{route.route_key} has no Operation in shared/schemas"
    body = op.example if op.request is not None else None
    headers = {"Idempotency-Key": "audit-1"} if op.idempotency_key else {}
    if op.body_example is not None:
        headers["content-type"] = op.body_media_type or "application/octet-stream"
        return Call(world.path(route.path), None, headers, op.body_example.encode())
    return Call(world.path(route.path), body, headers)


@pytest.mark.parametrize("route", OPERATOR_WRITES, ids=lambda r: r.route_key)
def test_every_operator_write_leaves_one_entry_naming_its_action_and_target(
    api: Api, route: Route
) -> None:
    assert route.audit, f"{route.route_key} is an operator write: declare audit= in its Route"
    world = build(api)
    call = call_of(route, world)
    SETUPS.get(route.route_key, lambda *_: None)(api, world, call)
    before = {row["sk"]["S"] for row in log_rows()}

    token = api.token(OPERATOR, "operators")
    res = api.call(
        route.method, call.path, call.body, token=token, headers=call.headers, raw=call.raw
    )

    assert res.status < 300, f"a valid call must succeed: {res.status} {res.body}"
    new = [row for row in log_rows() if row["sk"]["S"] not in before]
    found = [(r["action"]["S"], r["target"]["S"], r["actor"]["S"]) for r in new]
    assert found == [(route.audit, expected_target(route, world, res), OPERATOR)]


def test_the_audit_test_covers_every_operator_write_of_the_table() -> None:
    """Reads and member/system routes write no entry; every operator write is parametrized."""
    for route in ROUTES:
        if route.audit is not None:
            assert route in OPERATOR_WRITES, f"{route.route_key}: audit= on a route that is not"
            assert re.fullmatch(r"[a-z_]+\.[a-z_]+", route.audit), route.audit
    assert all(key in {r.route_key for r in OPERATOR_WRITES} for key in SETUPS)
