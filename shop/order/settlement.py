"""Settlement: a delivered shipment whose return window closed becomes income of its households.

`shipment_settle` is the one place a sale settles; the impact ledger writes its `sale_settled`
entries from here. Run every few minutes by Celery beat in production (`shop.order.tasks`) and
by `manage.py settle_shipments` in the demo; settling twice is harmless."""

from django.db import transaction
from django.utils import timezone

from logistics.models import Shipment
from logistics.selectors import shipments_due_for_settlement
from logistics.services import shipment_mark_settled


@transaction.atomic
def shipment_settle(*, shipment: Shipment) -> bool:
    """Settle one shipment; False when it had settled already (a retried task)."""
    return shipment_mark_settled(shipment=shipment)


def shipments_settle_due(*, now=None) -> int:
    """Settle every shipment whose window has closed; each in its own transaction, so one
    failure leaves the others settled. Returns how many settled."""
    due = list(shipments_due_for_settlement(now=now or timezone.now()))
    return sum(shipment_settle(shipment=shipment) for shipment in due)
