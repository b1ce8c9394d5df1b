"""Settlement: a delivered shipment whose return window closed becomes income of its households.

`shipment_settle` is the one place a sale settles; the impact ledger writes its `sale_settled`
entries from here. Run every few minutes by Celery beat in production (`shop.order.tasks`) and
by `manage.py settle_shipments` in the demo; settling twice is harmless.

`shipment_settled` is sent, inside the transaction, only when a shipment actually settled: the
farmers' texts hang on it (`shop.order.shipping_reactions`), because the tasks that send them
import this module and it cannot import them back."""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from logistics.models import Shipment
from logistics.selectors import shipments_due_for_settlement
from logistics.services import shipment_mark_settled
from shop.order.ledger import shipment_settle_credits
from shop.order.models import Order

shipment_settled = Signal()  # shipment=


@transaction.atomic
def shipment_settle(*, shipment: Shipment) -> bool:
    """Settle one shipment; False when it had settled already (a retried task). The order is
    locked first, as a refund locks it: a refund committing while the credits are read would
    otherwise reverse money from pending that this settles."""
    Order.objects.select_for_update().filter(pk=shipment.order_id).first()
    settled = shipment_mark_settled(shipment=shipment)
    if settled:
        shipment_settle_credits(shipment=shipment)
        shipment_settled.send(sender=Shipment, shipment=shipment)
    return settled


def shipments_settle_due(*, now=None) -> int:
    """Settle every shipment whose window has closed; each in its own transaction, so one
    failure leaves the others settled. Returns how many settled."""
    due = list(shipments_due_for_settlement(now=now or timezone.now()))
    return sum(shipment_settle(shipment=shipment) for shipment in due)
