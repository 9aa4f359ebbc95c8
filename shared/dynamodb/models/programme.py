"""Programme configuration: the rules overrides and campaigns, operator-defined tasks."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item


class ProgrammeItem(Item):
    """The rules overrides (``PROGRAMME``/``RULES``) or one campaign (``CAMPAIGN#<id>``).

    ``data`` is the JSON the API shows (decimal strings, ISO times), parsed by the domain.
    """

    data = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute(null=True)


class TaskItem(Item):
    """An operator-defined task (``TASKS``/``TASK#<id>``)."""

    task_id = UnicodeAttribute()
    name = UnicodeAttribute()
    points = NumberAttribute()
    limit = UnicodeAttribute()  # once | daily | weekly
    active = BooleanAttribute(default=True)
    verified = BooleanAttribute(null=True)  # completions reported by trusted systems only
    updated_at = UnicodeAttribute()
