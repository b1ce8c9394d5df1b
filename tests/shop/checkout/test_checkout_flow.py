"""A signed-in buyer checks out with the demo payment, through Oscar's checkout pages."""

import pytest
from django.urls import reverse

from shop.factories import UserFactory
from shop.order.models import Order
from tests.shopping import ADDRESS, checkout_two_units, offer

pytestmark = pytest.mark.django_db

@pytest.fixture
def buyer_client(client):
    client.force_login(UserFactory(username="buyer"))
    return client


def test_the_demo_payment_places_a_paid_order(buyer_client, pooled):
    record = offer(pooled, stock=5, price="128.00")
    response = checkout_two_units(buyer_client, pooled)
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    assert order.status == "paid" and str(order.total_incl_tax) == "268.00"  # 2 × 128 + the station's 12.00 delivery
    assert order.sources.get().source_type.code == "demo"
    record.refresh_from_db()
    assert record.num_allocated == 2


def test_the_order_is_split_into_shipments_at_placement(buyer_client, pooled):
    offer(pooled, stock=5)
    checkout_two_units(buyer_client, pooled)
    assert Order.objects.get().shipments.count() == 1


def test_the_demo_payment_is_refused_with_production_settings(buyer_client, pooled, settings):
    settings.DEMO_ALLOWED = False
    offer(pooled, stock=5)
    checkout_two_units(buyer_client, pooled)
    assert not Order.objects.exists()


def test_the_payment_page_labels_the_demo_payment(buyer_client, pooled):
    offer(pooled, stock=5)
    buyer_client.post(reverse("basket:add", kwargs={"pk": pooled.pk}), {"quantity": 1})
    buyer_client.post(reverse("checkout:shipping-address"), ADDRESS)
    buyer_client.get(reverse("checkout:shipping-method"))
    page = buyer_client.get(reverse("checkout:payment-details")).content.decode()
    assert "演示付款" in page


def test_the_buyer_gets_a_confirmation_email_in_their_language(buyer_client, pooled, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    offer(pooled, stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        checkout_two_units(buyer_client, pooled)
    order = Order.objects.get()
    assert len(mailoutbox) == 1
    assert order.number in mailoutbox[0].body and "订单" in mailoutbox[0].subject


def test_the_confirmation_links_the_buyers_order_page(buyer_client, pooled, mailoutbox, settings,
                                                      django_capture_on_commit_callbacks):
    offer(pooled, stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        checkout_two_units(buyer_client, pooled)
    order_page = reverse("customer:order", kwargs={"order_number": Order.objects.get().number})
    assert order_page in mailoutbox[0].body


def test_the_confirmation_waits_for_the_order_to_commit(buyer_client, pooled, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    """Sent by a worker once the order is committed: the mail server is never waited for while
    the order's stock rows are locked."""
    offer(pooled, stock=5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        checkout_two_units(buyer_client, pooled)
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1


def test_the_buyers_account_lists_the_order(buyer_client, pooled):
    offer(pooled, stock=5)
    checkout_two_units(buyer_client, pooled)
    page = buyer_client.get(reverse("customer:order-list")).content.decode()
    assert Order.objects.get().number in page
