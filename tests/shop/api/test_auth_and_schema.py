"""POST /api/v1/auth/token/, error messages in the caller's language, and the OpenAPI schema."""

import pytest
from django.conf import settings
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.factories import DEMO_PASSWORD
from tests.api_helpers import error_of

TOKEN = "/api/v1/auth/token/"


def test_a_username_and_password_give_a_token(people):
    response = APIClient().post(TOKEN, {"username": "clerk_miaoba", "password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 200
    token = Token.objects.get(user=people.clerk_miaoba)
    assert response.json() == {"token": token.key, "expires_at": (token.created + settings.API_TOKEN_TTL).isoformat().replace("+00:00", "Z")}


def test_the_token_opens_the_api(people):
    client = APIClient()
    token = client.post(TOKEN, {"username": "clerk_miaoba", "password": DEMO_PASSWORD}, format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/households/").status_code == 200


def test_a_wrong_password_is_400_in_the_error_shape(people):
    response = APIClient().post(TOKEN, {"username": "clerk_miaoba", "password": "wrong"}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["fields"]["non_field_errors"]
    assert not Token.objects.filter(user=people.clerk_miaoba).exists()


def test_missing_credentials_name_the_fields(db):
    error = error_of(APIClient().post(TOKEN, {}, format="json"))
    assert {"username", "password"} <= set(error["fields"])


def test_a_stale_token_header_does_not_block_signing_in(people):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token stale")
    response = client.post(TOKEN, {"username": "clerk_miaoba", "password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 200


def test_answers_are_in_chinese_by_default(as_anonymous):
    response = as_anonymous.get("/api/v1/households/")
    assert response["Content-Language"] == "zh-hans"
    assert error_of(response)["message"] == "身份认证信息未提供。"


def test_messages_follow_accept_language(as_buyer):
    response = as_buyer.get("/api/v1/households/", HTTP_ACCEPT_LANGUAGE="en")
    assert error_of(response)["message"] == "Only station staff and officials may use this."


class V1Only:
    """The v1 routes where the project mounts them, without the rest of the site."""

    urlpatterns = [path("api/v1/", include("shop.api.v1"))]


@pytest.fixture
def v1_schema():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf=V1Only).get_schema(request=None, public=True)
    yield schema
    GENERATOR_STATS.reset()


def test_the_v1_schema_generates_without_warnings_or_errors(v1_schema):
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))


def test_the_v1_schema_is_valid_openapi(v1_schema):
    validate_schema(v1_schema)


def test_the_v1_schema_documents_the_contract_paths(v1_schema):
    assert {
        "/api/v1/auth/token/", "/api/v1/stations/", "/api/v1/categories/", "/api/v1/households/",
        "/api/v1/households/{registry_id}/", "/api/v1/listings/", "/api/v1/listings/{id}/",
    } <= set(v1_schema["paths"])


def test_id_number_is_write_only_in_the_schema(v1_schema):
    schemas = v1_schema["components"]["schemas"]
    assert "id_number" in schemas["HouseholdRegistrationRequest"]["properties"]
    assert "id_number" not in schemas["Household"]["properties"]
    assert "id_number_masked" in schemas["Household"]["properties"]


def test_the_schema_endpoint_answers(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/households/" in response.content
