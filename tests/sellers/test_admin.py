"""The operator's Django admin shows households without their full ID numbers and cannot change
payout accounts, phones or consents behind the station's back (no audit row, no unpublishing)."""

import pytest
from django.urls import reverse

from sellers.models import Household
from shop.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    client.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    return client


def test_the_admin_page_of_a_household_shows_no_full_id_number(operator, people):
    household = people.household_miaoba
    page = operator.get(reverse("admin:sellers_household_change", args=[household.pk])).content.decode()
    assert household.id_number not in page
    assert household.people.first().id_number not in page


def test_the_admin_shows_phone_and_bank_account_masked(operator, people):
    household = people.household_miaoba
    page = operator.get(reverse("admin:sellers_household_change", args=[household.pk])).content.decode()
    assert household.bank_account not in page and household.phone not in page
    assert household.bank_account[-4:] in page


def test_the_admin_cannot_delete_a_household(operator, people):
    response = operator.post(reverse("admin:sellers_household_delete", args=[people.household_miaoba.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Household.objects.filter(pk=people.household_miaoba.pk).exists()


def test_the_admin_cannot_change_a_households_bank_account(operator, people):
    household = people.household_miaoba
    page = operator.get(reverse("admin:sellers_household_change", args=[household.pk])).content.decode()
    assert 'name="bank_account"' not in page and 'name="consent_to_sell"' not in page
    assert Household.objects.get(pk=household.pk).bank_account == household.bank_account
