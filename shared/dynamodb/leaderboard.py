"""Data access for the leaderboard: the members who earned (``by_board``), their monthly
buckets, and the snapshot item of each period.

The read of a board is ONE ``BatchGetItem``: the period's snapshot and the caller's profile
(its buckets, status and index keys only)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from shared.domain.leaderboard import Board
from shared.dynamodb import keys
from shared.dynamodb.connection import table
from shared.dynamodb.models.leaderboard import BoardItem
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.values import row_at

BATCH = 100  # BatchGetItem's limit


class Earner(msgspec.Struct, frozen=True):
    """What the leaderboard reads of a member's profile."""

    member_id: str
    status: str = "active"
    buckets: dict[str, int] = {}  # qualifying points by "YYYY-MM"
    earned_at: str = ""  # UTC ISO-8601 of the last counted credit


_PROFILE_ATTRIBUTES = ["pk", "sk", "member_id", "status", "qualifying", "earned_at"]
_BOARD_ATTRIBUTES = ["board"]  # with the profile's (keys included)


def earners_since(month: str) -> Iterator[str]:
    """The ids of the members whose last counted credit was in ``month`` (``YYYY-MM``) or
    later: one range query per ``by_board`` shard (eventually consistent, keys only)."""
    for shard in range(keys.BOARD_SHARDS):
        for hit in MemberItem.by_board.query(
            keys.board_shard_pk(shard), MemberItem.board_sk >= month
        ):
            yield keys.member_id_of(hit.pk)


def earners(member_ids: Iterable[str]) -> Iterator[Earner]:
    """The members' buckets, ``BATCH`` profiles per BatchGetItem (eventually consistent:
    a snapshot is as of about now anyway)."""
    batch: list[str] = []
    for member_id in member_ids:
        batch.append(member_id)
        if len(batch) == BATCH:
            yield from _profiles(batch)
            batch = []
    if batch:
        yield from _profiles(batch)


def _profiles(member_ids: list[str]) -> Iterator[Earner]:
    wanted = [(keys.member_pk(m), keys.PROFILE) for m in member_ids]
    for raw in _batch_get(wanted, _PROFILE_ATTRIBUTES):
        yield _earner(raw)


def _earner(raw: dict[str, Any]) -> Earner:
    item = MemberItem.from_raw_data(raw)
    buckets = {k: int(v) for k, v in (item.qualifying.as_dict() if item.qualifying else {}).items()}
    return Earner(item.member_id, item.status or "active", buckets, item.earned_at or "")


def _batch_get(wanted: list[tuple[str, str]], attributes: list[str]) -> list[dict[str, Any]]:
    """The raw items at ``wanted`` keys (absent ones left out), in one BatchGetItem plus one
    more per round of unprocessed keys (throttling)."""
    conn = table()
    pending = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in wanted]
    found: list[dict[str, Any]] = []
    for _ in range(10):
        data = conn.batch_get_item(pending, attributes_to_get=attributes)
        found += data["Responses"].get(conn.table_name, [])
        pending = data.get("UnprocessedKeys", {}).get(conn.table_name, {}).get("Keys")
        if not pending:
            break
    return found


def is_closed(period: str, key: str) -> bool:
    """Whether period ``key`` has its final snapshot (taken after it ended)."""
    item = row_at(BoardItem, keys.leaderboard_pk(period, key), keys.SNAPSHOT_SK, consistent=False)
    return item is not None and bool(item.closed)


def save(board: Board) -> None:
    BoardItem(
        pk=keys.leaderboard_pk(board.period, board.key),
        sk=keys.SNAPSHOT_SK,
        period=board.period,
        period_key=board.key,
        as_of=board.as_of,
        closed=board.closed,
        board=msgspec.json.encode(board).decode(),
    ).save()


def board_and_member(period: str, key: str, member_id: str) -> tuple[Board | None, Earner | None]:
    """The period's snapshot and the member's buckets: ONE BatchGetItem of both items."""
    board_key = (keys.leaderboard_pk(period, key), keys.SNAPSHOT_SK)
    profile_key = (keys.member_pk(member_id), keys.PROFILE)
    board = earner = None
    for raw in _batch_get([board_key, profile_key], _BOARD_ATTRIBUTES + _PROFILE_ATTRIBUTES):
        if raw["sk"]["S"] == keys.SNAPSHOT_SK:
            board = msgspec.json.decode(raw["board"]["S"], type=Board)
        else:
            earner = _earner(raw)
    return board, earner
