"""What each route's JSON body (or query) may hold: one declaration per request, read by the
handler (``BODY.parse(req.json())``: the values, or one 422 naming every bad field) and
described in the OpenAPI document (``request=BODY.schema()`` in ``shared/schemas/``).

A :class:`Body` names its fields, each a field type of ``shared/validation.py``; problems
inside a field are named ``items[0].amount``, ``delivery.phone``. A JSON ``null`` counts as
absent: an optional field may be null, a required one may not. One module per area, as in
``shared/schemas/``.

>>> from shared.validation import Money
>>> Body({"amount": Money()}).parse({"amount": "abc"})
Traceback (most recent call last):
...
shared.errors.Invalid: invalid fields: amount
"""

from __future__ import annotations

from typing import Any

from shared.validation import Field, Problems, Schema, invalid, nullable, ref

__all__ = ["Body"]


class Body:
    """A JSON object's fields, in reading order.

    ``component``: the name of its schema under ``#/components/schemas`` (a nested body
    referred to by name); ``unknown``: the problem of a field not declared (None: other
    fields are ignored); ``partial``: absent fields are left out of the values (a PATCH), and
    at least one declared field must be given; ``omit_none``: fields without a value are left
    out of the values.
    """

    def __init__(
        self,
        fields: dict[str, Field],
        *,
        component: str | None = None,
        unknown: str | None = None,
        partial: bool = False,
        omit_none: bool = False,
    ):
        self.fields = fields
        self.omit_none = omit_none
        self.component = component
        self.unknown = unknown
        self.partial = partial

    def read(self, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """The values by field name (absent optional fields: their default) and the problems."""
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        if self.unknown is not None:
            for name in sorted(set(body) - set(self.fields)):
                problems[name] = self.unknown
        if self.partial and not set(body) & set(self.fields):
            problems["body"] = "name at least one of " + ", ".join(self.fields)
        for name, field in self.fields.items():
            if self.partial and name not in body:
                continue
            value = body.get(name)
            if value is None:
                when = field.required_when
                if field.required or (when is not None and values.get(when[0]) == when[1]):
                    problems[name] = "is required"
                values[name] = field.default
                continue
            result = field.parse(value)
            if isinstance(result, Problems):
                problems.update({name + k: v for k, v in result.items()})
                result = None
            values[name] = result
        if self.omit_none:
            values = {k: v for k, v in values.items() if v is not None}
        return values, problems

    def parse(self, body: dict[str, Any]) -> dict[str, Any]:
        """The values by field name; :class:`Invalid` naming every bad field."""
        values, problems = self.read(body)
        if problems:
            raise invalid(problems)
        return values

    def ref(self) -> Schema:
        return ref(self.component) if self.component else self.schema()

    def schema(self) -> Schema:
        """The body's JSON Schema: optional fields may be null."""
        properties: Schema = {}
        required: list[str] = []
        conditions: list[Schema] = []
        for name, field in self.fields.items():
            schema = field.schema()
            if field.required:
                properties[name] = schema
                if not self.partial:
                    required.append(name)
            else:
                properties[name] = nullable(schema)
            if field.required_when is not None:
                other, value = field.required_when
                conditions.append(
                    {
                        "if": {"properties": {other: {"const": value}}, "required": [other]},
                        "then": {"properties": {name: schema}, "required": [name]},
                    }
                )
        result: Schema = {"type": "object", "properties": properties}
        if required:
            result["required"] = required
        if self.unknown is not None:
            result["additionalProperties"] = False
        if self.partial:
            result["minProperties"] = 1
        if conditions:
            result["allOf"] = conditions
        return result

    def parameters(self) -> dict[str, Schema]:
        """The fields as query parameters (name -> schema)."""
        return {name: field.schema() for name, field in self.fields.items()}
