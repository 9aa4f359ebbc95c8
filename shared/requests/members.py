"""Requests of members and of the shop's systems (earning, checkout, transfers, coupons,
payments)."""

from __future__ import annotations

from shared.requests import Body
from shared.validation import (
    Email,
    Id,
    Integer,
    Money,
    MonthDay,
    Objects,
    PersonName,
    Phone,
    Text,
    Timestamp,
)

REGISTER_MEMBER = Body(
    {
        "member_id": Id(),
        "referral_code": Id(required=False),
        "birthday": MonthDay(required=False),
        "joined_at": Timestamp(required=False),
        # Contact details (personal data), normalised: E.164 phone, lower-case e-mail.
        "phone": Phone(required=False),
        "email": Email(required=False),
        "name": PersonName(required=False),
    }
)
LINE = Body(
    {
        "quantity": Integer(required=False, minimum=1),  # rebate quantity ladders count it
        "amount": Money(positive=False),
        "sku": Id(required=False),
        "category": Text(required=False, max_length=64),
    }
)
RECORD_PURCHASE = Body(
    {
        "order_id": Id(),
        "member_id": Id(),
        "amount": Money(),
        "currency": Text(required=False, default="CNY", max_length=3),
        "channel": Id(required=False),
        "occurred_at": Timestamp(required=False),
        "items": Objects(LINE, required=False, default=()),
    }
)
RECORD_REFUND = Body({"refund_id": Id(), "order_id": Id(), "amount": Money()})
PLACE_HOLD = Body(
    {
        "hold_id": Id(),
        "member_id": Id(),
        "order_id": Id(),
        "order_amount": Money(),
        "points": Integer(minimum=1),
        "currency": Text(required=False, default="CNY", max_length=3),
    }
)
SEND_TRANSFER = Body(
    {
        "to_member_id": Id(),
        "points": Integer(minimum=1),
        "message": Text(required=False, max_length=140, multiline=True),  # a text area
    }
)
CONSUME_COUPON = Body({"order_id": Id(required=False)})
CONFIRM_PAYMENT = Body({"amount": Money(), "payment_ref": Id()})
