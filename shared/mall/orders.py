"""Mall orders after the redemption: members list and cancel theirs; operators approve,
ship, deliver, reject and hand over pickup orders. Every move is conditional on the status
the order was read in (``shared.dynamodb.orders``); a lost race reads and decides again."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from msgspec import Struct

from shared import programme
from shared.domain import audit, mall
from shared.domain.audit import AuditEntry
from shared.domain.calendar import local_date
from shared.domain.mall import Order
from shared.dynamodb import orders as orders_repo
from shared.errors import OrderNotFound, PickupLocked, WrongPickupCode
from shared.mall.views import order_view
from shared.replan import until_done

# Members ----------------------------------------------------------------------------------


def my_orders(member_id: str, limit: int, cursor: str | None, now: datetime) -> dict[str, Any]:
    rules = programme.current()
    orders, next_cursor = orders_repo.member_page(member_id, limit, cursor)
    return {"items": [order_view(o, now, rules) for o in orders], "next_cursor": next_cursor}


def _my_order(member_id: str, order_id: str) -> Order:
    order = orders_repo.get(member_id, order_id)
    if order is None:  # another member's order is not found either
        raise OrderNotFound(f"you have no order {order_id!r}")
    return order


def my_order(member_id: str, order_id: str, now: datetime) -> dict[str, Any]:
    return order_view(_my_order(member_id, order_id), now, programme.current())


def cancel_my_order(member_id: str, order_id: str, now: datetime) -> dict[str, Any]:
    """Member cancel (only while ``placed``, or unpaid): points, stock and limits return,
    once. Cancelling a cancelled order again answers the same, changing nothing."""
    rules = programme.current()

    def attempt() -> dict[str, Any] | None:
        order = _my_order(member_id, order_id)
        if order.status != mall.CANCELLED:
            mall.check_transition(order.status, mall.CANCELLED, mall.MEMBER_CANCELS)
            today = local_date(now, rules.zone)
            if not orders_repo.give_back(
                order, mall.CANCELLED, "cancelled by the member", now, today
            ):
                return None
        return order_view(order, now, rules)

    return until_done(attempt)


# Operators --------------------------------------------------------------------------------


def order_by_id(order_id: str) -> Order:
    order = orders_repo.find(order_id)
    if order is None:
        raise OrderNotFound(f"no order {order_id!r}")
    return order


def admin_orders(status: str, limit: int, cursor: str | None, now: datetime) -> dict[str, Any]:
    rules = programme.current()
    orders, next_cursor = orders_repo.status_page(status, limit, cursor)
    return {
        "items": [order_view(o, now, rules, admin=True) for o in orders],
        "next_cursor": next_cursor,
    }


class Move(Struct, frozen=True):
    """An operator's move of a mall order to another status."""

    order_id: str
    status: str
    carrier: str | None = None
    tracking_no: str | None = None
    reason: str | None = None


def _audited(
    order: Order, now: datetime, actor: str, action: str, after: dict[str, Any], why: str | None
) -> AuditEntry:
    """An operator's move of ``order`` for the audit log: the fields it changes, as they
    were and as they become (never the pickup code), and the reason given."""
    before = {name: getattr(order, name) for name in after}
    where = audit.target("order", order.order_id)
    return audit.entry(now, actor, action, where, before=before, after=after, reason=why)


def _moved(order: Order, cmd: Move, now: datetime, today: date, actor: str) -> bool:
    """Write the move ``cmd`` asks for; False when the order moved meanwhile."""
    if cmd.status == mall.REJECTED:
        reason = cmd.reason or "rejected by an operator"
        after = {"status": cmd.status, "reason": reason}
        change = _audited(order, now, actor, "order.move", after, cmd.reason)
        return orders_repo.give_back(order, mall.REJECTED, reason, now, today, change=change)
    fields = {}
    if cmd.status == mall.SHIPPED:
        fields = {"carrier": cmd.carrier, "tracking_no": cmd.tracking_no}
    change = _audited(order, now, actor, "order.move", {"status": cmd.status, **fields}, None)
    return orders_repo.move(order, cmd.status, now, change, **fields)


def move_order(cmd: Move, now: datetime, actor: str) -> dict[str, Any]:
    """Operators: approve, ship, deliver or reject (points and stock back) an order.
    Asking for the status an order already has (with the same shipping data) changes
    nothing and answers 200 (and is not audited: nothing changed)."""
    rules = programme.current()

    def attempt() -> dict[str, Any] | None:
        order = order_by_id(cmd.order_id)
        same = order.status == cmd.status and (
            cmd.status != mall.SHIPPED
            or (order.carrier, order.tracking_no) == (cmd.carrier, cmd.tracking_no)
        )
        if not same:
            sources = mall.operator_sources(cmd.status, order.method)
            mall.check_transition(order.status, cmd.status, sources)
            if not _moved(order, cmd, now, local_date(now, rules.zone), actor):
                return None
        return order_view(order, now, rules, admin=True)

    return until_done(attempt)


def confirm_pickup(order_id: str, code: str, now: datetime, actor: str) -> dict[str, Any]:
    """Staff hand a pickup order over against its one-time code. Wrong codes are counted;
    after ``PICKUP_ATTEMPTS`` of them the order is locked for pickup (409 pickup_locked).
    The hand-over is audited (``order.pickup``); a wrong code or a repeat is not."""
    rules = programme.current()

    def attempt() -> dict[str, Any] | None:
        order = order_by_id(order_id)
        matches = mall.pickup_code_matches(order.pickup_code, code)
        if order.status == mall.PICKED_UP and matches:
            return order_view(order, now, rules, admin=True)
        allowed = mall.PICKUP_FROM if order.method == mall.PICKUP else frozenset()
        mall.check_transition(order.status, mall.PICKED_UP, allowed)
        failures = order.pickup_failures
        if failures >= mall.PICKUP_ATTEMPTS:
            raise PickupLocked(
                f"{failures} wrong pickup codes: pickup is locked for this order",
                details={"attempts_left": 0},
            )
        if not matches:
            if orders_repo.count_pickup_failure(order, now):
                left = mall.PICKUP_ATTEMPTS - failures - 1
                raise WrongPickupCode(
                    "the pickup code does not match", details={"attempts_left": left}
                )
            return None
        change = _audited(order, now, actor, "order.pickup", {"status": mall.PICKED_UP}, None)
        if not orders_repo.pick_up(order, code, now, change):
            return None
        return order_view(order, now, rules, admin=True)

    return until_done(attempt)
