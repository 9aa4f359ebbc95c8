"""The notifier: a batch of business events -> inbox messages, and the SMS / e-mail sends the
members opted into (SPEC §9d; docs/product.md "Reaching members").

Per batch:

1. each event -> at most one :class:`~shared.domain.notices.Notice` (pure rules);
2. one BatchGetItem of the members' preferences (opt-ins, status; no contact details leave
   the table: only whether there is a phone / an address);
3. per notice one conditional put of its message (``inbox.write``, a few in parallel): NEW,
   SAME_EVENT (a redelivery of the event that wrote it) or TAKEN (another event of the kind
   got the member's message that day);
4. for NEW and SAME_EVENT the sends owed (channels the stage configures and the member opted
   into, SMS held to the end of quiet hours; a redelivery leaves out channels already sent),
   handed to ``dispatch`` in one call.

An event whose write or dispatch failed is reported back (its index) so the caller makes the
queue redeliver it; a redelivery writes nothing new and owes its sends again. Nothing here
touches the ledger: the notifier runs after the fact, off the bus.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

from msgspec import Struct

from shared import programme
from shared.domain import notices
from shared.domain.notices import Notice, Send
from shared.domain.rules import Rules
from shared.dynamodb import inbox, notify_profiles
from shared.events import Event
from shared.notifications.aws import DispatchFailed, enabled_channels
from shared.observability import logger

WRITERS = 8  # inbox writes in flight (a batch is at most 100 events)
_pool: ThreadPoolExecutor | None = None


def _writers() -> ThreadPoolExecutor:
    """The writers' threads, kept for the life of the process: each thread builds its own
    DynamoDB client on first use, which a pool per batch would pay again every batch."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="notifier")
    return _pool


# An event as the notifier takes it: (detail-type, detail with its ``event_id``, when it
# happened). The handler builds these from EventBridge envelopes, local mode from its bus.
Triple = tuple[str, Mapping[str, Any], datetime]


class Dispatch(Protocol):
    """Where sends go: the ``sends`` queue on AWS (:class:`~shared.notifications.aws.
    SqsDispatch`), the local outbox in local mode. Raises :class:`DispatchFailed` naming the
    sends it could not take (or anything else: then none count as taken)."""

    def dispatch(self, sends: Sequence[Send], now: datetime) -> None: ...


class Outcome(Struct):
    """What a batch did: messages written (``new``), redeliveries (``same_event``), events
    whose member already had that kind of message that day (``taken``), events that tell no
    member anything or whose member has no profile (``skipped``), sends handed over, and the
    indexes of the events that failed (to be redelivered)."""

    new: int = 0
    same_event: int = 0
    taken: int = 0
    skipped: int = 0
    sends: int = 0
    failed: list[int] = []

    def counts(self) -> dict[str, int]:
        return {
            "new": self.new,
            "same_event": self.same_event,
            "taken": self.taken,
            "skipped": self.skipped,
            "sends": self.sends,
            "failed": len(self.failed),
        }


def triples(found: Iterable[Event], at: datetime) -> list[Triple]:
    """Business events as the notifier takes them, all happened ``at`` (local mode's bus)."""
    return [(e.detail_type, {**e.detail, "event_id": e.event_id}, at) for e in found]


def _owed(notice: Notice, outcome: str, sends: list[Send]) -> list[Send]:
    """The sends still owed: all for a new message; for a redelivery those not sent yet."""
    if outcome != inbox.SAME_EVENT or not sends:
        return sends
    message = inbox.get(notice.member_id, notice.message_id)
    sent = message.sent if message is not None else {}
    return [s for s in sends if s.channel not in sent]


def process(
    events: Sequence[Triple],
    dispatch: Dispatch,
    now: datetime,
    *,
    rules: Rules | None = None,
    stage: Collection[str] | None = None,
) -> Outcome:
    """Turn ``events`` into inbox messages and sends (see the module's doc)."""
    rules = rules or programme.current()
    stage = enabled_channels() if stage is None else stage
    result = Outcome()
    found, repeats = _notices(events, rules, result)
    if not found:
        return result
    try:
        prefs = notify_profiles.preferences([n.member_id for n in found.values()])
    except Exception:
        logger.exception("preferences not read", extra={"events": len(events)})
        result.failed = sorted(i for first in found for i in [first, *repeats[first]])
        return result
    quiet_until = notices.not_before(now, rules)

    def write(index: int) -> tuple[str | None, list[Send]]:
        notice = found[index]
        member = prefs.get(notice.member_id)
        if member is None:
            return None, []
        outcome = inbox.write(notice, rules.notifications.inbox_days)
        if outcome == inbox.TAKEN:
            return outcome, []
        sends = notices.sends_for(notice, member, stage, quiet_until)
        return outcome, _owed(notice, outcome, sends)

    def write_lane(lane: list[int]) -> list[tuple[int, str | None, list[Send]] | int]:
        """One message's events in batch order (the first takes it): their outcomes, or
        from the first that failed on, their indexes."""
        done: list[tuple[int, str | None, list[Send]] | int] = []
        for position, index in enumerate(lane):
            try:
                done.append((index, *write(index)))
            except Exception:
                logger.exception("message not written", extra={"event_id": found[index].event_id})
                return done + lane[position:]
        return done

    lanes: dict[tuple[str, str], list[int]] = {}
    for index, notice in found.items():
        lanes.setdefault((notice.member_id, notice.message_id), []).append(index)
    failed: set[int] = set()
    owed: dict[tuple[str, str, str], tuple[Send, int]] = {}
    for done in _writers().map(write_lane, lanes.values()):
        for item in done:
            if isinstance(item, int):
                failed.add(item)
                continue
            index, outcome, sends = item
            _count(result, outcome, len(repeats[index]))
            owed.update((_key(send), (send, index)) for send in sends)
    failed |= _dispatched(owed, dispatch, now, result)
    result.failed = sorted(i for first in failed for i in [first, *repeats[first]])
    return result


def _notices(
    events: Sequence[Triple], rules: Rules, result: Outcome
) -> tuple[dict[int, Notice], dict[int, list[int]]]:
    """The events' notices by index (events telling no one are counted skipped), and for
    each the indexes of its exact repeats later in the batch (same message, same event)."""
    firsts: dict[tuple[str, str, str], int] = {}
    repeats: dict[int, list[int]] = {}
    found: dict[int, Notice] = {}
    for index, (detail_type, detail, at) in enumerate(events):
        notice = notices.notice_of(detail_type, detail, at, rules)
        if notice is None:
            result.skipped += 1
            continue
        key = (notice.member_id, notice.message_id, notice.event_id)
        if key in firsts:
            repeats[firsts[key]].append(index)
            continue
        firsts[key], repeats[index], found[index] = index, [], notice
    return found, repeats


def _count(result: Outcome, outcome: str | None, repeats: int) -> None:
    """Count one written event and its exact repeats in the batch (redeliveries of it)."""
    if outcome is None:
        result.skipped += 1 + repeats
    elif outcome == inbox.TAKEN:
        result.taken += 1 + repeats
    else:
        result.new += outcome == inbox.NEW
        result.same_event += (outcome == inbox.SAME_EVENT) + repeats


def _key(send: Send) -> tuple[str, str, str]:
    return send.member_id, send.message_id, send.channel


def _dispatched(
    owed: dict[tuple[str, str, str], tuple[Send, int]],
    dispatch: Dispatch,
    now: datetime,
    result: Outcome,
) -> set[int]:
    """Hand the sends over; the indexes of the events whose sends were not taken."""
    if not owed:
        return set()
    sends = [send for send, _ in owed.values()]
    try:
        dispatch.dispatch(sends, now)
    except DispatchFailed as exc:
        result.sends += len(sends) - len(exc.failed)
        logger.warning("sends not queued", extra={"sends": len(exc.failed)})
        return {owed[_key(send)][1] for send in exc.failed}
    except Exception:
        logger.exception("sends not queued", extra={"sends": len(sends)})
        return {index for _, index in owed.values()}
    result.sends += len(sends)
    return set()
