"""Members and the points lottery: the open campaigns with their published odds
(``GET /v1/lotteries``) and atomic draws (``POST /v1/lotteries/{lottery_id}/draws``)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from msgspec import Struct

from shared import programme
from shared.clock import utc_iso
from shared.domain import ledger as kinds
from shared.domain import lottery as domain
from shared.domain import mall as mall_rules
from shared.domain.calendar import iso_local, local_date
from shared.domain.ledger import Debit
from shared.domain.lottery import Lottery, Odds, Prize
from shared.domain.rules import Rules
from shared.dynamodb import extra_draws as extra_draws_repo
from shared.dynamodb import idempotency
from shared.dynamodb import lottery as repo
from shared.dynamodb import lottery_draws as draws_repo
from shared.errors import LotteryNotFound, NotAvailable
from shared.lottery import prizes
from shared.lottery.views import draw_response, member_view
from shared.replan import until_done

COST_SOURCE = "lottery"  # the ledger source of a draw's cost (ref: the draw id)
COUNTER_DAYS = 2  # a daily counter is kept this long after its day (then TTL deletes it)


def active_lotteries(member_id: str, now: datetime) -> dict[str, Any]:
    """``GET /v1/lotteries``: campaigns open now, each prize's odds in force and stock, and
    how many draws the member has left today."""
    rules = programme.current()
    today = local_date(now, rules.zone)
    now_utc = utc_iso(now)
    entries = [e for e in repo.live_entries(now_utc) if e.starts_at <= now_utc]
    drawn = repo.drawn_today(member_id, today) if entries else {}
    states = [repo.load(e.lottery_id) for e in sorted(entries, key=lambda e: e.lottery_id)]
    open_now = [s for s in states if s is not None and domain.is_open(s.lottery, now)]
    extra = extra_draws_repo.left(member_id) if open_now else {}  # earned ones stay usable
    items = [
        member_view(
            s, drawn.get(s.lottery.lottery_id, 0), rules, extra.get(s.lottery.lottery_id, 0)
        )
        for s in open_now
    ]
    return {"items": items}


class DrawRequest(Struct, frozen=True):
    """A member's draw in a lottery."""

    member_id: str
    lottery_id: str
    idempotency_key: str | None = None
    body: dict[str, Any] | None = None  # fingerprinted with the key
    extra: bool = False  # use an extra draw earned by spend (no cost, no daily limit)


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
    stock_shard: int | None = None,
) -> draws_repo.DrawPlan:
    today = local_date(now, rules.zone)
    debit = Debit(
        member_id=cmd.member_id,
        type=kinds.LOTTERY_COST,
        source=COST_SOURCE,
        ref=draw_id,
        points=lottery.cost,
        at=now,
        **kinds.wording("lottery_cost", {"lottery": lottery.name}),
    )
    won = prizes.award(cmd.member_id, lottery, prize, draw_id, now, today, rules)
    note = domain.note(picked, prize)
    response = draw_response(
        lottery, draw_id, now, prize, note, rules, won.order_id, won.coupon, extra=cmd.extra
    )
    day_end = datetime.combine(today + timedelta(days=1 + COUNTER_DAYS), datetime.min.time())
    return draws_repo.DrawPlan(
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
        award=won,
        currency=rules.currency,
        request=request,
        extra=cmd.extra,
        stock_shard=stock_shard,
    )


def _open(cmd: DrawRequest, now: datetime, rules: Rules) -> repo.State:
    """The campaign (a copy read in the last seconds will do: the draw's write checks its
    version), refused when it does not exist or is not open now — on a fresh read only."""
    state, fresh = repo.cached(cmd.lottery_id)
    if not fresh and (state is None or not domain.is_open(state.lottery, now)):
        repo.forget(cmd.lottery_id)
        state, fresh = repo.cached(cmd.lottery_id)
    if state is None:
        raise LotteryNotFound(f"no lottery {cmd.lottery_id!r}")
    if not domain.is_open(state.lottery, now):
        raise NotAvailable(
            f"{state.lottery.name} is not open now",
            details={
                "starts_at": iso_local(state.lottery.starts_at, rules.zone),
                "ends_at": iso_local(state.lottery.ends_at, rules.zone),
            },
        )
    return state


def draw(
    cmd: DrawRequest, now: datetime, randbelow: Callable[[int], int] = secrets.randbelow
) -> tuple[int, dict[str, Any]]:
    """``POST /v1/lotteries/{lottery_id}/draws``: one transaction debits the cost, takes the
    prize's stock, counts the daily limit, records the draw and hands out the prize (and
    keeps the Idempotency-Key's response). Returns (status, body).

    The random value is drawn ONCE, from the odds in force when the campaign was read. If the
    picked prize ran out before the write, this draw wins nothing (written in a second
    transaction, the member still pays and the record keeps the odds and a note): drawing
    again would favour the other outcomes, whereas "no prize" is what the odds without that
    prize give it. Only a campaign edited since the copy the draw used (its write refused,
    whatever the outcome) is read and drawn again. ``randbelow`` is the CSPRNG (tests inject
    one)."""
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
    return until_done(_Draw(cmd, now, rules, request, randbelow).attempt, "lottery")


class _Draw:
    """One draw's attempts: the campaign as read and the outcome drawn carry to the next
    attempt, until the campaign proves edited (then both are read and drawn anew)."""

    def __init__(
        self,
        cmd: DrawRequest,
        now: datetime,
        rules: Rules,
        request: idempotency.Key | None,
        randbelow: Callable[[int], int],
    ) -> None:
        self.cmd, self.now, self.rules, self.request = cmd, now, rules, request
        self.randbelow = randbelow
        self.lottery: Lottery | None = None  # None: read the campaign and draw
        self.odds = Odds(0, ())
        self.r = 0
        self.picked: Prize | None = None
        self.prize: Prize | None = None
        self.draw_id = ""
        self.shards: tuple[int, ...] = ()  # a sharded prize picked: its shards' stock as read
        self.refused: set[int] = set()  # ... and those that refused this draw
        self.shard: int | None = None  # the shard the next write takes from

    def _read_and_draw(self) -> tuple[int, dict[str, Any]] | None:
        cmd, now = self.cmd, self.now
        try:
            state = _open(cmd, now, self.rules)
        except (LotteryNotFound, NotAvailable):
            # A repeat of a request that succeeded gets its first response, whatever now.
            replay = idempotency.find(self.request, now) if self.request else None
            if replay is not None:
                return replay.status, replay.body
            raise
        self.lottery, self.odds = state.lottery, state.odds()
        self.r, outcome = domain.draw(self.odds, self.randbelow)
        self.picked = self.prize = self.lottery.prize(outcome)
        self.draw_id = domain.new_draw_id(now)
        self.shards = state.shard_stocks.get(outcome, ()) if outcome is not None else ()
        self.refused = set()
        self.shard = self._next_shard()
        return None

    def _next_shard(self) -> int | None:
        """A random shard of the picked prize that held stock when read, has not refused
        this draw, nor any draw of this process lately (``repo.empty_shards``); once none is
        left, the shards as read now (one BatchGetItem). None: the prize is not sharded, or
        no shard holds a unit. A shard read empty is empty: stock only falls between edits,
        and an edit refuses the draw anyway."""
        count = len(self.shards)
        if not count:
            return None
        assert self.lottery is not None and self.picked is not None
        ids = (self.lottery.lottery_id, self.picked.prize_id)
        out = self.refused | {k for k, stock in enumerate(self.shards) if stock <= 0}
        shard = mall_rules.shard_to_try(count, out | repo.empty_shards(*ids), random.choice)
        if shard is not None:
            return shard
        self.shards = repo.prize_shard_stocks(*ids, count)
        empty = {k for k, stock in enumerate(self.shards) if stock <= 0}
        repo.remember_empty(*ids, empty)
        return mall_rules.shard_to_try(count, self.refused | empty, random.choice)

    def _refused(self, shard: int) -> None:
        assert self.lottery is not None and self.picked is not None
        ids = (self.lottery.lottery_id, self.picked.prize_id)
        self.refused.add(shard)
        repo.remember_empty(*ids, repo.empty_shards(*ids) | {shard})

    def attempt(self) -> tuple[int, dict[str, Any]] | None:
        if self.lottery is None:
            refused = self._read_and_draw()
            if refused is not None:
                return refused
        lottery = self.lottery
        assert lottery is not None
        while True:
            plan = _plan(
                self.cmd,
                lottery,
                self.odds,
                self.r,
                self.picked,
                self.prize,
                self.draw_id,
                self.now,
                self.rules,
                self.request,
                self.shard,
            )
            try:
                replay = draws_repo.record(plan, self.rules)
                break
            except draws_repo.PrizeGone as gone:
                repo.forget(lottery.lottery_id)  # the next draws read the stock afresh
                if gone.shard is not None:
                    self._refused(gone.shard)
                    self.shard = self._next_shard()
                    if self.shard is not None:
                        continue  # the same draw, from another shard of the prize
                self.prize = None  # the odds just changed under this draw: it wins nothing
                return None
            except draws_repo.Stale:
                self.draw_id = domain.new_draw_id(self.now)  # an id was taken: same draw, new ids
                return None
            except draws_repo.Changed:
                repo.forget(lottery.lottery_id)
                self.lottery = None  # planned on an outdated campaign: read it and draw again
                return None
        if replay is not None:
            return replay.status, replay.body
        return 201, plan.response
