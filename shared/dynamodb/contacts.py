"""Data access of the contact lookup: which members have a given phone or e-mail.

One row per member and contact, ``CONTACT#<hmac>`` / ``MEMBER#<id>`` (``ContactItem``),
written in the transaction that creates the member (registration, the members import), so a
member is findable exactly when it exists. The key is the keyed hash of the normalised value
(``shared/pii.py``); the clear value is only an attribute of the member's profile.
"""

from __future__ import annotations

from shared import pii
from shared.domain.contacts import normalize_email, normalize_phone
from shared.domain.members import Member
from shared.dynamodb import keys, pages
from shared.dynamodb.models.contacts import ContactItem
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.tx import Tx
from shared.dynamodb.values import rows_at, value_of

PHONE, EMAIL = "contact:phone", "contact:email"  # transaction labels


def row(kind: pii.Kind, normalized: str, member_id: str) -> ContactItem:
    """The lookup row of ``member_id`` under one normalised phone or e-mail."""
    return ContactItem(
        pk=keys.contact_pk(pii.lookup_key(kind, normalized)),
        sk=keys.member_pk(member_id),
        member_id=member_id,
        kind=kind,
    )


def add_contact_rows(tx: Tx, member_id: str, phone: str | None, email: str | None) -> Tx:
    """Add the member's lookup rows (one per contact given) to ``tx``.

    For the transaction that creates the member (registration, an import's row), so the rows
    land exactly when the profile does; the clear values go on the profile (``Member.phone``,
    ``Member.email``), never here. ``phone``/``email`` are normalised again (a no-op on
    normalised values; :class:`~shared.domain.contacts.InvalidContact` on bad ones). The puts
    are unconditional: writing the same row twice is harmless, so a retried or resumed
    transaction may repeat them. Adds no items when both are None."""
    if phone is not None:
        tx.put(PHONE, row("phone", normalize_phone(phone), member_id))
    if email is not None:
        tx.put(EMAIL, row("email", normalize_email(email), member_id))
    return tx


def members_with(
    kind: pii.Kind, normalized: str, limit: int, cursor: str | None
) -> tuple[list[Member], str | None]:
    """A page of the members with this phone or e-mail (by member id) and the next cursor:
    one Query of the lookup rows, one BatchGetItem of their profiles."""
    pk = keys.contact_pk(pii.lookup_key(kind, normalized))
    result = ContactItem.query(
        pk,
        limit=limit,
        consistent_read=True,
        last_evaluated_key=pages.decode(cursor, ("pk", pk)),
    )
    ids = [item.member_id for item in result]
    rows = rows_at(MemberItem, [(keys.member_pk(i), keys.PROFILE) for i in ids])
    by_id = {row.member_id: value_of(row, Member) for row in rows}
    return [by_id[i] for i in ids if i in by_id], pages.encode(result.last_evaluated_key)
