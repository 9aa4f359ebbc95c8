"""The points lottery's rules: prize pools, the odds in force, the pick, the
chi-square test the audit and the fairness bench use. Pure: no AWS, no I/O.

**The odds in force.** Every prize has an integer weight; the "thank you for taking part"
outcome (no prize) has its own weight. The total ``W`` is the sum of them all and does not
change when stock runs out: a prize out of stock gives its weight to "no prize". So the
probability of prize *i* is ``w_i / W`` while it is in stock and 0 after, and "no prize"
takes ``(w_none + Σ w_out_of_stock) / W``.

**The pick.** One uniform integer ``r`` in ``[0, W)`` from the operating system's CSPRNG
(:func:`secrets.randbelow`, which rejects rather than reduces modulo, so it is unbiased).
The intervals are laid out in the pool's order, prizes first (an out-of-stock prize has an
empty interval), "no prize" last: ``r`` falls in exactly one. Anyone holding a draw's record
(``r`` and the weights in force) can recompute its outcome with :func:`pick`.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from msgspec import Struct

from shared.domain.targeting import Audience, Target

# Prize kinds (PUT /v1/admin/lotteries/{lottery_id}).
POINTS, COUPON, GIFT, CASH = "points", "coupon", "gift", "cash"
KINDS: tuple[str, ...] = (POINTS, COUPON, GIFT, CASH)

MAX_PRIZES = 30  # a pool, plus the counters of the stats shards, stays well under 1 item/KB
MAX_WEIGHT = 1_000_000_000
MAX_PRIZE_POINTS = 100_000_000
MAX_COST = 1_000_000
MAX_DAILY_LIMIT = 10_000
ODDS_PLACES = Decimal("0.000001")  # published odds: decimal strings with 6 places
EXPECTED_SCALE = 10**12  # per-draw probabilities summed as integers (stats counters)

NO_PRIZE = None  # the outcome "thank you for taking part"
STOCK_RAN_OUT = "stock_ran_out"  # note on a draw whose picked prize was gone at write time


class Prize(Struct, frozen=True):
    """One prize of a pool, as an operator defined it."""

    prize_id: str
    name: str
    kind: str
    weight: int
    limited: bool = False  # True: has a stock (kept apart, decremented by each win)
    points: int | None = None  # kind points: credited as a new lot
    item_id: str | None = None  # kind coupon / gift: the catalog item it issues
    cash: Decimal | None = None  # kind cash: the red packet's amount
    valid_days: int | None = None  # kind coupon: the coupon's validity (from the catalog)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "prize_id": self.prize_id,
            "name": self.name,
            "kind": self.kind,
            "weight": self.weight,
            "limited": self.limited,
        }
        if self.points is not None:
            out["points"] = self.points
        if self.item_id is not None:
            out["item_id"] = self.item_id
        if self.cash is not None:
            out["cash"] = str(self.cash)
        if self.valid_days is not None:
            out["valid_days"] = self.valid_days
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Prize:
        return cls(
            prize_id=data["prize_id"],
            name=data["name"],
            kind=data["kind"],
            weight=int(data["weight"]),
            limited=bool(data.get("limited")),
            points=int(data["points"]) if data.get("points") is not None else None,
            item_id=data.get("item_id"),
            cash=Decimal(data["cash"]) if data.get("cash") is not None else None,
            valid_days=int(data["valid_days"]) if data.get("valid_days") is not None else None,
        )


class ExtraDraws(Struct, frozen=True):
    """Draws a purchase earns: ``draws`` for each full ``per_amount`` of its amount. They cost
    no points and do not count against the daily limit."""

    per_amount: Decimal
    draws: int

    def earned(self, amount: Decimal) -> int:
        return int(amount // self.per_amount) * self.draws if amount > 0 else 0

    def as_json(self) -> dict[str, Any]:
        return {"per_amount": str(self.per_amount), "draws": self.draws}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExtraDraws:
        return cls(Decimal(data["per_amount"]), int(data["draws"]))


class DrawOffer(Struct, frozen=True):
    """A lottery's extra-draw terms as a purchase applies them (kept with the programme's
    rules, so a purchase reads nothing to apply them)."""

    lottery_id: str
    starts_at: datetime
    ends_at: datetime
    extra: ExtraDraws
    target: Target = Target()

    def draws_for(self, amount: Decimal, at: datetime, member: Audience, zone: Any) -> int:
        """Extra draws a purchase of ``amount`` at ``at`` earns ``member`` (0: none)."""
        if not self.starts_at <= at < self.ends_at or not self.target.admits(member, zone):
            return 0
        return self.extra.earned(amount)

    def to_json(self) -> dict[str, Any]:
        return {
            "lottery_id": self.lottery_id,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "extra_draws": self.extra.as_json(),
            **self.target.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DrawOffer:
        return cls(
            lottery_id=data["lottery_id"],
            starts_at=datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.fromisoformat(data["ends_at"]),
            extra=ExtraDraws.from_json(data["extra_draws"]),
            target=Target.from_json(dict(data)),
        )


class Lottery(Struct, frozen=True):
    """A campaign: cost per draw, window, per-member daily limit and the prize pool; who it
    is for (``target``) and the extra draws purchases earn (``extra_draws``)."""

    lottery_id: str
    name: str
    cost: int
    starts_at: datetime
    ends_at: datetime
    prizes: tuple[Prize, ...]
    no_prize_weight: int = 0
    daily_limit: int | None = None  # None: no daily limit
    ver: int = 0
    target: Target = Target()
    extra_draws: ExtraDraws | None = None

    def prize(self, prize_id: str | None) -> Prize | None:
        return next((p for p in self.prizes if p.prize_id == prize_id), None)

    def offer(self) -> DrawOffer | None:
        """The extra-draw terms purchases apply, if it has any."""
        if self.extra_draws is None:
            return None
        return DrawOffer(
            self.lottery_id, self.starts_at, self.ends_at, self.extra_draws, self.target
        )


def is_open(lottery: Lottery, now: datetime) -> bool:
    """Draws are taken from ``starts_at`` (inclusive) until ``ends_at`` (exclusive)."""
    return lottery.starts_at <= now < lottery.ends_at


def draws_left(daily_limit: int | None, drawn_today: int) -> int | None:
    """Draws the member may still take today (None: no limit)."""
    return None if daily_limit is None else max(0, daily_limit - drawn_today)


def definition_problems(
    prizes: Sequence[Prize],
    no_prize_weight: int,
    starts_at: datetime | None,
    ends_at: datetime | None,
) -> dict[str, str]:
    """What is inconsistent in a lottery's definition (field -> problem)."""
    problems: dict[str, str] = {}
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        problems["ends_at"] = "must be after starts_at"
    seen: set[str] = set()
    for i, prize in enumerate(prizes):
        if prize.prize_id in seen:
            problems[f"prizes[{i}].prize_id"] = "is used by another prize of this lottery"
        seen.add(prize.prize_id)
        if prize.kind == POINTS and prize.points is None:
            problems[f"prizes[{i}].points"] = "is required for a points prize"
        if prize.kind != POINTS and prize.points is not None:
            problems[f"prizes[{i}].points"] = "only points prizes have points"
        if prize.kind in (COUPON, GIFT) and prize.item_id is None:
            problems[f"prizes[{i}].item_id"] = f"is required for a {prize.kind} prize"
        if prize.kind not in (COUPON, GIFT) and prize.item_id is not None:
            problems[f"prizes[{i}].item_id"] = "only coupon and gift prizes have a catalog item"
        if prize.kind == CASH and prize.cash is None:
            problems[f"prizes[{i}].cash"] = "is required for a cash red packet"
        if prize.kind != CASH and prize.cash is not None:
            problems[f"prizes[{i}].cash"] = "only cash red packets have a cash amount"
    if not prizes:
        problems["prizes"] = "must name at least one prize"
    elif sum(p.weight for p in prizes) + no_prize_weight <= 0:
        problems["prizes"] = "the weights (with no_prize_weight) must add up to more than 0"
    return problems


# The odds in force -----------------------------------------------------------------------


class Chance(Struct, frozen=True):
    """One outcome's interval width: a prize (``prize_id``) or no prize (``None``)."""

    prize_id: str | None
    weight: int  # in force: 0 for a prize out of stock


class Odds(Struct, frozen=True):
    """The odds in force for one draw: every prize in pool order, then "no prize"."""

    total: int
    chances: tuple[Chance, ...]

    def weight_of(self, prize_id: str | None) -> int:
        return next((c.weight for c in self.chances if c.prize_id == prize_id), 0)

    def text(self, prize_id: str | None) -> str:
        return odds_text(self.weight_of(prize_id), self.total)

    def as_json(self) -> list[dict[str, Any]]:
        """As recorded with each draw and shown to auditors: weights and odds strings."""
        return [
            {"prize_id": c.prize_id, "weight": c.weight, "odds": odds_text(c.weight, self.total)}
            for c in self.chances
        ]

    @classmethod
    def from_json(cls, chances: Sequence[Mapping[str, Any]]) -> Odds:
        parsed = tuple(Chance(c["prize_id"], int(c["weight"])) for c in chances)
        return cls(sum(c.weight for c in parsed), parsed)


def odds_text(weight: int, total: int) -> str:
    """A probability as a decimal string with 6 places (half-even), e.g. ``"0.012500"``."""
    if total <= 0:
        return "0.000000"
    return str((Decimal(weight) / Decimal(total)).quantize(ODDS_PLACES, ROUND_HALF_EVEN))


def odds_in_force(
    prizes: Sequence[Prize], no_prize_weight: int, stocks: Mapping[str, int | None]
) -> Odds:
    """The odds given the stock now: a prize whose stock is 0 gives its weight to no prize.

    ``stocks`` maps the limited prizes' ids to their stock (a limited prize missing from it
    counts as out of stock; an unlimited prize is not looked up)."""
    chances: list[Chance] = []
    gone = 0
    for prize in prizes:
        if prize.limited and (stocks.get(prize.prize_id) or 0) <= 0:
            chances.append(Chance(prize.prize_id, 0))
            gone += prize.weight
        else:
            chances.append(Chance(prize.prize_id, prize.weight))
    chances.append(Chance(NO_PRIZE, no_prize_weight + gone))
    return Odds(sum(c.weight for c in chances), tuple(chances))


def pick(odds: Odds, r: int) -> str | None:
    """The outcome of the uniform integer ``r`` in ``[0, odds.total)``: a prize id or None."""
    if not 0 <= r < odds.total:
        raise ValueError(f"r must be in [0, {odds.total}), got {r}")
    upper = 0
    for chance in odds.chances:
        upper += chance.weight
        if r < upper:
            return chance.prize_id
    raise AssertionError("unreachable: the weights add up to the total")  # pragma: no cover


def draw(odds: Odds, randbelow: Callable[[int], int] = secrets.randbelow) -> tuple[int, str | None]:
    """One draw: ``(r, outcome)`` with ``r`` from the CSPRNG (the value the record keeps)."""
    r = randbelow(odds.total)
    return r, pick(odds, r)


def expected_units(weight: int, total: int) -> int:
    """A probability as an integer in units of 1/EXPECTED_SCALE (rounded half up), so the
    stats counters can add up each draw's odds in force exactly (DynamoDB numbers)."""
    return (weight * EXPECTED_SCALE * 2 + total) // (2 * total)


# A limited prize's stock in shards (issue 23). A campaign is built for PEAK_DRAWS draws/s; a
# win writes its stock item (2 WCU in the draw's transaction), and a shard, a partition of its
# own, is given SHARD_WINS wins/s (500 WCU/s: half a partition's 1 000, room for the shards
# that run out first). A prize won in 18 % of draws gets 4 shards (450 WCU/s each at 5 000
# draws/s); one won in ≤ 5 % keeps its stock on one item, as before issue 23.
PEAK_DRAWS = 5_000
SHARD_WINS = 250
MAX_STOCK_SHARDS = 20


def stock_shards(weight: int, total_weight: int, stock: int) -> int:
    """The shards a limited prize's ``stock`` is split over: enough for its wins at
    ``PEAK_DRAWS`` with all prizes in stock (odds ``weight / total_weight``), at most
    ``MAX_STOCK_SHARDS`` and never more than its units (each shard holds one at least).
    1: unsharded (the stock on the prize's own item)."""
    if total_weight <= 0 or stock <= 1:
        return 1
    wanted = -(-PEAK_DRAWS * weight // (total_weight * SHARD_WINS))
    return max(1, min(wanted, MAX_STOCK_SHARDS, stock))


def fit_shards(wanted: Mapping[str, int], room: int) -> dict[str, int]:
    """``wanted`` shards per prize cut down, the most sharded first, until their items fit in
    ``room`` (a sharded prize needs one item per shard, an unsharded one none beyond its own):
    what one transaction (at most 100 items) can write with the rest of the campaign."""
    shards = dict(wanted)
    while sum(k for k in shards.values() if k > 1) > max(room, 0):
        top = max(shards, key=lambda prize_id: (shards[prize_id], prize_id))
        shards[top] -= 1
    return shards


def note(picked: Prize | None, awarded: Prize | None) -> str | None:
    """A draw's note: ``STOCK_RAN_OUT`` when the prize ``r`` picked was gone at write time."""
    return STOCK_RAN_OUT if picked is not None and awarded is None else None


def new_draw_id(now: datetime) -> str:
    """Time-ordered and unguessable, like the mall's order ids."""
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"d{stamp}-{secrets.token_hex(4)}"


def cash_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def cents_text(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


# Statistics: Pearson's chi-square and its p-value ------------------------------------------


def chi_square(observed: Sequence[int], expected: Sequence[float]) -> tuple[float, int]:
    """Pearson's statistic and its degrees of freedom over the categories that could occur
    (expected > 0). An outcome observed where none was expected makes the statistic inf."""
    if len(observed) != len(expected):
        raise ValueError("observed and expected need the same categories")
    statistic = 0.0
    categories = 0
    for o, e in zip(observed, expected, strict=True):
        if e <= 0:
            if o > 0:
                return math.inf, max(categories - 1, 0)
            continue
        categories += 1
        statistic += (o - e) ** 2 / e
    return statistic, max(categories - 1, 0)


def chi_square_p_value(statistic: float, df: int) -> float:
    """P(X >= statistic) for X ~ chi-square(df): the regularized upper gamma Q(df/2, x/2)."""
    if df <= 0:
        return 1.0
    if math.isinf(statistic):
        return 0.0
    return regularized_gamma_q(df / 2, statistic / 2)


def regularized_gamma_q(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a), the regularized upper incomplete gamma function.

    The series of P(a, x) where it converges fast (x < a + 1), else the continued fraction
    of Q(a, x) evaluated with the modified Lentz method (Numerical Recipes §6.2)."""
    if a <= 0:
        raise ValueError("a must be positive")
    if x < 0:
        raise ValueError("x must not be negative")
    if x == 0:
        return 1.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        n = a
        for _ in range(10_000):
            n += 1
            term *= x / n
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return min(1.0, math.exp(log_prefix) * h)
