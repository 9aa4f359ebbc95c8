"""Use cases of the points lottery (SPEC §6): campaigns and prize pools, the published odds,
atomic draws, gift prizes' delivery address, and the operators' audit (draws and stats).

Rules live in ``shared.domain.lottery``; every write is one conditional transaction in
``shared.dynamodb.lottery``. See docs/decisions.md "Points lottery" for the choices made.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from msgspec import Struct

from shared import programme
from shared.clock import utc_iso
from shared.domain import ledger as kinds
from shared.domain import lottery as domain
from shared.domain import mall as mall_rules
from shared.domain.calendar import iso_local, local_date
from shared.domain.ledger import Credit, Debit
from shared.domain.lots import expiry_date
from shared.domain.lottery import Lottery, Odds, Prize
from shared.domain.rules import Rules
from shared.dynamodb import catalog as catalog_repo
from shared.dynamodb import idempotency
from shared.dynamodb import lottery as repo
from shared.dynamodb import orders as orders_repo
from shared.dynamodb.models import DrawItem, as_plain
from shared.errors import (
    Contention,
    Invalid,
    LotteryNotFound,
    NotAvailable,
    OrderNotFound,
)

ATTEMPTS = 5
COST_SOURCE, PRIZE_SOURCE = "lottery", "lottery-prize"  # ledger sources (refs: the draw id)
COUNTER_DAYS = 2  # a daily counter is kept this long after its day (then TTL deletes it)


def _local(value_utc: str | None, rules: Rules) -> str | None:
    return iso_local(datetime.fromisoformat(value_utc), rules.zone) if value_utc else None


# Operators: the campaign ------------------------------------------------------------------


class PrizeSpec(Struct, frozen=True):
    """One prize of an operator's ``PUT /v1/admin/lotteries/{lottery_id}``."""

    prize_id: str
    name: str
    kind: str
    weight: int
    stock: int | None = None  # None: unlimited
    points: int | None = None
    item_id: str | None = None
    cash: Decimal | None = None


class Definition(Struct, frozen=True):
    """An operator's ``PUT /v1/admin/lotteries/{lottery_id}``."""

    name: str
    starts_at: datetime
    ends_at: datetime
    prizes: tuple[PrizeSpec, ...]
    cost: int | None = None  # None: the programme's default (50)
    daily_limit: int | None = None  # None: no daily limit
    no_prize_weight: int = 0


def _invalid(problems: dict[str, str]) -> Invalid:
    return Invalid("invalid fields: " + ", ".join(sorted(problems)), details={"fields": problems})


def _prize(spec: PrizeSpec, index: int, problems: dict[str, str]) -> Prize:
    """The pool's prize; a coupon or gift takes its catalog item's kind and validity."""
    valid_days = None
    if spec.kind in (domain.COUPON, domain.GIFT) and spec.item_id is not None:
        item = catalog_repo.get(spec.item_id)
        wanted = mall_rules.COUPON if spec.kind == domain.COUPON else mall_rules.GIFT
        if item is None:
            problems[f"prizes[{index}].item_id"] = "is not a catalog item"
        elif item.kind != wanted:
            problems[f"prizes[{index}].item_id"] = f"must be a catalog item of kind {wanted}"
        elif spec.kind == domain.COUPON and item.coupon_valid_days is not None:
            valid_days = int(item.coupon_valid_days)
    return Prize(
        prize_id=spec.prize_id,
        name=spec.name,
        kind=spec.kind,
        weight=spec.weight,
        limited=spec.stock is not None,
        points=spec.points,
        item_id=spec.item_id,
        cash=spec.cash,
        valid_days=valid_days,
    )


def put_lottery(
    lottery_id: str, d: Definition, now: datetime, actor: str | None
) -> tuple[dict[str, Any], bool]:
    """Create or replace a campaign (stock set as given). Returns (stored view, created)."""
    rules = programme.current()
    problems: dict[str, str] = {}
    prizes = tuple(_prize(spec, i, problems) for i, spec in enumerate(d.prizes))
    problems.update(domain.definition_problems(prizes, d.no_prize_weight, d.starts_at, d.ends_at))
    if problems:
        raise _invalid(problems)
    lottery = Lottery(
        lottery_id=lottery_id,
        name=d.name,
        cost=d.cost if d.cost is not None else rules.lottery_default_cost,
        starts_at=d.starts_at,
        ends_at=d.ends_at,
        prizes=prizes,
        no_prize_weight=d.no_prize_weight,
        daily_limit=d.daily_limit,
    )
    stocks = {s.prize_id: s.stock for s in d.prizes if s.stock is not None}
    state, created = repo.put(lottery, stocks, now, actor)
    return admin_view(state, now, rules), created


def _state(lottery_id: str) -> repo.State:
    state = repo.load(lottery_id)
    if state is None:
        raise LotteryNotFound(f"no lottery {lottery_id!r}")
    return state


def admin_lottery(lottery_id: str, now: datetime) -> dict[str, Any]:
    return admin_view(_state(lottery_id), now, programme.current())


def admin_lotteries(limit: int, cursor: str | None, now: datetime) -> dict[str, Any]:
    """``GET /v1/admin/lotteries``: every campaign as operators see it, latest end first."""
    rules = programme.current()
    entries, next_cursor = repo.entries_page(limit, cursor)
    states = (repo.load(e.lottery_id) for e in entries)
    items = [admin_view(s, now, rules) for s in states if s is not None]
    return {"items": items, "next_cursor": next_cursor}


def admin_view(state: repo.State, now: datetime, rules: Rules) -> dict[str, Any]:
    """The campaign as operators see it: the definition, the stock, the odds in force."""
    lottery, item = state.lottery, state.item
    odds = state.odds()
    prizes = []
    for prize in lottery.prizes:
        view = _prize_view(prize, state, odds)
        view.update(weight=prize.weight, stocked=state.stocked.get(prize.prize_id))
        if prize.item_id is not None:
            view["item_id"] = prize.item_id
        if prize.valid_days is not None:
            view["coupon_valid_days"] = prize.valid_days
        prizes.append(view)
    return {
        "lottery_id": lottery.lottery_id,
        "name": lottery.name,
        "cost": lottery.cost,
        "daily_limit": lottery.daily_limit,
        "starts_at": iso_local(lottery.starts_at, rules.zone),
        "ends_at": iso_local(lottery.ends_at, rules.zone),
        "open": domain.is_open(lottery, now),
        "no_prize_weight": lottery.no_prize_weight,
        "no_prize_odds": odds.text(domain.NO_PRIZE),
        "total_weight": odds.total,
        "prizes": prizes,
        "ver": lottery.ver,
        "created_at": _local(item.created_at, rules),
        "updated_at": _local(item.updated_at, rules),
        "updated_by": item.updated_by,
    }


# Members: the published odds --------------------------------------------------------------


def _prize_view(prize: Prize, state: repo.State, odds: Odds) -> dict[str, Any]:
    view: dict[str, Any] = {
        "prize_id": prize.prize_id,
        "name": prize.name,
        "kind": prize.kind,
        "odds": odds.text(prize.prize_id),
        "stock": state.stock_of(prize),
    }
    if prize.points is not None:
        view["points"] = prize.points
    if prize.cash is not None:
        view["cash"] = str(prize.cash)
    return view


def active_lotteries(member_id: str, now: datetime) -> dict[str, Any]:
    """``GET /v1/lotteries``: campaigns open now, each prize's odds in force and stock, and
    how many draws the member has left today."""
    rules = programme.current()
    today = local_date(now, rules.zone)
    now_utc = utc_iso(now)
    entries = [e for e in repo.live_entries(now_utc) if e.starts_at <= now_utc]
    drawn = repo.drawn_today(member_id, today) if entries else {}
    items = []
    for entry in sorted(entries, key=lambda e: e.lottery_id):
        state = repo.load(entry.lottery_id)
        if state is None or not domain.is_open(state.lottery, now):
            continue  # the listing lags a replace by nothing, but be safe
        lottery = state.lottery
        odds = state.odds()
        items.append(
            {
                "lottery_id": lottery.lottery_id,
                "name": lottery.name,
                "cost": lottery.cost,
                "starts_at": iso_local(lottery.starts_at, rules.zone),
                "ends_at": iso_local(lottery.ends_at, rules.zone),
                "daily_limit": lottery.daily_limit,
                "draws_left_today": domain.draws_left(
                    lottery.daily_limit, drawn.get(lottery.lottery_id, 0)
                ),
                "prizes": [_prize_view(p, state, odds) for p in lottery.prizes],
                "no_prize_odds": odds.text(domain.NO_PRIZE),
            }
        )
    return {"items": items}


# Members: a draw --------------------------------------------------------------------------


class DrawRequest(Struct, frozen=True):
    """A member's draw in a lottery."""

    member_id: str
    lottery_id: str
    idempotency_key: str | None = None
    body: dict[str, Any] | None = None  # fingerprinted with the key


def _response(
    lottery: Lottery,
    draw_id: str,
    at: datetime,
    prize: Prize | None,
    note: str | None,
    rules: Rules,
    order_id: str | None,
    coupon: tuple[str, date] | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "draw_id": draw_id,
        "lottery_id": lottery.lottery_id,
        "cost": lottery.cost,
        "at": iso_local(at, rules.zone),
        "prize": None,
    }
    if note is not None:
        body["note"] = note
    if prize is None:
        return body
    won: dict[str, Any] = {"prize_id": prize.prize_id, "name": prize.name, "kind": prize.kind}
    if prize.points is not None:
        won["points"] = prize.points
    if prize.cash is not None:
        won["cash"] = str(prize.cash)
        won["currency"] = rules.currency
    if order_id is not None:
        won["order_id"] = order_id
        won["order_status"] = (
            mall_rules.ISSUED if prize.kind == domain.COUPON else mall_rules.AWAITING_ADDRESS
        )
    if coupon is not None:
        won["coupon"] = {"code": coupon[0], "expires_on": coupon[1].isoformat()}
    body["prize"] = won
    return body


def _plan(
    cmd: DrawRequest,
    lottery: Lottery,
    odds: Odds,
    r: int,
    picked: Prize | None,
    prize: Prize | None,
    draw_id: str,
    now: datetime,
    rules: Rules,
    request: idempotency.Key | None,
) -> repo.DrawPlan:
    today = local_date(now, rules.zone)
    debit = Debit(
        member_id=cmd.member_id,
        type=kinds.LOTTERY_COST,
        source=COST_SOURCE,
        ref=draw_id,
        points=lottery.cost,
        at=now,
        description=f"Lottery draw: {lottery.name}",
    )
    credit = None
    if prize is not None and prize.kind == domain.POINTS and prize.points:
        credit = Credit(
            member_id=cmd.member_id,
            type=kinds.LOTTERY_PRIZE,
            source=PRIZE_SOURCE,
            ref=draw_id,
            points=prize.points,
            at=now + timedelta(microseconds=1),  # listed after the cost it follows
            earned_on=today,
            expires_on=expiry_date(today, rules.validity),
            description=f"Lottery prize: {prize.name} ({lottery.name})",
        )
    order_id = coupon_code = coupon_expires_on = None
    if prize is not None and prize.kind in (domain.COUPON, domain.GIFT):
        order_id = mall_rules.new_order_id(now)
    if prize is not None and prize.kind == domain.COUPON:
        coupon_code = mall_rules.new_coupon_code()
        coupon_expires_on = mall_rules.coupon_expires_on(today, prize.valid_days)
    note = domain.STOCK_RAN_OUT if picked is not None and prize is None else None
    coupon = (coupon_code, coupon_expires_on) if coupon_code and coupon_expires_on else None
    response = _response(lottery, draw_id, now, prize, note, rules, order_id, coupon)
    day_end = datetime.combine(today + timedelta(days=1 + COUNTER_DAYS), datetime.min.time())
    return repo.DrawPlan(
        member_id=cmd.member_id,
        lottery=lottery,
        draw_id=draw_id,
        at=now,
        today=today,
        counter_ttl=int(day_end.replace(tzinfo=rules.zone).timestamp()),
        odds=odds,
        random=r,
        picked=picked,
        prize=prize,
        debit=debit,
        response=response,
        credit=credit,
        order_id=order_id,
        coupon_code=coupon_code,
        coupon_expires_on=coupon_expires_on,
        currency=rules.currency,
        request=request,
    )


def draw(
    cmd: DrawRequest, now: datetime, randbelow: Callable[[int], int] = secrets.randbelow
) -> tuple[int, dict[str, Any]]:
    """``POST /v1/lotteries/{lottery_id}/draws``: one transaction debits the cost, takes the
    prize's stock, counts the daily limit, records the draw and hands out the prize (and
    keeps the Idempotency-Key's response). Returns (status, body).

    The random value is drawn ONCE, from the odds in force when the campaign was read. If the
    picked prize ran out before the write, this draw wins nothing (written in a second
    transaction, the member still pays and the record keeps the odds and a note): drawing
    again would favour the other outcomes. ``randbelow`` is the CSPRNG (tests inject one)."""
    rules = programme.current()
    request = (
        idempotency.Key(
            cmd.member_id,
            cmd.idempotency_key,
            idempotency.fingerprint(
                "POST", f"/v1/lotteries/{cmd.lottery_id}/draws", cmd.body or {}
            ),
        )
        if cmd.idempotency_key
        else None
    )
    try:
        state = _state(cmd.lottery_id)
        if not domain.is_open(state.lottery, now):
            raise NotAvailable(
                f"{state.lottery.name} is not open now",
                details={
                    "starts_at": iso_local(state.lottery.starts_at, rules.zone),
                    "ends_at": iso_local(state.lottery.ends_at, rules.zone),
                },
            )
    except (LotteryNotFound, NotAvailable):
        # A repeat of a request that succeeded gets its first response, whatever now.
        replay = idempotency.find(request, now) if request else None
        if replay is not None:
            return replay.status, replay.body
        raise
    lottery = state.lottery
    odds = state.odds()
    r, outcome = domain.draw(odds, randbelow)
    picked = lottery.prize(outcome)
    prize = picked
    draw_id = domain.new_draw_id(now)
    for _ in range(ATTEMPTS):
        plan = _plan(cmd, lottery, odds, r, picked, prize, draw_id, now, rules, request)
        try:
            replay = repo.record(plan, rules)
        except repo.PrizeGone:
            prize = None  # the odds just changed under this draw: it wins nothing
            continue
        except repo.Stale:
            draw_id = domain.new_draw_id(now)  # a random id was taken: same draw, new ids
            continue
        if replay is not None:
            return replay.status, replay.body
        return 201, plan.response
    raise Contention("the lottery keeps changing; retry the request")


# Members: a won gift's delivery address ---------------------------------------------------


def give_delivery_address(
    member_id: str, order_id: str, delivery: dict[str, str], now: datetime
) -> dict[str, Any]:
    """A gift won in the lottery waits for its delivery address; giving it places the order
    (pickup orders get their one-time code). Giving the same address again answers the
    same; an order that is not waiting for an address cannot take one (409)."""
    from shared.mall import order_view  # the mall's order view (only this route needs it)

    rules = programme.current()
    for _ in range(ATTEMPTS):
        order = orders_repo.get(member_id, order_id)
        if order is None:
            raise OrderNotFound(f"you have no order {order_id!r}")
        if order.status != mall_rules.AWAITING_ADDRESS:
            if as_plain(order.delivery) == delivery:
                return order_view(order, now, rules)
            mall_rules.check_transition(
                order.status, mall_rules.PLACED, frozenset({mall_rules.AWAITING_ADDRESS})
            )
        fields: dict[str, Any] = {"delivery": delivery}
        if delivery.get("method") == mall_rules.PICKUP:
            fields["pickup_code"] = mall_rules.new_pickup_code()
        if orders_repo.move(order, mall_rules.PLACED, now, **fields):
            return order_view(order, now, rules)
    raise Contention("the order keeps changing; retry the request")


# Operators: the audit ---------------------------------------------------------------------


def draw_view(item: DrawItem, rules: Rules) -> dict[str, Any]:
    response = json.loads(item.response)
    return {
        "draw_id": item.draw_id,
        "lottery_id": item.lottery_id,
        "lottery_ver": int(item.lottery_ver),
        "member_id": item.member_id,
        "at": _local(item.at, rules),
        "cost": int(item.cost),
        "random": int(item.random),
        "total_weight": int(item.total_weight),
        "odds": json.loads(item.odds),
        "picked": item.picked,
        "outcome": item.outcome,
        "note": item.note,
        "prize": response.get("prize"),
    }


def admin_draws(lottery_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """``GET /v1/admin/lotteries/{lottery_id}/draws``: every draw, newest first."""
    _state(lottery_id)
    rules = programme.current()
    items, next_cursor = repo.draws_page(lottery_id, limit, cursor)
    return {"items": [draw_view(i, rules) for i in items], "next_cursor": next_cursor}


def _frequency(units: int, scale: int) -> str:
    if scale <= 0:
        return "0.000000"
    return str((Decimal(units) / Decimal(scale)).quantize(domain.ODDS_PLACES, ROUND_HALF_EVEN))


def admin_stats(lottery_id: str, now: datetime) -> dict[str, Any]:
    """``GET /v1/admin/lotteries/{lottery_id}/stats``: draws, points taken in, prizes out
    per prize, observed vs published frequency, and a chi-square test of the two.

    O(prizes): the counters are kept by the draws themselves (``STATS_SHARDS`` shards). The
    expected count of an outcome is the sum over the draws of its odds in force at each draw,
    so a prize that ran out mid-campaign is judged against the odds members were shown."""
    state, shards = repo.load_with_stats(lottery_id)
    if state is None:
        raise LotteryNotFound(f"no lottery {lottery_id!r}")
    totals = repo.Totals.of(shards)
    odds = state.odds()
    scale = domain.EXPECTED_SCALE
    outcomes: list[tuple[str | None, Prize | None]] = [
        (p.prize_id, p) for p in state.lottery.prizes
    ]
    outcomes.append((domain.NO_PRIZE, None))
    known = {p.prize_id for p in state.lottery.prizes} | {repo.NONE_KEY}
    retired = sorted((set(totals.won) | set(totals.expected)) - known)
    outcomes += [(prize_id, None) for prize_id in retired]
    rows = []
    observed: list[int] = []
    expected: list[float] = []
    for prize_id, prize in outcomes:
        key = prize_id or repo.NONE_KEY
        won, units = totals.won.get(key, 0), totals.expected.get(key, 0)
        observed.append(won)
        expected.append(units / scale)
        row: dict[str, Any] = {
            "prize_id": prize_id,
            "name": prize.name if prize else None,
            "kind": prize.kind if prize else None,
            "won": won,
            "observed_frequency": _frequency(won, totals.draws),
            "expected_frequency": _frequency(units, scale * totals.draws),
            "expected": str((Decimal(units) / scale).quantize(Decimal("0.01"))),
            "published_odds": odds.text(prize_id),  # in force now (0 once retired)
        }
        if prize is not None:
            row["stock"] = state.stock_of(prize)
            if prize.points is not None:
                row["points_out"] = won * prize.points
        rows.append(row)
    chi = None
    if totals.draws:
        statistic, df = domain.chi_square(observed, expected)
        p_value = domain.chi_square_p_value(statistic, df)
        chi = {"statistic": f"{statistic:.4f}", "df": df, "p_value": f"{p_value:.6f}"}
    return {
        "lottery_id": state.lottery.lottery_id,
        "name": state.lottery.name,
        "open": domain.is_open(state.lottery, now),
        "draws": totals.draws,
        "points_in": totals.points_in,
        "points_out": totals.points_out,
        "cash_out": domain.cents_text(totals.cash_out_cents),
        "currency": programme.current().currency,
        "stock_fallbacks": totals.fallbacks,
        "outcomes": rows,
        "chi_square": chi,
    }
