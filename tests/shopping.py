"""Goods on offer and orders placed, for the checkout and payment tests."""

import re
from decimal import Decimal

from django.urls import reverse
from oscar.apps.basket.models import Basket
from oscar.test.factories import create_order

from sellers.factories import HouseholdFactory
from sellers.partner.strategy import WumengStrategy
from sellers.services import household_seller_ensure, stock_offer
from shop.models import Division
from tests.personas import MIAOBA


def offer(product, *, township=MIAOBA, stock=10, price="100.00"):
    """A new household of `township` offering `stock` units of `product`."""
    household = HouseholdFactory(township=Division.objects.get(code=township), consent_to_sell=True)
    return stock_offer(seller=household_seller_ensure(household=household), product=product,
                       price=Decimal(price), stock=stock)


def buy(product, quantity=1, *, user=None, status=None):
    basket = Basket.objects.create(owner=user)
    basket.strategy = WumengStrategy()
    basket.add_product(product, quantity=quantity)
    order = create_order(basket=basket, user=user)
    if status:
        order.set_status(status)
    return order


ADDRESS = {
    "first_name": "小明", "last_name": "王", "line1": "朝阳区建国路 88 号", "line4": "北京",
    "postcode": "100022", "country": "CN", "phone_number": "+8613800000000",
}


def checkout_two_units(client, product):
    """Two of `product` bought through the real checkout pages (demo payment); the response."""
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.get(reverse("checkout:shipping-method"))
    return place_order(client)


def shown_total(page) -> str:
    """The total a checkout page shows the buyer, as its form sends it back on confirming."""
    found = re.search(r'name="confirmed_total" value="([^"]*)"', page.content.decode())
    assert found, "the page has no total to confirm"
    return found.group(1)


def place_order(client, *, page: str = "checkout:preview", **fields):
    """Confirm the order as a buyer does: the total shown on `page` goes back with the form."""
    total = shown_total(client.get(reverse(page)))
    return client.post(reverse("checkout:preview"), {"action": "place_order", "confirmed_total": total, **fields})
