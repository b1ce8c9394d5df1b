"""Station edits of price and stock, concurrent with checkouts, never oversell (PostgreSQL).

Every write to a stock record locks it through `sellers.partner.lock_objects`; these tests
fail when `listing_update` bypasses the lock (checked by hand: with an unlocked read, the
first test ends with 5 units promised against a stock of 2)."""

import os
import random
import threading

import pytest
from django.core.exceptions import ValidationError
from oscar.apps.order.exceptions import UnableToPlaceOrder

from sellers import services
from sellers.partner.models import StockRecord
from shop.order.models import Line
from tests.shopping import buy, offer
from tests.threads import run_together

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks are a PostgreSQL feature (SQLite serialises writers); CI runs this on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_checkout_waits_for_a_stock_cut_and_then_sees_it(pooled, monkeypatch):
    record = offer(pooled, stock=10)
    locked, check = threading.Event(), services._check_stock
    outcome = []

    def check_while_holding_the_lock(stock):
        locked.set()
        # Hold the row while the checkout tries to reserve units: it must wait for us.
        threading.Event().wait(1.0)
        return check(stock)

    monkeypatch.setattr(services, "_check_stock", check_while_holding_the_lock)

    def station_cuts_stock():
        services.listing_update(record=StockRecord.objects.get(pk=record.pk), stock=2)

    def buyer_takes_five():
        locked.wait(5)
        try:
            buy(pooled, 5)
            outcome.append("sold")
        except UnableToPlaceOrder:
            outcome.append("refused")

    assert run_together(station_cuts_stock, buyer_takes_five) == []
    record.refresh_from_db()
    assert (outcome, record.num_in_stock, record.num_allocated or 0) == (["refused"], 2, 0)


def test_price_and_stock_edits_racing_twenty_buyers_never_oversell(pooled):
    records = [offer(pooled, stock=6), offer(pooled, stock=6)]
    sold = []

    def buyer():
        try:
            buy(pooled, 1)
            sold.append(1)
        except UnableToPlaceOrder:
            pass

    def station(record_pk: int, seed: int):
        rng = random.Random(seed)
        for _ in range(6):
            try:
                services.listing_update(
                    record=StockRecord.objects.get(pk=record_pk),
                    price=f"{rng.randint(80, 120)}.00", stock=rng.randint(2, 8),
                )
            except ValidationError:
                pass  # below what is already promised: refused, as it should be

    jobs = [buyer] * 20 + [lambda pk=r.pk, n=n: station(pk, n) for n, r in enumerate(records * 2)]
    assert run_together(*jobs) == []
    for record in StockRecord.objects.filter(pk__in=[r.pk for r in records]):
        assert (record.num_allocated or 0) <= record.num_in_stock
    assert sum(Line.objects.filter(product=pooled).values_list("quantity", flat=True)) == len(sold)
