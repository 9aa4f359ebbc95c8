"""The audit log's store: entries by month, by actor, by target, pages across months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.audit import entry
from shared.dynamodb import audit
from shared.dynamodb.tx import Tx

pytestmark = pytest.mark.usefixtures("moto_tables")

T0 = datetime(2026, 9, 30, 23, 0, tzinfo=UTC)


def _write(n: int) -> list[str]:
    ids = []
    for i in range(n):
        e = entry(
            T0 + timedelta(days=i * 10),
            f"op-{i % 2}",
            "rules.put",
            "rules" if i % 3 else "catalog:mug",
            before={"a": i},
            after={"a": i + 1},
            reason="why",
        )
        if i % 2:
            audit.record(e)
        else:
            audit.add(Tx(), e).commit()
        ids.append(e.audit_id)
    return ids


def _all(**filters) -> list[str]:
    out, cursor = [], None
    end = T0 + timedelta(days=365)
    while True:
        items, cursor = audit.page(
            start=filters.get("start"),
            end=end,
            actor=filters.get("actor"),
            target=filters.get("target"),
            limit=2,
            cursor=cursor,
        )
        out += [i.audit_id for i in items]
        if cursor is None:
            return out


def test_pages_span_months_newest_first_and_filters_narrow_them() -> None:
    ids = _write(7)  # Sep 30 .. Dec 29: four months
    assert _all() == ids[::-1]
    assert _all(actor="op-1") == [i for n, i in enumerate(ids) if n % 2][::-1]
    assert _all(target="catalog:mug") == [i for n, i in enumerate(ids) if n % 3 == 0][::-1]
    assert _all(actor="op-0", target="catalog:mug") == [ids[6], ids[0]]
    assert _all(start=T0 + timedelta(days=35)) == ids[4:][::-1]


def test_entry_reads_back_with_its_values() -> None:
    e = entry(T0, "op", "member.adjust", "member:m-1", before={"balance": 1}, after=None)
    audit.record(e)
    (got,), _ = audit.page(
        actor=None, target="member:m-1", start=None, end=T0 + timedelta(1), limit=5, cursor=None
    )
    assert got == e
