from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from oscar.apps.basket.models import Basket

from catalogue.factories import ProductFactory
from logistics.models import Station
from sellers.factories import HouseholdFactory
from sellers.partner.strategy import WumengStrategy
from sellers.services import listing_create
from shop.models import Division
from shop.shipping.methods import StationDelivery
from tests.personas import MIAOBA, POJI
from tests.shopping import offer

pytestmark = pytest.mark.django_db


def _basket(*products):
    basket = Basket.objects.create()
    basket.strategy = WumengStrategy()
    for product in products:
        basket.add_product(product)
    return basket


def test_each_station_charges_its_own_rate(stations):
    Station.objects.filter(township_id=MIAOBA).update(shipping_charge=Decimal("10.00"))
    Station.objects.filter(township_id=POJI).update(shipping_charge=Decimal("15.00"))
    tea, potatoes = ProductFactory(title="苦荞茶"), ProductFactory(title="马铃薯")
    offer(tea, township=MIAOBA)
    offer(potatoes, township=POJI)
    assert StationDelivery().calculate(_basket(tea, potatoes)).incl_tax == Decimal("25.00")


def test_chilled_goods_add_the_cold_chain_surcharge(stations):
    Station.objects.update(shipping_charge=Decimal("10.00"), cold_chain_surcharge=Decimal("18.00"))
    chicken = ProductFactory(title="冷鲜乌骨鸡", storage="chilled")
    offer(chicken, township=MIAOBA)
    assert StationDelivery().calculate(_basket(chicken)).incl_tax == Decimal("28.00")


def test_a_station_without_cold_chain_cannot_list_chilled_goods(stations):
    Station.objects.filter(township_id=POJI).update(cold_chain=False)
    chicken = ProductFactory(title="冷鲜乌骨鸡", storage="chilled")
    household = HouseholdFactory(township=Division.objects.get(code=POJI), consent_to_sell=True)
    with pytest.raises(ValidationError):
        listing_create(household=household, product=chicken, price=Decimal("150"), stock=3)
