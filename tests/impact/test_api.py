"""GET /api/v1/households/{registry_id}/ledger/ and GET /api/v1/impact/summary/: the body of each,
who may read them (the personas), bad parameters, and query counts that do not grow with the
data."""

from decimal import Decimal

import pytest
from django.db import transaction

from impact.models import FeeRule, FeeType
from impact.selectors import region_breakdown, region_figures
from impact.services import adjustment_record
from logistics.states import State
from sellers import codes
from sellers.factories import HouseholdFactory
from shop.models import Division
from shop.order.settlement import shipment_settle
from tests.api_helpers import error_of, queries_for
from tests.impact.money import operator, poji_manager
from tests.impact.report_sales import credited
from tests.personas import A_DAY_IN_2026, MIAOBA, POJI, YANJIN, ZHAOTONG
from tests.shipping import moved_to, paid_shipment

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]

ZHENXIONG = "530627"
SUMMARY = "/api/v1/impact/summary/"
FIGURES = {
    "households", "households_with_sales", "gross_sales", "net_income_credited", "mean_per_capita_uplift",
    "median_per_capita_uplift", "households_crossed_line", "households_below_monitoring_line",
}


def ledger_url(household) -> str:
    return f"/api/v1/households/{household.registry_id}/ledger/"


def adjusted(household, amount: str, key: str) -> None:
    with transaction.atomic():
        adjustment_record(household=household, amount=Decimal(amount), reason="correction", approved_by=operator(),
                          key=key)


@pytest.fixture
def settled_sale(people):
    """Two ¥50.00 units from a new Miaoba household, paid, delivered and settled (the real flow)."""
    shipment = moved_to(paid_shipment(township=MIAOBA, quantity=2), State.DELIVERED)
    shipment_settle(shipment=shipment)
    return shipment


@pytest.fixture
def seller(settled_sale):
    return settled_sale.lines.get().household


# The ledger ------------------------------------------------------------------------------------


def test_the_ledger_lists_the_entries_newest_first_with_the_balances(as_manager_miaoba, settled_sale, seller):
    body = as_manager_miaoba.get(ledger_url(seller)).json()

    assert body["registry_id"] == seller.registry_id
    assert body["count"] == 2
    assert body["entries"] == [
        {"kind": "sale_settled", "fee_type": "", "amount": "100.00", "currency": "CNY",
         "order_number": settled_sale.order.number, "created_at": body["entries"][0]["created_at"]},
        {"kind": "sale_pending", "fee_type": "", "amount": "100.00", "currency": "CNY",
         "order_number": settled_sale.order.number, "created_at": body["entries"][1]["created_at"]},
    ]
    assert body["entries"][0]["created_at"].startswith("2026-06-15T10:00:00")
    assert body["balance"] == {"pending": "0.00", "settled": "100.00", "paid_out": "0.00"}


def test_fees_are_entries_of_the_household_with_their_type(as_manager_miaoba, people):
    FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.05"), waived_for_certified=False)
    shipment = paid_shipment(township=MIAOBA, quantity=2)

    body = as_manager_miaoba.get(ledger_url(shipment.lines.get().household)).json()

    assert {(e["kind"], e["fee_type"], e["amount"]) for e in body["entries"]} == {
        ("fee", "commission", "5.00"), ("sale_pending", "", "95.00"),
    }
    assert body["balance"]["pending"] == "95.00"


def test_a_negative_amount_keeps_its_sign(as_manager_miaoba, people):
    adjusted(people.household_miaoba, "-20.50", "minus")

    body = as_manager_miaoba.get(ledger_url(people.household_miaoba)).json()

    assert body["entries"][0]["amount"] == "-20.50"
    assert body["entries"][0]["order_number"] is None
    assert body["balance"]["settled"] == "-20.50"


def test_a_household_without_entries_owes_nothing(as_manager_miaoba, people):
    body = as_manager_miaoba.get(ledger_url(people.household_miaoba)).json()

    assert (body["count"], body["entries"]) == (0, [])
    assert body["balance"] == {"pending": "0.00", "settled": "0.00", "paid_out": "0.00"}


def test_the_entries_come_a_page_at_a_time(as_official_yanjin, people):
    for n in range(5):
        adjusted(people.household_miaoba, f"{n + 1}.00", f"page-{n}")

    body = as_official_yanjin.get(ledger_url(people.household_miaoba) + "?limit=2").json()
    last = as_official_yanjin.get(ledger_url(people.household_miaoba) + "?limit=2&offset=4").json()

    assert body["count"] == 5
    assert [e["amount"] for e in body["entries"]] == ["5.00", "4.00"]
    assert "offset=2" in body["next"] and body["previous"] is None
    assert [e["amount"] for e in last["entries"]] == ["1.00"] and last["next"] is None


def test_the_ledgers_queries_do_not_grow_with_its_entries(as_manager_miaoba, people, django_assert_max_num_queries):
    household = people.household_miaoba
    adjusted(household, "1.00", "first")
    few = queries_for(as_manager_miaoba, ledger_url(household))
    for n in range(30):
        adjusted(household, "1.00", f"more-{n}")

    with django_assert_max_num_queries(few):
        assert as_manager_miaoba.get(ledger_url(household)).status_code == 200
    assert few <= 8


@pytest.mark.parametrize(("persona", "status"), [
    ("manager_miaoba", 200),
    ("official_yanjin", 200),
    ("official_zhaotong", 200),
    ("clerk_miaoba", 403),
    ("clerk_poji", 403),
    ("buyer", 403),
])
def test_who_reads_a_miaoba_households_ledger(api, people, persona, status):
    response = api(getattr(people, persona)).get(ledger_url(people.household_miaoba))

    assert response.status_code == status
    if status != 200:
        assert error_of(response)["code"] == "forbidden"


def test_the_operator_reads_any_ledger(api, people):
    assert api(operator()).get(ledger_url(people.household_poji)).status_code == 200


def test_another_stations_manager_may_not(api, people):
    assert api(poji_manager()).get(ledger_url(people.household_miaoba)).status_code == 403


def test_an_official_of_another_county_may_not(as_official_yanjin, people):
    assert as_official_yanjin.get(ledger_url(people.household_poji)).status_code == 403


def test_an_anonymous_caller_must_sign_in(as_anonymous, people):
    assert as_anonymous.get(ledger_url(people.household_miaoba)).status_code == 401


def test_an_unknown_household_is_404(as_official_zhaotong):
    response = as_official_zhaotong.get("/api/v1/households/NOSUCH0001/ledger/")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# The summary -----------------------------------------------------------------------------------


@pytest.fixture
def sales(people):
    """Income this year in Yanjin (a paid parcel through the real flow, ¥100.00; and ¥300.00 to the
    cast's household) and in Zhenxiong (¥80.00)."""
    paid_shipment(township=MIAOBA, quantity=2)
    credited(people.household_miaoba, "300.00")
    credited(people.household_poji, "80.00")


def as_strings(figures) -> dict:
    return {name: str(value) if isinstance(value, Decimal) else value for name, value in figures.as_dict().items()}


def test_the_summary_of_an_officials_own_county(as_official_yanjin, sales):
    body = as_official_yanjin.get(SUMMARY).json()

    assert (body["region"], body["year"]) == (YANJIN, 2026)
    assert {name: body[name] for name in FIGURES} == as_strings(region_figures(prefix=YANJIN, year=2026))
    assert body["net_income_credited"] == "400.00"
    assert body["households_with_sales"] == 2


def test_the_summary_breaks_down_by_county_township_and_poverty_cause(as_official_zhaotong, sales):
    body = as_official_zhaotong.get(SUMMARY, {"region": ZHAOTONG}).json()

    assert [(g["code"], g["name"]) for g in body["by_county"]] == [(YANJIN, "盐津县"), (ZHENXIONG, "镇雄县")]
    assert [g["code"] for g in body["by_township"]] == [MIAOBA, POJI]
    assert body["by_township"][0]["name"] == Division.objects.get(code=MIAOBA).name
    causes = region_breakdown(prefix="5306", year=2026, by="poverty_cause")
    assert [(g["code"], g["name"]) for g in body["by_poverty_cause"]] == [
        (g.code, codes.label("poverty_cause", g.code)) for g in causes
    ]
    assert body["by_county"][0] == {"code": YANJIN, "name": "盐津县", **as_strings(region_figures(prefix=YANJIN, year=2026))}


def test_names_follow_accept_language(as_official_yanjin, sales):
    body = as_official_yanjin.get(SUMMARY, HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["region_name"] == "Yanjin County"
    assert body["by_township"][0]["name"] == "Miaoba Town"
    assert all(g["name"].isascii() for g in body["by_poverty_cause"])


def test_a_year_without_income_sums_to_zero(as_official_yanjin, sales):
    body = as_official_yanjin.get(SUMMARY, {"year": 2025}).json()

    assert (body["year"], body["net_income_credited"], body["households_with_sales"]) == (2025, "0.00", 0)


def test_the_summarys_queries_do_not_grow_with_the_households(as_official_zhaotong, sales,
                                                                django_assert_max_num_queries):
    url = f"{SUMMARY}?region={ZHAOTONG}"
    few = queries_for(as_official_zhaotong, url)
    for n in range(20):
        credited(HouseholdFactory(township=Division.objects.get(code=POJI if n % 2 else MIAOBA)), f"{n + 10}.00")

    with django_assert_max_num_queries(few):
        assert as_official_zhaotong.get(url).status_code == 200
    assert few <= 20


@pytest.mark.parametrize(("persona", "region", "status"), [
    ("official_yanjin", YANJIN, 200),
    ("official_yanjin", MIAOBA, 200),
    ("official_yanjin", ZHENXIONG, 403),
    ("official_yanjin", ZHAOTONG, 403),
    ("official_zhaotong", ZHENXIONG, 200),
    ("manager_miaoba", MIAOBA, 403),
    ("clerk_miaoba", MIAOBA, 403),
    ("buyer", YANJIN, 403),
])
def test_who_reads_which_summary(api, people, persona, region, status):
    response = api(getattr(people, persona)).get(SUMMARY, {"region": region})

    assert response.status_code == status
    if status == 403:
        assert error_of(response)["code"] == "forbidden"


def test_the_operator_reads_any_summary(api, people):
    client = api(operator())

    assert client.get(SUMMARY, {"region": ZHENXIONG}).status_code == 200
    assert client.get(SUMMARY).json()["region"] == ZHAOTONG  # the first city


def test_an_anonymous_caller_must_sign_in_for_a_summary(as_anonymous):
    assert as_anonymous.get(SUMMARY).status_code == 401


def test_an_unknown_region_is_404(as_official_zhaotong):
    response = as_official_zhaotong.get(SUMMARY, {"region": "530699"})

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(("params", "field"), [
    ({"region": "abc"}, "region"),
    ({"region": "5306-00"}, "region"),
    ({"region": "5" * 40}, "region"),
    ({"year": "abc"}, "year"),
    ({"year": "2012"}, "year"),
    ({"year": "2027"}, "year"),
    ({"year": "2026.5"}, "year"),
    ({"year": "9" * 5000}, "year"),
])
def test_a_bad_parameter_is_400_naming_it(as_official_zhaotong, params, field):
    response = as_official_zhaotong.get(SUMMARY, params)

    assert response.status_code == 400
    assert field in error_of(response)["fields"]
