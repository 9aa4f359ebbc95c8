"""Contact lookup rows: ``CONTACT#<hmac>`` / ``MEMBER#<id>``, one per member and phone or
e-mail. The key holds only the keyed hash (shared/pii.py); the clear values are attributes
of the member's profile and nowhere else."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from shared.dynamodb.models.base import Item


class ContactItem(Item):
    """A member reachable by one phone or e-mail (which one: ``kind``, not the value)."""

    member_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # "phone" | "email"
