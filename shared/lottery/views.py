"""The lottery's JSON views, rendered from domain values: a campaign as operators and as
members see it, the body of a draw, and a recorded draw as auditors see it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.domain import lottery as domain
from shared.domain import mall as mall_rules
from shared.domain.calendar import iso_local
from shared.domain.lottery import Lottery, Odds, Prize
from shared.domain.rules import Rules
from shared.dynamodb.lottery import Draw, State


def _local(at: datetime | None, rules: Rules) -> str | None:
    return iso_local(at, rules.zone) if at else None


def prize_view(prize: Prize, state: State, odds: Odds) -> dict[str, Any]:
    """A prize as members see it: its odds in force and its stock."""
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


def admin_view(state: State, now: datetime, rules: Rules) -> dict[str, Any]:
    """The campaign as operators see it: the definition, the stock, the odds in force."""
    lottery = state.lottery
    odds = state.odds()
    prizes = []
    for prize in lottery.prizes:
        view = prize_view(prize, state, odds)
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
        **targeting(lottery),
        "ver": lottery.ver,
        "created_at": _local(state.created_at, rules),
        "updated_at": _local(state.updated_at, rules),
        "updated_by": state.updated_by,
    }


def targeting(lottery: Lottery) -> dict[str, Any]:
    """Who may draw and the extra draws purchases earn (null: everyone, none)."""
    extra = lottery.extra_draws
    return {
        **lottery.target.to_json(),
        "extra_draws": extra.as_json() if extra is not None else None,
    }


def member_view(
    state: State, drawn_today: int, rules: Rules, extra_left: int = 0
) -> dict[str, Any]:
    """An open campaign as members see it, with the draws they have left today and the
    extra draws (earned by spend) they have left."""
    lottery = state.lottery
    odds = state.odds()
    return {
        "lottery_id": lottery.lottery_id,
        "name": lottery.name,
        "cost": lottery.cost,
        "starts_at": iso_local(lottery.starts_at, rules.zone),
        "ends_at": iso_local(lottery.ends_at, rules.zone),
        "daily_limit": lottery.daily_limit,
        "draws_left_today": domain.draws_left(lottery.daily_limit, drawn_today),
        "prizes": [prize_view(p, state, odds) for p in lottery.prizes],
        "no_prize_odds": odds.text(domain.NO_PRIZE),
        **targeting(lottery),
        "extra_draws_left": extra_left,
    }


def draw_response(
    lottery: Lottery,
    draw_id: str,
    at: datetime,
    prize: Prize | None,
    note: str | None,
    rules: Rules,
    order_id: str | None,
    coupon: tuple[str, date] | None,
    *,
    extra: bool = False,
) -> dict[str, Any]:
    """The 201 body of a draw (also kept for its Idempotency-Key and the audit); an extra
    draw earned by spend costs nothing and says so."""
    body: dict[str, Any] = {
        "draw_id": draw_id,
        "lottery_id": lottery.lottery_id,
        "cost": 0 if extra else lottery.cost,
        "at": iso_local(at, rules.zone),
        "prize": None,
    }
    if extra:
        body["extra"] = True
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


def draw_view(draw: Draw, rules: Rules) -> dict[str, Any]:
    """A recorded draw as auditors see it: the random value, the odds in force, the outcome."""
    return {
        "draw_id": draw.draw_id,
        "lottery_id": draw.lottery_id,
        "lottery_ver": draw.lottery_ver,
        "member_id": draw.member_id,
        "at": _local(draw.at, rules),
        "cost": draw.cost,
        "random": draw.random,
        "total_weight": draw.total_weight,
        "odds": draw.odds,
        "picked": draw.picked,
        "outcome": draw.outcome,
        "note": draw.note,
        "prize": draw.prize,
    }
