"""Traffic protection of a stage: API Gateway throttles per route and Lambda reserved
concurrency (docs/deploy.md, "Traffic protection"). Plain data and arithmetic, no CDK.

API Gateway's account limit (per Region: 10 000 requests/s steady, a 5 000 burst by
default) is one token bucket shared by every route of every API in the account. Each route
gets its own bucket here (its ``Throttle``), sized by whose route it is (``audience``) and
overridden where a route is hot or heavy; ``Traffic.plan`` refuses, at synthesis, a stage
whose routes' rates add up to more than the account budget it may use, or whose systems'
routes (purchases, refunds, holds, coupons, payments, tasks) get less than their reserve.
So however hard members (or a script with a member's token) call, the systems' routes keep
``system_reserve_rps`` of the account's rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.routes import Role, Route

PUBLIC = "public"
AUDIENCES = (PUBLIC, Role.MEMBER.value, Role.OPERATOR.value, Role.SYSTEM.value)
# Lambda refuses a reservation that leaves fewer than this many of the account's concurrent
# executions unreserved (a new account's quota can be as low as 10: any reservation fails).
UNRESERVED_MINIMUM = 100


@dataclass(frozen=True, slots=True)
class Throttle:
    """A token bucket: ``rate`` requests per second steady (its refill), ``burst`` at once
    (its size)."""

    rate: int
    burst: int


def audience(route: Route) -> str:
    """Whose budget ``route`` spends: ``public``, else the first of member, operator, system
    it admits (the order of its authorizer: a route open to members is a member route,
    since members could exhaust it)."""
    if route.public:
        return PUBLIC
    for role in (Role.MEMBER, Role.OPERATOR, Role.SYSTEM):
        if role in route.roles:
            return role.value
    raise ValueError(f"{route.route_key} names no role")


@dataclass(frozen=True, slots=True)
class Traffic:
    """One stage's throttles and reserved concurrency.

    ``account_rps``: the part of the account's API Gateway rate (10 000/s by default, per
    Region) this stage may use: several stages in one account must share it out.
    ``system_reserve_rps``: of it, what the systems' routes together get at least.
    ``audiences``: each route's throttle by audience; ``routes``: a route's own (route key).
    ``default``: the stage's default route settings (a route without settings of its own;
    every route of the table has its own). ``account_concurrency``: the account's Lambda
    concurrent executions quota; ``reserved_concurrency``: function -> executions kept for
    it (and the most it runs at once)."""

    account_rps: int
    system_reserve_rps: int
    audiences: Mapping[str, Throttle]
    default: Throttle
    routes: Mapping[str, Throttle] = field(default_factory=dict)
    account_concurrency: int = 1000
    reserved_concurrency: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if set(self.audiences) != set(AUDIENCES):
            raise ValueError(f"traffic: throttles for {AUDIENCES}, got {sorted(self.audiences)}")
        reserved = sum(self.reserved_concurrency.values())
        if reserved > self.account_concurrency - UNRESERVED_MINIMUM:
            raise ValueError(
                f"traffic: {reserved} reserved concurrent executions leave fewer than "
                f"{UNRESERVED_MINIMUM} of the account's {self.account_concurrency} unreserved "
                "(Lambda refuses the deployment): raise the quota or reserve less"
            )

    def throttle(self, route: Route) -> Throttle:
        return self.routes.get(route.route_key) or self.audiences[audience(route)]

    def plan(self, routes: Iterable[Route]) -> dict[str, Throttle]:
        """Every route's throttle by route key, once the budget holds (else ValueError)."""
        routes = tuple(routes)
        keys = {r.route_key for r in routes}
        unknown = sorted(set(self.routes) - keys)
        if unknown:
            raise ValueError(f"traffic: throttles for routes that do not exist: {unknown}")
        totals = self.rates(routes)
        spent = sum(totals.values())
        if spent > self.account_rps:
            raise ValueError(
                f"traffic: the routes' rates add up to {spent}/s, over the stage's account "
                f"budget of {self.account_rps}/s ({totals})"
            )
        systems = totals[Role.SYSTEM.value]
        if systems < self.system_reserve_rps:
            raise ValueError(
                f"traffic: the systems' routes get {systems}/s, less than their reserve "
                f"of {self.system_reserve_rps}/s"
            )
        return {r.route_key: self.throttle(r) for r in routes}

    def rates(self, routes: Iterable[Route]) -> dict[str, int]:
        """The sum of the routes' steady rates per audience."""
        totals = dict.fromkeys(AUDIENCES, 0)
        for route in routes:
            totals[audience(route)] += self.throttle(route).rate
        return totals


# Routes whose every call is heavy, the same in every stage: an export scans the table, a
# job run or a settlement walks a whole programme or campaign, an import streams a file, the
# statements CSV reads a campaign's statements. One a second is more than operators need.
HEAVY = {
    "POST /v1/admin/exports": Throttle(1, 2),
    "POST /v1/admin/jobs/{job}/runs": Throttle(1, 2),
    "POST /v1/admin/imports/{import_id}/start": Throttle(1, 2),
    "POST /v1/admin/rebates/{campaign_id}/settlements": Throttle(1, 2),
    "GET /v1/admin/rebates/{campaign_id}/statements.csv": Throttle(2, 4),
}

# dev and staging: small, so a runaway client or test loop costs little; their stages share
# an account's budget (each may use a tenth of it).
SMALL = Traffic(
    account_rps=1_000,
    system_reserve_rps=200,
    audiences={
        PUBLIC: Throttle(5, 10),
        Role.MEMBER.value: Throttle(10, 20),
        Role.OPERATOR.value: Throttle(5, 10),
        Role.SYSTEM.value: Throttle(20, 40),
    },
    default=Throttle(5, 10),
    routes={**HEAVY, "GET /v1/me": Throttle(20, 40)},
)

# prod, in an account of its own: the whole default account limit (10 000/s), 40 % of it
# kept for the systems' routes, shared out by what each carries at the shop's peak.
PROD = Traffic(
    account_rps=10_000,
    system_reserve_rps=4_000,
    audiences={
        PUBLIC: Throttle(20, 40),
        Role.MEMBER.value: Throttle(200, 400),
        Role.OPERATOR.value: Throttle(10, 20),
        Role.SYSTEM.value: Throttle(400, 800),  # coupons consumed, points + cash payments
    },
    default=Throttle(10, 20),
    routes={
        **HEAVY,
        # hot: every screen of the members' app shows the balance
        "GET /v1/me": Throttle(500, 1000),
        # the systems' routes by their share of the shop's traffic: every paid order is a
        # purchase (and most a hold, captured or released), fewer are refunds or receipts
        "POST /v1/purchases": Throttle(800, 1600),
        "POST /v1/holds": Throttle(600, 1200),
        "POST /v1/holds/{hold_id}/capture": Throttle(600, 1200),
        "POST /v1/holds/{hold_id}/release": Throttle(300, 600),
        "POST /v1/members": Throttle(300, 600),
        "POST /v1/refunds": Throttle(200, 400),
        "POST /v1/purchases/{order_id}/receipt": Throttle(200, 400),
        "POST /v1/members/{member_id}/tasks/{task_id}/completions": Throttle(200, 400),
    },
    # Reserved executions, sized by Little's law: the routes' rate (above) × the function's
    # p99 (bench/function_durations.py, infra/catalog.py MEASURED_P99_MS), rounded up; the
    # publisher one batch per stream shard at once (ParallelizationFactor 1), for up to 20
    # shards (a shard per table partition, 1 000 WCU each: the systems' 4 000 writes/s at
    # ~2.5 items × 2 WCU a transaction).
    reserved_concurrency={
        "checkout": 110,  # 1 500/s × 71 ms = 106
        "earn": 360,  # 1 700/s × 211 ms = 358
        "publisher": 20,
    },
)
