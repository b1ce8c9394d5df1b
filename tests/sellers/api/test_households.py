"""GET, POST /api/v1/households/ and GET, PATCH /api/v1/households/{registry_id}/."""

from datetime import date

import pytest

from sellers import idnumbers
from sellers.factories import HouseholdFactory
from sellers.models import Household, HouseholdMember
from shop.models import Division
from tests.api_helpers import error_of, queries_for
from tests.personas import MIAOBA, POJI

LIST = "/api/v1/households/"
GOOD_ID = idnumbers.make(county_code="530623", birth=date(1975, 3, 2), sequence=17)
BAD_CHECK_DIGIT = GOOD_ID[:-1] + ("1" if GOOD_ID[-1] == "0" else "0")


def detail(household) -> str:
    return f"/api/v1/households/{household.registry_id}/"


def new_household(**overrides) -> dict:
    data = {
        "registry_id": "5306231050010001",
        "township_code": MIAOBA,
        "village": "庙坝村",
        "head_name": "李德明",
        "id_number": GOOD_ID,
        "members": 4,
        "poverty_cause": "01",
        "attribute": "01",
        "poverty_status": "0",
        "baseline_income_per_capita": "3200.00",
        "identified_year": 2015,
        "phone": "13800001234",
        "capacity": "300 birds/year",
        "consent_to_sell": True,
    }
    data.update(overrides)
    return data


def registry_ids(response) -> set[str]:
    return {row["registry_id"] for row in response.json()["results"]}


# --- reading the list -------------------------------------------------------------------------


def test_a_clerk_lists_the_households_of_their_township_only(as_clerk_miaoba, people):
    response = as_clerk_miaoba.get(LIST)
    assert response.status_code == 200
    assert registry_ids(response) == {people.household_miaoba.registry_id}


def test_a_clerk_of_poji_does_not_see_miaoba_households(as_clerk_poji, people):
    assert registry_ids(as_clerk_poji.get(LIST)) == {people.household_poji.registry_id}


def test_a_county_official_lists_their_county_only(as_official_yanjin, people):
    assert registry_ids(as_official_yanjin.get(LIST)) == {people.household_miaoba.registry_id}


def test_a_city_official_lists_every_county_of_the_city(as_official_zhaotong, people):
    assert registry_ids(as_official_zhaotong.get(LIST)) == {
        people.household_miaoba.registry_id, people.household_poji.registry_id,
    }


def test_the_list_is_paginated(as_official_zhaotong, people):
    body = as_official_zhaotong.get(LIST, {"limit": 1}).json()
    assert body["count"] == 2
    assert len(body["results"]) == 1
    assert body["next"]


def test_the_list_costs_no_query_per_household(as_clerk_miaoba, people):
    one = queries_for(as_clerk_miaoba, LIST)
    HouseholdFactory.create_batch(3, township=Division.objects.get(code=MIAOBA))
    assert queries_for(as_clerk_miaoba, LIST) == one


def test_a_buyer_may_not_read_the_registry(as_buyer, people):
    response = as_buyer.get(LIST)
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_an_anonymous_caller_must_sign_in(as_anonymous):
    response = as_anonymous.get(LIST)
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_a_wrong_token_is_refused(api, people):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(LIST).status_code == 401


# --- reading one record and masking -----------------------------------------------------------


def test_a_record_has_the_contract_fields(as_clerk_miaoba, people):
    body = as_clerk_miaoba.get(detail(people.household_miaoba)).json()
    assert {
        "registry_id", "township_code", "village", "head_name", "id_number_masked", "members", "poverty_cause",
        "secondary_poverty_cause", "attribute", "poverty_status", "monitoring_type", "baseline_income_per_capita",
        "identified_year", "exited_year", "phone", "capacity", "consent_to_sell", "consent_to_story",
    } <= set(body)
    assert "id_number" not in body
    assert body["township_code"] == MIAOBA


def test_amounts_are_strings_with_two_decimals(as_clerk_miaoba, people):
    body = as_clerk_miaoba.get(detail(people.household_miaoba)).json()
    assert body["baseline_income_per_capita"] == f"{people.household_miaoba.baseline_income_per_capita:.2f}"


def test_a_clerk_sees_personal_data_masked(as_clerk_miaoba, people):
    household = people.household_miaoba
    body = as_clerk_miaoba.get(detail(household)).json()
    assert body["id_number_masked"] == "*" * 14 + household.id_number[-4:]
    assert body["phone"] == "*" * (len(household.phone) - 4) + household.phone[-4:]
    assert body["bank_account"].endswith(household.bank_account[-4:])
    assert household.bank_account not in body.values()
    assert body["personal_data_masked"] is True


def test_the_station_manager_sees_phone_and_bank_account_in_full(as_manager_miaoba, people):
    household = people.household_miaoba
    body = as_manager_miaoba.get(detail(household)).json()
    assert (body["phone"], body["bank_account"]) == (household.phone, household.bank_account)
    assert body["personal_data_masked"] is False


def test_not_even_the_station_manager_sees_the_full_id_number_again(as_manager_miaoba, people):
    household = people.household_miaoba
    body = as_manager_miaoba.get(detail(household)).json()
    assert body["id_number_masked"] == "*" * 14 + household.id_number[-4:]
    assert household.id_number not in str(body)


def test_an_official_sees_personal_data_masked(as_official_yanjin, people):
    household = people.household_miaoba
    body = as_official_yanjin.get(detail(household)).json()
    assert body["id_number_masked"] != household.id_number
    assert body["id_number_masked"].endswith(household.id_number[-4:])
    assert body["personal_data_masked"] is True


def test_masking_also_applies_in_lists(as_clerk_miaoba, people):
    [row] = as_clerk_miaoba.get(LIST).json()["results"]
    assert row["id_number_masked"].startswith("*")


def test_a_clerk_cannot_open_a_household_of_another_township(as_clerk_miaoba, people):
    response = as_clerk_miaoba.get(detail(people.household_poji))
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert people.household_poji.head_name not in response.content.decode()


def test_a_county_official_cannot_open_a_household_of_another_county(as_official_yanjin, people):
    assert as_official_yanjin.get(detail(people.household_poji)).status_code == 403


def test_an_unknown_registry_id_is_404(as_clerk_miaoba):
    response = as_clerk_miaoba.get("/api/v1/households/NO-SUCH-ID/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_buyer_may_not_open_a_household(as_buyer, people):
    assert as_buyer.get(detail(people.household_miaoba)).status_code == 403


def test_an_anonymous_caller_may_not_open_a_household(as_anonymous, people):
    assert as_anonymous.get(detail(people.household_miaoba)).status_code == 401


# --- registering --------------------------------------------------------------------------------


def test_a_clerk_registers_a_household_in_their_township(as_clerk_miaoba, people):
    response = as_clerk_miaoba.post(LIST, new_household(), format="json")
    assert response.status_code == 201, response.json()
    household = Household.objects.get(registry_id="5306231050010001")
    assert household.township_id == MIAOBA
    assert household.members == 4
    assert household.consent_recorded_by == people.clerk_miaoba
    assert response.json()["baseline_income_per_capita"] == "3200.00"


def test_a_registration_answer_masks_the_id_number_for_a_clerk(as_clerk_miaoba):
    data = new_household()
    body = as_clerk_miaoba.post(LIST, data, format="json").json()
    assert body["id_number_masked"] == "*" * 14 + data["id_number"][-4:]


def test_a_registration_keeps_the_head_as_the_one_person_on_record(as_clerk_miaoba):
    as_clerk_miaoba.post(LIST, new_household(members=3), format="json")
    household = Household.objects.get(registry_id="5306231050010001")
    assert household.members == 3
    assert list(HouseholdMember.objects.filter(household=household).values_list("name", "relation")) == [
        ("李德明", "户主"),
    ]


def test_a_clerk_may_not_register_in_another_township(as_clerk_miaoba, people):
    before = Household.objects.count()
    response = as_clerk_miaoba.post(LIST, new_household(township_code=POJI), format="json")
    assert response.status_code == 403
    assert Household.objects.count() == before


def test_an_official_may_not_register(as_official_yanjin, people):
    before = Household.objects.count()
    assert as_official_yanjin.post(LIST, new_household(), format="json").status_code == 403
    assert Household.objects.count() == before


def test_a_buyer_may_not_register(as_buyer, people):
    assert as_buyer.post(LIST, new_household(), format="json").status_code == 403


def test_an_anonymous_caller_may_not_register(as_anonymous, people):
    assert as_anonymous.post(LIST, new_household(), format="json").status_code == 401


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", BAD_CHECK_DIGIT),
        ("members", 0),
        ("poverty_cause", "77"),
        ("attribute", "xx"),
        ("poverty_status", "9"),
        ("monitoring_type", "8"),
        ("secondary_poverty_cause", "00"),
        ("baseline_income_per_capita", "-1.00"),
        ("baseline_income_per_capita", "abc"),
        ("baseline_income_per_capita", "1e3"),
        ("baseline_income_per_capita", "12.345"),
        ("baseline_income_per_capita", 3200.5),
        ("township_code", "530623999"),
        ("township_code", "530623"),  # a county, not a township
        ("phone", "*******1234"),  # a masked value read back from the API
        ("exited_year", 2010),  # before it was identified
    ],
)
def test_bad_input_is_400_with_the_field_and_changes_nothing(as_clerk_miaoba, people, field, value):
    before = Household.objects.count()
    response = as_clerk_miaoba.post(LIST, new_household(**{field: value}), format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert Household.objects.count() == before


def test_missing_required_fields_are_named(as_clerk_miaoba, people):
    error = error_of(as_clerk_miaoba.post(LIST, {}, format="json"))
    assert {"registry_id", "township_code", "village", "head_name", "id_number", "members"} <= set(error["fields"])


def test_an_unknown_field_is_refused(as_clerk_miaoba, people):
    response = as_clerk_miaoba.post(LIST, new_household(favourite_colour="red"), format="json")
    assert response.status_code == 400
    assert "favourite_colour" in error_of(response)["fields"]


def test_a_duplicate_registry_id_is_400_and_changes_nothing(as_clerk_miaoba, people):
    before = Household.objects.count()
    response = as_clerk_miaoba.post(
        LIST, new_household(registry_id=people.household_miaoba.registry_id), format="json"
    )
    assert response.status_code == 400
    assert "registry_id" in error_of(response)["fields"]
    assert Household.objects.count() == before


def test_a_whole_number_amount_is_accepted(as_clerk_miaoba, people):
    response = as_clerk_miaoba.post(LIST, new_household(baseline_income_per_capita=3200), format="json")
    assert response.status_code == 201
    assert response.json()["baseline_income_per_capita"] == "3200.00"


# --- changing -------------------------------------------------------------------------------------


def test_a_clerk_changes_a_household_of_their_township(as_clerk_miaoba, people):
    household = people.household_miaoba
    response = as_clerk_miaoba.patch(
        detail(household), {"capacity": "500 birds/year", "baseline_income_per_capita": "4100.50"}, format="json"
    )
    assert response.status_code == 200, response.json()
    household.refresh_from_db()
    assert household.capacity == "500 birds/year"
    assert str(household.baseline_income_per_capita) == "4100.50"
    assert response.json()["baseline_income_per_capita"] == "4100.50"


def test_a_change_of_consent_records_who_changed_it(as_clerk_miaoba, people):
    household = people.household_miaoba
    as_clerk_miaoba.patch(detail(household), {"consent_to_story": not household.consent_to_story}, format="json")
    household.refresh_from_db()
    assert household.consent_recorded_by == people.clerk_miaoba


def test_a_clerk_may_replace_an_id_number_without_seeing_the_old_one(as_clerk_miaoba, people):
    household = people.household_miaoba
    new_id = idnumbers.make(county_code="530623", birth=date(1980, 1, 1), sequence=5)
    response = as_clerk_miaoba.patch(detail(household), {"id_number": new_id}, format="json")
    assert response.status_code == 200
    household.refresh_from_db()
    assert household.id_number == new_id
    assert response.json()["id_number_masked"] == "*" * 14 + new_id[-4:]


def test_a_clerk_may_not_change_a_household_of_another_township(as_clerk_miaoba, people):
    household = people.household_poji
    response = as_clerk_miaoba.patch(detail(household), {"village": "别的村"}, format="json")
    assert response.status_code == 403
    household.refresh_from_db()
    assert household.village != "别的村"


def test_an_official_may_not_change_a_household(as_official_yanjin, people):
    household = people.household_miaoba
    assert as_official_yanjin.patch(detail(household), {"village": "别的村"}, format="json").status_code == 403
    household.refresh_from_db()
    assert household.village != "别的村"


def test_a_buyer_may_not_change_a_household(as_buyer, people):
    assert as_buyer.patch(detail(people.household_miaoba), {"village": "x"}, format="json").status_code == 403


def test_an_anonymous_caller_may_not_change_a_household(as_anonymous, people):
    assert as_anonymous.patch(detail(people.household_miaoba), {"village": "x"}, format="json").status_code == 401


def test_changing_an_unknown_household_is_404(as_clerk_miaoba, people):
    assert as_clerk_miaoba.patch("/api/v1/households/NO-SUCH-ID/", {"village": "x"}, format="json").status_code == 404


@pytest.mark.parametrize("field", ["registry_id", "township_code"])
def test_the_registry_id_and_township_cannot_be_changed(as_clerk_miaoba, people, field):
    household = people.household_miaoba
    response = as_clerk_miaoba.patch(detail(household), {field: "X", "village": "别的村"}, format="json")
    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    household.refresh_from_db()
    assert household.village != "别的村"


def test_a_bad_change_is_400_and_changes_nothing(as_clerk_miaoba, people):
    household = people.household_miaoba
    before = (household.village, household.members)
    response = as_clerk_miaoba.patch(detail(household), {"village": "别的村", "members": 0}, format="json")
    assert response.status_code == 400
    assert "members" in error_of(response)["fields"]
    household.refresh_from_db()
    assert (household.village, household.members) == before


def test_an_exit_year_before_the_identified_year_on_record_is_refused(as_clerk_miaoba, people):
    household = people.household_miaoba
    response = as_clerk_miaoba.patch(
        detail(household), {"exited_year": household.identified_year - 1}, format="json"
    )
    assert response.status_code == 400
    assert "exited_year" in error_of(response)["fields"]
