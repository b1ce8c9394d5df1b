"""Stripe delivers the same event, or two events for one payment, at the same moment:
the money is still recorded once (PostgreSQL row locks and the unique event ID)."""

import os
import threading
from decimal import Decimal

import pytest
from django.db import connections
from oscar.apps.payment.models import Source, Transaction

from shop.order.models import Order
from tests.stripe_local import intent_object, stripe_event

DELIVERIES = 6

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks are a PostgreSQL feature (SQLite serialises writers); CI runs this on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _deliver_at_once(deliver, events):
    start = threading.Barrier(len(events))
    statuses, errors = [], []

    def stripe(event):
        try:
            start.wait()
            statuses.append(deliver(event).status_code)
        except Exception as error:  # a deadlock or anything else fails the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=stripe, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return statuses


def test_simultaneous_deliveries_of_one_event_debit_once(deliver, pending_order):
    event = stripe_event("payment_intent.succeeded", intent_object(pending_order))
    assert _deliver_at_once(deliver, [event] * DELIVERIES) == [200] * DELIVERIES
    assert Source.objects.get(order=pending_order).amount_debited == Decimal("128.00")
    assert Order.objects.get(pk=pending_order.pk).status == "paid"


def test_simultaneous_events_for_one_payment_debit_once(deliver, pending_order):
    events = [stripe_event("payment_intent.succeeded", intent_object(pending_order)) for _ in range(DELIVERIES)]
    assert _deliver_at_once(deliver, events) == [200] * DELIVERIES
    assert Transaction.objects.filter(source__order=pending_order, txn_type=Transaction.DEBIT).count() == 1
    assert pending_order.status_changes.count() == 1
