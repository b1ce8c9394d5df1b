"""Many buyers at once, through the real checkout: every one of them gets an answer, none a
server error, and no unit is sold twice. On SQLite (the embedded default) this needs immediate
write transactions and a busy timeout; on PostgreSQL, Oscar's analytics counters that the first
buyers of a product race to create."""

import pytest
from django.test import Client
from django.urls import reverse

from sellers.partner.models import StockRecord
from shop.factories import UserFactory
from shop.order.models import Order
from tests.shopping import ADDRESS, offer, shown_total
from tests.threads import run_together

BUYERS = 8
UNITS = 5

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def checkout(client: Client, product_pk: int) -> list[int]:
    """One buyer's whole checkout; the status of every response."""
    statuses = [
        client.post(reverse("basket:add", kwargs={"pk": product_pk}), {"quantity": 1}).status_code,
        client.post(reverse("checkout:shipping-address"), ADDRESS).status_code,
        client.get(reverse("checkout:shipping-method")).status_code,
    ]
    preview = client.get(reverse("checkout:preview"))
    statuses.append(preview.status_code)
    if preview.status_code == 200:
        placed = client.post(reverse("checkout:preview"), {"action": "place_order", "confirmed_total": shown_total(preview)})
        statuses.append(placed.status_code)
    return statuses


def test_many_buyers_at_once_get_no_server_error_and_no_oversell(pooled):
    records = [offer(pooled, stock=3), offer(pooled, stock=2)]
    clients = []
    for n in range(BUYERS):
        client = Client(raise_request_exception=False)
        client.force_login(UserFactory(username=f"buyer{n}"))
        clients.append(client)
    statuses = []
    errors = run_together(*[lambda c=c: statuses.extend(checkout(c, pooled.pk)) for c in clients])

    assert errors == []
    assert [s for s in statuses if s >= 500] == []
    assert Order.objects.count() == UNITS  # everyone who could be served was
    for record in StockRecord.objects.filter(pk__in=[r.pk for r in records]):
        assert record.num_allocated == record.num_in_stock
