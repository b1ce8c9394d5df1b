"""With REPORTS_DATABASE_URL, the officials' pages, exports and API read from the replica (the
`reports` alias; in tests a mirror of the test database) while sign-in and every write stay on the
primary; without it, everything reads the primary. Transactional: the mirror is a second
connection, which sees only committed rows."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests.personas import A_DAY_IN_2026, YANJIN

pytestmark = [
    # serialized_rollback: as the other transactional tests, so that the content types a flush
    # makes again do not clash with those the next serialized test restores.
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "reports"]),
    pytest.mark.time_machine(A_DAY_IN_2026, tick=False),
]


@pytest.fixture(autouse=True)
def _site(settings):
    """The checkout's e-mail needs the Site row; an earlier transactional test may have flushed it."""
    from django.contrib.sites.models import Site

    Site.objects.get_or_create(pk=settings.SITE_ID, defaults={"domain": "localhost", "name": "Wumeng Market"})


@pytest.fixture
def replica_on(settings):
    settings.REPORTS_FROM_REPLICA = True


def queries_on_each(request) -> tuple[list[str], list[str], object]:
    """The SQL sent to the primary and to the replica while `request()` runs, and its response."""
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["reports"]) as replica:
        response = request()
    return [q["sql"] for q in primary], [q["sql"] for q in replica], response


def reads_of(queries: list[str], table: str) -> list[str]:
    """The reads of `table`: SELECTs, and on PostgreSQL the server-side cursors streamed exports use."""
    return [sql for sql in queries if sql.lstrip().upper().startswith(("SELECT", "DECLARE")) and table in sql]


def test_the_report_page_sums_its_households_on_the_replica(replica_on, signed_in, people, sales):
    client = signed_in(people.official_yanjin)
    primary, replica, response = queries_on_each(lambda: client.get("/impact/", {"region": YANJIN}))
    assert response.status_code == 200
    assert reads_of(replica, "impact_householdyear")
    assert not reads_of(primary, "impact_householdyear")


def test_the_sign_in_before_a_report_is_read_on_the_primary(replica_on, signed_in, people, sales):
    client = signed_in(people.official_yanjin)
    primary, replica, _response = queries_on_each(lambda: client.get("/impact/", {"region": YANJIN}))
    assert reads_of(primary, "django_session")
    assert not reads_of(replica, "django_session")


def test_who_may_read_which_region_is_read_on_the_primary(replica_on, signed_in, people, sales):
    client = signed_in(people.official_yanjin)
    primary, replica, _response = queries_on_each(lambda: client.get("/impact/", {"region": YANJIN}))
    assert reads_of(primary, "shop_officialscope")
    assert not reads_of(replica, "shop_officialscope")


def test_a_streamed_export_reads_its_rows_on_the_replica(replica_on, signed_in, people, sales):
    client = signed_in(people.official_yanjin)

    def download():
        response = client.get("/impact/export/households.csv", {"region": YANJIN})
        response.body = b"".join(response.streaming_content)  # the rows are read while streaming
        return response

    primary, replica, response = queries_on_each(download)
    assert response.status_code == 200
    assert people.household_miaoba.registry_id.encode() in response.body
    assert reads_of(replica, "sellers_household")
    assert not reads_of(primary, "impact_householdyear")


def test_the_summary_api_reads_the_replica_after_checking_the_token_on_the_primary(replica_on, api, people, sales):
    client = api(people.official_yanjin)
    primary, replica, response = queries_on_each(lambda: client.get("/api/v1/impact/summary/"))
    assert response.status_code == 200
    assert reads_of(primary, "authtoken_token")
    assert reads_of(replica, "impact_householdyear")
    assert not reads_of(primary, "impact_householdyear")


def test_without_a_replica_reports_read_the_primary(signed_in, people, sales):
    client = signed_in(people.official_yanjin)
    primary, replica, response = queries_on_each(lambda: client.get("/impact/", {"region": YANJIN}))
    assert response.status_code == 200
    assert reads_of(primary, "impact_householdyear")
    assert replica == []


def test_the_storefront_never_reads_the_replica(replica_on, client, people, sales):
    _primary, replica, response = queries_on_each(lambda: client.get("/catalogue/"))
    assert response.status_code == 200
    assert replica == []
