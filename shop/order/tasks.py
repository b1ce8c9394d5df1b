"""Celery tasks of the shop: settling sales, and telling the farmers about their money.

The texts are queued once the payment or the settlement commits (`shop.order.shipping_reactions`)
and take ids, never objects. A text that failed makes the task retry whole: a household of the
same order may then get its text twice, which is accepted (a repeated "sold" costs less than
a lost one)."""

from celery import shared_task

from shop.order.confirmation import order_placed_email
from shop.order.notifications import order_sale_sms, shipment_settled_sms
from shop.order.settlement import shipments_settle_due

RETRY_SECONDS = 60
MAX_RETRIES = 3


@shared_task(name="shop.order.settle_due_shipments")
def settle_due_shipments() -> int:
    return shipments_settle_due()


@shared_task(name="shop.order.sms_households_sold", bind=True, max_retries=MAX_RETRIES)
def sms_households_sold(self, order_id: int) -> None:
    if not order_sale_sms(order_id=order_id):
        raise self.retry(countdown=RETRY_SECONDS)


@shared_task(name="shop.order.sms_households_settled", bind=True, max_retries=MAX_RETRIES)
def sms_households_settled(self, shipment_id: int) -> None:
    if not shipment_settled_sms(shipment_id=shipment_id):
        raise self.retry(countdown=RETRY_SECONDS)


@shared_task(name="shop.order.email_order_placed", bind=True, max_retries=MAX_RETRIES)
def email_order_placed(self, order_id: int, language: str, status_path: str | None) -> None:
    if not order_placed_email(order_id=order_id, language=language, status_path=status_path):
        raise self.retry(countdown=RETRY_SECONDS)
