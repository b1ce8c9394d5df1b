"""The order's statuses and the moves between them: the one vocabulary for orders.

Pure Python (no Django import), so the settings can build Oscar's pipelines from it."""

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING = "pending"  # placed, the money not yet confirmed by the provider
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


PIPELINE = {
    OrderStatus.PENDING: (OrderStatus.PAID, OrderStatus.CANCELLED),
    OrderStatus.PAID: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
    OrderStatus.SHIPPED: (OrderStatus.DELIVERED,),
    OrderStatus.DELIVERED: (),
    OrderStatus.CANCELLED: (),
}
# Orders whose money has arrived: they count as sales.
PAID_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
# An order still open to a full refund that cancels it.
CANCELLABLE_STATUSES = frozenset({OrderStatus.PENDING, OrderStatus.PAID})
# The name of Oscar's payment event for money received (the demo payment and Stripe's webhook).
PAID_EVENT = "paid"
