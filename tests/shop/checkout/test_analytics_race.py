"""Two buyers adding the same product for the first time at once: Oscar's analytics counter
must not break the loser's request (PostgreSQL, where the race is real)."""

import os
import threading

import pytest
from django.db import connections, transaction
from oscar.apps.analytics.models import ProductRecord
from oscar.apps.analytics.receivers import receive_basket_addition

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs two transactions racing on a unique index (PostgreSQL); CI runs this on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_buyer_who_loses_the_race_for_the_first_count_still_gets_an_answer(pooled):
    first_inserted, errors = threading.Event(), []

    def first_buyer():
        try:
            with transaction.atomic():  # as ATOMIC_REQUESTS wraps a request
                receive_basket_addition(sender=None, product=pooled, user=None)
                first_inserted.set()
                threading.Event().wait(0.5)  # the second buyer now waits on our row's unique key
        finally:
            connections.close_all()

    def second_buyer():
        try:
            first_inserted.wait(5)
            with transaction.atomic():
                receive_basket_addition(sender=None, product=pooled, user=None)
                ProductRecord.objects.count()  # the request goes on using its transaction
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_buyer), threading.Thread(target=second_buyer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ProductRecord.objects.get(product=pooled).num_basket_additions == 2
