"""What each function may do: the only place IAM grants are declared.

Each function gets its own role with exactly these actions (see ``statements``): table actions
on the table ARN, index actions on the listed index ARNs only, ``events:PutEvents`` on the
stage's bus only when declared. ``TransactWriteItems`` needs no action of its own: DynamoDB
authorizes each contained Put/Update/Delete/ConditionCheck separately.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from aws_cdk import aws_iam as iam

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

    def __post_init__(self) -> None:
        known = {index.name for index in POINTS_TABLE.indexes}
        unknown = set(self.indexes) - known
        if unknown:
            raise ValueError(f"unknown index(es) {sorted(unknown)}; the table has {sorted(known)}")
        for action in (*self.table, *(a for acts in self.indexes.values() for a in acts)):
            if not action.startswith("dynamodb:") or "*" in action:
                raise ValueError(f"{action!r}: name one DynamoDB action, no wildcards")


# One entry per function folder (HTTP or scheduled). Keep each to what its code calls.
ACCESS: Mapping[str, Access] = MappingProxyType(
    {
        # Reads the member view, the ledger newest first (LSI) and the lots (table query).
        "account": Access(table=(GET, QUERY), indexes={"by_time": (QUERY,)}),
        # Registers members (with their contact lookup rows: the PII key), records
        # purchases/refunds/receipts in one transaction each (with
        # their rebate accruals); finds a purchase by the shop's order id for refunds and
        # receipts, reads the buyer and referrer profiles on a receipt. Loads the programme
        # rules and campaigns (one Query), credits check-ins and tasks, and looks up this
        # period's task completions (BatchGetItem of ledger keys).
        "earn": Access(
            table=(GET, QUERY, PUT, UPDATE, CONDITION_CHECK, BATCH_GET),
            indexes={"by_order": (QUERY,)},
            pii_key=True,
        ),
        # Operators: stores rules, tasks and campaigns; reads a member's file (profile, lots,
        # audit trail) and ledger (LSI); adjusts (ledger entry, lot, audit, idempotency
        # record) and freezes members in one transaction each. Finds members by phone or
        # e-mail: a Query of the lookup rows (keyed hash: the PII key), BatchGetItem of the
        # profiles; a reveal writes its audit entry (PutItem). Every write carries its audit
        # log entry; the log's read queries it by actor (by_status) or target (by_order).
        "admin": Access(
            table=(GET, QUERY, PUT, UPDATE, BATCH_GET),
            indexes={"by_time": (QUERY,), "by_status": (QUERY,), "by_order": (QUERY,)},
            pii_key=True,
        ),
        # Scheduled expiry + reminders: finds due lots (by_expiry), settles a member's lots
        # and expires points in one transaction, records run checkpoints, reminder markers.
        "expire": Access(
            table=(GET, QUERY, PUT, UPDATE, DELETE, CONDITION_CHECK),
            indexes={"by_expiry": (QUERY,)},
        ),
        # Operators run any job now: the union of what the jobs do (resume-imports: the
        # members import's rows, rejected rows, contact lookup rows and its CSV).
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
        ),
        # Scheduled tiers + birthdays: members above the first tier (by_tier) and today's
        # birthdays (by_birthday); reads each member, demotes (profile update + audit put)
        # or credits the birthday (profile update, ledger entry, lot); run checkpoints.
        "tiers": Access(
            table=(GET, QUERY, PUT, UPDATE),
            indexes={"by_tier": (QUERY,), "by_birthday": (QUERY,)},
        ),
        # Points at checkout: hold / capture / release in one transaction each (member,
        # hold, ledger entry); the sweep finds expired holds on by_expiry.
        "checkout": Access(
            table=(GET, PUT, UPDATE, CONDITION_CHECK),
            indexes={"by_expiry": (QUERY,)},
        ),
        # Transfers: both members, the sender's day counter and the idempotency record in
        # one transaction (GetItem: a repeated Idempotency-Key, expired holds).
        "transfers": Access(table=(GET, PUT, UPDATE, CONDITION_CHECK)),
        # Reports: counts each business event once into the daily aggregates (a marker and
        # counters in one transaction) and reads them back per day.
        "reports": Access(table=(QUERY, PUT, UPDATE, CONDITION_CHECK)),
        # Table stream → EventBridge (stream read grants come with the event source).
        "publisher": Access(put_events=True),
        # Points mall, members and the shop: reads the catalog (listing Query + BatchGetItem
        # of the items) and the programme rules; a redemption is one transaction of updates
        # (member, stock, limit counters), puts (order, ledger, coupon, payout, idempotency
        # record) and a condition check (the item's version); orders by id (by_order).
        "redeem": Access(
            table=(GET, QUERY, PUT, UPDATE, CONDITION_CHECK, BATCH_GET),
            indexes={"by_order": (QUERY,)},
        ),
        # Points mall, operators: catalog writes (retiring deletes the listing entry), the
        # order queue (by_status), orders by id (by_order), moves and rejections (points,
        # stock and limits back in one transaction).
        "mall_admin": Access(
            table=(GET, QUERY, PUT, UPDATE, DELETE),
            indexes={"by_order": (QUERY,), "by_status": (QUERY,)},
        ),
        # Scheduled: cancels unpaid points + cash orders (by_status), giving everything back.
        "mall_sweep": Access(
            table=(GET, QUERY, PUT, UPDATE),
            indexes={"by_status": (QUERY,)},
        ),
        # Points lottery, members: reads a campaign (one Query of its partition), the rules
        # and the member's daily counters (Query); a draw is one transaction of updates
        # (member, daily counter, prize stock, stats shard) and puts (ledger, lot, draw,
        # order, coupon, payout, idempotency record); a won gift's address updates its order.
        # An extra draw earned by spend takes one from the member's counter (update) and,
        # when it wins no points, only checks the profile (ConditionCheck). No index, no delete.
        "lottery": Access(table=(GET, QUERY, PUT, UPDATE, CONDITION_CHECK)),
        # Points lottery, operators: campaigns (the listing entry moves when the end time
        # does, a prize no longer limited loses its stock item: deletes), catalog reads for
        # coupon and gift prizes, the stats (Query) and the draws newest first (by_status).
        "lottery_admin": Access(
            table=(GET, QUERY, PUT, UPDATE, DELETE),
            indexes={"by_status": (QUERY,)},
        ),
        # Rebates, members: their rebate items (one Query of their partition), a statement
        # (GetItem) and the campaigns with the programme (Query). Reads only.
        "rebates": Access(table=(GET, QUERY)),
        # Leaderboard, members: the period's snapshot and their own profile in one
        # BatchGetItem (and the rules' Query, cached). Reads only.
        "leaderboard": Access(table=(QUERY, BATCH_GET)),
        # Scheduled leaderboard snapshot: the members who earned (by_board, keys only), their
        # profiles (BatchGetItem), whether an ended period is final (GetItem), the snapshots
        # (PutItem), the rules (Query).
        "leaderboard_snapshot": Access(
            table=(GET, QUERY, PUT, BATCH_GET), indexes={"by_board": (QUERY,)}
        ),
        # Scheduled rebate settlement: the campaigns (programme Query), their participants
        # (by_campaign), a statement written on each accrual (conditional UpdateItem, a
        # consistent GetItem to re-read a changed one), run checkpoints (GetItem, PutItem).
        "rebate_settlement": Access(
            table=(GET, QUERY, PUT, UPDATE),
            indexes={"by_campaign": (QUERY,)},
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
        ),
        # The review queue, operators: lists reviews by status (by_status), reads a review and
        # the member's profile (GetItem) and the rules (programme Query); a decision is one
        # transaction: the review (UpdateItem), the member (UpdateItem), the purchase's ledger
        # entry, its lot and the audit entry (PutItem).
        "reviews": Access(table=(GET, QUERY, PUT, UPDATE), indexes={"by_status": (QUERY,)}),
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
        ),
        # The member's inbox and preferences: a page of messages and the unread count (Query
        # of the member's partition), one message (GetItem), marking it read (UpdateItem);
        # the profile's locale and channels (GetItem, UpdateItem); the rules (Query).
        "inbox": Access(table=(GET, QUERY, UPDATE)),
        # Notifier: the batch's member profiles in one BatchGetItem (preferences only), each
        # message a conditional PutItem (one per kind per member per day; GetItem tells a
        # redelivery of the same event from another), the rules (Query); the sends the members
        # opted into → the sends queue.
        "notifier": Access(table=(GET, QUERY, PUT, BATCH_GET), send_to=("sends",)),
        # Sender: the member's profile read at send time (GetItem: opt-out, phone, e-mail),
        # the rules (Query), the message marked sent per channel (conditional UpdateItem);
        # SMS / e-mail where the stage configures them. Receiving, deleting and holding back
        # (ChangeMessageVisibility) its own queue's messages come with the event source.
        "sender": Access(table=(GET, QUERY, UPDATE), deliver=True),
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
) -> list[iam.PolicyStatement]:
    """The data-plane statements for one function's role (logs, X-Ray and SMS are added
    apart); ``pii_key_arn``: the stage's PII HMAC secret, read by the functions declaring
    ``pii_key``; ``files_bucket_arn``: the file store, for ``files_read`` / ``files_write``;
    ``function_arn``: the function itself, for ``invoke_self``; ``queue_arns``: the stage's
    queues by name, for ``send_to``; ``email``: (SES identity ARN, from address) when the
    stage sends e-mail, for ``deliver``."""
    result: list[iam.PolicyStatement] = []
    if access.table:
        result.append(iam.PolicyStatement(actions=list(access.table), resources=[table_arn]))
    for index, actions in sorted(access.indexes.items()):
        result.append(
            iam.PolicyStatement(actions=list(actions), resources=[f"{table_arn}/index/{index}"])
        )
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
