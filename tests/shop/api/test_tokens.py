"""API tokens expire after API_TOKEN_TTL, are renewed by signing in again, and can be revoked by
their owner with DELETE /api/v1/auth/token/."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.factories import DEMO_PASSWORD
from tests.api_helpers import error_of

TOKEN = "/api/v1/auth/token/"
HOUSEHOLDS = "/api/v1/households/"


def sign_in(user) -> dict:
    response = APIClient().post(TOKEN, {"username": user.username, "password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def now(time_machine):
    moment = timezone.now()
    time_machine.move_to(moment, tick=False)
    return moment


def test_signing_in_says_when_the_token_expires(people, now):
    answer = sign_in(people.clerk_miaoba)
    assert parse_datetime(answer["expires_at"]) == now + settings.API_TOKEN_TTL


def test_a_token_works_until_it_expires(people, now, time_machine):
    client = client_with(sign_in(people.clerk_miaoba)["token"])
    time_machine.shift(settings.API_TOKEN_TTL - timedelta(seconds=1))
    assert client.get(HOUSEHOLDS).status_code == 200


def test_an_expired_token_is_refused_in_the_error_shape(people, now, time_machine):
    client = client_with(sign_in(people.clerk_miaoba)["token"])
    time_machine.shift(settings.API_TOKEN_TTL)
    response = client.get(HOUSEHOLDS, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "not_authenticated"
    assert "expired" in error["message"]


def test_signing_in_again_before_expiry_gives_the_same_token(people, now, time_machine):
    first = sign_in(people.clerk_miaoba)
    time_machine.shift(timedelta(hours=1))
    assert sign_in(people.clerk_miaoba) == first


def test_signing_in_after_expiry_gives_a_new_token_that_works(people, now, time_machine):
    old = sign_in(people.clerk_miaoba)["token"]
    time_machine.shift(settings.API_TOKEN_TTL + timedelta(minutes=1))
    new = sign_in(people.clerk_miaoba)
    assert new["token"] != old
    assert parse_datetime(new["expires_at"]) == timezone.now() + settings.API_TOKEN_TTL
    assert client_with(new["token"]).get(HOUSEHOLDS).status_code == 200
    assert client_with(old).get(HOUSEHOLDS).status_code == 401


def test_the_owner_revokes_the_token(people):
    client = client_with(sign_in(people.clerk_miaoba)["token"])
    assert client.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(user=people.clerk_miaoba).exists()


def test_a_revoked_token_is_refused(people):
    client = client_with(sign_in(people.clerk_miaoba)["token"])
    client.delete(TOKEN)
    assert client.get(HOUSEHOLDS).status_code == 401


def test_revoking_leaves_other_users_tokens_alone(people):
    clerk = client_with(sign_in(people.clerk_miaoba)["token"])
    manager = client_with(sign_in(people.manager_miaoba)["token"])
    clerk.delete(TOKEN)
    assert manager.get(HOUSEHOLDS).status_code == 200


def test_expiry_leaves_other_users_tokens_alone(people, now, time_machine):
    sign_in(people.clerk_miaoba)
    time_machine.shift(timedelta(days=1))
    manager = client_with(sign_in(people.manager_miaoba)["token"])
    time_machine.shift(settings.API_TOKEN_TTL - timedelta(hours=1))
    assert manager.get(HOUSEHOLDS).status_code == 200


def test_revoking_needs_the_token(db):
    response = APIClient().delete(TOKEN)
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_an_expired_token_cannot_be_revoked(people, now, time_machine):
    client = client_with(sign_in(people.clerk_miaoba)["token"])
    time_machine.shift(settings.API_TOKEN_TTL)
    assert client.delete(TOKEN).status_code == 401


def test_the_schema_documents_revoking_and_expiry(client, db):
    schema = client.get("/api/schema/?format=json").json()
    token_path = schema["paths"]["/api/v1/auth/token/"]
    assert "delete" in token_path
    assert token_path["delete"]["security"]
    assert "expires_at" in schema["components"]["schemas"]["Token"]["properties"]
