"""The leaderboard's query: which period (this month by default, or this year)."""

from __future__ import annotations

from shared.domain.leaderboard import PERIODS
from shared.requests import Body
from shared.validation import Choice

LEADERBOARD_QUERY = Body({"period": Choice(PERIODS, required=False, default="month")})
