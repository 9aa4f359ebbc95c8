"""Data access for extra lottery draws earned by spend (docs/data-model.md "Targeting").

A member's extra draws on one lottery are one counter ``MEMBER#<id>`` / ``XDRAWS#<lottery>``:
a purchase ADDs what it earned in its own transaction (one more item, still one round trip:
nothing is read), a draw that uses one takes 1 on the condition ``n >= 1``. The counter
expires (TTL) a while after the lottery ends. The lottery's terms are kept in ``PROGRAMME``
(``XDRAWS#<lottery>``) so the purchase finds them with the rules it already has in memory.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from msgspec import Struct

from shared.domain.lottery import DrawOffer
from shared.dynamodb import keys
from shared.dynamodb.models.mall import CounterItem
from shared.dynamodb.models.programme import ProgrammeItem
from shared.dynamodb.tx import Tx

GRANT = "extra_draws:"  # + lottery id: the label of a purchase's grant in its transaction
USE = "extra_draw"  # the label of a draw's use of one
KEEP_AFTER_END = timedelta(days=30)  # the counter outlives its lottery this long


class Grant(Struct, frozen=True):
    """Extra draws a purchase adds to its member's counter on one lottery."""

    member_id: str
    lottery_id: str
    draws: int
    ends_at: datetime  # the lottery's end (the counter's TTL follows it)


def _counter(member_id: str, lottery_id: str) -> CounterItem:
    return CounterItem(pk=keys.member_pk(member_id), sk=keys.extra_draws_sk(lottery_id))


def add_grant(tx: Tx, grant: Grant) -> None:
    ttl = int((grant.ends_at + KEEP_AFTER_END).timestamp())
    tx.update(
        GRANT + grant.lottery_id,
        _counter(grant.member_id, grant.lottery_id),
        [CounterItem.n.add(grant.draws), CounterItem.ttl.set(ttl)],
    )


def add_use(tx: Tx, member_id: str, lottery_id: str) -> None:
    """Take one extra draw (the transaction fails under :data:`USE` when none is left)."""
    tx.update(
        USE,
        _counter(member_id, lottery_id),
        [CounterItem.n.add(-1)],
        condition=CounterItem.n >= 1,
    )


def left(member_id: str) -> dict[str, int]:
    """The member's extra draws left per lottery (one Query of their counters)."""
    rows = CounterItem.query(
        keys.member_pk(member_id),
        CounterItem.sk.startswith(keys.EXTRA_DRAWS),
        consistent_read=True,
    )
    return {r.sk.removeprefix(keys.EXTRA_DRAWS): int(r.n or 0) for r in rows if r.n}


def terms_item(lottery_id: str, offer: DrawOffer | None, at: str, actor: str | None) -> Any:
    """The ``PROGRAMME`` row of a lottery's extra-draw terms, or its key alone (``offer`` None:
    the caller deletes it)."""
    sk = keys.extra_draws_terms_sk(lottery_id)
    if offer is None:
        return ProgrammeItem(pk=keys.PROGRAMME, sk=sk)
    data = json.dumps(offer.to_json(), sort_keys=True)
    return ProgrammeItem(pk=keys.PROGRAMME, sk=sk, data=data, updated_at=at, updated_by=actor)
