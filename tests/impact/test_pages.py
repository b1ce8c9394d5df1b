"""The officials' report pages at /impact/: who may open which region, the figures they show
(the selectors'), the drill-down from the city to a household, the relapse-risk list, bad
filters refused with 400 or 404 (never a 500), both languages, and a number of queries that
does not grow with the households."""

from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from impact.selectors import region_breakdown, region_figures, region_months
from impact.services import adjustment_record
from sellers.masking import mask_name
from shop.models import Division
from tests.impact.money import operator
from tests.impact.report_sales import credited, households_bulk
from tests.personas import A_DAY_IN_2026, CHINA, MIAOBA, POJI, YANJIN, ZHAOTONG

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]

ZHENXIONG = "530627"
LAST_YEAR = datetime(2025, 6, 15, 10, 0, tzinfo=CHINA)


def url(name: str, *args, prefix: str = "", **params) -> str:
    address = prefix + reverse(f"impact:{name}", args=args)
    return f"{address}?{urlencode(params)}" if params else address


def income(household, amount: str, *, at) -> None:
    """Income credited to the household at `at` (an approved adjustment: as a sale, without an
    order, so it can be given any year)."""
    with transaction.atomic():
        adjustment_record(household=household, amount=Decimal(amount), reason="test income", approved_by=operator(),
                          key=f"test-{household.pk}-{at.isoformat()}-{amount}", at=at)


@pytest.fixture
def yanjin(signed_in, people, sales):
    return signed_in(people.official_yanjin)


# Who may open which page ---------------------------------------------------------------------


def own_pages(people) -> dict[str, str]:
    """A page of each kind inside Yanjin county."""
    household = people.household_miaoba
    return {
        "report": url("report", region=YANJIN),
        "township": url("report", region=MIAOBA),
        "village": url("village", region=MIAOBA, village=household.village),
        "household": url("household", household.registry_id),
        "relapse": url("relapse-risk", region=YANJIN),
    }


def other_county_pages(people) -> dict[str, str]:
    """The same pages in Zhenxiong county."""
    household = people.household_poji
    return {
        "report": url("report", region=ZHENXIONG),
        "township": url("report", region=POJI),
        "village": url("village", region=POJI, village=household.village),
        "household": url("household", household.registry_id),
        "relapse": url("relapse-risk", region=ZHENXIONG),
    }


PAGES = ["report", "township", "village", "household", "relapse"]


@pytest.mark.parametrize("page", PAGES)
def test_it_sends_a_visitor_to_sign_in(client, people, page):
    address = own_pages(people)[page]
    response = client.get(address)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == url("login")
    assert parse_qs(location.query) == {"next": [address]}


@pytest.mark.parametrize("persona", ["buyer", "clerk_miaoba", "manager_miaoba"])
@pytest.mark.parametrize("page", PAGES)
def test_it_refuses_people_who_read_no_reports(signed_in, people, persona, page):
    assert signed_in(getattr(people, persona)).get(own_pages(people)[page]).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_a_county_official_opens_the_pages_of_their_county(signed_in, people, sales, page):
    assert signed_in(people.official_yanjin).get(own_pages(people)[page]).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_a_county_official_may_not_open_another_county(signed_in, people, page):
    assert signed_in(people.official_yanjin).get(other_county_pages(people)[page]).status_code == 403


@pytest.mark.parametrize("name", ["report", "relapse-risk"])
def test_a_county_official_may_not_open_the_city(signed_in, people, name):
    assert signed_in(people.official_yanjin).get(url(name, region=ZHAOTONG)).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_a_city_official_opens_the_pages_of_every_county(signed_in, people, sales, page):
    client = signed_in(people.official_zhaotong)
    assert client.get(own_pages(people)[page]).status_code == 200
    assert client.get(other_county_pages(people)[page]).status_code == 200


@pytest.mark.parametrize("name", ["report", "relapse-risk"])
def test_a_city_official_opens_the_city(signed_in, people, sales, name):
    assert signed_in(people.official_zhaotong).get(url(name, region=ZHAOTONG)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_the_operator_opens_every_page(signed_in, people, sales, page):
    client = signed_in(operator())
    assert client.get(own_pages(people)[page]).status_code == 200
    assert client.get(url("report", region=ZHAOTONG)).status_code == 200


def test_the_operator_reads_the_province_by_city(signed_in, sales):
    response = signed_in(operator()).get(url("report", region="530000"))
    assert response.status_code == 200
    rows = {row.code: row for row in response.context["children"]}
    assert rows[ZHAOTONG].net_income_credited == region_figures(prefix="5306", year=2026).net_income_credited > 0


def test_an_official_without_a_region_asked_sees_their_own(yanjin):
    response = yanjin.get(url("report"))
    assert response.status_code == 200
    assert response.context["region"].code == YANJIN
    assert response.context["year"] == 2026


# Bad filters: 404 for what does not exist, 400 for a year out of range ---------------------------


@pytest.mark.parametrize("code", ["999999", "abc", "5306%00"])
def test_an_unknown_region_is_not_found(yanjin, code):
    assert yanjin.get(url("report", region=code)).status_code == 404


def test_an_unknown_household_is_not_found(yanjin):
    assert yanjin.get(url("household", "NO-SUCH-ID")).status_code == 404


def test_a_village_with_no_households_is_not_found(yanjin):
    assert yanjin.get(url("village", region=MIAOBA, village="无此村")).status_code == 404


def test_villages_are_listed_by_township_only(yanjin, people):
    assert yanjin.get(url("village", region=YANJIN, village=people.household_miaoba.village)).status_code == 404


@pytest.mark.parametrize("year", ["1999", "2027"])
@pytest.mark.parametrize("name", ["report", "relapse-risk"])
def test_a_year_out_of_range_is_refused_with_the_years_there_are(yanjin, name, year):
    response = yanjin.get(url(name, region=YANJIN, year=year))
    assert response.status_code == 400
    assert "2013" in response.content.decode() and "2026" in response.content.decode()


@pytest.mark.parametrize("year", ["abc", "2026.5", "9" * 30])
def test_a_year_that_is_no_number_is_refused(yanjin, year):
    assert yanjin.get(url("report", region=YANJIN, year=year)).status_code == 400


def test_a_bad_year_on_a_households_page_is_refused(yanjin, people):
    assert yanjin.get(url("household", people.household_miaoba.registry_id, year="0")).status_code == 400


def test_a_year_without_income_shows_zeros(yanjin):
    response = yanjin.get(url("report", region=YANJIN, year=2019))
    assert response.status_code == 200
    assert response.context["figures"].net_income_credited == Decimal("0.00")
    assert response.context["months_chart"].empty


# What the report shows ------------------------------------------------------------------------


def test_the_headline_figures_are_the_selectors(yanjin):
    response = yanjin.get(url("report", region=YANJIN))
    figures = region_figures(prefix=YANJIN, year=2026)
    assert response.context["figures"] == figures
    assert figures.households_with_sales == 2  # the checkout's household and the cast's Miaoba one
    page = response.content.decode()
    assert f"{figures.net_income_credited:,.2f}" in page
    assert f"{figures.gross_sales:,.2f}" in page


def test_the_breakdown_of_a_county_is_its_townships_with_the_selectors_figures(yanjin):
    response = yanjin.get(url("report", region=YANJIN))
    rows = {row.code: row for row in response.context["children"]}
    assert response.context["child_level"] == "township"
    assert set(rows) == set(Division.objects.filter(parent_id=YANJIN).values_list("code", flat=True))
    (miaoba,) = [f for f in region_breakdown(prefix=YANJIN, year=2026, by="township") if f.code == MIAOBA]
    assert rows[MIAOBA].as_dict() == miaoba.as_dict()
    assert rows[MIAOBA].name == Division.objects.get(code=MIAOBA).name


def test_each_township_links_to_its_report(yanjin):
    page = yanjin.get(url("report", region=YANJIN, year=2026)).content.decode()
    assert url("report", region=MIAOBA, year=2026).replace("&", "&amp;") in page


def test_a_city_breaks_down_by_county(signed_in, people, sales):
    response = signed_in(people.official_zhaotong).get(url("report", region=ZHAOTONG))
    rows = {row.code: row for row in response.context["children"]}
    assert response.context["child_level"] == "county"
    assert rows[YANJIN].net_income_credited == region_figures(prefix=YANJIN, year=2026).net_income_credited
    assert rows[ZHENXIONG].net_income_credited == region_figures(prefix=ZHENXIONG, year=2026).net_income_credited


def test_a_township_breaks_down_by_village_with_links_to_each(yanjin, people):
    response = yanjin.get(url("report", region=MIAOBA))
    village = people.household_miaoba.village
    assert response.context["child_level"] == "village"
    assert village in {row.code for row in response.context["children"]}
    assert url("village", region=MIAOBA, village=village, year=2026).replace("&", "&amp;") in response.content.decode()


def test_the_breakdowns_by_cause_and_attribute_carry_the_codes_labels(yanjin, people):
    response = yanjin.get(url("report", region=YANJIN))
    causes = {row.code: row.name for row in response.context["causes"]}
    assert causes[people.household_miaoba.poverty_cause] == people.household_miaoba.poverty_cause_label
    assert {row.code for row in response.context["attributes"]} == {
        f.code for f in region_breakdown(prefix=YANJIN, year=2026, by="attribute")
    }


def test_the_months_chart_draws_the_months_income(yanjin):
    response = yanjin.get(url("report", region=YANJIN))
    chart = response.context["months_chart"]
    june = region_months(prefix=YANJIN, year=2026)[5]
    assert june["net_income"] > 0
    assert chart.bars[5].value == june["net_income"]
    assert chart.points[5].value == june["gross_sales"]
    assert '<svg class="chart months"' in response.content.decode()


def test_the_region_select_holds_the_officials_county_and_its_townships_only(yanjin):
    options = {o.code for o in yanjin.get(url("report")).context["region_options"]}
    assert YANJIN in options and MIAOBA in options
    assert not {ZHAOTONG, ZHENXIONG, POJI} & options


def test_the_years_offered_are_those_with_income_and_this_year(yanjin, people):
    income(people.household_miaoba, "40.00", at=LAST_YEAR)
    assert yanjin.get(url("report")).context["year_options"] == [2026, 2025]


def test_the_export_links_carry_the_region_and_year(yanjin):
    page = yanjin.get(url("report", region=MIAOBA, year=2026)).content.decode()
    export = reverse("impact:export", kwargs={"table": "breakdown", "fmt": "csv"})
    assert f"{export}?region={MIAOBA}&amp;year=2026&amp;by=village" in page


# A village, a household ------------------------------------------------------------------------


def test_a_village_lists_its_households_masked(yanjin, people):
    household = people.household_miaoba
    page = yanjin.get(url("village", region=MIAOBA, village=household.village)).content.decode()
    assert mask_name(household.head_name) in page
    assert household.head_name not in page
    assert url("household", household.registry_id) in page


def test_a_households_page_shows_its_year_and_the_years_before(yanjin, people):
    household = people.household_miaoba
    income(household, "40.00", at=LAST_YEAR)
    response = yanjin.get(url("household", household.registry_id))
    years = {y.year: y for y in response.context["years"]}
    assert set(years) == {2026, 2025}
    assert years[2025].net_income == Decimal("40.00")
    assert response.context["figures"].net == years[2026].net_income > 0
    assert response.context["figures"].uplift == (years[2026].net_income / household.members).quantize(Decimal("0.01"))


def test_a_households_page_agrees_with_the_report_on_crossing_the_line(yanjin, people):
    household = people.household_miaoba
    income(household, "100000.00", at=A_DAY_IN_2026)  # enough for any family to cross
    response = yanjin.get(url("household", household.registry_id))
    assert response.context["figures"].crossed == 1
    assert response.context["years"][0].crossed


def test_a_households_page_masks_the_name_and_shows_no_personal_numbers(yanjin, people):
    household = people.household_miaoba
    page = yanjin.get(url("household", household.registry_id)).content.decode()
    assert mask_name(household.head_name) in page
    assert household.head_name not in page
    for secret in (household.id_number, household.phone, household.bank_account):
        assert not secret or secret not in page


def test_a_households_page_lists_its_ledger_entries_and_balance(yanjin, sales):
    household = sales.lines.get().household
    response = yanjin.get(url("household", household.registry_id))
    entries = list(response.context["entries"])
    assert {e.kind for e in entries} >= {"sale_pending"}
    assert {e.order_number for e in entries if e.kind == "sale_pending"} == {str(sales.order.number)}
    assert response.context["balance"].pending > 0
    assert str(sales.order.number) in response.content.decode()


def test_a_households_ledger_is_paged(yanjin, people):
    household = people.household_miaoba
    for n in range(35):
        income(household, "1.00", at=datetime(2026, 3, 1 + n % 28, n % 24, tzinfo=CHINA))
    first = yanjin.get(url("household", household.registry_id))
    assert len(first.context["entries"]) == 30
    second = yanjin.get(url("household", household.registry_id, page=2))
    assert second.context["entries"].number == 2


# The relapse-risk list ----------------------------------------------------------------------------


def test_a_household_whose_income_fell_sharply_is_on_the_list_with_the_fall(yanjin, people):
    household = people.household_miaoba  # ¥300.00 of sales this year (less fees)
    income(household, "5000.00", at=LAST_YEAR)
    response = yanjin.get(url("relapse-risk", region=YANJIN))
    (row,) = [r for r in response.context["rows"] if r.registry_id == household.registry_id]
    assert row.fell
    assert row.last_net == Decimal("5000.00")
    assert row.change_percent < -50
    page = response.content.decode()
    assert f"{row.change_percent}%" in page
    assert household.head_name not in page and mask_name(household.head_name) in page


def test_a_household_still_below_the_monitoring_line_is_on_the_list(yanjin, people):
    response = yanjin.get(url("relapse-risk", region=YANJIN))
    (row,) = [r for r in response.context["rows"] if r.registry_id == people.household_miaoba.registry_id]
    assert row.below_monitoring and not row.fell


def test_a_household_well_above_the_lines_and_steady_is_not_on_the_list(yanjin, people):
    household = people.household_miaoba
    income(household, "100000.00", at=A_DAY_IN_2026)
    response = yanjin.get(url("relapse-risk", region=YANJIN))
    assert household.registry_id not in {r.registry_id for r in response.context["rows"]}


def test_the_relapse_list_is_paged(yanjin):
    households_bulk(45, township=MIAOBA)
    response = yanjin.get(url("relapse-risk", region=YANJIN))
    assert len(response.context["rows"]) == 30
    assert response.context["page"].paginator.count >= 45


# Signing in and out -----------------------------------------------------------------------------


def test_an_official_signs_in_and_lands_on_the_report(client, people):
    response = client.post(url("login"), {"username": "official_yanjin", "password": "wumeng-demo"})
    assert response.status_code == 302
    assert response["Location"] == url("report")


def test_the_sign_in_page_is_in_the_consoles_style(client, db):
    page = client.get(url("login")).content.decode()
    assert "css/console.css" in page and 'name="password"' in page


def test_signing_out_takes_a_post(yanjin):
    assert yanjin.get(url("logout")).status_code == 405
    response = yanjin.post(url("logout"))
    assert response["Location"] == url("login")
    assert yanjin.get(url("report")).status_code == 302


# Both languages, no CDN ------------------------------------------------------------------------


def test_the_report_is_in_chinese_at_the_root(yanjin):
    page = yanjin.get(url("report", region=YANJIN)).content.decode()
    assert '<html lang="zh-hans">' in page
    assert Division.objects.get(code=YANJIN).name in page


def test_the_report_is_in_english_under_en(yanjin):
    response = yanjin.get(url("report", prefix="/en", region=YANJIN))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in page
    assert "Net income credited" in page
    assert Division.objects.get(code=YANJIN).name_en in page


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_nothing_from_elsewhere(yanjin, people, page):
    html = yanjin.get(own_pages(people)[page]).content.decode()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "//cdn" not in html


# Queries: bounded, not growing with the households -------------------------------------------


def queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def more_households_with_income(township: str, count: int) -> None:
    from sellers.models import Household

    households_bulk(count, township=township, prefix=f"MORE{township}")
    for household in Household.objects.filter(registry_id__startswith=f"MORE{township}")[:count // 2]:
        credited(household, "60.00")


# On SQLite; PostgreSQL takes the medians in the same query as the figures, so fewer.
@pytest.mark.parametrize("name,params,most", [
    ("report", {"region": ZHAOTONG}, 26),
    ("report", {"region": YANJIN}, 26),
    ("report", {"region": MIAOBA}, 26),
    ("relapse-risk", {"region": YANJIN}, 15),
])
def test_a_report_reads_a_fixed_number_of_queries(signed_in, people, sales, name, params, most,
                                                  django_assert_max_num_queries):
    client = signed_in(people.official_zhaotong)
    address = url(name, **params)
    few = queries(client, address)
    more_households_with_income(MIAOBA, 24)
    with django_assert_max_num_queries(few):
        client.get(address)
    assert few <= most


def test_a_village_reads_a_fixed_number_of_queries(yanjin, people, django_assert_max_num_queries):
    household = people.household_miaoba
    address = url("village", region=MIAOBA, village=household.village)
    few = queries(yanjin, address)
    from sellers.models import Household

    households_bulk(40, township=MIAOBA, prefix="VILLAGE")
    Household.objects.filter(registry_id__startswith="VILLAGE").update(village=household.village)
    with django_assert_max_num_queries(few):
        yanjin.get(address)
    assert few <= 16


def test_a_household_reads_a_fixed_number_of_queries(yanjin, people, django_assert_max_num_queries):
    household = people.household_miaoba
    address = url("household", household.registry_id)
    few = queries(yanjin, address)
    for n in range(40):
        income(household, "1.00", at=datetime(2026, 2, 1 + n % 28, n % 24, tzinfo=CHINA))
    income(household, "3.00", at=LAST_YEAR)
    with django_assert_max_num_queries(few):
        yanjin.get(address)
    assert few <= 16
