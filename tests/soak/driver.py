"""Randomized invariant soak: a seeded, model-based driver of the real handlers.

Many members register, buy and get refunds, check in, complete tasks, redeem and cancel,
draw in the lottery, transfer, pay at the checkout (hold / capture / release), get operator
adjustments, freezes and restocks, while the clock moves and the scheduled jobs run — all
through the same gateway and handlers the local server uses, in process, on AWS DynamoDB
Local. Faults are injected at the data layer (``tests/soak/faults.py``): throttling, a
``TransactWriteItems`` committed but reported lost (the SDK retries it), and jobs crashing
between two calls or running out of time (then run again). The client side retries too:
by seeded chance a response is "lost" and the very same request is sent again (same order
id, refund id, hold id or ``Idempotency-Key``); the retry must answer what the first did.

After every batch of operations the invariants of docs/product.md §10 are checked against the table:

1. every member's balance = the sum of their ledger entries;
2. issued − redeemed − expired − clawed back = the sum of balances (ledger types as the
   reports count them), and transfers in = transfers out;
3. no balance below zero unless the member had a clawback or a debt adjustment;
   held ≥ 0, spendable = balance − held, and held ≤ balance where no clawback happened;
4. every catalog item: stock ≥ 0, sold ≥ 0, stock + sold = units stocked, sold = units in
   live orders; every lottery prize: stock ≥ 0 (each of its stock shards, if it has some);
5. no double effect: for each member, the ledger's entries of every retried kind are exactly
   the ones the model saw succeed (purchase, refund clawback, redemption, draw, transfer
   out/in, adjustment, checkout capture) — a retry that acted twice adds an entry no
   response named;
6. rebates (when the rebate routes exist): every member's accrual in a campaign = the sum of
   what their purchase entries contribute after refunds (qualifying) and of what their
   referred customers' confirmed purchases give them (referral); at the end the campaigns
   are settled, reviewed and paid: only statements the model saw approved are paid, each
   once, and the statements paid add up to the rebate ledger credits (points campaign) and
   to the bank payout records (bank campaign).

A failure prints the seed (and the operation) to replay: ``make soak SOAK_SEED=<seed>`` or
``.venv/bin/python -m tests.soak.driver --ops N --seed S``.

Routes and jobs are discovered at run time (``shared.routes.ROUTES``,
``shared.jobs.registry.JOBS``): an operation whose route is absent is skipped and listed, every
job in ``JOBS`` is run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import secrets
import sys
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shared import clock
from shared.domain.rebates import to_cents
from shared.jobs import registry
from shared.routes import ROUTES
from tests.soak.faults import FaultInjector, InjectedCrash
from tests.support import Api, Result, lottery_body, points_prize, rebate_body

START = datetime(2027, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SHIP = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Road"}
# Ledger types whose entries must be exactly the ones the model saw succeed (by ref).
COUNTED = ("transfer_out", "transfer_in", "redeem", "lottery_cost", "adjust", "checkout")
ISSUED = ("earn", "lottery_prize", "adjust")
REDEEMED = ("redeem", "lottery_cost", "checkout", "refund")
KNOWN_TYPES = {*ISSUED, *REDEEMED, "expire", "clawback", "transfer_in", "transfer_out"}
# Rebate campaigns (id -> payout): open for the whole run, settled and paid at its end.
REBATES = {"soak-points": "points", "soak-bank": "bank"}
REBATE_ENDS = START + timedelta(days=7300)


def _number(item: dict[str, Any], name: str) -> int:
    return int(item.get(name, {"N": "0"})["N"])


def has_route(method: str, path: str) -> bool:
    return any(r.method == method and r.path == path for r in ROUTES)


@dataclass
class Member:
    member_id: str
    token: str
    referral_code: str | None = None
    frozen: bool = False
    # What the model saw succeed: ledger type (or "purchase") -> refs.
    refs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    purchases: dict[str, list[Decimal]] = field(default_factory=dict)  # order -> [amount, refunded]
    placed: list[str] = field(default_factory=list)  # gift orders that can be cancelled
    uncertain: bool = False  # a 5xx left an outcome unknown: skip exact ref checks


@dataclass
class Seen:
    """What the checker last read of a member's ledger."""

    ver: int = -1
    watermark: str = ""
    entries: dict[str, tuple[str, str, str, int]] = field(default_factory=dict)  # sk -> entry


@dataclass
class Report:
    seed: int
    operations: int = 0
    requests: int = 0
    client_retries: int = 0
    server_errors: int = 0
    violations: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    checks: int = 0
    seconds: float = 0.0
    faults: Counter[str] = field(default_factory=Counter)
    ledger: Counter[str] = field(default_factory=Counter)  # points by ledger type, at the end
    rebates: Counter[str] = field(default_factory=Counter)  # statements by status, at the end
    simulated_days: float = 0.0
    workers: int = 1

    def merge(self, other: Report) -> None:
        for name in ("operations", "requests", "client_retries", "server_errors", "checks"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.violations += other.violations
        for name in ("statuses", "kinds", "faults", "ledger", "rebates"):
            getattr(self, name).update(getattr(other, name))
        self.skipped = sorted(set(self.skipped) | set(other.skipped))
        self.simulated_days = max(self.simulated_days, other.simulated_days)

    @property
    def faults_injected(self) -> int:
        return (
            self.faults["throttle"]
            + self.faults["timeout after commit"]
            + self.faults["crash"]
            + self.faults["job out of time"]
            + self.faults["lost response"]
        )

    def lines(self) -> list[str]:
        rate = self.operations / self.seconds if self.seconds else 0.0
        return [
            f"seed                 {self.seed}",
            f"operations           {self.operations}",
            f"requests             {self.requests}",
            f"faults injected      {self.faults_injected}  ({dict(sorted(self.faults.items()))})",
            f"retries              {self.client_retries + self.faults['sdk retries']}"
            f"  (client {self.client_retries}, sdk {self.faults['sdk retries']})",
            f"invariant violations {len(self.violations)}",
            f"5xx                  {self.server_errors}",
            f"invariant checks     {self.checks}",
            f"time                 {self.seconds:.0f} s ({rate:.1f} operations/s, "
            f"{self.workers} worker(s)); simulated {self.simulated_days:.0f} days",
            f"ledger points        {dict(sorted(self.ledger.items()))}",
            f"operations by kind   {dict(sorted(self.kinds.items()))}",
            f"rebate statements    {dict(sorted(self.rebates.items()))}",
            f"statuses             {dict(sorted(self.statuses.items()))}",
            "skipped              " + ("; ".join(self.skipped) or "nothing"),
        ]


class LastError(logging.Handler):
    """The handlers' last logged exception (a 5xx's cause, which the response hides)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.text = "".join(traceback.format_exception(*record.exc_info))[-3000:]

    def take(self) -> str:
        text, self.text = self.text, ""
        return text

    @classmethod
    def installed(cls) -> LastError:
        """Installed on the handlers' logger, which logs errors at least."""
        from shared.observability import logger

        handler = cls()
        target = logging.getLogger(logger.name)
        target.addHandler(handler)
        if target.getEffectiveLevel() > logging.ERROR:
            target.setLevel(logging.ERROR)
        return handler


class Soak:
    def __init__(
        self,
        api: Api,
        client: Any,
        table: str,
        seed: int,
        *,
        members: int = 200,
        batch: int = 500,
        throttle: float = 0.01,
        timeout_after_commit: float = 0.05,
        lost_response: float = 0.03,
        log: Callable[[str], None] = print,
    ):
        self.api, self.client, self.table = api, client, table
        self.rng = random.Random(seed)
        self.report = Report(seed)
        self.max_members, self.batch = members, batch
        self.lost_response = lost_response
        self.log = log
        self.faults = FaultInjector(
            random.Random(seed + 1), throttle=throttle, timeout_after_commit=timeout_after_commit
        )
        self.members: dict[str, Member] = {}
        self.seen: dict[str, Seen] = defaultdict(Seen)
        self.now = START
        self.counter = 0
        self.ops_done = 0
        self.operator = api.token("op-soak", "operators")
        self.system = api.token("shop-soak", "systems")
        self.items: dict[str, dict[str, Any]] = {}  # item_id -> {kind, stocked}
        self.orders: dict[str, tuple[str, str, int]] = {}  # live order -> (member, item, qty)
        self.holds: list[tuple[str, str]] = []  # active (hold_id, member_id)
        self.refundable: list[tuple[str, str]] = []  # (member_id, order_id) with amount left
        self.lottery: str | None = None
        self.rebates: list[str] = []  # campaigns defined
        self.approved: set[tuple[str, str]] = set()  # (campaign, member) the model approved
        self.paid: set[tuple[str, str]] = set()  # (campaign, member) the model saw paid
        self.current_op = ""
        self.errors = LastError.installed()

    # Plumbing ------------------------------------------------------------------------------

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    def install_faults(self) -> None:
        from shared.dynamodb import connection

        self.faults.install(connection.connection().client)

    def call(
        self,
        token: str | None,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        retry: str | None = None,
    ) -> Result:
        """One request; with ``retry`` set, by chance its response is lost and the very same
        request is sent again. ``retry`` says what the second answer must match: ``"same"``
        (status and body), ``"body"`` (body; 201 may become 200), ``"state"`` (a status change
        asked again: same status, ``changed`` false) or ``"refused"`` (any 4xx, for a repeat
        that is refused by design, like a second check-in the same day)."""
        headers = {"Idempotency-Key": key} if key else None
        res = self._send(token, method, path, body, headers)
        for _ in range(2):  # a client retries a 5xx (counted above) to learn the outcome
            if not retry or res.status < 500:
                break
            self.report.client_retries += 1
            res = self._send(token, method, path, body, headers)
        if retry and res.status < 300 and self.rng.random() < self.lost_response:
            self.report.faults["lost response"] += 1
            self.report.client_retries += 1
            again = self._send(token, method, path, body, headers)
            ok = {
                "same": (again.status, again.body) == (res.status, res.body),
                "body": again.status in (200, 201) and again.body == res.body,
                "refused": 400 <= again.status < 500,
                # a state change asked again: the same state, nothing changed this time
                "state": again.status == res.status
                and again.body.get("status") == res.body.get("status")
                and again.body.get("changed") is False,
            }[retry]
            if not ok:
                self.violation(
                    f"a retried {method} {path} answered {again.status} {again.body} "
                    f"after {res.status} {res.body}"
                )
        return res

    def _send(self, token: str | None, method: str, path: str, body: Any, headers: Any) -> Result:
        self.tick()
        res = self.api.call(method, path, body, token=token, headers=headers)
        self.report.requests += 1
        self.report.statuses[str(res.status)] += 1
        if res.status >= 500:
            self.report.server_errors += 1
            cause = self.errors.take()
            self.violation(
                f"{res.status} on {method} {path} {json.dumps(body)}: {res.body}"
                + (f"\n{cause}" if cause else "")
            )
        return res

    def violation(self, text: str) -> None:
        message = f"[seed {self.report.seed}, op {self.ops_done}, {self.current_op}] {text}"
        self.report.violations.append(message)
        self.log("VIOLATION " + message)

    def tick(self, seconds: float | None = None) -> None:
        step = seconds if seconds is not None else self.rng.uniform(0, 120)
        self.now += timedelta(seconds=step)
        clock.pin(self.now)

    def member(self, *, active: bool = False) -> Member | None:
        pool = [m for m in self.members.values() if not (active and m.frozen)]
        return self.rng.choice(pool) if pool else None

    # Set-up --------------------------------------------------------------------------------

    def setup(self) -> None:
        clock.pin(self.now)
        self.install_faults()
        ok = lambda r, what: r.status < 300 or self.violation(f"set-up {what}: {r.status} {r.body}")  # noqa: E731
        rules = {"validity": {"policy": "rolling", "months": 1}}
        ok(self.call(self.operator, "PUT", "/v1/admin/rules", rules), "rules")
        for task_id, limit, points in (("t-daily", "daily", 15), ("t-weekly", "weekly", 40),
                                       ("t-once", "once", 100)):  # fmt: skip
            body = {"name": task_id, "points": points, "limit": limit}
            ok(self.call(self.operator, "PUT", f"/v1/admin/tasks/{task_id}", body), "task")
        catalog = {
            "g-cup": {"name": "Cup", "kind": "gift", "points": 300, "stock": 300},
            "g-phone": {"name": "Phone", "kind": "gift", "points": 3000, "stock": 5},
            # A hot item: its stock in shards (ITEM#g-hot#00..03), checked summed.
            "g-hot": {"name": "Hot", "kind": "gift", "points": 200, "stock": 80, "stock_shards": 4},
            "c-10": {"name": "10 off", "kind": "coupon", "points": 100, "stock": 1000},
            "d-charity": {"name": "Charity", "kind": "donation", "points": 50},
        }
        for item_id, body in catalog.items():
            res = self.call(
                self.operator,
                "PUT",
                f"/v1/admin/catalog/{item_id}",
                {**body, "per_member_limit": None},
            )
            ok(res, f"item {item_id}")
            self.items[item_id] = {
                "kind": body["kind"],
                "stocked": body.get("stock"),
                "shards": body.get("stock_shards"),
            }
        if has_route("PUT", "/v1/admin/lotteries/{lottery_id}"):
            body = lottery_body(
                name="Soak draw",
                cost=20,
                daily_limit=5,
                ends_at="2037-01-01T00:00:00+08:00",
                no_prize_weight=5,
                prizes=[
                    points_prize("p-50", weight=3, points=50, stock=200),
                    points_prize("p-5", weight=10, points=5),
                ],
            )
            ok(self.call(self.operator, "PUT", "/v1/admin/lotteries/soak", body), "lottery")
            self.lottery = "soak"
        if has_route("PUT", "/v1/admin/rebates/{campaign_id}"):
            for campaign_id, payout in REBATES.items():
                body = rebate_body(
                    name=campaign_id,
                    starts_at=(START - timedelta(days=1)).isoformat(),
                    ends_at=REBATE_ENDS.isoformat(),
                    payout=payout,
                    spend_ladder=[
                        {"min_amount": "100", "rate": "1"},
                        {"min_amount": "1000", "rate": "2.5"},
                        {"min_amount": "5000", "rate": "3"},
                    ],
                )
                res = self.call(self.operator, "PUT", f"/v1/admin/rebates/{campaign_id}", body)
                ok(res, f"rebate campaign {campaign_id}")
                self.rebates.append(campaign_id)
        for _ in range(min(20, self.max_members)):
            self.op_register()

    # Operations ----------------------------------------------------------------------------

    def operations(self) -> list[tuple[str, int, Callable[[], None], tuple[str, str] | None]]:
        """(name, weight, action, route it needs)."""
        return [
            ("register", 4, self.op_register, ("POST", "/v1/members")),
            ("purchase", 14, self.op_purchase, ("POST", "/v1/purchases")),
            ("refund", 4, self.op_refund, ("POST", "/v1/refunds")),
            ("receipt", 4, self.op_receipt, ("POST", "/v1/purchases/{order_id}/receipt")),
            ("check-in", 8, self.op_checkin, ("POST", "/v1/me/checkins")),
            ("task", 6, self.op_task, ("POST", "/v1/me/tasks/{task_id}/completions")),
            ("redeem", 10, self.op_redeem, ("POST", "/v1/redemptions")),
            ("cancel", 3, self.op_cancel, ("POST", "/v1/me/orders/{order_id}/cancel")),
            ("reject", 1, self.op_reject, ("PATCH", "/v1/admin/orders/{order_id}")),
            ("draw", 8, self.op_draw, ("POST", "/v1/lotteries/{lottery_id}/draws")),
            ("transfer", 8, self.op_transfer, ("POST", "/v1/me/transfers")),
            ("hold", 6, self.op_hold, ("POST", "/v1/holds")),
            ("capture", 4, self.op_capture, ("POST", "/v1/holds/{hold_id}/capture")),
            ("release", 2, self.op_release, ("POST", "/v1/holds/{hold_id}/release")),
            ("adjust", 4, self.op_adjust, ("POST", "/v1/admin/members/{member_id}/adjustments")),
            ("freeze", 1, self.op_freeze, ("POST", "/v1/admin/members/{member_id}/freeze")),
            ("restock", 1, self.op_restock, ("PATCH", "/v1/admin/catalog/{item_id}")),
            ("read", 4, self.op_read, ("GET", "/v1/me")),
            ("clock", 4, self.op_clock, None),
            ("job", 1, self.op_job, ("POST", "/v1/admin/jobs/{job}/runs")),
            ("job crash", 1, self.op_job_crash, None),
        ]

    def op_register(self) -> None:
        if len(self.members) >= self.max_members:
            return self.op_purchase()
        member_id = self.next_id("s")
        body: dict[str, Any] = {"member_id": member_id}
        referrer = self.member()
        if referrer and referrer.referral_code and self.rng.random() < 0.3:
            body["referral_code"] = referrer.referral_code
        if self.rng.random() < 0.5:  # birthdays for the birthday job, when there is one
            body["birthday"] = f"{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        res = self.call(self.system, "POST", "/v1/members", body)
        if res.status in (200, 201):
            self.members[member_id] = Member(
                member_id, self.api.token(member_id), res.body.get("referral_code")
            )

    def op_purchase(self) -> None:
        m = self.member()
        if m is None:
            return
        order_id = self.next_id("o")
        amount = Decimal(self.rng.randint(100, 60_000)) / 100
        body = {"order_id": order_id, "member_id": m.member_id, "amount": str(amount)}
        res = self.call(self.system, "POST", "/v1/purchases", body, retry="body")
        if res.status in (200, 201):
            m.refs["purchase"].add(order_id)
            m.purchases[order_id] = [amount, Decimal(0)]
            self.refundable.append((m.member_id, order_id))

    def op_refund(self) -> None:
        if not self.refundable:
            return
        index = self.rng.randrange(len(self.refundable))
        member_id, order_id = self.refundable[index]
        m = self.members[member_id]
        amount, refunded = m.purchases[order_id]
        left = amount - refunded
        if left <= 0:
            self.refundable[index] = self.refundable[-1]
            self.refundable.pop()
            return
        part = min(left, max(Decimal("0.01"), (left * Decimal(self.rng.choice([25, 50, 100])) /
                                                100).quantize(Decimal("0.01"))))  # fmt: skip
        body = {"refund_id": self.next_id("rf"), "order_id": order_id, "amount": str(part)}
        res = self.call(self.system, "POST", "/v1/refunds", body, retry="body")
        if res.status in (200, 201):
            m.purchases[order_id][1] += part
            if res.body.get("points_clawed_back", 0) > 0:
                m.refs["clawback"].add(body["refund_id"])

    def op_receipt(self) -> None:
        """The customer confirms receipt of a purchase (once per order; asked again, the
        same answer): the buyer's referrer accrues the amount not refunded."""
        m = self.rng.choice([m for m in self.members.values() if m.purchases] or [None])
        if m is not None:
            order_id = self.rng.choice(sorted(m.purchases))
            self.call(self.system, "POST", f"/v1/purchases/{order_id}/receipt", retry="same")

    def op_checkin(self) -> None:
        m = self.member()
        if m is not None:
            self.call(m.token, "POST", "/v1/me/checkins", retry="refused")

    def op_task(self) -> None:
        m = self.member()
        if m is not None:
            task = self.rng.choice(["t-daily", "t-weekly", "t-once"])
            self.call(m.token, "POST", f"/v1/me/tasks/{task}/completions", retry="refused")

    def op_redeem(self) -> None:
        m = self.member()
        if m is None:
            return
        item_id = self.rng.choice(list(self.items))
        kind = self.items[item_id]["kind"]
        body: dict[str, Any] = {"item_id": item_id}
        if kind == "gift":
            body["delivery"] = SHIP
            body["quantity"] = self.rng.choice([1, 1, 1, 2])
        key = self.next_id("k")
        res = self.call(m.token, "POST", "/v1/redemptions", body, key=key, retry="same")
        if res.status == 201:
            order_id = res.body["order_id"]
            m.refs["redeem"].add(order_id)
            quantity = int(res.body.get("quantity", 1))
            self.orders[order_id] = (m.member_id, item_id, quantity)
            if res.body.get("status") == "placed":
                m.placed.append(order_id)

    def take_placed(self) -> tuple[Member, str] | None:
        """A random member's random placed gift order, no longer tracked as placed."""
        candidates = [m for m in self.members.values() if m.placed]
        if not candidates:
            return None
        m = self.rng.choice(candidates)
        return m, m.placed.pop(self.rng.randrange(len(m.placed)))

    def op_cancel(self) -> None:
        taken = self.take_placed()
        if taken is None:
            return
        m, order_id = taken
        res = self.call(m.token, "POST", f"/v1/me/orders/{order_id}/cancel", retry="body")
        if res.status == 200 and res.body.get("status") == "cancelled":
            self.orders.pop(order_id, None)

    def op_reject(self) -> None:
        taken = self.take_placed()
        if taken is None:
            return
        order_id = taken[1]
        body = {"status": "rejected", "reason": "out of stock at the warehouse"}
        res = self.call(self.operator, "PATCH", f"/v1/admin/orders/{order_id}", body)
        if res.status == 200 and res.body.get("status") == "rejected":
            self.orders.pop(order_id, None)

    def op_draw(self) -> None:
        m = self.member()
        if m is None or self.lottery is None:
            return
        path = f"/v1/lotteries/{self.lottery}/draws"
        res = self.call(m.token, "POST", path, {}, key=self.next_id("k"), retry="same")
        if res.status == 201:
            m.refs["lottery_cost"].add(res.body["draw_id"])

    def op_transfer(self) -> None:
        sender, to = self.member(), self.member()
        if sender is None or to is None:
            return
        body = {"to_member_id": to.member_id, "points": self.rng.choice([1, 10, 50, 200, 2000])}
        res = self.call(
            sender.token, "POST", "/v1/me/transfers", body, key=self.next_id("k"), retry="same"
        )
        if res.status == 201:
            sender.refs["transfer_out"].add(res.body["transfer_id"])
            to.refs["transfer_in"].add(res.body["transfer_id"])

    def op_hold(self) -> None:
        m = self.member()
        if m is None:
            return
        points = self.rng.choice([100, 200, 500, 1000])
        body = {
            "hold_id": self.next_id("h"),
            "member_id": m.member_id,
            "order_id": self.next_id("shop"),
            "order_amount": str(Decimal(points) / 100 * 2 + self.rng.randint(0, 50)),
            "points": points,
        }
        res = self.call(self.system, "POST", "/v1/holds", body, retry="body")
        if res.status in (200, 201):
            self.holds.append((body["hold_id"], m.member_id))

    def _settle_hold(self, action: str) -> None:
        if not self.holds:
            return
        hold_id, member_id = self.holds.pop(self.rng.randrange(len(self.holds)))
        res = self.call(self.system, "POST", f"/v1/holds/{hold_id}/{action}", retry="same")
        if res.status == 200 and action == "capture" and res.body.get("status") == "captured":
            self.members[member_id].refs["checkout"].add(hold_id)

    def op_capture(self) -> None:
        self._settle_hold("capture")

    def op_release(self) -> None:
        self._settle_hold("release")

    def op_adjust(self) -> None:
        m = self.member()
        if m is None:
            return
        points = self.rng.choice([25, 100, 500, -10, -100, -1000])
        body: dict[str, Any] = {"points": points, "reason": "soak"}
        if points < 0 and self.rng.random() < 0.3:
            body["allow_debt"] = True
        path = f"/v1/admin/members/{m.member_id}/adjustments"
        res = self.call(self.operator, "POST", path, body, key=self.next_id("k"), retry="same")
        if res.status == 201:
            m.refs["adjust"].add(res.body["adjustment_id"])

    def op_freeze(self) -> None:
        frozen = [m for m in self.members.values() if m.frozen]
        # Mostly thaw someone frozen, so a few members at a time are frozen, not half of them.
        m = self.rng.choice(frozen) if frozen and self.rng.random() < 0.7 else self.member()
        if m is None:
            return
        action = "unfreeze" if m.frozen else "freeze"
        path = f"/v1/admin/members/{m.member_id}/{action}"
        res = self.call(self.operator, "POST", path, {"reason": "soak"}, retry="state")
        if res.status == 200:
            m.frozen = res.body.get("status") == "frozen"

    def op_restock(self) -> None:
        limited = [i for i, v in self.items.items() if v["stocked"] is not None]
        if not limited:
            return
        item_id = self.rng.choice(limited)
        delta = self.rng.choice([1, 5, 20])
        path = f"/v1/admin/catalog/{item_id}"
        res = self.call(self.operator, "PATCH", path, {"stock_delta": delta})
        if res.status == 200:
            self.items[item_id]["stocked"] += delta

    def op_read(self) -> None:
        m = self.member()
        if m is not None:
            path = self.rng.choice(["/v1/me", "/v1/me/ledger?limit=20", "/v1/me/orders"])
            self.call(m.token, "GET", path)

    def op_clock(self) -> None:
        self.tick(self.rng.uniform(2 * 3600, 24 * 3600))

    def op_job(self) -> None:
        name = self.rng.choice(sorted(registry.JOBS))
        self.call(self.operator, "POST", f"/v1/admin/jobs/{name}/runs")

    def op_job_crash(self) -> None:
        """A job dies between two of its calls (or runs out of time), then runs again."""
        name = self.rng.choice(sorted(registry.JOBS))
        self.tick()
        if self.rng.random() < 0.5:
            self.faults.arm_crash(self.rng.randint(0, 12))
            try:
                registry.run(name, clock.now())
            except InjectedCrash:
                pass
            finally:
                self.faults.disarm()
        else:
            budget = iter([100.0] * self.rng.randint(0, 6))
            result = registry.run(name, clock.now(), lambda: next(budget, 0.0))
            if not result.get("complete", True):
                self.report.faults["job out of time"] += 1
        self.call(self.operator, "POST", f"/v1/admin/jobs/{name}/runs")

    # Rebates: settled, reviewed and paid once the run is over ------------------------------

    def statements(self, campaign_id: str, status: str) -> list[dict[str, Any]]:
        """Every statement of the campaign in ``status``, page by page."""
        items: list[dict[str, Any]] = []
        path = f"/v1/admin/rebates/{campaign_id}/statements?status={status}&limit=100"
        cursor = None
        while True:
            res = self.call(self.operator, "GET", path + (f"&cursor={cursor}" if cursor else ""))
            if res.status != 200:
                self.violation(f"listing {status} statements: {res.status} {res.body}")
                return items
            items += res.body["items"]
            cursor = res.body["next_cursor"]
            if not cursor:
                return items

    def finish_rebates(self) -> None:
        """The campaigns end: settle each (asked twice by chance), approve its drafts (some
        with a signed adjustment) or reject them, pay what was approved (paying a draft or a
        rejected statement must be refused)."""
        self.tick(max(0.0, (REBATE_ENDS - self.now).total_seconds()) + 60)
        for campaign_id in self.rebates:
            base = f"/v1/admin/rebates/{campaign_id}"
            res = self.call(self.operator, "POST", f"{base}/settlements", retry="same")
            if res.status != 200 or not res.body.get("complete"):
                self.violation(f"settling {campaign_id}: {res.status} {res.body}")
            for statement in self.statements(campaign_id, "draft"):
                path = f"{base}/statements/{statement['member_id']}"
                body: dict[str, Any] = {"status": "approved", "reason": "soak"}
                roll = self.rng.random()
                if roll < 0.15:
                    body["status"] = "rejected"
                elif roll < 0.4:
                    cents = self.rng.randint(-to_cents(Decimal(statement["total"])), 5_000)
                    body["adjustment"] = str(Decimal(cents) / 100)
                if roll > 0.9 or body["status"] == "rejected":
                    self._refused_payout(path, before=roll > 0.9)
                if self.call(self.operator, "PATCH", path, body, retry="same").status != 200:
                    continue
                key = (campaign_id, statement["member_id"])
                if body["status"] == "rejected":
                    self._refused_payout(path, before=False)
                    continue
                self.approved.add(key)
                res = self.call(self.operator, "POST", f"{path}/payout", retry="same")
                if res.status == 200 and res.body.get("status") == "paid":
                    self.paid.add(key)

    def _refused_payout(self, path: str, *, before: bool) -> None:
        """Paying a draft (``before`` the review) or a rejected statement: 409."""
        if before or self.rng.random() < 0.5:
            res = self.call(self.operator, "POST", f"{path}/payout")
            if res.status != 409:
                self.violation(f"paying an unapproved statement answered {res.status} {res.body}")

    # The run ---------------------------------------------------------------------------------

    def run(self, ops: int) -> Report:
        started = time.monotonic()
        self.setup()
        plan = []
        for name, weight, action, route in self.operations():
            if route is not None and not has_route(*route):
                self.report.skipped.append(f"{name} (no route {route[0]} {route[1]})")
                continue
            if name == "draw" and self.lottery is None:
                self.report.skipped.append("draw (no lottery)")
                continue
            plan.append((name, weight, action))
        for wanted in ("expire", "expiry-reminders", "holds", "unpaid-orders", "tiers"):
            if wanted not in registry.JOBS:
                self.report.skipped.append(f"job {wanted} (not in shared.jobs.registry.JOBS)")
        names = [p[0] for p in plan]
        weights = [p[1] for p in plan]
        actions = {p[0]: p[2] for p in plan}
        last_report = time.monotonic()
        while self.ops_done < ops:
            name = self.rng.choices(names, weights)[0]
            self.current_op = name
            actions[name]()
            self.ops_done += 1
            self.report.kinds[name] += 1
            if self.ops_done % self.batch == 0 or self.ops_done == ops:
                full = self.ops_done == ops or self.report.checks % 20 == 19
                self.check(full=full)
            if time.monotonic() - last_report > 60:
                last_report = time.monotonic()
                self.log(
                    f"... {self.ops_done} operations, {self.faults.injected} faults, "
                    f"{len(self.report.violations)} violations, {self.report.server_errors} 5xx"
                )
        if self.rebates:
            self.current_op = "rebate payout"
            self.finish_rebates()
            self.check(full=True)
        self.report.operations = self.ops_done
        self.report.faults.update(self.faults.counts)
        self.report.seconds = time.monotonic() - started
        self.report.simulated_days = (self.now - START).total_seconds() / 86400
        clock.release()
        return self.report

    # Invariants ------------------------------------------------------------------------------

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        items, kwargs = [], {"TableName": self.table, "ConsistentRead": True, **kwargs}
        while True:
            page = self.client.query(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _profiles(self) -> dict[str, dict[str, Any]]:
        keys = [{"pk": {"S": f"MEMBER#{m}"}, "sk": {"S": "PROFILE"}} for m in self.members]
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), 100):
            request = {self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}}
            while request:
                page = self.client.batch_get_item(RequestItems=request)
                for item in page["Responses"].get(self.table, []):
                    found[item["pk"]["S"].removeprefix("MEMBER#")] = item
                request = page.get("UnprocessedKeys") or {}
        return found

    def _read_ledger(self, member_id: str, seen: Seen, *, full: bool) -> None:
        pk = {":pk": {"S": f"MEMBER#{member_id}"}}
        names = {"#t": "type", "#r": "ref", "#p": "points", "#s": "source"}
        projection = "sk, lsi1sk, #t, #r, #p, #s"
        if full or not seen.watermark:
            seen.entries.clear()
            items = self._query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :l)",
                ExpressionAttributeValues={**pk, ":l": {"S": "LEDGER#"}},
                ExpressionAttributeNames=names,
                ProjectionExpression=projection,
            )
        else:
            items = self._query(
                IndexName="by_time",
                KeyConditionExpression="pk = :pk AND lsi1sk > :w",
                ExpressionAttributeValues={**pk, ":w": {"S": seen.watermark}},
                ExpressionAttributeNames=names,
                ProjectionExpression=projection,
            )
        for item in items:
            seen.entries[item["sk"]["S"]] = (
                item["type"]["S"],
                item.get("source", {}).get("S", ""),
                item.get("ref", {}).get("S", ""),
                int(item["points"]["N"]),
            )
            seen.watermark = max(seen.watermark, item.get("lsi1sk", {}).get("S", ""))

    def check(self, *, full: bool = False) -> None:
        """Every invariant, against the table (read with a client that has no faults)."""
        self.report.checks += 1
        profiles = self._profiles()
        totals: Counter[str] = Counter()
        balances = 0
        for member_id, m in self.members.items():
            profile = profiles.get(member_id)
            if profile is None:
                self.violation(f"registered member {member_id} has no profile")
                continue
            balance, held, spendable = (
                int(profile.get(name, {"N": "0"})["N"]) for name in ("balance", "held", "spendable")
            )
            seen = self.seen[member_id]
            ver = int(profile.get("ver", {"N": "0"})["N"])
            if full or ver != seen.ver:
                self._read_ledger(member_id, seen, full=full)
                seen.ver = ver
            if sum(e[3] for e in seen.entries.values()) != balance and not full:
                self._read_ledger(member_id, seen, full=True)  # an entry dated back
            entries = list(seen.entries.values())
            ledger_sum = sum(e[3] for e in entries)
            if ledger_sum != balance:
                self.violation(f"{member_id}: balance {balance} != ledger sum {ledger_sum}")
            in_debt = any(t == "clawback" or (t == "adjust" and p < 0) for t, _, _, p in entries)
            if balance < 0 and not in_debt:
                self.violation(f"{member_id}: balance {balance} < 0 without a clawback or debt")
            if held < 0 or spendable != balance - held:
                self.violation(
                    f"{member_id}: held {held}, spendable {spendable}, balance {balance}"
                )
            if held > balance and not in_debt:
                self.violation(f"{member_id}: held {held} > balance {balance}")
            for type_, _, _, points in entries:
                totals[type_] += points
                if type_ not in KNOWN_TYPES:
                    self.violation(f"{member_id}: unknown ledger type {type_!r}")
            balances += balance
            if not m.uncertain:
                self._check_refs(m, entries)
        self.report.ledger = totals
        issued = sum(totals[t] for t in ISSUED)
        redeemed = -sum(totals[t] for t in REDEEMED)
        expired, clawed = -totals["expire"], -totals["clawback"]
        if (
            issued - redeemed - expired - clawed
            != balances - totals["transfer_in"] - totals["transfer_out"]
        ):
            self.violation(
                f"issued {issued} - redeemed {redeemed} - expired {expired} - clawed back "
                f"{clawed} != sum of balances {balances}"
            )
        if totals["transfer_in"] != -totals["transfer_out"]:
            self.violation(f"transfers in {totals['transfer_in']} != out {-totals['transfer_out']}")
        self._check_stock()
        if full and self.rebates:
            self._check_rebates()

    def _check_rebates(self) -> None:
        """Accruals = what the ledger's purchase entries contribute after their refunds
        (qualifying) and what receipts gave referrers; statements paid = rebate ledger
        credits (points) and bank payout records (bank); only approved statements paid."""
        expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        found: dict[tuple[str, str], list[int]] = {}
        paid: Counter[str] = Counter()  # campaign -> cents of the statements paid
        statuses: Counter[str] = Counter()
        credited: Counter[str] = Counter()  # campaign -> cents credited or recorded
        for member_id in self.members:
            for item in self._query(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"MEMBER#{member_id}"}},
            ):
                sk = item["sk"]["S"]
                if sk.startswith("REBATE#"):
                    key = (sk.removeprefix("REBATE#"), member_id)
                    found[key] = [_number(item, "qualifying"), _number(item, "referral")]
                    status = item.get("status", {}).get("S")
                    statuses[f"{key[0]} {status or 'accruing'}"] += 1
                    if status == "paid":
                        paid[key[0]] += to_cents(Decimal(item["payable"]["S"]))
                        if key not in self.approved:
                            self.violation(f"{key}: paid but never approved by the soak")
                    if (status == "paid") != (key in self.paid):
                        self.violation(f"{key}: status {status}, the soak saw it paid: no")
                elif sk.startswith("PAYOUT#rebate#"):
                    credited[sk.removeprefix("PAYOUT#rebate#")] += to_cents(
                        Decimal(item["amount"]["S"])
                    )
                elif sk.startswith("LEDGER#") and item["source"]["S"] == "rebate":
                    credited[item["ref"]["S"]] += _number(item, "points")  # 1 point per 0.01
                elif sk.startswith("LEDGER#") and "amount" in item:
                    self._contributions(member_id, item, expected)
        self.report.rebates = statuses
        for campaign_id in self.rebates:
            statuses[f"{campaign_id} paid cents"] = paid[campaign_id]
        for key in sorted(set(expected) | set(found)):
            if expected.get(key, [0, 0]) != found.get(key, [0, 0]):
                self.violation(
                    f"rebate accrual {key}: [qualifying, referral] cents "
                    f"{found.get(key)} != from the ledger {expected.get(key)}"
                )
        for campaign_id in self.rebates:
            if paid[campaign_id] != credited[campaign_id]:
                self.violation(
                    f"rebates {campaign_id}: statements paid {paid[campaign_id]} cents != "
                    f"credited or recorded {credited[campaign_id]} cents"
                )

    @staticmethod
    def _contributions(
        member_id: str, entry: dict[str, Any], expected: dict[tuple[str, str], list[int]]
    ) -> None:
        """What a purchase entry contributes now: its qualifying cents less the refunded
        cents; after receipt, its referrer's cents, less what was refunded since."""
        amount = to_cents(Decimal(entry["amount"]["S"]))
        refunded = to_cents(Decimal(entry.get("refunded", {"S": "0"})["S"]))
        for campaign_id, given in entry.get("rebates", {}).get("M", {}).items():
            q = int(given["M"]["q"]["N"])
            expected[(campaign_id, member_id)][0] += max(q - refunded, 0)
        if "receipt_at" in entry:
            for campaign_id, given in entry.get("referral", {}).get("M", {}).items():
                r = int(given["M"]["r"]["N"])
                referrer = given["M"]["referrer"]["S"]
                expected[(campaign_id, referrer)][1] += min(r, amount - refunded)

    def _check_refs(self, m: Member, entries: list[tuple[str, str, str, int]]) -> None:
        found: dict[str, set[str]] = defaultdict(set)
        for type_, source, ref, _ in entries:
            if type_ in COUNTED or type_ == "clawback":
                key = type_ if type_ != "clawback" or source == "refund" else "other"
                found[key].add(ref)
            if source == "purchase":
                found["purchase"].add(ref)
        for kind in (*COUNTED, "clawback", "purchase"):
            if found[kind] != m.refs[kind]:
                extra = sorted(found[kind] - m.refs[kind])[:5]
                missing = sorted(m.refs[kind] - found[kind])[:5]
                self.violation(
                    f"{m.member_id}: {kind} entries differ from the requests that succeeded: "
                    f"not asked for {extra}, missing {missing}"
                )

    def _check_stock(self) -> None:
        live: Counter[str] = Counter()
        for _, item_id, quantity in self.orders.values():
            live[item_id] += quantity
        for item_id, known in self.items.items():
            item = self.client.get_item(
                TableName=self.table,
                Key={"pk": {"S": f"ITEM#{item_id}"}, "sk": {"S": "ITEM"}},
                ConsistentRead=True,
            ).get("Item", {})
            if known.get("shards"):  # a hot item: stock and units sold live in its shards
                shards = [
                    self.client.get_item(
                        TableName=self.table,
                        Key={"pk": {"S": f"ITEM#{item_id}#{k:02d}"}, "sk": {"S": "STOCK"}},
                        ConsistentRead=True,
                    ).get("Item", {})
                    for k in range(known["shards"])
                ]
                if any(int(s.get("stock", {"N": "-1"})["N"]) < 0 for s in shards):
                    self.violation(f"item {item_id}: a stock shard is missing or negative")
                item = {
                    name: {"N": str(sum(int(s.get(name, {"N": "0"})["N"]) for s in shards))}
                    for name in ("stock", "sold")
                }
            if known["stocked"] is not None:  # unlimited items keep no stock nor units sold
                sold = int(item.get("sold", {"N": "0"})["N"])
                if sold < 0 or sold != live[item_id]:
                    self.violation(
                        f"item {item_id}: sold {sold}, units in live orders {live[item_id]}"
                    )
                stock = int(item.get("stock", {"N": "-1"})["N"])
                if stock < 0 or stock + sold != known["stocked"]:
                    self.violation(
                        f"item {item_id}: stock {stock} + sold {sold} != stocked {known['stocked']}"
                    )
        if self.lottery is not None:
            for prize in self._query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                ExpressionAttributeValues={
                    ":pk": {"S": f"LOTTERY#{self.lottery}"},
                    ":p": {"S": "PRIZE#"},
                },
            ):
                if "stock" in prize and int(prize["stock"]["N"]) < 0:
                    self.violation(f"lottery prize {prize['sk']['S']}: stock {prize['stock']}")
                # A prize won often: its stock in shards (LOTTERY#<id>#PRIZE#<prize>#<nn>).
                for k in range(int(prize.get("shards", {"N": "0"})["N"])):
                    pk = f"LOTTERY#{self.lottery}#{prize['sk']['S']}#{k:02d}"
                    shard = self.client.get_item(
                        TableName=self.table,
                        Key={"pk": {"S": pk}, "sk": {"S": "STOCK"}},
                        ConsistentRead=True,
                    ).get("Item", {})
                    if int(shard.get("stock", {"N": "-1"})["N"]) < 0:
                        self.violation(f"lottery stock shard {pk}: missing or negative")


# Running it ----------------------------------------------------------------------------------


def run_soak(
    endpoint: str, ops: int, seed: int, *, members: int, batch: int, log: Callable[[str], None]
) -> Report:
    """Configure the handlers for ``endpoint`` (a fresh table) and soak them."""
    import uuid

    import boto3

    from local.tables import ensure_tables
    from shared import programme
    from shared.dynamodb import connection
    from shared.settings import (
        ENV_CURSOR_HMAC_KEY,
        ENV_DYNAMODB_ENDPOINT,
        ENV_PII_HMAC_KEY,
        ENV_TABLE_NAME,
    )

    table = f"soak-{uuid.uuid4().hex[:10]}"
    os.environ.update(
        {
            ENV_DYNAMODB_ENDPOINT: endpoint,
            ENV_TABLE_NAME: table,
            # The run's own keys: list pages sign their cursors, contact rows are keyed.
            ENV_CURSOR_HMAC_KEY: secrets.token_hex(32),
            ENV_PII_HMAC_KEY: secrets.token_hex(32),
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "CRITICAL"),
            # The soak checks the ledger, not the EMF lines (which would flood its output).
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
    )
    os.environ.pop("AWS_SESSION_TOKEN", None)
    ensure_tables(endpoint, table)
    connection.reset()
    programme.invalidate()
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    soak = Soak(Api(), client, table, seed, members=members, batch=batch, log=log)
    try:
        return soak.run(ops)
    finally:
        clock.release()
        connection.reset()
        programme.invalidate()


def soak_in_parallel(
    endpoint: str | list[str], ops: int, seed: int, *, workers: int, members: int, batch: int
) -> Report:
    """``workers`` independent soaks (seeds ``seed``, ``seed + 1`` ...; a table each) in
    forked processes, their figures added up. ``endpoint``: one DynamoDB Local for all, or
    one per worker (DynamoDB Local serializes much of its work, so one each goes faster)."""
    started = time.monotonic()
    endpoints = endpoint if isinstance(endpoint, list) else [endpoint] * workers
    shares = [ops // workers + (i < ops % workers) for i in range(workers)]
    if workers == 1:
        reports = [_worker(endpoints[0], shares[0], seed, members, batch)]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = [
                pool.submit(_worker, endpoints[i], share, seed + i, members // workers, batch)
                for i, share in enumerate(shares)
            ]
            reports = [f.result() for f in futures]
    report = Report(seed, workers=workers)
    for part in reports:
        report.merge(part)
    report.seconds = time.monotonic() - started
    return report


def _worker(endpoint: str, ops: int, seed: int, members: int, batch: int) -> Report:
    def log(line: str) -> None:
        print(f"[seed {seed}] {line}", flush=True)

    return run_soak(endpoint, ops, seed, members=members, batch=batch, log=log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Randomized invariant soak with faults.")
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--batch", type=int, default=1000, help="operations between checks")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("SOAK_WORKERS", "2")),
        help="independent soaks in parallel processes (seed, seed+1, ...), each on a "
        "DynamoDB Local of its own",
    )
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "CRITICAL")

    from local.dynamodb_local import DynamoDBLocal

    print(
        f"soak: {args.ops} operations, seed {seed}, {args.workers} worker(s) "
        f"(replay: make soak SOAK_SEED={seed})",
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(DynamoDBLocal.start(in_memory=True)) for _ in range(args.workers)
        ]
        report = soak_in_parallel(
            [ddb.endpoint for ddb in servers],
            args.ops,
            seed,
            workers=args.workers,
            members=args.members,
            batch=args.batch,
        )
    print("\n".join(report.lines()))
    failed = report.violations or report.server_errors
    if failed:
        print(f"FAILED: replay with make soak SOAK_SEED={seed} SOAK_OPS={args.ops}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
