"""One business fact = one TransactWriteItems, with cancellation reasons mapped to labels.

pynamodb sends a transaction's items grouped as condition checks, deletes, puts, updates,
whatever order they were added in, so ``cancellation_reasons`` do not follow insertion
order. :class:`Tx` records the same grouping and hands back each failed item's *label*
(and its old image, thanks to ``ReturnValuesOnConditionCheckFailure=ALL_OLD``), so
repositories turn failures into domain errors without string matching or re-reads.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from shared.dynamodb.connection import connection
from shared.errors import Contention

ALL_OLD = "ALL_OLD"
_CHECK, _DELETE, _PUT, _UPDATE = range(4)  # pynamodb's send order

T = TypeVar("T")


class Cancelled(Exception):
    """The transaction was cancelled by conditions: label -> old item image (or None)."""

    def __init__(self, failed: dict[str, dict[str, Any] | None] | None = None) -> None:
        super().__init__(failed)
        self.failed = {} if failed is None else failed

    def __contains__(self, label: object) -> bool:
        return label in self.failed


class _Conflict(Exception):
    """Cancelled only by TransactionConflict (another transaction on the same item)."""


class Retry(Exception):
    """Raised inside a :func:`run` attempt: something was fixed up (e.g. an expired hold
    released), so the same business request should simply be tried again."""


class Tx:
    MAX_ITEMS = 100  # DynamoDB's limit of items in one TransactWriteItems

    def __init__(self) -> None:
        self._ops: list[tuple[int, str, Callable[[TransactWrite], None]]] = []

    @property
    def size(self) -> int:
        """The items written so far."""
        return len(self._ops)

    def check(
        self,
        label: str,
        model_cls: type[Model],
        hash_key: str,
        range_key: str,
        condition: Condition,
    ) -> Tx:
        self._ops.append(
            (_CHECK, label, lambda t: t.condition_check(model_cls, hash_key, range_key, condition))
        )
        return self

    def put(self, label: str, item: Model, condition: Condition | None = None) -> Tx:
        ret = ALL_OLD if condition is not None else None
        self._ops.append((_PUT, label, lambda t: t.save(item, condition, return_values=ret)))
        return self

    def update(
        self, label: str, item: Model, actions: list[Action], condition: Condition | None = None
    ) -> Tx:
        ret = ALL_OLD if condition is not None else None
        self._ops.append(
            (_UPDATE, label, lambda t: t.update(item, actions, condition, return_values=ret))
        )
        return self

    def delete(self, label: str, item: Model, condition: Condition | None = None) -> Tx:
        self._ops.append((_DELETE, label, lambda t: t.delete(item, condition)))
        return self

    def commit(self) -> None:
        """Write everything or nothing; raise :class:`Cancelled` naming the failed items."""
        ordered = sorted(self._ops, key=lambda op: op[0])  # stable: pynamodb's order
        try:
            with TransactWrite(
                connection=connection(),
                client_request_token=uuid.uuid4().hex,  # makes botocore's own retries safe
            ) as tx:
                for _, _, add in ordered:
                    add(tx)
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons
            if not reasons:
                raise
            failed: dict[str, dict[str, Any] | None] = {}
            conflict = False
            for (_, label, _), reason in zip(ordered, reasons, strict=False):
                if reason is None:
                    continue
                if reason.code == "ConditionalCheckFailed":
                    failed[label] = reason.raw_item
                elif reason.code in ("TransactionConflict", "ThrottlingError"):
                    conflict = True
                elif reason.code not in ("None", None):
                    raise
            if failed:
                raise Cancelled(failed) from None
            if conflict:
                raise _Conflict() from None
            raise

    def committed(self) -> bool:
        """:meth:`commit`; False instead of :class:`Cancelled` when a condition failed
        (nothing was written: the caller reads again or gives up)."""
        try:
            self.commit()
        except Cancelled:
            return False
        return True


def run(build_and_commit: Callable[[], T], *, attempts: int = 8) -> T:
    """Run a transaction, retrying (with jittered backoff) when another one got there first.

    ``build_and_commit`` builds a fresh :class:`Tx` and commits it, so each attempt sees the
    same business input; conditions, not the retry, decide the outcome.
    """
    for attempt in range(attempts):
        try:
            return build_and_commit()
        except (_Conflict, Retry):
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise Contention("too many concurrent changes to the same record; retry the request")


def updated(item: Model, actions: list[Action], condition: Condition) -> bool:
    """One conditional ``UpdateItem`` of ``item`` on its own (no transaction: half the WCU);
    False when ``condition`` failed and nothing was written."""
    try:
        item.update(actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def image(raw: dict[str, Any] | None, model_cls: type[Model]) -> Any:
    """A failed item's old image (DynamoDB JSON) as a model instance, or None."""
    return model_cls.from_raw_data(raw) if raw else None
