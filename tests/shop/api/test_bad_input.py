"""Bad input to the API gets a clear 4xx in the one error shape, never a 500."""

import json
from decimal import Decimal

import pytest
from django.test import override_settings

from catalogue.models import Category
from catalogue.services import categories_ensure
from sellers import services
from tests.api_helpers import error_of

HUGE = "99999999999999999999"
LISTS = ["/api/v1/households/", "/api/v1/listings/"]


def _new_listing(household, title="高山洋芋"):
    categories_ensure()
    return services.listing_create(
        household=household, title=title, category=Category.objects.get(slug="vegetables"), unit="5 千克",
        price=Decimal("45.00"), stock=20,
    )


@pytest.fixture
def listing(people):
    return _new_listing(people.household_miaoba)


# --- paging -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_a_huge_limit_is_capped_at_the_largest_page(as_clerk_miaoba, listing, url):
    response = as_clerk_miaoba.get(f"{url}?limit={HUGE}")
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 200


@pytest.mark.parametrize("url", LISTS)
def test_a_limit_above_the_largest_page_gives_the_largest_page(as_clerk_miaoba, people, listing, url, monkeypatch):
    from shop.core.api import Pages

    monkeypatch.setattr(Pages, "max_limit", 1)
    _new_listing(people.household_miaoba, title="黄心洋芋")
    response = as_clerk_miaoba.get(f"{url}?limit=500")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


@pytest.mark.parametrize("url", LISTS)
def test_a_huge_offset_gives_an_empty_page(as_clerk_miaoba, listing, url):
    response = as_clerk_miaoba.get(f"{url}?offset={HUGE}&limit={HUGE}")
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("url", LISTS)
def test_a_limit_or_offset_that_is_not_a_number_is_ignored(as_clerk_miaoba, listing, url):
    response = as_clerk_miaoba.get(f"{url}?limit=lots&offset=-3")
    assert response.status_code == 200
    assert len(response.json()["results"]) == response.json()["count"] >= 1


@pytest.mark.parametrize("url", LISTS)
def test_an_anonymous_caller_with_a_huge_limit_gets_401_in_the_error_shape(as_anonymous, url):
    response = as_anonymous.get(f"{url}?limit={HUGE}&offset={HUGE}")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


# --- bodies -------------------------------------------------------------------------------------


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_json_nested_2000_levels_deep_is_400_in_the_error_shape(as_clerk_miaoba, listing):
    response = as_clerk_miaoba.patch(f"/api/v1/listings/{listing.pk}/", _deep(2000), content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


def test_json_nested_500_levels_deep_in_a_field_is_400(as_clerk_miaoba, listing):
    body = '{"price": ' + _deep(500) + "}"
    response = as_clerk_miaoba.patch(f"/api/v1/listings/{listing.pk}/", body, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


def test_deeply_nested_json_to_the_token_endpoint_is_400(as_anonymous):
    response = as_anonymous.post("/api/v1/auth/token/", _deep(2000), content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


def _big_json(size: int) -> str:
    return json.dumps({"price": "1.00", "description": "x" * size})


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_621_440)
def test_a_json_body_larger_than_the_upload_limit_is_413_in_the_error_shape(as_clerk_miaoba, listing):
    response = as_clerk_miaoba.patch(
        f"/api/v1/listings/{listing.pk}/", _big_json(3 * 1024 * 1024), content_type="application/json"
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_an_oversized_body_to_the_token_endpoint_is_413_for_an_anonymous_caller(as_anonymous):
    body = json.dumps({"username": "x" * (3 * 1024 * 1024), "password": "p"})
    response = as_anonymous.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_an_oversized_form_body_is_413_in_the_error_shape(as_anonymous):
    body = "username=" + "x" * (3 * 1024 * 1024) + "&password=p"
    response = as_anonymous.post("/api/v1/auth/token/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_an_oversized_multipart_body_is_413_in_the_error_shape(as_anonymous):
    response = as_anonymous.post(
        "/api/v1/auth/token/", {"username": "x" * (3 * 1024 * 1024), "password": "p"}, format="multipart"
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_an_oversized_body_to_a_list_is_refused_in_the_error_shape_for_an_anonymous_caller(as_anonymous):
    response = as_anonymous.post("/api/v1/listings/", _big_json(3 * 1024 * 1024), content_type="application/json")
    assert response.status_code in (401, 413)
    error_of(response)


# --- addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/api/v1/nope/", "/api/v1/households/x/y/", "/api/nope/", "/api/", "/api/v2/listings/",
])
def test_an_unknown_api_address_is_a_json_404_in_the_error_shape(as_clerk_miaoba, url):
    response = as_clerk_miaoba.get(url)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_unknown_api_address_is_a_json_404_for_any_method(as_clerk_miaoba, method):
    response = getattr(as_clerk_miaoba, method)("/api/v1/nope/", {}, format="json")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_an_unknown_api_address_is_a_json_404_for_an_anonymous_caller(as_anonymous):
    response = as_anonymous.get("/api/v1/nope/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_an_api_address_without_its_slash_still_redirects(as_clerk_miaoba):
    response = as_clerk_miaoba.get("/api/v1/households")
    assert response.status_code == 301 and response.url == "/api/v1/households/"


def test_the_storefront_keeps_its_html_404(client, db):
    response = client.get("/no-such-page-here/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


@pytest.mark.parametrize("pk", ["abc", "-1", "1.5", HUGE])
def test_a_listing_id_that_is_not_a_small_integer_is_a_json_404(as_clerk_miaoba, listing, pk):
    response = as_clerk_miaoba.get(f"/api/v1/listings/{pk}/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_patch_to_a_listing_id_that_is_not_an_integer_is_a_json_404(as_clerk_miaoba, listing):
    response = as_clerk_miaoba.patch("/api/v1/listings/abc/", {"stock": 3}, format="json")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("registry_id", ["a%00b", "x" * 300])
def test_a_registry_id_that_cannot_exist_is_a_json_404(as_clerk_miaoba, registry_id):
    response = as_clerk_miaoba.get(f"/api/v1/households/{registry_id}/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# --- amounts ------------------------------------------------------------------------------------


def test_a_price_in_full_width_digits_is_refused(as_clerk_miaoba, listing):
    response = as_clerk_miaoba.patch(f"/api/v1/listings/{listing.pk}/", {"price": "１２８.００"}, format="json")
    assert response.status_code == 400
    assert "price" in error_of(response)["fields"]
    listing.refresh_from_db()
    assert listing.price == Decimal("45.00")

