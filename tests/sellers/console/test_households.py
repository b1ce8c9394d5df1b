import pytest
from django.urls import reverse

from sellers import idnumbers
from sellers.models import Household

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "township": "530623105", "registry_id": "5306231059999", "village": "黄草村", "head_name": "杨秀英",
        "id_number": "53062319700504901" + idnumbers.check_digit("53062319700504901"), "members": "4",
        "phone": "13800000000", "bank_account": "6217000011112222", "poverty_cause": "01",
        "secondary_poverty_cause": "", "attribute": "01", "poverty_status": "1", "monitoring_type": "",
        "baseline_income_per_capita": "3200.50", "identified_year": "2015", "exited_year": "2019",
        "capacity": "乌骨鸡 300 羽/年", "consent_to_sell": "on",
    }
    data.update(overrides)
    return data


def test_a_clerk_registers_a_household_with_the_farmers_consent(signed_in, people):
    response = signed_in(people.clerk_miaoba).post(reverse("station:household-create"), _form())
    household = Household.objects.get(registry_id="5306231059999")
    assert response.status_code == 302
    assert household.members == 4 and household.consent_to_sell and not household.consent_to_story
    assert household.consent_recorded_by == people.clerk_miaoba and household.consent_recorded_at


def test_a_bad_id_number_is_refused_and_nothing_is_saved(signed_in, people):
    response = signed_in(people.clerk_miaoba).post(reverse("station:household-create"), _form(id_number="530623197005049010"))
    assert response.status_code == 200 and "身份证号" in response.content.decode()
    assert not Household.objects.filter(registry_id="5306231059999").exists()


def test_a_negative_income_is_refused(signed_in, people):
    signed_in(people.clerk_miaoba).post(reverse("station:household-create"), _form(baseline_income_per_capita="-1"))
    assert not Household.objects.filter(registry_id="5306231059999").exists()


def test_a_clerk_cannot_register_a_household_in_another_township(signed_in, people):
    signed_in(people.clerk_miaoba).post(reverse("station:household-create"), _form(township="530627102"))
    assert not Household.objects.filter(registry_id="5306231059999").exists()


def test_a_clerk_edits_a_household_and_keeps_the_personal_data_left_empty(signed_in, people):
    household = people.household_miaoba
    form = _form(village="新村", id_number="", phone="", bank_account="")
    del form["township"], form["registry_id"]
    signed_in(people.clerk_miaoba).post(reverse("station:household-edit", args=[household.registry_id]), form)
    refreshed = Household.objects.get(pk=household.pk)
    assert refreshed.village == "新村"
    assert (refreshed.id_number, refreshed.phone, refreshed.bank_account) == (
        household.id_number, household.phone, household.bank_account)
