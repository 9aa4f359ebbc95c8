"""Data access for coupon codes (``COUPON#<code>`` / ``COUPON``): the shop's systems use a
coupon once; the order that issued it shows when. Coupons come out as
:class:`~shared.domain.mall.Coupon` values."""

from __future__ import annotations

from datetime import date, datetime

from msgspec import structs

from shared.clock import utc_iso as utc
from shared.domain.mall import Coupon
from shared.dynamodb import keys
from shared.dynamodb.models.mall import CouponItem, OrderItem
from shared.dynamodb.orders import COUPON, ORDER
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.dynamodb.values import row_at, value_of
from shared.errors import CouponExpired, CouponNotFound, CouponUsed


def coupon_of(row: CouponItem) -> Coupon:
    return value_of(row, Coupon)


def get(code: str) -> Coupon | None:
    row = row_at(CouponItem, keys.coupon_pk(code), keys.COUPON_SK)
    return coupon_of(row) if row is not None else None


def _refusal(coupon: Coupon | None, code: str, used_by: str | None) -> Exception | None:
    """None: already used by this same shop order (a repeated request)."""
    if coupon is None:
        return CouponNotFound(f"no coupon {code!r}")
    if coupon.used_at is not None:
        if used_by is not None and coupon.used_by == used_by:
            return None
        return CouponUsed(
            f"coupon {code} was already used", details={"used_at": utc(coupon.used_at)}
        )
    expires_on = coupon.expires_on.isoformat()
    return CouponExpired(
        f"coupon {code} expired on {expires_on}", details={"expires_on": expires_on}
    )


def consume(code: str, used_by: str | None, now: datetime, today: date) -> Coupon:
    """Mark the coupon used, once; its order shows it. Raises why not."""
    coupon = get(code)
    if coupon is None or coupon.used_at is not None or coupon.expires_on < today:
        refusal = _refusal(coupon, code, used_by)
        if refusal is None:
            assert coupon is not None
            return coupon
        raise refusal

    def attempt() -> Coupon:
        at = utc(now)
        tx = Tx()
        actions = [CouponItem.used_at.set(at)]
        if used_by is not None:
            actions.append(CouponItem.used_by.set(used_by))
        tx.update(
            COUPON,
            CouponItem(pk=keys.coupon_pk(code), sk=keys.COUPON_SK),
            actions,
            condition=CouponItem.pk.exists()
            & CouponItem.used_at.does_not_exist()
            & (CouponItem.expires_on >= today.isoformat()),
        )
        tx.update(
            ORDER,
            OrderItem(pk=keys.member_pk(coupon.member_id), sk=keys.mall_order_sk(coupon.order_id)),
            [OrderItem.coupon_used_at.set(at), OrderItem.updated_at.set(at)],
            condition=OrderItem.pk.exists(),
        )
        try:
            tx.commit()
        except Cancelled as cancelled:
            old = image(cancelled.failed.get(COUPON), CouponItem)
            refusal = _refusal(coupon_of(old) if old is not None else None, code, used_by)
            if refusal is None:
                return get(code) or coupon
            raise refusal from None
        return structs.replace(coupon, used_at=datetime.fromisoformat(at), used_by=used_by)

    return run(attempt)
