from celery import shared_task

from shop.order.settlement import shipments_settle_due


@shared_task(name="shop.order.settle_due_shipments")
def settle_due_shipments() -> int:
    return shipments_settle_due()
