from decimal import Decimal

import pytest
from django.urls import reverse

from sellers.partner.models import StockRecord
from shop.core.errors import InvalidInput
from shop.factories import UserFactory
from shop.order.refunds import order_refund
from tests.shopping import checkout_two_units, offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(client, pooled):
    """A buyer paid (demo payment) for 2 units at ¥128.00."""
    from shop.order.models import Order

    offer(pooled, stock=5, price="128.00")
    client.force_login(UserFactory(username="buyer"))
    checkout_two_units(client, pooled)
    client.logout()
    return Order.objects.get()


@pytest.fixture
def operator():
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


def test_a_partial_refund_returns_the_units_to_stock(paid_order, operator):
    line = paid_order.lines.get()
    order_refund(order=paid_order, quantities={line.pk: 1}, by=operator)
    record = StockRecord.objects.get(pk=line.stockrecord_id)
    assert record.num_allocated == 1
    assert paid_order.sources.get().amount_refunded == 128


def test_a_full_refund_cancels_the_order(paid_order, operator):
    line = paid_order.lines.get()
    order_refund(order=paid_order, quantities={line.pk: 2}, by=operator)
    paid_order.refresh_from_db()
    assert paid_order.status == "cancelled" and paid_order.sources.get().amount_refunded == 256


def test_more_units_than_bought_cannot_be_refunded_and_nothing_changes(paid_order, operator):
    line = paid_order.lines.get()
    order_refund(order=paid_order, quantities={line.pk: 1}, by=operator)
    with pytest.raises(InvalidInput):
        order_refund(order=paid_order, quantities={line.pk: 2}, by=operator)
    assert paid_order.sources.get().amount_refunded == 128
    assert StockRecord.objects.get(pk=line.stockrecord_id).num_allocated == 1


def test_the_operator_refunds_from_the_dashboard(client, paid_order, operator):
    client.force_login(operator)
    line = paid_order.lines.get()
    response = client.post(reverse("order-refund", args=[paid_order.number]), {f"line-{line.pk}": "1", "reason": "破损"})
    assert response.status_code == 302
    assert paid_order.sources.get().amount_refunded == 128


def test_a_buyer_cannot_open_the_refund_page(client, paid_order):
    client.force_login(UserFactory(username="someone"))
    response = client.get(reverse("order-refund", args=[paid_order.number]))
    assert response.status_code == 302 and "login" in response.url


def test_the_dashboards_order_page_links_to_the_refund(client, paid_order, operator):
    client.force_login(operator)
    page = client.get(reverse("dashboard:order-detail", args=[paid_order.number])).content.decode()
    assert reverse("order-refund", args=[paid_order.number]) in page


def test_the_operator_refunds_the_delivery_from_the_dashboard(client, paid_order, operator):
    client.force_login(operator)
    line = paid_order.lines.first()
    paid_order.shipping_incl_tax = Decimal("12.00")
    paid_order.save()

    response = client.post(reverse("order-refund", args=[paid_order.number]),
                           {f"line-{line.pk}": "0", "delivery": "12.00", "reason": "never sent"})

    assert response.status_code == 302
    assert paid_order.sources.get().amount_refunded == Decimal("12.00")


def test_a_delivery_that_is_not_an_amount_is_refused_on_the_dashboard(client, paid_order, operator):
    client.force_login(operator)

    response = client.post(reverse("order-refund", args=[paid_order.number]), {"delivery": "NaN"})

    assert response.status_code == 200
    assert paid_order.sources.get().amount_refunded == Decimal("0.00")
