"""Members imports: the status item (the job's checkpoint) and one item per rejected row."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item
from shared.dynamodb.models.indexes import ByStatus


class ImportItem(Item):
    """``IMPORT#<id>`` / ``IMPORT``: the import's request, status and checkpoint.

    ``offset``/``row`` say where the job resumes (the byte after the last line done and that
    line's number); the counters cover every line before ``offset``. ``ver`` goes up with
    every checkpoint, which is conditional on the one read, so two runs cannot both advance.
    While queued or running the item is in the ``by_status`` partition ``IMPORTS#active``
    (``st_sk`` = the last checkpoint's time), where the resume schedule finds stalled runs.
    """

    import_id = UnicodeAttribute()
    status = UnicodeAttribute()  # queued | running | complete | failed | uploading
    file_key = UnicodeAttribute()
    actor = UnicodeAttribute()
    created_at = UnicodeAttribute()  # UTC ISO-8601
    updated_at = UnicodeAttribute()
    columns = UnicodeAttribute(null=True)  # the header's column names, comma-separated
    offset = NumberAttribute(default=0)
    row = NumberAttribute(default=1)
    rows = NumberAttribute(default=0)
    imported = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    rejected_count = NumberAttribute(default=0)
    error = UnicodeAttribute(null=True)  # why a failed import stopped
    ver = NumberAttribute(default=0)
    st_pk = UnicodeAttribute(null=True)
    st_sk = UnicodeAttribute(null=True)

    by_status = ByStatus()


class ImportRejectedItem(Item):
    """``IMPORT#<id>`` / ``REJECTED#<row>``: a row the import refused, and why."""

    row = NumberAttribute()
    error = UnicodeAttribute()
