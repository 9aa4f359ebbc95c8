"""The programme's audit log (``AUDITLOG#<YYYY-MM>`` / ``<at>#<audit_id>``)."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from shared.dynamodb.models.base import Item
from shared.dynamodb.models.indexes import ByOrder, ByStatus


class AuditLogItem(Item):
    """One operator write. ``before``/``after`` are JSON text (the API's shapes).

    Indexes (reused, sparse): ``by_status`` (st_pk ``AUDITBY#<actor>``, st_sk = sk) lists an
    actor's entries by time; ``by_order`` (order_pk ``AUDITON#<target>``, sk) a target's."""

    audit_id = UnicodeAttribute()
    at = UnicodeAttribute()  # UTC ISO-8601
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    before = UnicodeAttribute(null=True)
    after = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(default="")
    st_pk = UnicodeAttribute()
    st_sk = UnicodeAttribute()
    order_pk = UnicodeAttribute()

    by_actor = ByStatus()
    by_target = ByOrder()
