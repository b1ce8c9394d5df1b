"""GET /api/v1/stations/ and GET /api/v1/categories/."""

import pytest

from catalogue.services import categories_ensure
from tests.api_helpers import error_of

STATIONS = "/api/v1/stations/"
CATEGORIES = "/api/v1/categories/"


def station_codes(response) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


def test_a_clerk_sees_their_own_station(as_clerk_miaoba):
    assert station_codes(as_clerk_miaoba.get(STATIONS)) == {"YJ-MIAOBA"}


def test_a_station_has_the_contract_fields(as_clerk_miaoba):
    [station] = as_clerk_miaoba.get(STATIONS).json()["results"]
    assert station == {
        "code": "YJ-MIAOBA", "name": "庙坝镇电商服务站", "township_code": "530623105", "county_code": "530623",
        "cold_chain": True,
    }


def test_a_clerk_of_poji_does_not_see_the_miaoba_station(as_clerk_poji):
    assert station_codes(as_clerk_poji.get(STATIONS)) == {"ZX-POJI"}


def test_a_county_official_sees_the_stations_of_their_county(as_official_yanjin):
    assert station_codes(as_official_yanjin.get(STATIONS)) == {"YJ-MIAOBA"}


def test_a_city_official_sees_every_station_of_the_city(as_official_zhaotong):
    assert station_codes(as_official_zhaotong.get(STATIONS)) == {"YJ-MIAOBA", "ZX-POJI"}


def test_an_inactive_station_is_not_listed(as_official_zhaotong):
    from logistics.models import Station

    Station.objects.filter(code="ZX-POJI").update(is_active=False)
    assert station_codes(as_official_zhaotong.get(STATIONS)) == {"YJ-MIAOBA"}


def test_a_buyer_may_not_list_stations(as_buyer):
    response = as_buyer.get(STATIONS)
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_an_anonymous_caller_may_not_list_stations(as_anonymous):
    assert as_anonymous.get(STATIONS).status_code == 401


@pytest.fixture
def categories(db):
    return categories_ensure()


def test_anyone_may_list_the_categories(as_anonymous, categories):
    response = as_anonymous.get(CATEGORIES)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {"slug": "poultry-eggs", "name": "禽肉蛋品"} in rows
    assert len(rows) == len(categories)


def test_a_buyer_may_list_the_categories(as_buyer, categories):
    assert as_buyer.get(CATEGORIES).status_code == 200


def test_category_names_follow_accept_language(as_anonymous, categories):
    response = as_anonymous.get(CATEGORIES, HTTP_ACCEPT_LANGUAGE="en")
    assert {"slug": "poultry-eggs", "name": "Poultry and eggs"} in response.json()["results"]
    assert response["Content-Language"] == "en"


def test_hidden_categories_are_not_listed(as_anonymous, categories):
    categories["fruit"].is_public = False
    categories["fruit"].save()
    slugs = {row["slug"] for row in as_anonymous.get(CATEGORIES).json()["results"]}
    assert "fruit" not in slugs
