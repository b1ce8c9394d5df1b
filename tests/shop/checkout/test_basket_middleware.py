"""`shop.basket.middleware.BasketMiddleware` (Oscar's, reading the basket in fewer queries)
answers a checkout page as Oscar's does, without counting the lines or reading each product's
class apart."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop.factories import UserFactory
from tests.shopping import ADDRESS, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer_client(buyer_with_basket):
    buyer_with_basket.post(reverse("checkout:shipping-address"), ADDRESS)
    return buyer_with_basket


def test_it_reads_the_lines_without_counting_them(buyer_client):
    with CaptureQueriesContext(connection) as queries:
        assert buyer_client.get(reverse("checkout:preview")).status_code == 200
    assert not [q for q in queries if "COUNT(" in q["sql"] and "basket_line" in q["sql"]]


def test_it_reads_the_products_classes_with_the_lines(buyer_client):
    with CaptureQueriesContext(connection) as queries:
        assert buyer_client.get(reverse("checkout:preview")).status_code == 200
    assert not [q for q in queries if q["sql"].startswith('SELECT "catalogue_productclass"')]


def test_an_order_placed_through_it_is_paid(buyer_client):
    response = place_order(buyer_client)
    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")


def test_an_empty_basket_still_goes_back_to_the_basket(client):
    client.force_login(UserFactory(username="buyer"))
    response = client.get(reverse("checkout:preview"))
    assert response.status_code == 302 and response.url == reverse("basket:summary")
