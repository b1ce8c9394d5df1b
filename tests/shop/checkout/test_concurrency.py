"""No oversell under concurrent checkouts (PostgreSQL row locks)."""

import os
import threading

import pytest
from django.db import connections
from oscar.apps.order.exceptions import UnableToPlaceOrder

from sellers.partner.models import StockRecord
from shop.order.models import Line
from tests.shopping import buy, offer

BUYERS = 50
UNITS = 20


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="row locks are a PostgreSQL feature (SQLite serialises writers); CI runs this on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_buyers_get_exactly_twenty_units(pooled):
    records = [offer(pooled, stock=7), offer(pooled, stock=7), offer(pooled, stock=6)]
    start = threading.Barrier(BUYERS)
    outcomes, errors = [], []

    def shopper():
        try:
            start.wait()
            buy(pooled, 1)
            outcomes.append("sold")
        except UnableToPlaceOrder:
            outcomes.append("refused")
        except Exception as error:  # a deadlock or anything else fails the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=shopper) for _ in range(BUYERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert outcomes.count("sold") == UNITS and outcomes.count("refused") == BUYERS - UNITS
    assert sum(Line.objects.filter(product=pooled).values_list("quantity", flat=True)) == UNITS
    for record in StockRecord.objects.filter(pk__in=[r.pk for r in records]):
        assert record.num_allocated == record.num_in_stock  # sold out, never below zero
