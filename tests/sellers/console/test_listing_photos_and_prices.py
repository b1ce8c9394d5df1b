"""A station's photo for a product other households supply too stays with its own listing until
the operator approves it; only the station that pools a product sets its one price."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalogue.factories import ProductFactory
from catalogue.models import Category, ProductImage
from catalogue.selectors import product_for_detail
from catalogue.services import categories_ensure
from logistics.services import station_ensure, station_member_add
from sellers.factories import HouseholdFactory
from sellers.partner.models import StockRecord
from sellers.services import listing_create
from shop.factories import UserFactory
from shop.models import Division
from tests.personas import MIAOBA
from tests.photos import jpeg_with_gps

pytestmark = pytest.mark.django_db

NEIGHBOUR = "530623102"  # another township of Yanjin, as Miaoba is


@pytest.fixture
def miaoba_eggs(people):
    return ProductFactory(title="庙坝土鸡蛋", origin=Division.objects.get(code=MIAOBA), price=Decimal("45.00"))


def add_stock_with_photo(client, household, product):
    return client.post(
        reverse("station:listing-create", args=[household.registry_id]),
        {"product": product.pk, "stock": "8", "photo": jpeg_with_gps()},
    )


def test_a_photo_for_a_shared_product_stays_with_the_households_listing(signed_in, people, miaoba_eggs):
    add_stock_with_photo(signed_in(people.clerk_miaoba), people.household_miaoba, miaoba_eggs)
    photo = ProductImage.objects.get(product=miaoba_eggs)
    assert photo.listing == StockRecord.objects.get(product=miaoba_eggs) and not photo.is_approved
    assert list(product_for_detail(pk=miaoba_eggs.pk).images.all()) == []
    assert miaoba_eggs.primary_image().get("is_missing")


def test_the_operator_approves_a_photo_onto_the_product_page(signed_in, people, miaoba_eggs, client):
    add_stock_with_photo(signed_in(people.clerk_miaoba), people.household_miaoba, miaoba_eggs)
    photo = ProductImage.objects.get(product=miaoba_eggs)
    client.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    client.post(reverse("admin:catalogue_productimage_changelist"),
                {"action": "approve", "_selected_action": [photo.pk]})
    assert list(product_for_detail(pk=miaoba_eggs.pk).images.all()) == [photo]


def test_a_new_products_photo_shows_at_once(signed_in, people):
    categories_ensure()
    signed_in(people.clerk_miaoba).post(reverse("station:listing-create", args=[people.household_miaoba.registry_id]), {
        "product": "", "title": "高山洋芋", "category": Category.objects.get(slug="vegetables").pk, "unit": "5 千克",
        "description": "", "price": "38.00", "stock": "5", "photo": jpeg_with_gps(),
    })
    assert ProductImage.objects.get().is_approved


def test_a_station_that_does_not_pool_the_product_changes_its_stock_but_not_its_price(client, miaoba_eggs):
    clerk = UserFactory(username="clerk_neighbour")
    station = station_ensure(code="S-NB", township=Division.objects.get(code=NEIGHBOUR), name="邻镇站",
                             address="镇上", phone="0870", cold_chain=True)
    station_member_add(station=station, user=clerk)
    household = HouseholdFactory(township=Division.objects.get(code=NEIGHBOUR), consent_to_sell=True)
    record = listing_create(household=household, product=miaoba_eggs, stock=8)
    client.force_login(clerk)
    url = reverse("station:listing-edit", args=[record.pk])
    page = client.get(url).content.decode()
    assert 'name="price"' not in page and "¥45.00" in page
    client.post(url, {"price": "1.00", "stock": "3"})
    record.refresh_from_db()
    assert (record.price, record.num_in_stock) == (Decimal("45.00"), 3)
