"""Local mode's SMS and e-mail: what the stage would have sent, recorded instead of sent.

:class:`Outbox` is the notifier's dispatch in local mode (``dispatch(sends, now)``, like
``shared.notifications.aws.SqsDispatch``): each Send waits in memory until the local clock
(``shared.clock``, pinnable with ``PUT /local/clock``) passes its ``not_before``; then
:meth:`Outbox.release` runs the same sender code as AWS (``shared.notifications.sender``)
with channels that record the text instead of calling SNS or SES. ``GET /local/outbox``
lists every send with its status (waiting, sent, skipped and why); the recipient is masked.

:func:`subscriber` is the local bus's stand-in for the stack's rule → ``notices`` queue →
notifier: it runs ``shared.notifications.notifier.process`` on what the bus found, at the
local clock's time, with every channel on (nothing leaves the machine).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from shared import clock
from shared.domain.notices import CHANNELS, SMS, Send
from shared.domain.rules import Rules
from shared.events import Event
from shared.notifications import sender

WAITING = "waiting"


def _programme_rules() -> Rules:
    from shared import programme

    return programme.current()


class _Recorder:
    """A channel that writes what it is handed into the outbox's item (``to`` masked)."""

    def __init__(self, item: dict[str, Any]):
        self.item = item

    def send(self, to: str, subject: str | None, body: str) -> None:
        channel = self.item["channel"]
        self.item["to"] = sender.masked(channel, to)
        if channel == SMS:
            self.item["text"] = body
        else:
            self.item.update(subject=subject, body=body)


class Outbox:
    """Sends held until due, then delivered to recording channels; thread-safe."""

    def __init__(self, rules: Callable[[], Rules] = _programme_rules):
        self.rules = rules
        self._items: list[dict[str, Any]] = []
        self._waiting: list[tuple[Send, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def dispatch(self, sends: Sequence[Send], now: datetime) -> None:
        """Take the notifier's sends (delivered by a later :meth:`release`)."""
        with self._lock:
            for send in sends:
                item: dict[str, Any] = {
                    "channel": send.channel,
                    "member_id": send.member_id,
                    "message_id": send.message_id,
                    "kind": send.kind,
                    "to": None,
                    "not_before": send.not_before,
                    "status": WAITING,
                }
                self._items.append(item)
                self._waiting.append((send, item))

    def release(self, now: datetime) -> int:
        """Deliver every send due at ``now``; how many were (sent or skipped)."""
        with self._lock:
            due = [(s, item) for s, item in self._waiting if not sender.wait_seconds(s, now)]
            if not due:
                return 0
            rules = self.rules()
            finished: set[int] = set()
            for send, item in due:
                channels = {channel: _Recorder(item) for channel in CHANNELS}
                try:
                    outcome = sender.deliver(send, channels, now, rules)
                except Exception as exc:  # like a channel failure on AWS: tried again later
                    item["reason"] = f"error: {type(exc).__name__}"
                    continue
                if outcome.status == sender.WAIT:
                    continue
                item["status"] = outcome.status
                item.pop("reason", None)
                if outcome.reason:
                    item["reason"] = outcome.reason
                finished.add(id(item))
            self._waiting = [(s, i) for s, i in self._waiting if id(i) not in finished]
            return len(finished)

    def items(self) -> list[dict[str, Any]]:
        """Every send so far, oldest first (copies)."""
        with self._lock:
            return [dict(item) for item in self._items]

    def clear(self) -> None:
        """Forget everything, waiting sends included."""
        with self._lock:
            self._items.clear()
            self._waiting.clear()


def subscriber(outbox: Outbox) -> Callable[[list[Event]], None]:
    """A LocalBus subscriber: the notifier on the events found, its sends into ``outbox``."""

    def notify(found: list[Event]) -> None:
        from shared.notifications import notifier

        if not found:
            return
        now = clock.now()
        outcome = notifier.process(notifier.triples(found, now), outbox, now, stage=CHANNELS)
        if outcome.failed:
            print(f"local notifier: {len(outcome.failed)} event(s) not notified")

    return notify


def tick(outbox: Outbox) -> Callable[[], int]:
    """A LocalBus tick: deliver the sends due by the local clock."""
    return lambda: outbox.release(clock.now())
