"""The API's personas (from `tests.personas`) with real tokens, and a client per persona.

Clerk and manager of Miaoba (Yanjin county), a clerk of Poji (Zhenxiong county), a Yanjin
official, a Zhaotong official, a buyer, and an anonymous caller. One household in Miaoba and
one in Poji, both consenting to sell."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.personas import cast


@pytest.fixture
def people(db):
    return cast()


@pytest.fixture
def api():
    """`api(user)`: a client that sends the user's token; `api()`: an anonymous one."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def as_clerk_miaoba(api, people):
    return api(people.clerk_miaoba)


@pytest.fixture
def as_manager_miaoba(api, people):
    return api(people.manager_miaoba)


@pytest.fixture
def as_clerk_poji(api, people):
    return api(people.clerk_poji)


@pytest.fixture
def as_official_yanjin(api, people):
    return api(people.official_yanjin)


@pytest.fixture
def as_official_zhaotong(api, people):
    return api(people.official_zhaotong)


@pytest.fixture
def as_buyer(api, people):
    return api(people.buyer)


@pytest.fixture
def as_anonymous(api, people):
    return api()


def error_of(response) -> dict:
    """The error body every failure shares; fails the test if the shape is wrong."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


def queries_for(client, url: str) -> int:
    """How many queries one GET costs (to show a list does not cost a query per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
