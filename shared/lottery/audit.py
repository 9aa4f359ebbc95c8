"""Operators audit the points lottery: every draw, newest first
(``GET /v1/admin/lotteries/{lottery_id}/draws``) and the stats, observed vs published odds
with a chi-square test (``GET /v1/admin/lotteries/{lottery_id}/stats``)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from shared import programme
from shared.domain import lottery as domain
from shared.domain.lottery import Prize
from shared.dynamodb import lottery as repo
from shared.lottery.views import draw_view


def admin_draws(lottery_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """``GET /v1/admin/lotteries/{lottery_id}/draws``: every draw, newest first."""
    repo.existing(lottery_id)
    rules = programme.current()
    draws, next_cursor = repo.draws_page(lottery_id, limit, cursor)
    return {"items": [draw_view(d, rules) for d in draws], "next_cursor": next_cursor}


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
    state, totals = repo.with_stats(lottery_id)
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
