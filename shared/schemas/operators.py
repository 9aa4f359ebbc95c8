"""Operations of operators: reports, jobs, expiry, programme settings and member care."""

from __future__ import annotations

from shared.domain.adjustments import PENDING_APPROVAL, STATUSES
from shared.domain.ledger import (
    ADJUST,
)
from shared.domain.members import SCOPES
from shared.requests.operators import (
    ADJUST_MEMBER,
    ADJUSTMENT_QUEUE,
    EXTEND_EXPIRY,
    FIND_MEMBERS,
    MEMBER_FILE,
    PUT_CAMPAIGN,
    PUT_TASK,
    REPORT_WINDOW,
    STATUS_CHANGE,
)
from shared.requests.reviews import DECIDE_REVIEW
from shared.schemas.base import (
    ANY_OBJECT,
    BOOL,
    INT,
    STRING,
    Operation,
    enum,
    items,
    nullable,
    obj,
    page,
    paged,
    ref,
    upsert,
)

ADMIN_MEMBER_VIEW = ref("Member")
# A member's contact details as staff see them: masked ("138****5678"), or in clear after an
# audited reveal; null where the member gave none.
CONTACT = obj({"phone": nullable(STRING), "email": nullable(STRING), "name": nullable(STRING)})

# An adjustment awaiting (or decided by) a second operator.
PENDING_ADJUSTMENT = obj(
    {
        "adjustment_id": STRING,
        "status": enum(STATUSES),
        "member_id": STRING,
        "points": INT,
        "reason": STRING,
        "allow_debt": BOOL,
        "requested_by": STRING,
        "requested_at": ref("Timestamp"),
        "decided_by": nullable(STRING),
        "decided_at": nullable(ref("Timestamp")),
        "decision_reason": nullable(STRING),
        "entry_id": nullable(STRING),  # the member's ledger entry, once approved
    }
)


def _status_change(summary: str, reason: str) -> Operation:
    """Freeze or unfreeze a member, with a reason (``changed``: false when it already was)."""
    return Operation(
        summary,
        {
            200: obj(
                {
                    "member_id": STRING,
                    "status": enum(("active", "frozen")),
                    "frozen_scope": nullable(enum(SCOPES)),
                    "changed": BOOL,
                }
            )
        },
        (400, 404, 413, 422, 503),
        request=STATUS_CHANGE.schema(),
        example={"reason": reason},
    )


OPERATIONS: dict[str, Operation] = {
    # Operators: reports, jobs, expiry ----------------------------------------------------------
    "reports.report_summary": Operation(
        "Points issued / redeemed / expired / clawed back / outstanding over a window.",
        {
            200: obj(
                {
                    "issued": INT,
                    "redeemed": INT,
                    "expired": INT,
                    "clawed_back": INT,
                    "outstanding": INT,
                    "members": INT,
                    "active_members": {
                        **INT,
                        "description": "Distinct members with a ledger entry in the window: an "
                        "estimate (HyperLogLog, within ±2.5 %, exact for small counts), as is "
                        "each by_day entry's active; every other figure is exact.",
                    },
                    "redemption_rate": nullable(STRING),
                    "by_source": ANY_OBJECT,
                    "by_day": {"type": "array"},
                }
            )
        },
        (422,),
        query=REPORT_WINDOW.parameters(),
    ),
    "jobs.run_job": Operation(
        "Run a scheduled job now (the same code as its schedule): about 25 s in the request, "
        "then, if incomplete, on in the background until done (continues: true).",
        {
            200: obj(
                {
                    "job": STRING,
                    "processed": INT,
                    "continues": {
                        **BOOL,
                        "description": "true: the run ended incomplete and continues in the "
                        "background, from where it stopped (the audit log shows each part)",
                    },
                },
                {
                    "complete": BOOL,
                    "queued": {
                        **INT,
                        "description": "a partitioned job on AWS: the shard tasks it queued "
                        "(parallel workers go on with them; continues: true)",
                    },
                },
            )
        },
        (404, 503),
    ),
    "expire.extend_expiry": Operation(
        "Goodwill: move a member's expiring points to a later date.",
        {201: obj({"moved": {"type": "array", "items": ANY_OBJECT}})},
        (400, 404, 409, 413, 422, 503),
        request=EXTEND_EXPIRY.schema(),
        example={"reason": "store closed", "days": 30},
    ),
    # Operators: programme settings --------------------------------------------------------------
    "admin.get_rules": Operation("Every programme setting, defaults filled in.", {200: ANY_OBJECT}),
    "admin.put_rules": Operation(
        "Replace the programme settings' overrides; answers every setting.",
        {200: ANY_OBJECT},
        (400, 413, 422, 503),
        request=ANY_OBJECT,
        example={"checkin_points": 10},
    ),
    "admin.list_tasks": Operation("Every task, active or retired.", {200: items(ref("Task"))}),
    "admin.put_task": upsert(
        "a task",
        ref("Task"),
        (400, 413, 422, 503),
        PUT_TASK.schema(),
        {"name": "Survey", "points": 20, "limit": "daily"},
    ),
    "admin.list_campaigns": Operation(
        "Every campaign, with whether it is active now.", {200: items(ref("Campaign"))}
    ),
    "admin.put_campaign": upsert(
        "a campaign (optionally for tiers and/or members registered after a date, on some "
        "weekdays of the programme's zone, with 满X送Y spend rungs; 422 for an unknown tier)",
        ref("Campaign"),
        (400, 413, 422, 503),
        PUT_CAMPAIGN.schema(),
        {
            "name": "Gold member Wednesdays",
            "starts_at": "2027-01-01T00:00:00+08:00",
            "ends_at": "2027-02-01T00:00:00+08:00",
            "multiplier": "2",
            "tiers": ["gold", "platinum", "diamond"],
            "recurrence": {"weekdays": [3]},
            "spend_bonus": [
                {"min_amount": "100.00", "points": 10},
                {"min_amount": "300.00", "points": 50},
            ],
        },
    ),
    # Operators: member care ----------------------------------------------------------------------
    "admin.get_member": Operation(
        "A member's file: the member view plus flags, the latest operator actions and the "
        "contact details masked; reveal=true shows them in clear and is audited "
        "(member.reveal, with the optional reason).",
        {200: obj({"contact": CONTACT}) | {"allOf": [ADMIN_MEMBER_VIEW]}},
        (404, 422),
        query=MEMBER_FILE.parameters(),
    ),
    "admin.find_members": paged(
        "Members with exactly this phone or e-mail (give one; normalised as at registration), "
        "by member id, contact details masked.",
        page(
            obj(
                {
                    "member_id": STRING,
                    "status": enum(("active", "frozen")),
                    "tier": STRING,
                    "balance": INT,
                    "registered_at": ref("Timestamp"),
                    "contact": CONTACT,
                }
            )
        ),
        (422,),
        query=FIND_MEMBERS.parameters(),
    ),
    "admin.member_ledger": paged(
        "A member's ledger, with each entry's actor.", ref("LedgerPage"), (404, 422)
    ),
    "admin.adjust_member": Operation(
        "Credit or debit a member's points with a reason (audited). More points (either sign) "
        "than the rules' adjustment_approval_threshold answer 202 pending_approval and move "
        "nothing until another operator approves them (POST /v1/admin/adjustments/"
        "{adjustment_id}/approval).",
        {
            201: obj(
                {
                    "adjustment_id": STRING,
                    "entry_id": STRING,
                    "member_id": STRING,
                    "type": enum((ADJUST,)),
                    "points": INT,
                    "reason": STRING,
                    "actor": STRING,
                    "at": ref("Timestamp"),
                }
            ),
            202: obj(
                {
                    "status": enum((PENDING_APPROVAL,)),
                    "adjustment_id": STRING,
                    "member_id": STRING,
                    "points": INT,
                    "reason": STRING,
                    "actor": STRING,
                    "at": ref("Timestamp"),
                    "approval_threshold": INT,
                }
            ),
        },
        (400, 404, 409, 413, 422, 503),
        request=ADJUST_MEMBER.schema(),
        example={"points": 25, "reason": "service recovery"},
        idempotency_key=True,
        idempotency_key_required=True,
    ),
    "admin.list_adjustments": paged(
        "Adjustments above the approval threshold: pending ones (oldest first) wait for a "
        "second operator; decided ones newest decision first.",
        page(PENDING_ADJUSTMENT),
        (422,),
        query=ADJUSTMENT_QUEUE.parameters(),
    ),
    "admin.decide_adjustment": Operation(
        "Approve (apply it once: ledger entry, balance and audit in one transaction) or reject "
        "(no points move) a pending adjustment. Only an operator other than the one who asked "
        "(403 second_approver_required); the same decision again answers the same body, the "
        "other one 409 invalid_transition.",
        {200: PENDING_ADJUSTMENT},
        (400, 404, 409, 413, 422, 503),
        request=DECIDE_REVIEW.schema(),
        example={"decision": "approve", "reason": "confirmed with the store manager"},
    ),
    "admin.freeze_member": _status_change(
        "Freeze a member's earning, redeeming or both (scope, default all).", "abuse under review"
    ),
    "admin.unfreeze_member": _status_change(
        "Unfreeze a member's earning, redeeming or both (scope, default all).", "review done"
    ),
}
