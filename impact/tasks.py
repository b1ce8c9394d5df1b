"""Celery tasks of the ledger: telling households their money was paid, after the payment of
the batch has committed (`impact.payouts.payout_batch_mark_paid`). Tasks take ids, never objects.
A text that failed makes the task retry whole: a household of the same batch may then get its
text twice, which is accepted (a repeated "paid" costs less than a lost one)."""

from celery import shared_task

from impact.notifications import payout_batch_sms

RETRY_SECONDS = 60
MAX_RETRIES = 3


@shared_task(name="impact.sms_households_paid", bind=True, max_retries=MAX_RETRIES)
def sms_households_paid(self, batch_id: int) -> None:
    if not payout_batch_sms(batch_id=batch_id):
        raise self.retry(countdown=RETRY_SECONDS)
