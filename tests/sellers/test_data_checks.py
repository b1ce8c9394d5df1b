from decimal import Decimal

import pytest
from django.urls import reverse

from catalogue.factories import ProductFactory
from sellers.data_checks import data_check_report
from sellers.factories import HouseholdFactory
from sellers.models import Household, HouseholdMember
from sellers.services import household_seller_ensure, stock_offer
from shop.models import Division
from tests.personas import A_DAY_IN_2026, MIAOBA, POJI

# The checks read "this year" (a household cannot be identified or exit later than that).
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]


def _checks(household):
    return {f.check for f in data_check_report(households=Household.objects.filter(pk=household.pk))}


def test_a_clean_household_is_not_flagged(people):
    household = people.household_miaoba
    Household.objects.filter(pk=household.pk).update(baseline_income_per_capita=Decimal("2000"), capacity="乌骨鸡 300 羽/年")
    assert _checks(household) == set()


def test_the_same_person_in_two_households_is_flagged(people):
    head = people.household_poji.people.first()
    HouseholdMember.objects.create(household=people.household_miaoba, name=head.name, relation="之子", id_number=head.id_number)
    both = Household.objects.filter(pk__in=[people.household_miaoba.pk, people.household_poji.pk])
    assert "duplicate_person" in {f.check for f in data_check_report(households=both)}


def test_a_stations_check_does_not_tell_whether_an_id_number_exists_in_another_township(people):
    head = people.household_poji.people.first()
    HouseholdMember.objects.create(household=people.household_miaoba, name=head.name, relation="之子", id_number=head.id_number)
    assert "duplicate_person" not in _checks(people.household_miaoba)


def test_an_income_above_the_years_line_is_flagged(people):
    Household.objects.filter(pk=people.household_miaoba.pk).update(baseline_income_per_capita=Decimal("9000"), identified_year=2015)
    assert "above_line" in _checks(people.household_miaoba)


def test_impossible_values_are_flagged(people):
    # A head's ID number entered before the rules checked the check digit (members beyond the
    # bounds, the old example, are now refused by the database).
    Household.objects.filter(pk=people.household_miaoba.pk).update(id_number="530623197005049010")
    assert "impossible" in _checks(people.household_miaoba)


def test_stock_beyond_the_declared_capacity_is_flagged(people):
    household = people.household_miaoba
    Household.objects.filter(pk=household.pk).update(capacity="乌骨鸡 50 羽/年", baseline_income_per_capita=Decimal("2000"))
    stock_offer(seller=household_seller_ensure(household=household), product=ProductFactory(), price=Decimal("150"), stock=80)
    assert _checks(household) == {"over_capacity"}


REPORT_QUERIES = 6


@pytest.fixture
def registry_with_findings(people):
    """35 households in two townships, each with its members; seven list goods, and findings of
    every kind are spread over them, so a query per household, per member, per listing or per
    finding would show in the count (35 is far above the bound of 6)."""
    miaoba, poji = Division.objects.get(code=MIAOBA), Division.objects.get(code=POJI)
    households = [people.household_miaoba, people.household_poji,
                  *HouseholdFactory.create_batch(17, township=miaoba), *HouseholdFactory.create_batch(16, township=poji)]
    product = ProductFactory()
    for household in households[::5]:  # listings beyond the declared capacity
        Household.objects.filter(pk=household.pk).update(capacity="乌骨鸡 5 羽/年")
        stock_offer(seller=household_seller_ensure(household=household), product=product, price=Decimal("50"), stock=80)
    for household in households[1::6]:  # the same person in two households
        head = household.people.first()
        HouseholdMember.objects.create(household=households[0], name=head.name, relation="之子", id_number=head.id_number)
    for household in households[2::7]:
        Household.objects.filter(pk=household.pk).update(baseline_income_per_capita=Decimal("9000"), identified_year=2015)
    for household in households[3::8]:
        Household.objects.filter(pk=household.pk).update(baseline_income_per_capita=Decimal("200000"))
    return households


def test_the_report_query_count_does_not_grow_with_households(registry_with_findings, django_assert_max_num_queries):
    with django_assert_max_num_queries(REPORT_QUERIES):
        findings = data_check_report(households=Household.objects.all())
    assert len(registry_with_findings) >= 30  # a query per household would exceed the bound five times over
    assert {f.check for f in findings} == {"duplicate_person", "impossible", "above_line", "over_capacity"}


def test_a_clerk_sees_only_their_townships_findings(client, people):
    Household.objects.update(id_number="530623197005049010")
    client.force_login(people.clerk_poji)
    page = client.get(reverse("station:checks")).content.decode()
    assert people.household_poji.registry_id in page and people.household_miaoba.registry_id not in page
