"""A household that withdraws its consent to sell is never allocated another sale, and its
name leaves the product's page."""

import pytest

from catalogue.models import Product
from catalogue.pricing import offer_for
from catalogue.selectors import product_cards, product_for_detail
from sellers.models import Household
from sellers.partner.models import StockRecord
from sellers.partner.strategy import WumengStrategy
from sellers.selectors import sellers_of_product
from shop.order.models import Line
from tests.shopping import buy, offer

pytestmark = pytest.mark.django_db


def withdraw_consent(record: StockRecord) -> None:
    Household.objects.filter(seller__partner=record.partner_id).update(consent_to_sell=False)


def test_a_household_that_withdrew_consent_is_not_allocated_a_sale(pooled):
    withdrawn, consenting = offer(pooled, stock=5), offer(pooled, stock=5)
    withdraw_consent(withdrawn)  # it has sold least (nothing): without the rule, it would be picked
    buy(pooled, 2)
    assert {line.stockrecord_id for line in Line.objects.all()} == {consenting.pk}


def test_the_units_of_a_withdrawn_household_cannot_be_bought(pooled):
    withdraw_consent(offer(pooled, stock=5))
    assert not WumengStrategy().fetch_for_product(pooled).availability.is_available_to_buy


def test_a_household_that_withdrew_consent_leaves_the_product_page(pooled):
    withdrawn, _consenting = offer(pooled, stock=5), offer(pooled, stock=5)
    withdraw_consent(withdrawn)
    assert len(sellers_of_product(product=product_for_detail(pk=pooled.pk))) == 1


def test_a_withdrawn_households_stock_does_not_count_on_the_products_card(pooled):
    withdraw_consent(offer(pooled, stock=5))
    card = product_cards(Product.objects.filter(pk=pooled.pk)).get()
    offer_shown = offer_for(card)
    assert (offer_shown.in_stock, offer_shown.sellers) == (False, 0)
