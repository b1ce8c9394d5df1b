from decimal import Decimal

import pytest
from oscar.apps.basket.models import Basket
from oscar.test.factories import create_order

from catalogue.factories import ProductFactory
from sellers.factories import HouseholdFactory
from sellers.partner.strategy import WumengStrategy
from sellers.services import household_seller_ensure, stock_offer
from shop.models import Division
from tests.conftest import MIAOBA


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


@pytest.fixture
def pooled(stations):
    return ProductFactory(title="盐津乌骨鸡")
