"""What each function may do: the only place IAM grants are declared.

Each function gets its own role with exactly these actions (see ``statements``): table actions
on the table ARN, index actions on the listed index ARNs only, ``events:PutEvents`` on the
stage's bus only when declared. ``TransactWriteItems`` needs no action of its own: DynamoDB
authorizes each contained Put/Update/Delete/ConditionCheck separately.

Data-level least privilege: every DynamoDB statement is conditioned on ``dynamodb:LeadingKeys``
(``ForAllValues:StringLike``), the partition key values a request names: the ``pk`` of the
item of a GetItem/PutItem/UpdateItem/DeleteItem, of every item of a BatchGetItem,
BatchWriteItem or transaction (each is authorized as its own action), and for a Query the
partition key it queries: on a global secondary index that is the index's partition key
(``st_pk``, ``exp_pk``...), so index statements carry the index's own prefixes. Writes
(Put/Update/Delete/BatchWrite) are allowed on ``writes`` only; reads (Get/Query/BatchGet and
the ConditionCheck of a transaction) on ``reads`` and ``writes``. The prefixes are the
builders' of shared/dynamodb/keys.py, the only place keys are made, and
tests/security/test_key_prefixes.py runs the handlers and checks every key they send against
:meth:`Access.allows`, so the grants cannot drift from the code.

A Scan names no partition: ``ForAllValues`` over the empty set of leading keys is true, so
the condition would not restrict it. Scan is therefore granted apart, unconditioned, only to
a function declaring ``scan_reason``.

The counted-events table (shared/tables.py ``COUNTED_TABLE``: the reports consumer's
``AGG#<event id>`` markers) is a second table: a function declaring ``counted_table`` gets
those actions on its ARN only, always conditioned on ``LeadingKeys`` ``AGG#*`` (``COUNTED``),
the only partitions it holds, and only that function gets its name (``COUNTED_TABLE_NAME``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from aws_cdk import aws_iam as iam

from shared.dynamodb import keys as k
from shared.tables import POINTS_TABLE

GET = "dynamodb:GetItem"
QUERY = "dynamodb:Query"
PUT = "dynamodb:PutItem"
UPDATE = "dynamodb:UpdateItem"
DELETE = "dynamodb:DeleteItem"
CONDITION_CHECK = "dynamodb:ConditionCheckItem"
BATCH_GET = "dynamodb:BatchGetItem"
BATCH_WRITE = "dynamodb:BatchWriteItem"  # members import: its rejected rows
SCAN = "dynamodb:Scan"  # exports only: see shared/dynamodb/exports.py
PUT_EVENTS = "events:PutEvents"
GET_SECRET = "secretsmanager:GetSecretValue"
S3_GET = "s3:GetObject"
S3_PUT = "s3:PutObject"
S3_ABORT = "s3:AbortMultipartUpload"
S3_LIST = "s3:ListBucket"
INVOKE = "lambda:InvokeFunction"
SQS_SEND = "sqs:SendMessage"  # SendMessageBatch is authorized as SendMessage
SNS_PUBLISH = "sns:Publish"
SES_SEND = "ses:SendEmail"  # SES v2 SendEmail
SES_FROM = "ses:FromAddress"
LEADING_KEYS = "dynamodb:LeadingKeys"
# The partitioned jobs' shard tasks (infra/catalog.py): their coordinators send, the jobs
# function works them (and sends a task out of time again).
SHARD_TASKS = "job-shards"
WRITES = frozenset({PUT, UPDATE, DELETE, BATCH_WRITE})  # the rest (but Scan) are reads


def prefix(start: str) -> str:
    """A ``StringLike`` pattern: every partition whose key starts with ``start``."""
    return f"{start}*"


# Partitions (table ``pk``), from shared/dynamodb/keys.py
MEMBERS = prefix(k.MEMBER)  # profiles, ledger entries, lots, orders, draws, messages...
PROGRAMME = k.PROGRAMME  # rules overrides, campaigns, rebate campaigns, extra-draw terms
TASKS = k.TASKS  # the tasks members complete
REFCODES = prefix(k.REFCODE)
IDEMPOTENCY = prefix(k.IDEMPOTENCY)
ITEMS = prefix(k.ITEM)
CATALOG = k.CATALOG
COUPONS = prefix(k.COUPON)
PAYOUTS = prefix(k.PAYOUTS)
HOLDS = prefix(k.HOLD)
REPORTS = k.REPORTS  # the daily aggregates before issue 23 (read only)
REPORT_SHARDS = prefix(k.report_shard_pk(0).removesuffix("00"))  # the daily aggregates' shards
ACTIVE = prefix(k.active_pk(date.min).removesuffix(date.min.isoformat()))  # active members/day
COUNTED = prefix(k.aggregated_pk(""))  # an event counted once
# a campaign's definition and prize stock (LOTTERY#<id>), its stats shards (LOTTERY#<id>#STATS#<nn>)
# and its prizes' stock shards (LOTTERY#<id>#PRIZE#<prize_id>#<nn>)
LOTTERIES = prefix(k.LOTTERY)
LOTTERY_LIST = k.LOTTERIES
JOBS = prefix(k.JOB)  # run checkpoints (and a fanned-out run's shards: RUN#<run>#SHARD#<n>)
AUDIT_LOG = prefix(k.audit_log_pk(""))
CONTACTS = prefix(k.CONTACT)
EXPORTS = prefix(k.export_pk(""))
IMPORTS = prefix(k.import_pk(""))
REVIEWS = prefix(k.REVIEW)
ADJUSTMENTS = prefix(k.ADJUSTMENT)  # adjustments awaiting a second operator's approval
BOARDS = prefix(k.LEADERBOARD)  # leaderboard snapshots

# Index partitions (each index's own partition key)
PURCHASE_ORDERS = prefix(k.order_pk(""))  # by_order: the shop's order id → its purchase
MALL_ORDERS = prefix(k.MALL_ORDER_ID)  # by_order: a mall order by id
AUDIT_TARGETS = prefix(k.audit_target_pk(""))  # by_order: the audit log by target
LOTS_DUE = prefix(k.EXPIRY)  # by_expiry
HOLDS_DUE = prefix(k.HOLD_EXPIRY)  # by_expiry
ORDER_QUEUES = prefix(k.ORDERS_IN)  # by_status
DRAW_LOGS = prefix(k.LOTTERY_DRAWS)  # by_status: LOTTERYDRAWS#<id>#<nn> (and #<id> before)
STATEMENTS = prefix(k.REBATE)  # by_status (a campaign's statements) / by_campaign (shards)
AUDIT_ACTORS = prefix(k.audit_actor_pk(""))  # by_status: the audit log by actor
REVIEW_QUEUES = prefix(k.REVIEWS_IN)  # by_status
ADJUSTMENT_QUEUES = prefix(k.ADJUSTMENTS_IN)  # by_status
IMPORTS_ACTIVE = k.IMPORTS_ACTIVE  # by_status
TIERS = prefix(k.TIER)  # by_tier
BIRTHDAYS = prefix(k.BIRTHDAY)  # by_birthday
EARNERS = prefix(k.BOARD)  # by_board


def string_like(patterns: Iterable[str]) -> re.Pattern[str]:
    """IAM ``StringLike``: ``*`` any run of characters, ``?`` one, the rest literal."""
    parts = (
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in p)
        for p in patterns
    )
    return re.compile("|".join(f"(?:{p})" for p in parts) or "(?!)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Access:
    table: tuple[str, ...] = ()  # actions on the table itself
    indexes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # index -> actions
    put_events: bool = False  # events:PutEvents on the stage's bus
    # secretsmanager:GetSecretValue on the stage's PII HMAC key (shared/pii.py): only the
    # functions that hash a phone or e-mail (registration, lookup, the members import)
    pii_key: bool = False
    # The stage's file store (infra/constructs/files.py): s3:GetObject / s3:PutObject on these
    # key prefixes only (presigned URLs the function hands out carry its own grants), and
    # s3:ListBucket limited to them (so a missing file reads as missing, not as denied).
    files_read: tuple[str, ...] = ()
    files_write: tuple[str, ...] = ()
    # lambda:InvokeFunction on the function itself: a background job started from a request
    # or continued after a timeout (shared/jobs/background.py)
    invoke_self: bool = False
    # sqs:SendMessage on these queues of the stage (infra/catalog.py QueueSource names)
    send_to: tuple[str, ...] = ()
    # Delivers to members on the channels the stage configures (infra/config.py
    # Notifications), each granted only when configured: SMS (sns:Publish to a phone
    # number, see ``sms_statements``) and e-mail (ses:SendEmail on the stage's SES identity,
    # from its address only). A stage with neither: no grant at all.
    deliver: bool = False
    # dynamodb:LeadingKeys (module docstring): the table partitions it only reads, those it
    # writes (and reads), each queried index's partitions; Scan only with a reason.
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    index_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    scan_reason: str = ""
    # Actions on the counted-events table (module docstring), on its ``COUNTED`` partitions.
    counted_table: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        known = {index.name for index in POINTS_TABLE.indexes}
        unknown = set(self.indexes) - known
        if unknown:
            raise ValueError(f"unknown index(es) {sorted(unknown)}; the table has {sorted(known)}")
        for action in (
            *self.table,
            *(a for acts in self.indexes.values() for a in acts),
            *self.counted_table,
        ):
            if not action.startswith("dynamodb:") or "*" in action:
                raise ValueError(f"{action!r}: name one DynamoDB action, no wildcards")
        if SCAN in self.counted_table:
            raise ValueError("Scan is not restricted by LeadingKeys: not on the counted table")
        self._check_leading_keys()

    def _check_leading_keys(self) -> None:
        if (SCAN in self.table) != bool(self.scan_reason):
            raise ValueError("Scan is not restricted by LeadingKeys: grant it with scan_reason")
        writes = WRITES.intersection(self.table)
        if bool(writes) != bool(self.writes):
            raise ValueError("declare writes (LeadingKeys) exactly when granting write actions")
        if set(self.table) - WRITES - {SCAN} and not (self.reads or self.writes):
            raise ValueError("table reads need the partitions they read (reads/writes)")
        if set(self.index_keys) != set(self.indexes):
            raise ValueError("each queried index needs its partitions (index_keys), no other")
        for pattern in (
            *self.reads,
            *self.writes,
            *(p for v in self.index_keys.values() for p in v),
        ):
            if (
                not pattern
                or pattern.startswith("*")
                or pattern.count("*") > 1
                or ("*" in pattern and not pattern.endswith("*"))
            ):
                raise ValueError(f"{pattern!r}: a key, or a key prefix followed by one '*'")

    def allows(self, action: str, resource: str, key: str) -> bool:
        """Whether the role lets ``action`` on ``resource`` (``table``, ``index/<name>`` or
        ``counted``: the counted-events table) reach the partition ``key`` (``SCAN``: a Scan,
        no key) — what IAM decides from :func:`statements`."""
        if resource == "counted":
            if action not in self.counted_table:
                return False
            allowed: tuple[str, ...] = (COUNTED,)
        elif resource == "table":
            if action == SCAN:
                return SCAN in self.table
            if action not in self.table:
                return False
            allowed = self.writes if action in WRITES else (*self.reads, *self.writes)
        else:
            index = resource.removeprefix("index/")
            if action not in self.indexes.get(index, ()):
                return False
            allowed = self.index_keys[index]
        return bool(string_like(allowed).fullmatch(key))


# One entry per function folder (HTTP or scheduled). Keep each to what its code calls.
ACCESS: Mapping[str, Access] = MappingProxyType(
    {
        # Reads the member view, the ledger newest first (LSI) and the lots (table query).
        "account": Access(
            table=(GET, QUERY),
            indexes={"by_time": (QUERY,)},
            reads=(MEMBERS, PROGRAMME),
            index_keys={"by_time": (MEMBERS,)},
        ),
        # Registers members (with their contact lookup rows: the PII key), records
        # purchases/refunds/receipts in one transaction each (with
        # their rebate accruals); finds a purchase by the shop's order id for refunds and
        # receipts, reads the buyer and referrer profiles on a receipt. Loads the programme
        # rules and campaigns (one Query), credits the task completions a trusted system
        # reports and looks up this period's (BatchGetItem of ledger keys). Members' own
        # activity is ``activity``'s: this role never writes the programme nor idempotency
        # records (its writes are idempotent by business key).
        "earn": Access(
            table=(GET, QUERY, PUT, UPDATE, CONDITION_CHECK, BATCH_GET),
            indexes={"by_order": (QUERY,)},
            pii_key=True,
            reads=(PROGRAMME, TASKS),
            writes=(MEMBERS, CONTACTS, REFCODES, REVIEWS, HOLDS),
            index_keys={"by_order": (PURCHASE_ORDERS,)},
        ),
        # Members' check-ins and tasks: the programme's rules and tasks (Query), this period's
        # completions (BatchGetItem of ledger keys), a credit (profile update, ledger entry and
        # lot in one transaction). The member's partition only, besides reading the programme.
        "activity": Access(
            table=(GET, QUERY, PUT, UPDATE, CONDITION_CHECK, BATCH_GET),
            reads=(PROGRAMME, TASKS),
            writes=(MEMBERS,),
        ),
        # Operators: stores rules, tasks and campaigns; reads a member's file (profile, lots,
        # audit trail) and ledger (LSI); adjusts (ledger entry, lot, audit, idempotency
        # record) and freezes members in one transaction each. Finds members by phone or
        # e-mail: a Query of the lookup rows (keyed hash: the PII key), BatchGetItem of the
        # profiles; a reveal writes its audit entry (PutItem). Every write carries its audit
        # log entry; the log's read queries it by actor (by_status) or target (by_order).
        # An adjustment above the approval threshold waits (its item, with a ConditionCheck
        # that the member exists) and is listed by status (by_status) for a second operator.
        "admin": Access(
            table=(GET, QUERY, PUT, UPDATE, CONDITION_CHECK, BATCH_GET),
            indexes={"by_time": (QUERY,), "by_status": (QUERY,), "by_order": (QUERY,)},
            pii_key=True,
            reads=(CONTACTS,),
            writes=(PROGRAMME, TASKS, MEMBERS, IDEMPOTENCY, AUDIT_LOG, ADJUSTMENTS),
            index_keys={
                "by_time": (MEMBERS,),
                "by_status": (AUDIT_ACTORS, ADJUSTMENT_QUEUES),
                "by_order": (AUDIT_TARGETS,),
            },
        ),
        # Scheduled expiry + reminders: finds due lots (by_expiry), settles a member's lots
        # and expires points in one transaction, records run checkpoints, reminder markers;
        # on AWS its schedules coordinate: one task per shard to the job-shards queue.
        "expire": Access(
            table=(GET, QUERY, PUT, UPDATE, DELETE, CONDITION_CHECK),
            indexes={"by_expiry": (QUERY,)},
            send_to=(SHARD_TASKS,),
            reads=(PROGRAMME,),
            writes=(MEMBERS, JOBS, AUDIT_LOG),
            index_keys={"by_expiry": (LOTS_DUE,)},
        ),
        # Operators run any job now: the union of what the jobs do (resume-imports: the
        # members import's rows, rejected rows, contact lookup rows and its CSV); a run that
        # ends incomplete goes on in the background (invoke_self). The partitioned jobs' worker
        # too: it consumes the job-shards queue (the grants come with the event source) and
        # sends a task out of time again.
        "jobs": Access(
            table=(GET, QUERY, PUT, UPDATE, DELETE, CONDITION_CHECK, BATCH_GET, BATCH_WRITE),
            indexes={
                "by_expiry": (QUERY,),
                "by_status": (QUERY,),
                "by_tier": (QUERY,),
                "by_birthday": (QUERY,),
                "by_campaign": (QUERY,),
                "by_board": (QUERY,),
            },
            pii_key=True,
            files_read=("imports/",),
            invoke_self=True,
            send_to=(SHARD_TASKS,),
            reads=(PROGRAMME,),
            writes=(MEMBERS, JOBS, AUDIT_LOG, HOLDS, ITEMS, BOARDS, IMPORTS, CONTACTS),
            index_keys={
                "by_expiry": (LOTS_DUE, HOLDS_DUE),
                "by_status": (ORDER_QUEUES, IMPORTS_ACTIVE),
                "by_tier": (TIERS,),
                "by_birthday": (BIRTHDAYS,),
                "by_campaign": (STATEMENTS,),
                "by_board": (EARNERS,),
            },
        ),
        # Scheduled tiers + birthdays: members above the first tier (by_tier) and today's
        # birthdays (by_birthday); reads each member, demotes (profile update + audit put)
        # or credits the birthday (profile update, ledger entry, lot); run checkpoints; its
        # schedules send one task per index partition to the job-shards queue.
        "tiers": Access(
            table=(GET, QUERY, PUT, UPDATE),
            indexes={"by_tier": (QUERY,), "by_birthday": (QUERY,)},
            send_to=(SHARD_TASKS,),
            reads=(PROGRAMME,),
            writes=(MEMBERS, JOBS),
            index_keys={"by_tier": (TIERS,), "by_birthday": (BIRTHDAYS,)},
        ),
        # Points at checkout: hold / capture / release in one transaction each (member,
        # hold, ledger entry); the sweep finds expired holds on by_expiry. The rules (the
        # programme's Query: its time zone and limits) were missed until the key check ran.
        "checkout": Access(
            table=(GET, QUERY, PUT, UPDATE, CONDITION_CHECK),
            indexes={"by_expiry": (QUERY,)},
            reads=(PROGRAMME,),
            writes=(MEMBERS, HOLDS),
            index_keys={"by_expiry": (HOLDS_DUE,)},
        ),
        # Transfers: both members, the sender's day counter and the idempotency record in
        # one transaction (GetItem: a repeated Idempotency-Key, expired holds); the rules
        # (the programme's Query: limits), missed until the key check ran.
        "transfers": Access(
            table=(GET, QUERY, PUT, UPDATE, CONDITION_CHECK),
            reads=(PROGRAMME,),
            writes=(MEMBERS, IDEMPOTENCY, HOLDS),
        ),
        # Reports: counts a batch of business events into a day's counters in one shard
        # (each event's marker, a conditional PutItem in the counted-events table, and the
        # counters in one transaction; the active-member sketch read (GetItem) and replaced
        # under its version) and reads them back per day and shard. Read only: the single
        # partition and member markers of before issue 23, and the events' markers written in
        # the points table before the counted-events table (BatchGetItem of the batch's).
        "reports": Access(
            table=(GET, QUERY, PUT, UPDATE, CONDITION_CHECK, BATCH_GET),
            reads=(PROGRAMME, REPORTS, ACTIVE, COUNTED),
            writes=(REPORT_SHARDS,),
            counted_table=(PUT,),
        ),
        # Table stream → EventBridge (stream read grants come with the event source).
        "publisher": Access(put_events=True),
        # Points mall, members and the shop: reads the catalog (listing Query + BatchGetItem
        # of the items) and the programme rules; a redemption is one transaction of updates
        # (member, stock, limit counters), puts (order, ledger, coupon, payout, idempotency
        # record) and a condition check (the item's version); orders by id (by_order).
        "redeem": Access(
            table=(GET, QUERY, PUT, UPDATE, CONDITION_CHECK, BATCH_GET),
            indexes={"by_order": (QUERY,)},
            reads=(PROGRAMME, CATALOG),
            writes=(MEMBERS, ITEMS, COUPONS, PAYOUTS, IDEMPOTENCY, HOLDS),
            index_keys={"by_order": (MALL_ORDERS,)},
        ),
        # Points mall, operators: catalog writes (retiring deletes the listing entry), the
        # catalog list (listing Query + BatchGetItem of the items), the order queue
        # (by_status), orders by id (by_order), moves and rejections (points, stock and
        # limits back in one transaction).
        "mall_admin": Access(
            table=(GET, QUERY, PUT, UPDATE, DELETE, BATCH_GET),
            indexes={"by_order": (QUERY,), "by_status": (QUERY,)},
            reads=(PROGRAMME,),
            writes=(MEMBERS, ITEMS, CATALOG, AUDIT_LOG),
            index_keys={"by_order": (MALL_ORDERS,), "by_status": (ORDER_QUEUES,)},
        ),
        # Scheduled: cancels unpaid points + cash orders (by_status), giving everything back.
        "mall_sweep": Access(
            table=(GET, QUERY, PUT, UPDATE),
            indexes={"by_status": (QUERY,)},
            reads=(PROGRAMME,),
            writes=(MEMBERS, ITEMS),
            index_keys={"by_status": (ORDER_QUEUES,)},
        ),
        # Points lottery, members: reads a campaign (one Query of its partition, and one
        # BatchGetItem of its prizes' stock shards when it has some), the rules and the
        # member's daily counters (Query); a draw is one transaction of updates (member,
        # daily counter, prize stock or stock shard, stats shard) and puts (ledger, lot,
        # draw, order, coupon, payout, idempotency record); a won gift's address updates its
        # order.
        # A campaign from before issue 23 gets its stats shards on its first draw (updates).
        # An extra draw earned by spend takes one from the member's counter (update) and,
        # when it wins no points, only checks the profile (ConditionCheck). No index, no delete.
        "lottery": Access(
            table=(GET, QUERY, BATCH_GET, PUT, UPDATE, CONDITION_CHECK),
            reads=(PROGRAMME, LOTTERY_LIST),
            writes=(MEMBERS, LOTTERIES, COUPONS, PAYOUTS, IDEMPOTENCY, HOLDS),
        ),
        # Points lottery, operators: campaigns (the listing entry moves when the end time
        # does, a prize no longer limited loses its stock item: deletes), catalog reads for
        # coupon and gift prizes, the stats (Query of the campaign, BatchGetItem of its
        # shards) and the draws newest first (by_status, one Query per shard).
        "lottery_admin": Access(
            table=(GET, QUERY, PUT, UPDATE, DELETE, BATCH_GET),
            indexes={"by_status": (QUERY,)},
            reads=(CATALOG, ITEMS),
            writes=(PROGRAMME, LOTTERIES, LOTTERY_LIST, AUDIT_LOG),
            index_keys={"by_status": (DRAW_LOGS,)},
        ),
        # Rebates, members: their rebate items (one Query of their partition), a statement
        # (GetItem) and the campaigns with the programme (Query). Reads only.
        "rebates": Access(table=(GET, QUERY), reads=(MEMBERS, PROGRAMME)),
        # Leaderboard, members: the period's snapshot and their own profile in one
        # BatchGetItem (and the rules' Query, cached). Reads only.
        "leaderboard": Access(table=(QUERY, BATCH_GET), reads=(BOARDS, MEMBERS, PROGRAMME)),
        # Scheduled leaderboard snapshot: the members who earned (by_board, keys only), their
        # profiles (BatchGetItem), whether an ended period is final (GetItem), the snapshots
        # (PutItem), the rules (Query).
        "leaderboard_snapshot": Access(
            table=(GET, QUERY, PUT, BATCH_GET),
            indexes={"by_board": (QUERY,)},
            reads=(MEMBERS, PROGRAMME),
            writes=(BOARDS, JOBS),
            index_keys={"by_board": (EARNERS,)},
        ),
        # Scheduled rebate settlement: the campaigns (programme Query), their participants
        # (by_campaign), a statement written on each accrual (conditional UpdateItem, a
        # consistent GetItem to re-read a changed one), run checkpoints (GetItem, PutItem).
        "rebate_settlement": Access(
            table=(GET, QUERY, PUT, UPDATE),
            indexes={"by_campaign": (QUERY,)},
            reads=(PROGRAMME,),
            writes=(MEMBERS, JOBS),
            index_keys={"by_campaign": (STATEMENTS,)},
        ),
        # Rebates, operators: campaign definitions in the programme partition (conditional
        # PutItem to tell create from replace, PutItem, GetItem, Query; the rules with
        # them), whether a campaign has accruals (by_campaign, Limit=1 per shard).
        # Statements: a campaign's statements in one status (by_status) or all of them for
        # the export (by_campaign); a review is one transaction (statement UpdateItem, audit
        # PutItem); a payout too (statement UpdateItem with, for points, the member
        # UpdateItem and the ledger entry and lot PutItems, for a bank payout the record).
        # Settlement and live totals: the participants (by_campaign), a statement on each
        # accrual (conditional UpdateItem, consistent GetItem to re-read), run checkpoints.
        "rebates_admin": Access(
            table=(GET, QUERY, PUT, UPDATE),
            indexes={"by_campaign": (QUERY,), "by_status": (QUERY,)},
            reads=(),
            writes=(PROGRAMME, MEMBERS, AUDIT_LOG, JOBS),
            index_keys={"by_campaign": (STATEMENTS,), "by_status": (STATEMENTS,)},
        ),
        # Exports for finance: the export item and its audit entry in one transaction (PutItem),
        # its status moves (UpdateItem), reads of it, the rules and a rebate campaign (GetItem,
        # Query); the rows: ledger entries and profiles by a parallel Scan, orders by status
        # (by_status), a campaign's statements (by_campaign).
        "exports": Access(
            table=(GET, QUERY, PUT, UPDATE, SCAN),
            indexes={"by_status": (QUERY,), "by_campaign": (QUERY,)},
            # the CSV under exports/ (written by the job, read through the presigned URL);
            # the job runs in an asynchronous invocation of the function itself
            files_read=("exports/",),
            files_write=("exports/",),
            invoke_self=True,
            reads=(PROGRAMME,),
            writes=(EXPORTS, AUDIT_LOG),
            index_keys={"by_status": (ORDER_QUEUES, STATEMENTS), "by_campaign": (STATEMENTS,)},
            scan_reason="the ledger and members exports read every member's partition: a "
            "parallel Scan (shared/dynamodb/exports.py)",
        ),
        # The review queue, operators: lists reviews by status (by_status), reads a review and
        # the member's profile (GetItem) and the rules (programme Query); a decision is one
        # transaction: the review (UpdateItem), the member (UpdateItem), the purchase's ledger
        # entry, its lot and the audit entry (PutItem).
        "reviews": Access(
            table=(GET, QUERY, PUT, UPDATE),
            indexes={"by_status": (QUERY,)},
            reads=(PROGRAMME,),
            writes=(REVIEWS, MEMBERS, AUDIT_LOG),
            index_keys={"by_status": (REVIEW_QUEUES,)},
        ),
        # Members import, operators and its job: the import item and its audit entry (one
        # transaction of PutItems), the import's rejected rows (BatchWriteItem) and a page of
        # them (Query); the stalled imports (by_status). Each row is one
        # transaction: the profile (PutItem of a new member or UpdateItem of an existing
        # one), the ledger entry, the lot and the contact lookup rows (PutItem, keyed hash:
        # the PII key); what a chunk's members already have (BatchGetItem). The CSV under
        # imports/ (written from an inline body, read by the job, PUT by the operator through
        # the presigned URL); the job continues itself (invoke_self).
        "imports": Access(
            table=(GET, QUERY, PUT, UPDATE, BATCH_GET, BATCH_WRITE),
            indexes={"by_status": (QUERY,)},
            pii_key=True,
            files_read=("imports/",),
            files_write=("imports/",),
            invoke_self=True,
            reads=(PROGRAMME,),
            writes=(IMPORTS, AUDIT_LOG, MEMBERS, CONTACTS),
            index_keys={"by_status": (IMPORTS_ACTIVE,)},
        ),
        # The member's inbox and preferences: a page of messages and the unread count (Query
        # of the member's partition), one message (GetItem), marking it read (UpdateItem);
        # the profile's locale and channels (GetItem, UpdateItem); the rules (Query).
        "inbox": Access(table=(GET, QUERY, UPDATE), reads=(PROGRAMME,), writes=(MEMBERS,)),
        # Notifier: the batch's member profiles in one BatchGetItem (preferences only), each
        # message a conditional PutItem (one per kind per member per day; GetItem tells a
        # redelivery of the same event from another), the rules (Query); the sends the members
        # opted into → the sends queue.
        "notifier": Access(
            table=(GET, QUERY, PUT, BATCH_GET),
            send_to=("sends",),
            reads=(PROGRAMME,),
            writes=(MEMBERS,),
        ),
        # Sender: the member's profile read at send time (GetItem: opt-out, phone, e-mail),
        # the rules (Query), the message marked sent per channel (conditional UpdateItem);
        # SMS / e-mail where the stage configures them. Receiving, deleting and holding back
        # (ChangeMessageVisibility) its own queue's messages come with the event source.
        "sender": Access(
            table=(GET, QUERY, UPDATE), deliver=True, reads=(PROGRAMME,), writes=(MEMBERS,)
        ),
    }
)


def access_for(function: str) -> Access:
    try:
        return ACCESS[function]
    except KeyError:
        raise KeyError(
            f"function {function!r} has no grants: declare them in infra/permissions.py ACCESS"
        ) from None


def statements(
    access: Access,
    table_arn: str,
    bus_arn: str,
    pii_key_arn: str | None = None,
    files_bucket_arn: str | None = None,
    function_arn: str | None = None,
    queue_arns: Mapping[str, str] | None = None,
    email: tuple[str, str] | None = None,
    counted_table_arn: str | None = None,
) -> list[iam.PolicyStatement]:
    """The data-plane statements for one function's role (logs, X-Ray and SMS are added
    apart); ``pii_key_arn``: the stage's PII HMAC secret, read by the functions declaring
    ``pii_key``; ``files_bucket_arn``: the file store, for ``files_read`` / ``files_write``;
    ``function_arn``: the function itself, for ``invoke_self``; ``queue_arns``: the stage's
    queues by name, for ``send_to``; ``email``: (SES identity ARN, from address) when the
    stage sends e-mail, for ``deliver``; ``counted_table_arn``: the counted-events table, for
    ``counted_table``."""
    result: list[iam.PolicyStatement] = []
    reads = [a for a in access.table if a not in WRITES and a != SCAN]
    writes = [a for a in access.table if a in WRITES]
    for actions, patterns in ((reads, (*access.reads, *access.writes)), (writes, access.writes)):
        if actions:
            result.append(_leading(actions, [table_arn], patterns))
    if SCAN in access.table:  # no partition to condition on: see the module docstring
        result.append(iam.PolicyStatement(actions=[SCAN], resources=[table_arn]))
    for index, actions in sorted(access.indexes.items()):
        arn = f"{table_arn}/index/{index}"
        result.append(_leading(list(actions), [arn], access.index_keys[index]))
    if access.counted_table:
        if counted_table_arn is None:
            raise ValueError("a function declaring counted_table needs the counted-events table")
        result.append(_leading(list(access.counted_table), [counted_table_arn], [COUNTED]))
    if access.put_events:
        result.append(iam.PolicyStatement(actions=[PUT_EVENTS], resources=[bus_arn]))
    if access.pii_key:
        if pii_key_arn is None:
            raise ValueError("a function declaring pii_key needs the stage's PII secret")
        result.append(iam.PolicyStatement(actions=[GET_SECRET], resources=[pii_key_arn]))
    result += _files_statements(access, files_bucket_arn)
    if access.invoke_self:
        if function_arn is None:
            raise ValueError("a function declaring invoke_self needs its own ARN")
        result.append(iam.PolicyStatement(actions=[INVOKE], resources=[function_arn]))
    for queue in sorted(access.send_to):
        if queue not in (queue_arns or {}):
            raise ValueError(f"send_to names {queue!r}, which is not a queue of the stage")
        result.append(iam.PolicyStatement(actions=[SQS_SEND], resources=[queue_arns[queue]]))
    if access.deliver and email is not None:
        identity_arn, sender = email
        result.append(
            iam.PolicyStatement(
                actions=[SES_SEND],
                resources=[identity_arn],
                conditions={"StringEquals": {SES_FROM: sender}},
            )
        )
    return result


def _leading(
    actions: list[str], resources: list[str], patterns: Iterable[str]
) -> iam.PolicyStatement:
    """``actions`` on ``resources`` for the partitions ``patterns`` only."""
    condition = {"ForAllValues:StringLike": {LEADING_KEYS: sorted(set(patterns))}}
    return iam.PolicyStatement(actions=actions, resources=resources, conditions=condition)


def sms_statements(partition: str) -> list[iam.PolicyStatement]:
    """SMS to a member's phone: SNS Publish with ``PhoneNumber`` has no resource to name (the
    request's resource is the number), so it is allowed on ``*`` — and denied on every SNS
    ARN (topics, platform endpoints), so the grant cannot publish anywhere but to a phone."""
    return [
        iam.PolicyStatement(actions=[SNS_PUBLISH], resources=["*"]),
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            actions=[SNS_PUBLISH],
            resources=[f"arn:{partition}:sns:*:*:*"],
        ),
    ]


def _files_statements(access: Access, bucket_arn: str | None) -> list[iam.PolicyStatement]:
    prefixes = sorted({*access.files_read, *access.files_write})
    if not prefixes:
        return []
    if bucket_arn is None:
        raise ValueError("a function declaring files_read/files_write needs the files bucket")
    result = [
        iam.PolicyStatement(
            actions=[S3_LIST],
            resources=[bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{p}*" for p in prefixes]}},
        )
    ]
    if access.files_read:
        objects = [f"{bucket_arn}/{p}*" for p in sorted(access.files_read)]
        result.append(iam.PolicyStatement(actions=[S3_GET], resources=objects))
    if access.files_write:
        objects = [f"{bucket_arn}/{p}*" for p in sorted(access.files_write)]
        result.append(iam.PolicyStatement(actions=[S3_PUT, S3_ABORT], resources=objects))
    return result
