"""Data access for the member aggregate: the profile, its registration, lots and ledger.

Reads return domain values (``shared.domain.members.Member``, ``Entry``, ``Lot``); the
transaction parts of a balance change live in ``shared.dynamodb.ledger``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from msgspec import Struct
from pynamodb.exceptions import DoesNotExist

from shared.clock import utc_iso
from shared.domain.ledger import Credit, Entry
from shared.domain.lots import Lot
from shared.domain.members import Audit, Member
from shared.domain.rules import Rules
from shared.dynamodb import contacts, keys, ledger, pages
from shared.dynamodb.ledger import ENTRY, LOT, PROFILE, add_credit
from shared.dynamodb.models.members import (
    AuditItem,
    LedgerItem,
    LotItem,
    MemberItem,
    ReferralCodeItem,
)
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.dynamodb.values import row_of, value_of
from shared.errors import Contention, MemberNotFound

REFCODE = "refcode"


class Written(Struct, frozen=True):
    """Outcome of an idempotent write: ``entry`` is ours, or the first one (``replayed``)."""

    entry: Entry
    replayed: bool


def profile_row(member_id: str) -> MemberItem:
    """The profile row, for the repositories that update it; :class:`MemberNotFound` if not
    registered. Everything else reads domain values: :func:`load`, :func:`find`."""
    try:
        return MemberItem.get(keys.member_pk(member_id), keys.PROFILE, consistent_read=True)
    except DoesNotExist:
        raise ledger.not_registered(member_id) from None


def find(member_id: str) -> Member | None:
    """The member (consistent read), or None if not registered."""
    try:
        return load(member_id)
    except MemberNotFound:
        return None


def member_of(item: MemberItem) -> Member:
    """A profile row (read, or a cancellation's old image) as a domain value."""
    return value_of(item, Member)


def load(member_id: str) -> Member:
    """The member (consistent read); :class:`MemberNotFound` if not registered."""
    return member_of(profile_row(member_id))


def audit_row(audit: Audit, key: str) -> AuditItem:
    """The row of one entry of the member's audit trail (operators' actions, tier changes,
    expiry extensions), keyed ``AUDIT#<at>#<key>``."""
    at = utc_iso(audit.at)
    sk = keys.audit_sk(at, key)
    return row_of(AuditItem, audit, pk=keys.member_pk(audit.member_id), sk=sk, at=at)


class CodeTaken(Exception):
    """The new member's referral code already belongs to someone (draw another)."""


def new_profile(member: Member) -> MemberItem:
    """A new member's profile row (registration, a members import's new member), with the
    by_birthday index keys the birthdays job reads (see shared/dynamodb/tiers.py)."""
    extra = keys.birthday_index(member.member_id, member.birthday) if member.birthday else {}
    return row_of(MemberItem, member, pk=keys.member_pk(member.member_id), sk=keys.PROFILE, **extra)


def register(member: Member, welcome: Credit | None, rules: Rules) -> tuple[Member, bool]:
    """Create the member with its welcome credit, its referral code's lookup item and its
    contact lookup rows (``shared/dynamodb/contacts.py``).

    Returns (the member as stored, created): the existing member when there is one; raises
    :class:`CodeTaken` if ``member.referral_code`` is in use.
    """
    item = new_profile(member)
    code = None
    if member.referral_code is not None:
        code = ReferralCodeItem(
            pk=keys.referral_code_pk(member.referral_code),
            sk=keys.REFCODE_SK,
            member_id=member.member_id,
            referred_by=member.referred_by,
        )

    def attempt() -> tuple[Member, bool]:
        tx = Tx()
        if welcome is not None and welcome.points > 0:
            item.balance = item.spendable = item.credited = welcome.points
            item.ver = 1
            tx.put(ENTRY, ledger.entry_item(welcome, welcome.points))
            tx.put(LOT, ledger.lot_item(welcome, rules))
        tx.put(PROFILE, item, condition=MemberItem.pk.does_not_exist())
        if code is not None:
            tx.put(REFCODE, code, condition=ReferralCodeItem.pk.does_not_exist())
        contacts.add_contact_rows(tx, member.member_id, member.phone, member.email)
        try:
            tx.commit()
        except Cancelled as cancelled:
            if PROFILE not in cancelled and REFCODE in cancelled:
                raise CodeTaken() from None
            existing = image(cancelled.failed.get(PROFILE), MemberItem)
            if existing is None:
                return load(member.member_id), False
            return member_of(existing), False
        return member_of(item), True

    return run(attempt)


def credit(credit: Credit, rules: Rules, **entry_fields: Any) -> Written:
    """Add ``credit`` as a ledger entry and a lot, once per business key."""

    def attempt() -> Written:
        tx = Tx()
        entry = add_credit(tx, credit, rules, **entry_fields)
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ENTRY in cancelled:
                return Written(ledger.entry_image(cancelled.failed[ENTRY]), replayed=True)
            raise ledger.not_registered(credit.member_id) from None
        return Written(ledger.entry_of(entry), replayed=False)

    return run(attempt)


def lots(member_id: str) -> list[Lot]:
    """The member's open lots, soonest expiry first."""
    return [
        Lot(date.fromisoformat(lot.expires_on), int(lot.points))
        for lot in LotItem.query(
            keys.member_pk(member_id), LotItem.sk.startswith(keys.LOT), consistent_read=True
        )
    ]


LEDGER = "ledger"  # the ledger's cursors: a key, the running balance after it, the locale


def _decode_cursor(cursor: str, member_pk: str) -> dict[str, Any]:
    """A ledger cursor this stage signed (shared/dynamodb/pages.py) for this member's ledger:
    the balance it carries is the one the previous page computed, never the client's."""
    payload = pages.verify(cursor, LEDGER)
    if (
        not set(payload) <= {"k", "b", "l"}
        or not pages.is_key(payload.get("k"))
        or payload["k"].get("pk") != {"S": member_pk}
        or type(payload.get("b")) is not int
        or not isinstance(payload.get("l", ""), str)
    ):
        raise pages.invalid()
    return payload


class LedgerPage(NamedTuple):
    entries: list[Entry]
    balance: int  # after the page's newest entry
    next_cursor: str | None
    saved_locale: str | None  # the member's, as the first page read it (the cursor keeps it)


def ledger_page(member_id: str, limit: int, cursor: str | None) -> LedgerPage:
    """A newest-first page of the ledger, the balance after its newest entry, next cursor,
    and the member's saved locale (read with the balance on the first page, carried by the
    cursor after it, so every page of one walk is in the same language).

    The first page reads the member before and after the query and retries if its version
    moved, so the running balances are a consistent snapshot without touching the writes.
    """
    pk = keys.member_pk(member_id)
    start = _decode_cursor(cursor, pk) if cursor else None
    for _ in range(5):
        before = profile_row(member_id) if start is None else None
        result = LedgerItem.by_time.query(
            pk,
            scan_index_forward=False,
            limit=limit,
            consistent_read=True,
            last_evaluated_key=start["k"] if start else None,
        )
        items = [ledger.entry_of(i) for i in result]
        if before is not None and profile_row(member_id).ver != before.ver:
            continue
        balance = int(before.balance) if before is not None else start["b"]
        saved = before.locale if before is not None else start.get("l")
        next_key = result.last_evaluated_key
        after_last = balance - sum(i.points for i in items)
        carried = {"l": saved} if saved else {}
        nxt = pages.sign({"k": next_key, "b": after_last, **carried}, LEDGER) if next_key else None
        return LedgerPage(items, balance, nxt, saved)
    raise Contention("the ledger is changing quickly; retry the request")
