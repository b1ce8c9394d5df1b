"""Celery tasks of logistics: the notifications of a shipment's moves, sent after the move commits.

Tasks take ids, never objects, and read what they need when they run. A task retries only the
events whose message failed (see `logistics.notifications`); a retry may still send one text
twice to a household of a shipment whose other household's text failed. That is accepted:
a repeated "goods received" costs less than a lost one."""

from celery import shared_task
from django.db import transaction

from logistics.notifications import shipment_events_email_buyers, shipment_events_sms_intake
from logistics.states import State

RETRY_SECONDS = 60
MAX_RETRIES = 3


# OSError: the mail server could not be reached at all (nothing was sent): the whole batch again.
@shared_task(
    name="logistics.email_buyers_parcel_moved", bind=True, max_retries=MAX_RETRIES,
    autoretry_for=(OSError,), default_retry_delay=RETRY_SECONDS,
)
def email_buyers_parcel_moved(self, event_ids: list[int]) -> None:
    failed = shipment_events_email_buyers(event_ids=event_ids)
    if failed:
        raise self.retry(args=[failed], countdown=RETRY_SECONDS)


@shared_task(name="logistics.sms_farmers_goods_received", bind=True, max_retries=MAX_RETRIES)
def sms_farmers_goods_received(self, event_ids: list[int]) -> None:
    failed = shipment_events_sms_intake(event_ids=event_ids)
    if failed:
        raise self.retry(args=[failed], countdown=RETRY_SECONDS)


AFTER_MOVE = {
    State.RECEIVED: sms_farmers_goods_received,
    State.DISPATCHED: email_buyers_parcel_moved,
    State.DELIVERED: email_buyers_parcel_moved,
}


def on_shipments_moved(sender, moved, **kwargs):
    """Receiver of `shipments_moved` (connected in `LogisticsConfig.ready`): the move's messages
    are queued once its transaction commits, and never if it rolls back. Registering costs
    no query; `robust`: a broker that is down loses the messages, not the committed move."""
    task = AFTER_MOVE.get(moved[0].event.type) if moved else None
    if task is None:
        return
    event_ids = [m.event.pk for m in moved]
    transaction.on_commit(lambda: task.delay(event_ids), robust=True)
