"""POST, GET /api/v1/listings/ and GET, PATCH /api/v1/listings/{id}/."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalogue.factories import ProductFactory
from catalogue.models import Product
from catalogue.services import categories_ensure
from logistics.services import station_ensure, station_member_add
from sellers import services
from sellers.factories import HouseholdFactory
from sellers.partner.models import StockRecord
from shop.factories import UserFactory
from shop.models import Division
from tests.api_helpers import error_of, queries_for
from tests.personas import MIAOBA, POJI

# Another township of Yanjin county, whose households may supply Miaoba's pooled products.
YANJIN_NEIGHBOUR = "530623102"

LIST = "/api/v1/listings/"


@pytest.fixture
def pooled_product(people):
    """Pooled by the Miaoba station: its origin is Miaoba, its one price ¥45.00."""
    return ProductFactory(
        title="庙坝土鸡蛋", unit="30 枚", origin=Division.objects.get(code=MIAOBA), price=Decimal("45.00")
    )


@pytest.fixture
def listing_miaoba(people, pooled_product):
    return services.listing_create(household=people.household_miaoba, product=pooled_product, stock=20)


@pytest.fixture
def listing_poji(people):
    product = ProductFactory(title="泼机核桃", unit="1 千克", origin=Division.objects.get(code=POJI), price=Decimal("48.00"))
    return services.listing_create(household=people.household_poji, product=product, stock=10)


@pytest.fixture
def listing_of_a_neighbour(people, pooled_product):
    """Another Yanjin household (outside Miaoba) supplying Miaoba's pooled product."""
    household = HouseholdFactory(township=Division.objects.get(code=YANJIN_NEIGHBOUR), consent_to_sell=True)
    return services.listing_create(household=household, product=pooled_product, stock=8)


def new_product(people, **overrides) -> dict:
    categories_ensure()
    data = {
        "household": people.household_miaoba.registry_id,
        "title": "高山洋芋",
        "category": "vegetables",
        "unit": "5 千克",
        "description": "海拔两千米的黄心洋芋。",
        "price": "38.00",
        "stock": 50,
    }
    data.update(overrides)
    return data


def detail(record) -> str:
    return f"/api/v1/listings/{record.pk}/"


# --- creating -------------------------------------------------------------------------------------


def test_a_clerk_lists_a_new_product_for_a_household(as_clerk_miaoba, people):
    response = as_clerk_miaoba.post(LIST, new_product(people), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    record = StockRecord.objects.get(pk=body["id"])
    assert record.partner.seller.household == people.household_miaoba
    assert record.product.title == "高山洋芋"
    assert record.product.origin_id == MIAOBA
    assert (record.price, record.num_in_stock) == (Decimal("38.00"), 50)


def test_a_listing_answer_has_the_product_and_its_url(as_clerk_miaoba, people):
    body = as_clerk_miaoba.post(LIST, new_product(people), format="json").json()
    product = Product.objects.get(pk=body["product_id"])
    assert body["product_url"] == f"http://testserver{product.get_absolute_url()}"
    assert body["household"] == people.household_miaoba.registry_id
    assert (body["price"], body["stock"], body["category"]) == ("38.00", 50, "vegetables")


def test_a_clerk_adds_a_households_stock_to_a_pooled_product(as_clerk_miaoba, people, pooled_product):
    products_before = Product.objects.count()
    response = as_clerk_miaoba.post(
        LIST,
        {
            "household": people.household_miaoba.registry_id, "product_id": pooled_product.pk,
            "price": "45.00", "stock": 12,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["product_id"] == pooled_product.pk
    assert Product.objects.count() == products_before


def test_stock_for_a_pooled_product_needs_no_price_and_takes_the_products(as_clerk_miaoba, people, pooled_product):
    response = as_clerk_miaoba.post(
        LIST, {"household": people.household_miaoba.registry_id, "product_id": pooled_product.pk, "stock": 3},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["price"] == "45.00"


def test_stock_for_a_pooled_product_at_another_price_is_refused(as_clerk_miaoba, people, pooled_product):
    response = as_clerk_miaoba.post(
        LIST,
        {"household": people.household_miaoba.registry_id, "product_id": pooled_product.pk, "price": "1.00", "stock": 3},
        format="json",
    )
    assert response.status_code == 400
    assert "price" in error_of(response)["fields"]
    assert not StockRecord.objects.filter(product=pooled_product).exists()


def test_a_household_from_outside_the_products_county_may_not_supply_it(as_clerk_poji, people, pooled_product):
    response = as_clerk_poji.post(
        LIST, {"household": people.household_poji.registry_id, "product_id": pooled_product.pk, "stock": 3},
        format="json",
    )
    assert response.status_code == 400
    assert "product_id" in error_of(response)["fields"]
    assert not StockRecord.objects.filter(product=pooled_product).exists()


def test_a_gi_product_takes_households_of_its_gi_area_only(people, pooled_product):
    pooled_product.gi_mark, pooled_product.gi_area = "盐津乌骨鸡", Division.objects.get(code=MIAOBA)
    pooled_product.save()
    outsider = HouseholdFactory(township=Division.objects.get(code=YANJIN_NEIGHBOUR), consent_to_sell=True)
    with pytest.raises(ValidationError) as refused:
        services.listing_create(household=outsider, product=pooled_product, stock=3)
    assert "product_id" in refused.value.message_dict


def test_a_clerk_may_not_list_for_a_household_of_another_township(as_clerk_miaoba, people):
    before = StockRecord.objects.count()
    data = new_product(people, household=people.household_poji.registry_id)
    response = as_clerk_miaoba.post(LIST, data, format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert StockRecord.objects.count() == before


def test_an_official_may_not_list_goods(as_official_yanjin, people):
    assert as_official_yanjin.post(LIST, new_product(people), format="json").status_code == 403


def test_a_buyer_may_not_list_goods(as_buyer, people):
    assert as_buyer.post(LIST, new_product(people), format="json").status_code == 403


def test_an_anonymous_caller_may_not_list_goods(as_anonymous, people):
    assert as_anonymous.post(LIST, new_product(people), format="json").status_code == 401


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("household", "NO-SUCH-ID"),
        ("category", "no-such-category"),
        ("title", ""),
        ("unit", ""),
        ("price", "0.00"),
        ("price", "-5.00"),
        ("price", 38.5),
        ("price", "cheap"),
        ("stock", -1),
        ("product_id", 999999),
    ],
)
def test_bad_input_is_400_with_the_field_and_changes_nothing(as_clerk_miaoba, people, field, value):
    data = new_product(people, **{field: value})
    if field == "product_id":
        data = {"household": data["household"], "product_id": value, "price": "1.00", "stock": 1}
    products, records = Product.objects.count(), StockRecord.objects.count()
    response = as_clerk_miaoba.post(LIST, data, format="json")
    assert response.status_code == 400, response.json()
    assert field in error_of(response)["fields"]
    assert (Product.objects.count(), StockRecord.objects.count()) == (products, records)


def test_a_pooled_product_and_a_new_title_together_are_refused(as_clerk_miaoba, people, pooled_product):
    response = as_clerk_miaoba.post(LIST, new_product(people, product_id=pooled_product.pk), format="json")
    assert response.status_code == 400
    assert "product_id" in error_of(response)["fields"]


def test_a_household_without_consent_cannot_sell(as_clerk_miaoba, people):
    household = HouseholdFactory(township=Division.objects.get(code=MIAOBA), consent_to_sell=False)
    products, records = Product.objects.count(), StockRecord.objects.count()
    response = as_clerk_miaoba.post(LIST, new_product(people, household=household.registry_id), format="json")
    assert response.status_code == 400
    assert "household" in error_of(response)["fields"]
    assert (Product.objects.count(), StockRecord.objects.count()) == (products, records)


def test_an_unknown_field_is_refused(as_clerk_miaoba, people):
    response = as_clerk_miaoba.post(LIST, new_product(people, colour="red"), format="json")
    assert response.status_code == 400
    assert "colour" in error_of(response)["fields"]


# --- reading --------------------------------------------------------------------------------------


def test_a_clerk_lists_the_listings_of_their_township_only(as_clerk_miaoba, listing_miaoba, listing_poji):
    ids = {row["id"] for row in as_clerk_miaoba.get(LIST).json()["results"]}
    assert ids == {listing_miaoba.pk}


def test_a_city_official_lists_listings_of_the_whole_city(as_official_zhaotong, listing_miaoba, listing_poji):
    ids = {row["id"] for row in as_official_zhaotong.get(LIST).json()["results"]}
    assert ids == {listing_miaoba.pk, listing_poji.pk}


def test_the_list_costs_no_query_per_listing(as_clerk_miaoba, people, listing_miaoba):
    one = queries_for(as_clerk_miaoba, LIST)
    for _ in range(3):
        household = HouseholdFactory(township=Division.objects.get(code=MIAOBA), consent_to_sell=True)
        services.listing_create(household=household, product=ProductFactory(), price=Decimal("9.00"), stock=1)
    assert queries_for(as_clerk_miaoba, LIST) == one


def test_a_buyer_may_not_read_the_listings_api(as_buyer, listing_miaoba):
    assert as_buyer.get(LIST).status_code == 403


def test_a_clerk_opens_a_listing_of_their_township(as_clerk_miaoba, listing_miaoba):
    body = as_clerk_miaoba.get(detail(listing_miaoba)).json()
    assert (body["id"], body["price"], body["stock"]) == (listing_miaoba.pk, "45.00", 20)


def test_a_clerk_cannot_open_a_listing_of_another_township(as_clerk_miaoba, listing_poji):
    assert as_clerk_miaoba.get(detail(listing_poji)).status_code == 403


def test_an_unknown_listing_is_404(as_clerk_miaoba, people):
    response = as_clerk_miaoba.get("/api/v1/listings/999999/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# --- changing -------------------------------------------------------------------------------------


def test_a_clerk_changes_price_and_stock(as_clerk_miaoba, listing_miaoba):
    response = as_clerk_miaoba.patch(detail(listing_miaoba), {"price": "49.90", "stock": 7}, format="json")
    assert response.status_code == 200, response.json()
    listing_miaoba.refresh_from_db()
    assert (listing_miaoba.price, listing_miaoba.num_in_stock) == (Decimal("49.90"), 7)
    assert response.json()["price"] == "49.90"


def test_a_price_change_is_the_products_for_every_household(as_clerk_miaoba, listing_miaoba, listing_of_a_neighbour):
    as_clerk_miaoba.patch(detail(listing_miaoba), {"price": "52.00"}, format="json")
    listing_of_a_neighbour.refresh_from_db()
    listing_of_a_neighbour.product.refresh_from_db()
    assert (listing_of_a_neighbour.price, listing_of_a_neighbour.product.price) == (Decimal("52.00"), Decimal("52.00"))


def test_a_station_that_does_not_pool_the_product_may_change_stock_not_price(api, listing_of_a_neighbour):
    clerk = UserFactory(username="clerk_neighbour")
    station = station_ensure(code="S-NEIGHBOUR", township=Division.objects.get(code=YANJIN_NEIGHBOUR), name="邻镇站",
                             address="镇上", phone="0870", cold_chain=True)
    station_member_add(station=station, user=clerk)
    as_neighbour = api(clerk)
    response = as_neighbour.patch(detail(listing_of_a_neighbour), {"price": "1.00", "stock": 2}, format="json")
    assert response.status_code == 403
    listing_of_a_neighbour.refresh_from_db()
    assert (listing_of_a_neighbour.price, listing_of_a_neighbour.num_in_stock) == (Decimal("45.00"), 8)
    assert as_neighbour.patch(detail(listing_of_a_neighbour), {"stock": 2}, format="json").status_code == 200


def test_a_clerk_changes_stock_alone(as_clerk_miaoba, listing_miaoba):
    as_clerk_miaoba.patch(detail(listing_miaoba), {"stock": 0}, format="json")
    listing_miaoba.refresh_from_db()
    assert (listing_miaoba.price, listing_miaoba.num_in_stock) == (Decimal("45.00"), 0)


def test_a_clerk_may_not_change_a_listing_of_another_township(as_clerk_miaoba, listing_poji):
    assert as_clerk_miaoba.patch(detail(listing_poji), {"stock": 0}, format="json").status_code == 403
    listing_poji.refresh_from_db()
    assert listing_poji.num_in_stock == 10


def test_an_official_may_not_change_a_listing(as_official_yanjin, listing_miaoba):
    assert as_official_yanjin.patch(detail(listing_miaoba), {"stock": 0}, format="json").status_code == 403


def test_a_buyer_may_not_change_a_listing(as_buyer, listing_miaoba):
    assert as_buyer.patch(detail(listing_miaoba), {"stock": 0}, format="json").status_code == 403


def test_an_anonymous_caller_may_not_change_a_listing(as_anonymous, listing_miaoba):
    assert as_anonymous.patch(detail(listing_miaoba), {"stock": 0}, format="json").status_code == 401


def test_changing_an_unknown_listing_is_404(as_clerk_miaoba, people):
    assert as_clerk_miaoba.patch("/api/v1/listings/999999/", {"stock": 1}, format="json").status_code == 404


@pytest.mark.parametrize("changes", [{"price": "0"}, {"stock": -3}, {"price": 12.5}, {"stock": 5, "household": "X"}])
def test_a_bad_change_is_400_and_changes_nothing(as_clerk_miaoba, listing_miaoba, changes):
    response = as_clerk_miaoba.patch(detail(listing_miaoba), changes, format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"]
    listing_miaoba.refresh_from_db()
    assert (listing_miaoba.price, listing_miaoba.num_in_stock) == (Decimal("45.00"), 20)
