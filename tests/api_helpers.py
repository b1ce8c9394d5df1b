"""Reading the API's answers in tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def error_of(response) -> dict:
    """The error body every failure shares; fails the test if the shape is wrong."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


def queries_for(client, url: str) -> int:
    """How many queries one GET costs (to show a list does not cost a query per row)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
