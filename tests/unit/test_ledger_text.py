"""Ledger entry text: the catalog's two locales agree, every code a write site uses has a
template (the codes are read from the source, not listed here), and entries render per
locale while older entries without a code keep their stored description."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shared import i18n
from shared.domain import ledger
from shared.i18n.catalogs import ledger as catalog

SHARED = Path(__file__).resolve().parents[2] / "shared"
TIER_PREFIX = "tier."


def _codes_of(node: ast.expr, module: ast.Module) -> set[str]:
    """The string codes an expression can evaluate to: a constant, either branch of a
    conditional, the values of a dict it indexes (a literal or a module-level name)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _codes_of(node.body, module) | _codes_of(node.orelse, module)
    if isinstance(node, ast.Subscript):
        return _codes_of(node.value, module)
    if isinstance(node, ast.Dict):
        return set().union(*(_codes_of(v, module) for v in node.values))
    if isinstance(node, ast.Name):
        for stmt in module.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets
            ):
                return _codes_of(stmt.value, module)
    raise AssertionError(f"a ledger code that cannot be read from the source: {ast.dump(node)}")


def _param_keys(node: ast.expr | None) -> set[str] | None:
    if node is None:
        return set()
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return {k.value for k in node.keys}  # type: ignore[union-attr]
    return None  # built elsewhere: not checked


def write_sites() -> list[tuple[str, set[str], set[str] | None]]:
    """(where, codes, param keys or None) of every ``wording(...)`` and ledger ``credit(...)``
    call in shared/ (``credit``'s code is its 5th argument, ``wording``'s its 1st)."""
    sites = []
    for path in sorted(SHARED.rglob("*.py")):
        if path == SHARED / "domain" / "ledger.py":  # where they are defined
            continue
        module = ast.parse(path.read_text(encoding="utf-8"))
        for call in ast.walk(module):
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = (
                func.value.id
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                else None
            )
            kw = {k.arg: k.value for k in call.keywords}
            if name == "wording" and call.args:
                code, params = call.args[0], (call.args[1:2] or [kw.get("params")])[0]
            elif name == "credit" and owner in ("kinds", "ledger") and len(call.args) >= 5:
                code, params = call.args[4], (call.args[5:6] or [kw.get("params")])[0]
            else:
                continue
            where = f"{path.relative_to(SHARED.parent)}:{call.lineno}"
            sites.append((where, _codes_of(code, module), _param_keys(params)))
    return sites


SITES = write_sites()
VALUES = ("Credit", "Debit", "Return", "Movement")


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_every_entry_value_built_in_shared_gets_its_text_from_wording() -> None:
    """A Credit, Debit or Return built anywhere but the domain module has its fields from
    ``**wording(...)`` (a ``credit(...)`` call does that itself): none goes without a code."""
    bare, seen = [], 0
    for path in sorted(SHARED.rglob("*.py")):
        if path == SHARED / "domain" / "ledger.py":
            continue
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(call, ast.Call) and _name(call.func) in VALUES:
                seen += 1
                spread = [k.value for k in call.keywords if k.arg is None]
                if not any(isinstance(v, ast.Call) and _name(v.func) == "wording" for v in spread):
                    bare.append(f"{path.relative_to(SHARED.parent)}:{call.lineno}")
    assert seen >= 12 and bare == []


def test_the_scan_finds_the_write_sites() -> None:
    files = {where.split(":")[0] for where, _, _ in SITES}
    # every module that writes ledger text: the scan would silently miss a renamed helper
    assert {
        "shared/members.py",
        "shared/purchases.py",
        "shared/checkins.py",
        "shared/tasks.py",
        "shared/expiry.py",
        "shared/imports/job.py",
        "shared/dynamodb/orders.py",
        "shared/lottery/prizes.py",
    } <= files
    assert len(SITES) >= 20


def test_every_code_written_has_a_template_and_every_template_is_written() -> None:
    used = set().union(*(codes for _, codes, _ in SITES))
    templates = {k for k in catalog.EN if not k.startswith(TIER_PREFIX)}
    assert used == templates


@pytest.mark.parametrize("where,codes,keys", SITES, ids=[s[0] for s in SITES])
def test_each_site_passes_every_field_its_templates_use(
    where: str, codes: set[str], keys: set[str] | None
) -> None:
    if keys is None:
        pytest.skip("params built elsewhere")
    for code in codes:
        for locale in i18n.LOCALES:
            assert i18n.fields(i18n.catalog("ledger", locale)[code]) <= keys, (where, code)


def test_both_locales_have_the_same_keys_and_fields() -> None:
    assert catalog.EN.keys() == catalog.ZH_CN.keys()
    for key, template in catalog.EN.items():
        assert i18n.fields(template) == i18n.fields(catalog.ZH_CN[key]), key


def test_the_locales_differ_except_where_the_text_is_the_operators() -> None:
    same = {k for k in catalog.EN if catalog.EN[k] == catalog.ZH_CN[k]}
    assert same == {"adjustment"}  # the reason an operator typed, shown as typed


def test_wording_renders_the_english_description_at_write_time() -> None:
    assert ledger.wording("purchase_frozen", {"order_id": "o-1"}) == {
        "code": "purchase_frozen",
        "params": {"order_id": "o-1"},
        "description": "Purchase o-1 (member frozen)",
    }
    with pytest.raises(KeyError):
        ledger.wording("no_such_code")


def test_a_tier_param_is_shown_by_its_name_in_the_locale() -> None:
    assert ledger.describe("birthday", {"tier": "gold"}, i18n.EN) == (
        "Happy birthday! Gold birthday points"
    )
    assert ledger.describe("birthday", {"tier": "gold"}, i18n.ZH_CN) == "生日快乐！金卡会员生日积分"
    # a tier the catalog does not name (rules may add one) is shown as named
    assert ledger.describe("birthday", {"tier": "vip"}, i18n.ZH_CN) == "生日快乐！vip会员生日积分"


def _entry(**fields: object) -> ledger.Entry:
    base = {
        "entry_id": "e",
        "member_id": "m",
        "type": "earn",
        "source": "purchase",
        "ref": "o-1",
        "points": 10,
        "at": "2026-01-01T00:00:00+00:00",
    }
    return ledger.Entry(**{**base, **fields})  # type: ignore[arg-type]


def test_an_entry_is_shown_in_the_callers_locale() -> None:
    entry = _entry(**ledger.wording("checkin_bonus", {"streak": 7, "bonus": 20}))
    assert ledger.shown_text(entry, i18n.EN) == (
        "checkin_bonus",
        "Daily check-in (day 7), streak bonus +20",
    )
    assert ledger.shown_text(entry, i18n.ZH_CN) == (
        "checkin_bonus",
        "每日签到（连续第 7 天），连签奖励 +20",
    )


def test_an_entry_from_before_codes_keeps_its_description_and_its_type_as_code() -> None:
    old = _entry(description="Purchase o-1")
    assert ledger.shown_text(old, i18n.ZH_CN) == ("earn", "Purchase o-1")
    gone = _entry(code="retired_code", description="Something")
    assert ledger.shown_text(gone, i18n.ZH_CN) == ("retired_code", "Something")


def test_a_ledger_event_carries_the_code_and_params() -> None:
    from datetime import UTC, datetime

    from shared import events
    from shared.dynamodb.ledger import entry_item

    debit = ledger.Debit(
        "m-1",
        ledger.REDEEM,
        "mall",
        "o-9",
        20,
        datetime(2027, 1, 1, tzinfo=UTC),
        **ledger.wording("redeem", {"item": "保温杯", "quantity": 2}),
    )
    image = entry_item(debit, -20).serialize()
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": image, "SequenceNumber": "1"}}
    (event,) = events.from_stream_record(record)
    assert event.detail_type == "PointsRedeemed.v1"
    assert {k: event.detail[k] for k in ("code", "params", "description")} == {
        "code": "redeem",
        "params": {"item": "保温杯", "quantity": 2},
        "description": "保温杯 × 2",
    }
