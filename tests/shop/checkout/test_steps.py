"""The checkout's steps skip the redirects that only lead on: with one way to ship, the address
step goes straight to the payment page, and so does the shipping-method step."""

import pytest
from django.urls import reverse

from tests.shopping import ADDRESS, shown_total

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer_client(buyer_with_basket):
    return buyer_with_basket


def test_it_goes_from_the_address_straight_to_the_payment_page(buyer_client):
    response = buyer_client.post(reverse("checkout:shipping-address"), ADDRESS)
    assert response.status_code == 302 and response.url == reverse("checkout:payment-details")


def test_it_chooses_the_only_way_to_ship_with_the_address(buyer_client):
    buyer_client.post(reverse("checkout:shipping-address"), ADDRESS)
    assert buyer_client.get(reverse("checkout:payment-details")).status_code == 200
    assert shown_total(buyer_client.get(reverse("checkout:preview")))


def test_the_shipping_method_step_goes_straight_to_the_payment_page(buyer_client):
    buyer_client.post(reverse("checkout:shipping-address"), ADDRESS)
    response = buyer_client.get(reverse("checkout:shipping-method"))
    assert response.status_code == 302 and response.url == reverse("checkout:payment-details")


def test_the_shipping_method_step_still_asks_for_an_address_first(buyer_client):
    response = buyer_client.get(reverse("checkout:shipping-method"))
    assert response.status_code == 302 and response.url == reverse("checkout:shipping-address")


def test_the_thank_you_page_shows_the_order(buyer_client):
    buyer_client.post(reverse("checkout:shipping-address"), ADDRESS)
    total = shown_total(buyer_client.get(reverse("checkout:preview")))
    buyer_client.post(reverse("checkout:preview"), {"action": "place_order", "confirmed_total": total})
    page = buyer_client.get(reverse("checkout:thank-you"))
    assert page.status_code == 200 and page.context["order"].lines.count() == 1


def test_the_step_bar_has_no_shipping_method_step(buyer_client):
    buyer_client.post(reverse("checkout:shipping-address"), ADDRESS)
    page = buyer_client.get(reverse("checkout:payment-details")).content.decode()
    assert "2. 支付" in page and reverse("checkout:shipping-method") not in page
