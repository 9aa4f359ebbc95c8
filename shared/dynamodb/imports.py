"""Data access of members imports: the status item (the job's checkpoint), the rejected rows,
and the one transaction that imports a row.

A row is ONE TransactWriteItems: the member's profile (created with the registration's
fields when absent, else credited), the opening balance's ledger entry keyed by the business
key ``import:<member_id>`` (``attribute_not_exists``: a member is imported once, whatever
file or run brings it again), its lot, and for a new member the contact lookup rows. The
entry names its import and row, so a cancelled row tells "done by this import before a
crash" from "imported by an earlier import" from "the same member id on another row".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import PutError

from shared.clock import utc_iso
from shared.domain.audit import AuditEntry
from shared.domain.imports import UNFINISHED, ImportJob, ImportRow
from shared.domain.ledger import Credit
from shared.domain.members import Member
from shared.domain.rules import Rules
from shared.domain.tiers import month_key
from shared.dynamodb import audit, keys, pages
from shared.dynamodb.contacts import add_contact_rows
from shared.dynamodb.ledger import ENTRY, PROFILE, add_credit, add_credit_entry
from shared.dynamodb.members import new_profile
from shared.dynamodb.models.imports import ImportItem, ImportRejectedItem
from shared.dynamodb.models.members import LedgerItem, MemberItem
from shared.dynamodb.tx import Cancelled, Retry, Tx, image, run
from shared.dynamodb.values import row_at, row_of, rows_at, value_of

IMPORT = "import"  # transaction label of the status item
SOURCE = "import"  # ledger source of an opening balance (business key import:<member_id>)
IMPORTED, SKIPPED, DUPLICATE = "imported", "skipped", "duplicate"


# -- the import's status item -----------------------------------------------------------


def _item(job: ImportJob) -> ImportItem:
    item = row_of(ImportItem, job, pk=keys.import_pk(job.import_id), sk=keys.IMPORT_SK)
    if job.status in UNFINISHED:
        item.st_pk = keys.IMPORTS_ACTIVE
        item.st_sk = keys.time_ordered_sk(job.updated_at, job.import_id)
    return item


def create(job: ImportJob, entry: AuditEntry) -> None:
    """Store a new import with its audit entry (one transaction)."""
    tx = Tx().put(IMPORT, _item(job), condition=ImportItem.pk.does_not_exist())
    audit.add(tx, entry).commit()


def load(import_id: str) -> ImportJob | None:
    item = row_at(ImportItem, keys.import_pk(import_id), keys.IMPORT_SK)
    return None if item is None else value_of(item, ImportJob)


def start(job: ImportJob, entry: AuditEntry) -> bool:
    """Move an uploaded import to ``job`` (queued) with its audit entry; False when it was
    not waiting for its upload any more (started already)."""
    tx = Tx().put(IMPORT, _item(job), condition=ImportItem.status == "uploading")
    try:
        audit.add(tx, entry).commit()
    except Cancelled as cancelled:
        if IMPORT in cancelled:
            return False
        raise
    return True


def save(job: ImportJob, read_ver: int) -> bool:
    """Replace the status item with ``job`` (a checkpoint), if it is still at ``read_ver``;
    False when another run moved it meanwhile (this run then stops). A conditional PutItem
    on its own (1 WCU; a transaction of one item would cost 2)."""
    try:
        _item(job).save(condition=ImportItem.ver == read_ver)
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def stalled(before_utc: str, limit: int = 100) -> list[str]:
    """Unfinished imports whose last checkpoint is older than ``before_utc`` (the resume
    schedule starts their job again)."""
    rows = ImportItem.by_status.query(
        keys.IMPORTS_ACTIVE, ImportItem.st_sk < before_utc, limit=limit
    )
    return [row.import_id for row in rows]


# -- rejected rows ------------------------------------------------------------------------


def add_rejected(import_id: str, rejected: Iterable[tuple[int, str]]) -> None:
    """Store rejected rows (puts by row number: writing a row's again is harmless)."""
    pk = keys.import_pk(import_id)
    with ImportRejectedItem.batch_write() as batch:
        for row, error in rejected:
            batch.save(
                ImportRejectedItem(pk=pk, sk=keys.import_rejected_sk(row), row=row, error=error)
            )


def rejected_page(
    import_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the rejected rows in row order, and the next page's cursor."""
    pk = keys.import_pk(import_id)
    result = ImportRejectedItem.query(
        pk,
        ImportRejectedItem.sk.startswith("REJECTED#"),
        limit=limit,
        consistent_read=True,
        last_evaluated_key=pages.decode(cursor, ("pk", pk)),
    )
    items = [{"row": int(item.row), "error": item.error} for item in result]
    return items, pages.encode(result.last_evaluated_key)


# -- importing rows -----------------------------------------------------------------------


class Known:
    """What the table already holds for a chunk's members: two BatchGetItem reads instead of
    a failed transaction per row on a re-post. Conditions still decide every outcome."""

    def __init__(self, member_ids: list[str]) -> None:
        profiles = [(keys.member_pk(m), keys.PROFILE) for m in member_ids]
        entries = [(keys.member_pk(m), keys.ledger_sk(SOURCE, m)) for m in member_ids]
        self.members = {keys.member_id_of(item.pk) for item in rows_at(MemberItem, profiles)}
        self.entries = {item.member_id: item for item in rows_at(LedgerItem, entries)}


def outcome_of(entry: LedgerItem, import_id: str, row: int) -> tuple[str, int | None]:
    """What a member's existing opening balance means for ``row`` of ``import_id``."""
    if entry.import_id != import_id:
        return SKIPPED, None
    if int(entry.import_row or 0) == row:
        return IMPORTED, None  # this row, done before the run was interrupted
    return DUPLICATE, int(entry.import_row or 0)


def _new_member(row: ImportRow, credit: Credit) -> MemberItem:
    """The registration's profile (no referral code, no welcome points) holding the opening
    balance."""
    member = Member(
        member_id=row.member_id,
        registered_at=utc_iso(credit.at),
        birthday=row.birthday,
        phone=row.phone,
        email=row.email,
        balance=credit.points,
        spendable=credit.points,
        credited=credit.points,
        ver=1,
        qualifying_total=0,
        qualifying_month=month_key(credit.earned_on),
    )
    return new_profile(member)


def import_row(
    row: ImportRow,
    import_id: str,
    credit: Credit,
    rules: Rules,
    *,
    member_exists: bool,
) -> tuple[str, int | None]:
    """Import one row in one transaction: ``(IMPORTED, None)``, ``(SKIPPED, None)`` (the
    member's opening balance came with an earlier import) or ``(DUPLICATE, first_row)``.

    A new member gets a profile with the registration's fields (no welcome points: the
    opening balance replaces them) and the contact lookup rows; an existing member keeps
    their profile and contact details and gets the opening balance only.
    """
    state = {"exists": member_exists}
    fields = {"import_id": import_id, "import_row": row.row}

    def attempt() -> tuple[str, int | None]:
        tx = Tx()
        if state["exists"]:
            add_credit(tx, credit, rules, **fields)
        else:
            profile = _new_member(row, credit)
            tx.put(PROFILE, profile, condition=MemberItem.pk.does_not_exist())
            add_credit_entry(tx, credit, rules, **fields)
            add_contact_rows(tx, row.member_id, row.phone, row.email)
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ENTRY in cancelled:
                return outcome_of(image(cancelled.failed[ENTRY], LedgerItem), import_id, row.row)
            if PROFILE in cancelled:  # registered meanwhile (or gone): the other variant
                state["exists"] = not state["exists"]
                raise Retry() from None
            raise
        return IMPORTED, None

    return run(attempt)
