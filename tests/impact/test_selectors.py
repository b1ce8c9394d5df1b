"""The report's arithmetic against cases worked out by hand: per-capita uplift, crossing the
year's line (its edge included), the monitoring line, mean and median, lines set per region
and year, and the relapse-risk list."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from impact.lines import lines_for
from impact.models import Bucket, EntryKind, LedgerEntry, PovertyLine
from impact.selectors import region_breakdown, region_figures, region_households, region_report, relapse_risk
from impact.services import entries_append
from sellers.factories import HouseholdFactory
from shop.models import Division
from tests.personas import CHINA, MIAOBA, POJI

pytestmark = pytest.mark.django_db

IN_2026 = datetime(2026, 6, 15, 10, 0, tzinfo=CHINA)
IN_2025 = datetime(2025, 6, 15, 10, 0, tzinfo=CHINA)
YANJIN, ZHENXIONG, CITY = "530623", "530627", "5306"
_keys = iter(range(1, 10**6))


def household(*, baseline: str, members: int, township: str = MIAOBA):
    return HouseholdFactory(
        township=Division.objects.get(code=township), members=members,
        baseline_income_per_capita=Decimal(baseline), identified_year=2024, exited_year=None,
    )


def credit(h, net: str, *, at=IN_2026, gross: str | None = None) -> None:
    """`net` yuan credited to the household at `at` (its gross sales: `gross`, or the same)."""
    with transaction.atomic():
        entries_append([LedgerEntry(
            kind=EntryKind.SALE_PENDING, bucket=Bucket.PENDING, household=h, amount=Decimal(net),
            gross=Decimal(gross or net), created_at=at, idempotency_key=f"test:{next(_keys)}",
        )])


def row(h, year=2026):
    return region_households(prefix=h.township_id, year=year).get(pk=h.pk)


# Lines -----------------------------------------------------------------------------------------


def test_the_years_line_is_the_poverty_line_until_2020(divisions):
    assert lines_for(year=2020, region_code=MIAOBA) == type(lines_for(year=2020, region_code=MIAOBA))(
        poverty=Decimal("4000.00"), monitoring=Decimal("4000.00")
    )


def test_since_2021_the_years_line_is_the_latest_monitoring_threshold(divisions):
    lines = lines_for(year=2026, region_code=MIAOBA)
    assert (lines.poverty, lines.monitoring) == (Decimal("7300.00"), Decimal("7300.00"))


def test_a_countys_own_line_applies_to_its_households_only(divisions):
    PovertyLine.objects.create(year=2026, region_code=YANJIN, kind="relapse_monitoring_threshold", amount="8000.00")

    assert lines_for(year=2026, region_code=MIAOBA).poverty == Decimal("8000.00")
    assert lines_for(year=2026, region_code=POJI).poverty == Decimal("7300.00")


# Crossing the line -----------------------------------------------------------------------------


def test_a_household_that_reaches_the_line_exactly_crossed_it(divisions):
    # 7,000 a person, 3 people, line 7,300: it needs 3 × 300 = ¥900.00.
    h = household(baseline="7000.00", members=3)
    credit(h, "900.00")

    assert (row(h).uplift, row(h).crossed) == (Decimal("300.00"), 1)


def test_a_fen_short_of_the_line_is_not_crossing_it(divisions):
    h = household(baseline="7000.00", members=3)
    credit(h, "899.99")

    assert row(h).crossed == 0
    assert row(h).below_monitoring == 1


def test_a_household_already_above_the_line_did_not_cross_it(divisions):
    h = household(baseline="7300.00", members=2)
    credit(h, "500.00")

    assert row(h).crossed == 0


def test_uplift_of_a_whole_yuan_income_is_divided_as_money(divisions):
    h = household(baseline="2000.00", members=3)
    credit(h, "100.00")

    assert row(h).uplift == Decimal("33.33")


def test_a_refund_in_the_year_counts_against_the_crossing(divisions):
    h = household(baseline="7000.00", members=3)
    credit(h, "900.00")
    credit(h, "-0.01")

    assert row(h).crossed == 0


def test_a_countys_own_line_decides_its_crossings_in_a_city_report(divisions):
    PovertyLine.objects.create(year=2026, region_code=YANJIN, kind="relapse_monitoring_threshold", amount="8000.00")
    in_yanjin, in_zhenxiong = household(baseline="7000.00", members=1), household(
        baseline="7000.00", members=1, township=POJI
    )
    credit(in_yanjin, "400.00")
    credit(in_zhenxiong, "400.00")

    figures = region_figures(prefix=CITY, year=2026)

    assert figures.households_crossed_line == 1
    assert row(in_zhenxiong).crossed == 1 and row(in_yanjin).crossed == 0


# The region's figures --------------------------------------------------------------------------


@pytest.fixture
def three_sellers_and_one_not(divisions):
    """Uplifts 10.00, 20.00 and 40.00 a person, and a household with no sales."""
    for net, members in (("30.00", 3), ("40.00", 2), ("160.00", 4)):
        credit(household(baseline="2500.00", members=members), net, gross=str(Decimal(net) + 1))
    household(baseline="2500.00", members=5)


def test_the_figures_count_households_and_those_selling(three_sellers_and_one_not):
    figures = region_figures(prefix=MIAOBA, year=2026)

    assert (figures.households, figures.households_with_sales) == (4, 3)
    assert (figures.gross_sales, figures.net_income_credited) == (Decimal("233.00"), Decimal("230.00"))


def test_mean_and_median_uplift_are_over_the_households_selling(three_sellers_and_one_not):
    figures = region_figures(prefix=MIAOBA, year=2026)

    assert (figures.mean_per_capita_uplift, figures.median_per_capita_uplift) == (Decimal("23.33"), Decimal("20.00"))


def test_the_median_of_an_even_number_of_households_is_the_mean_of_the_middle_two(three_sellers_and_one_not):
    credit(household(baseline="2500.00", members=1), "35.00")

    assert region_figures(prefix=MIAOBA, year=2026).median_per_capita_uplift == Decimal("27.50")


def test_income_counts_in_the_year_it_was_credited(three_sellers_and_one_not):
    credit(household(baseline="2500.00", members=1), "99.00", at=IN_2025)

    assert region_figures(prefix=MIAOBA, year=2025).net_income_credited == Decimal("99.00")
    assert region_figures(prefix=MIAOBA, year=2026).net_income_credited == Decimal("230.00")


def test_breakdowns_add_up_to_the_figures(three_sellers_and_one_not):
    credit(household(baseline="2500.00", members=2, township=POJI), "50.00")

    figures, groups = region_report(prefix=CITY, year=2026, by=("county", "township", "poverty_cause"))

    for by, rows in groups.items():
        assert sum(r.net_income_credited for r in rows) == figures.net_income_credited == Decimal("280.00"), by
        assert sum(r.households for r in rows) == figures.households, by
    assert [(r.code, r.net_income_credited) for r in groups["county"]] == [
        (YANJIN, Decimal("230.00")), (ZHENXIONG, Decimal("50.00"))
    ]


def test_one_breakdown_alone_gives_the_same_groups(three_sellers_and_one_not):
    _figures, groups = region_report(prefix=CITY, year=2026, by=("county", "attribute"))

    assert region_breakdown(prefix=CITY, year=2026, by="county") == groups["county"]


# Relapse risk ----------------------------------------------------------------------------------


def test_a_household_whose_income_fell_below_half_of_last_years_is_at_risk(divisions):
    fell = household(baseline="7500.00", members=1)
    credit(fell, "1000.00", at=IN_2025)
    credit(fell, "499.99")
    held = household(baseline="7500.00", members=1)
    credit(held, "1000.00", at=IN_2025)
    credit(held, "500.00")

    assert list(relapse_risk(prefix=MIAOBA, year=2026)) == [fell]


def test_a_household_still_below_the_monitoring_line_is_at_risk(divisions):
    below = household(baseline="7000.00", members=1)
    above = household(baseline="7500.00", members=1)
    credit(above, "10.00")

    assert list(relapse_risk(prefix=MIAOBA, year=2026)) == [below]
