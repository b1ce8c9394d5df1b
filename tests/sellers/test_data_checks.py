from decimal import Decimal

import pytest
from django.urls import reverse

from catalogue.factories import ProductFactory
from sellers.data_checks import data_check_report
from sellers.models import Household, HouseholdMember
from sellers.services import household_seller_ensure, stock_offer
from tests.personas import cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return cast()


def _checks(household):
    return {f.check for f in data_check_report(households=Household.objects.filter(pk=household.pk))}


def test_a_clean_household_is_not_flagged(people):
    household = people.household_miaoba
    Household.objects.filter(pk=household.pk).update(baseline_income_per_capita=Decimal("2000"), capacity="乌骨鸡 300 羽/年")
    assert _checks(household) == set()


def test_the_same_person_in_two_households_is_flagged(people):
    head = people.household_poji.people.first()
    HouseholdMember.objects.create(household=people.household_miaoba, name=head.name, relation="之子", id_number=head.id_number)
    assert "duplicate_person" in _checks(people.household_miaoba)


def test_an_income_above_the_years_line_is_flagged(people):
    Household.objects.filter(pk=people.household_miaoba.pk).update(baseline_income_per_capita=Decimal("9000"), identified_year=2015)
    assert "above_line" in _checks(people.household_miaoba)


def test_impossible_values_are_flagged(people):
    Household.objects.filter(pk=people.household_miaoba.pk).update(members=25)
    assert "impossible" in _checks(people.household_miaoba)


def test_stock_beyond_the_declared_capacity_is_flagged(people):
    household = people.household_miaoba
    Household.objects.filter(pk=household.pk).update(capacity="乌骨鸡 50 羽/年", baseline_income_per_capita=Decimal("2000"))
    stock_offer(seller=household_seller_ensure(household=household), product=ProductFactory(), price=Decimal("150"), stock=80)
    assert _checks(household) == {"over_capacity"}


def test_the_report_query_count_does_not_grow_with_households(people, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        data_check_report(households=Household.objects.all())


def test_a_clerk_sees_only_their_townships_findings(client, people):
    Household.objects.update(members=25)
    client.force_login(people.clerk_poji)
    page = client.get(reverse("station:checks")).content.decode()
    assert people.household_poji.registry_id in page and people.household_miaoba.registry_id not in page
