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
    # Shipped and delivered orders are cancelled when refunded in full: every parcel came back
    # or failed the check (see shop/order/refunds.py).
    OrderStatus.SHIPPED: (OrderStatus.DELIVERED, OrderStatus.CANCELLED),
    OrderStatus.DELIVERED: (OrderStatus.CANCELLED,),
    OrderStatus.CANCELLED: (),
}
# Orders whose money has arrived: they count as sales.
PAID_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
# A full refund cancels the order, whatever became of its parcels.
CANCELLABLE_STATUSES = frozenset({OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
# The name of Oscar's payment event for money received (the demo payment and Stripe's webhook).
PAID_EVENT = "paid"
