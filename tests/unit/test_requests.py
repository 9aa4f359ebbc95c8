"""One declaration per request: what the validation accepts, the documented schema accepts too
(and the other way round for what the validation refuses by type), for every field of every
declared request, over a spread of JSON values."""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

import jsonschema_rs
import pytest

from shared.errors import Invalid
from shared.requests import Body
from shared.schemas import COMPONENTS
from shared.validation import Boolean, Field, Money, Nested, Objects, Problems

AREAS = ("members", "operators", "mall", "lottery")
SAMPLES: list[Any] = [
    "",
    " ",
    "a",
    "m-1",
    "-x",
    "x" * 65,
    "199.90",
    "1.234",
    "0",
    "0.00",
    "1000000001",
    "2027-01-01",
    "2027-02-30",
    "2027-01-01T00:00:00+08:00",
    "2027-01-01T00:00:00",
    "02-29",
    "02-30",
    "https://x.test/a.png",
    "/a.png",
    "ftp://x",
    "１２３",
    "12\n",
    " 12",
    "a\nb",
    "a\tb",
    "a\u202eb",
    "👨\u200d👩\u200d👧",
    "ship",
    "pickup",
    "shipped",
    "gift",
    "daily",
    "gold",
    0,
    1,
    -1,
    100,
    10**9,
    10**9 + 1,
    1.5,
    1.0,
    True,
    False,
    [],
    ["a", "b"],
    ["a", "a"],
    [" "],
    [{"amount": "1.00"}],
    [{"amount": 1.5}],
    [1],
    {},
    {"method": "ship", "name": "Li", "phone": "1", "address": "1 Rd"},
    {"method": "ship", "name": "Li", "phone": "1"},
    {"method": "pickup", "name": "Li", "phone": "1"},
    {"per_day": 1},
    {"per_day": 0},
]


def _declared_bodies() -> dict[str, Body]:
    bodies: dict[str, Body] = {}
    for area in AREAS:
        module = importlib.import_module(f"shared.requests.{area}")
        for name, value in vars(module).items():
            if isinstance(value, Body):
                bodies[f"{area}.{name}"] = value
    return bodies


BODIES = _declared_bodies()
FIELDS = [
    (f"{body_name}.{name}", field)
    for body_name, body in BODIES.items()
    for name, field in body.fields.items()
]


def _validator(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for({**schema, "components": {"schemas": COMPONENTS}})


@pytest.mark.parametrize(("name", "field"), FIELDS, ids=[n for n, _ in FIELDS])
def test_the_schema_admits_every_value_the_validation_accepts(name: str, field: Field) -> None:
    validator = _validator(field.schema())
    for value in SAMPLES:
        if not isinstance(field.parse(value), Problems):
            assert validator.is_valid(value), f"{name}: the schema refuses accepted {value!r}"


@pytest.mark.parametrize(("name", "field"), FIELDS, ids=[n for n, _ in FIELDS])
def test_a_value_of_the_wrong_type_is_refused_by_both(name: str, field: Field) -> None:
    validator = _validator(field.schema())
    wrong = (1.5, "x") if isinstance(field, (Boolean, Nested, Objects)) else (1.5, True, {"x": 1})
    for value in wrong:
        assert isinstance(field.parse(value), Problems), f"{name} accepts {value!r}"
        assert not validator.is_valid(value), f"{name}: the schema admits {value!r}"


@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_body_schema_is_valid_and_names_its_required_fields(name: str) -> None:
    body = BODIES[name]
    schema = body.schema()
    validator = _validator(schema)
    assert not validator.is_valid([])
    required = [n for n, f in body.fields.items() if f.required]
    if not body.partial:
        assert schema.get("required", []) == required
        for missing in required:
            problems = body.read({})[1]
            assert problems[missing] == "is required"


def test_problems_inside_lists_and_objects_are_named_by_path() -> None:
    from shared.requests.mall import REDEEM
    from shared.requests.members import RECORD_PURCHASE

    with pytest.raises(Invalid) as exc:
        RECORD_PURCHASE.parse(
            {"order_id": "o", "member_id": "m", "amount": 1.5, "items": [{"amount": "x"}, 3]}
        )
    assert set(exc.value.details["fields"]) == {"amount", "items[0].amount", "items[1]"}
    with pytest.raises(Invalid) as exc:
        REDEEM.parse({"item_id": "cup", "delivery": {"method": "ship", "name": "Li"}})
    assert set(exc.value.details["fields"]) == {"delivery.phone", "delivery.address"}


def test_money_takes_integers_and_decimal_strings_never_floats() -> None:
    assert Money().parse(5) == Decimal(5)
    assert Money().parse("5.10") == Decimal("5.10")
    assert isinstance(Money().parse(5.1), Problems)
    assert isinstance(Money().parse("0"), Problems)
    assert Money(positive=False).parse("0") == Decimal(0)
