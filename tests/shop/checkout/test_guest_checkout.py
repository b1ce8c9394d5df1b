"""A guest's checkout: the thank-you page, and the confirmation e-mail's link to the guest's order
page on SITE_URL (the worker has no request to take the host from)."""

import pytest
from django.urls import reverse

from shop.order.models import Order
from tests.shopping import ADDRESS, offer, place_order

pytestmark = pytest.mark.django_db


def guest_checkout(client, product):
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    client.post(reverse("checkout:index"), {"username": "guest@example.com", "options": "anonymous"})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    return place_order(client)


def test_a_guest_sees_the_thank_you_page(client, pooled):
    offer(pooled, stock=5)
    placed = guest_checkout(client, pooled)
    assert placed.status_code == 302 and Order.objects.get().guest_email == "guest@example.com"
    assert client.get(reverse("checkout:thank-you")).status_code == 200


def test_the_guest_confirmation_links_the_order_on_site_url(client, pooled, mailoutbox, settings,
                                                            django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://shop.wumeng.test"
    offer(pooled, stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        guest_checkout(client, pooled)
    order = Order.objects.get()
    path = reverse("customer:anon-order", kwargs={"order_number": order.number, "hash": order.verification_hash()})
    assert settings.SITE_URL + path in mailoutbox[0].body


def test_the_site_is_named_after_site_url_when_migrated(settings):
    from django.contrib.sites.models import Site

    from shop.apps import site_named_after_site_url

    settings.SITE_URL = "https://shop.wumeng.test"
    site_named_after_site_url(using="default")
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("shop.wumeng.test", "乌蒙优选 Wumeng Market")
