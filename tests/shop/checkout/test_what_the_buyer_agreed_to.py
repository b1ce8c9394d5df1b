"""The price shown is the price charged, the order is placed only at the total the buyer
confirmed, and what is not published cannot be bought."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogue.pricing import offer_for
from catalogue.services import product_price_set
from sellers.partner.strategy import WumengStrategy
from shop.factories import UserFactory
from shop.order.models import Line, Order
from tests.personas import MIAOBA, POJI
from tests.shopping import ADDRESS, buy, offer, shown_total

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer_client(client):
    client.force_login(UserFactory(username="buyer"))
    return client


def at_preview(client, product, quantity=1):
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.get(reverse("checkout:shipping-method"))
    return client.get(reverse("checkout:preview"))


def test_a_pooled_product_costs_the_same_whichever_household_is_picked(pooled):
    for township in (MIAOBA, POJI, MIAOBA):
        offer(pooled, township=township, stock=1, price="120.00")
    shown = offer_for(pooled).price
    lines = [buy(pooled, 1).lines.get() for _ in range(3)]
    assert len({line.partner_id for line in lines}) == 3  # three different households filled them
    assert {line.unit_price_incl_tax for line in lines} == {shown} == {Decimal("120.00")}


def test_a_household_cannot_offer_a_pooled_product_at_its_own_price(pooled):
    offer(pooled, stock=1, price="120.00")
    with pytest.raises(ValidationError) as refused:
        offer(pooled, stock=1, price="99.00")
    assert "price" in refused.value.message_dict


def test_the_price_the_strategy_charges_is_the_products_even_if_a_record_drifted(pooled):
    record = offer(pooled, stock=3, price="120.00")
    type(record).objects.filter(pk=record.pk).update(price=Decimal("1.00"))  # e.g. an edit in Oscar's dashboard
    assert WumengStrategy().fetch_for_product(pooled).price.incl_tax == Decimal("120.00")


def test_the_order_is_placed_at_the_total_the_buyer_confirmed(buyer_client, pooled):
    offer(pooled, stock=5, price="128.00")
    preview = at_preview(buyer_client, pooled)
    assert shown_total(preview) == "140.00"  # 128 + the station's delivery
    response = buyer_client.post(
        reverse("checkout:preview"), {"action": "place_order", "confirmed_total": shown_total(preview)}
    )
    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    assert Order.objects.get().total_incl_tax == Decimal("140.00")


def test_a_price_raised_after_the_preview_sends_the_buyer_back_and_charges_nothing(buyer_client, pooled):
    record = offer(pooled, stock=5, price="128.00")
    preview = at_preview(buyer_client, pooled)
    product_price_set(product=pooled, price=Decimal("9999.00"))
    response = buyer_client.post(
        reverse("checkout:preview"), {"action": "place_order", "confirmed_total": shown_total(preview)}
    )
    assert response.status_code == 302 and response.url == reverse("basket:summary")
    assert not Order.objects.exists()
    record.refresh_from_db()
    assert not record.num_allocated
    message = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "¥10,011.00" in message and "¥140.00" in message


def test_an_order_without_a_confirmed_total_is_not_placed(buyer_client, pooled):
    offer(pooled, stock=5, price="128.00")
    at_preview(buyer_client, pooled)
    response = buyer_client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert response.url == reverse("basket:summary")
    assert not Order.objects.exists()


def test_an_unpublished_product_cannot_be_added_to_the_basket(buyer_client, pooled):
    offer(pooled, stock=5)
    pooled.is_public = False
    pooled.save()
    buyer_client.post(reverse("basket:add", kwargs={"pk": pooled.pk}), {"quantity": 1})
    assert not buyer_client.get(reverse("basket:summary")).context["basket"].num_lines


def test_a_product_unpublished_after_it_was_added_cannot_be_checked_out(buyer_client, pooled):
    offer(pooled, stock=5)
    preview = at_preview(buyer_client, pooled)
    pooled.is_public = False
    pooled.save()
    buyer_client.post(reverse("checkout:preview"), {"action": "place_order", "confirmed_total": shown_total(preview)})
    assert not Order.objects.exists() and not Line.objects.exists()
