"""pynamodb models of the items in the points table (see docs/data-model.md), one module
per aggregate: ``base`` (the table binding and attribute helpers), ``indexes`` (the table's
secondary indexes), ``members`` (profile, ledger, lots, audit, referral codes),
``programme``, ``idempotency``, ``mall``, ``checkout``, ``transfers``, ``reports``,
``lottery``, ``jobs`` (job runs and the outbox), ``imports`` (members imports),
``rebates`` (accruals/statements, payouts),
``contacts`` (lookup rows by the keyed hash of a phone or e-mail), ``exports`` (export jobs),
``reviews`` (the review queue), ``inbox`` (members' messages), ``adjustments`` (operator
adjustments awaiting a second approval).

Repositories import the module they need (``from shared.dynamodb.models.mall import OrderItem``),
so a function loads only the row classes it uses: pynamodb builds each class through a
metaclass at import. ``from shared.dynamodb.models import X`` still works and loads X's
module on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_MODULE_OF = {
    "Item": "base",
    "ByTime": "indexes",
    "ByOrder": "indexes",
    "ByExpiry": "indexes",
    "ByStatus": "indexes",
    "ByTier": "indexes",
    "ByBirthday": "indexes",
    "ByCampaign": "indexes",
    "set_or_remove": "base",
    "as_plain": "base",
    "MemberItem": "members",
    "LedgerItem": "members",
    "LotItem": "members",
    "AuditItem": "members",
    "AuditLogItem": "audit",
    "ReferralCodeItem": "members",
    "ContactItem": "contacts",
    "ProgrammeItem": "programme",
    "TaskItem": "programme",
    "IdempotencyItem": "idempotency",
    "CatalogItem": "mall",
    "CatalogEntry": "mall",
    "OrderItem": "mall",
    "CouponItem": "mall",
    "CounterItem": "mall",
    "PayoutItem": "mall",
    "HoldItem": "checkout",
    "TransferDayItem": "transfers",
    "ReportDayItem": "reports",
    "MarkerItem": "reports",
    "ReportSketchItem": "reports",
    "LotteryItem": "lottery",
    "LotteryEntry": "lottery",
    "PrizeStockItem": "lottery",
    "LotteryStatsItem": "lottery",
    "DrawItem": "lottery",
    "RebateItem": "rebates",
    "RebatePayoutItem": "rebates",
    "JobRunItem": "jobs",
    "JobShardItem": "jobs",
    "OutboxItem": "jobs",
    "ImportItem": "imports",
    "ImportRejectedItem": "imports",
    "ExportItem": "exports",
    "ReviewItem": "reviews",
    "AdjustmentItem": "adjustments",
    "MessageItem": "inbox",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
