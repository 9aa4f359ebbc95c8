"""Use cases of the points mall: catalog, redemption, orders, coupons, payment,
the sweep of unpaid points + cash orders. Rules live in ``shared.domain.mall``; storage in
the repositories ``shared.dynamodb.catalog`` / ``orders`` / ``redemptions`` / ``coupons``,
which take and return domain values. JSON views are in :mod:`shared.mall.views`."""

from shared.mall.catalog import (
    UNSET,
    Change,
    Definition,
    admin_item,
    catalog_item,
    catalog_page,
    patch_item,
    put_item,
)
from shared.mall.coupons import consume_coupon, my_coupons
from shared.mall.orders import (
    Move,
    admin_orders,
    cancel_my_order,
    confirm_pickup,
    move_order,
    my_order,
    my_orders,
)
from shared.mall.payments import confirm_payment, sweep_unpaid_orders
from shared.mall.redemption import Redeem, redeem
from shared.mall.views import item_view, order_view

__all__ = [
    "UNSET",
    "Change",
    "Definition",
    "Move",
    "Redeem",
    "admin_item",
    "admin_orders",
    "cancel_my_order",
    "catalog_item",
    "catalog_page",
    "confirm_payment",
    "confirm_pickup",
    "consume_coupon",
    "item_view",
    "move_order",
    "my_coupons",
    "my_order",
    "my_orders",
    "order_view",
    "patch_item",
    "put_item",
    "redeem",
    "sweep_unpaid_orders",
]
