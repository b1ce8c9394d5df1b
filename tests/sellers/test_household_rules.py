"""The household rules live on the model (`sellers.models.households`): members 1 to 20, identified
from 2013 to this year, exited not before identified nor after this year, valid ID numbers. The
same bad value is refused at every door: the API, the station console, the CSV import, and, where
the database can hold the rule, a raw update."""

import io
import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from sellers import idnumbers, services, synthetic
from sellers.data_checks import data_check_report
from sellers.models import Household, HouseholdMember
from sellers.registry_csv import synthetic_registry_csv
from sellers.registry_import import households_import
from tests.api_helpers import error_of
from tests.personas import MIAOBA
from tests.registry_files import with_changes

pytestmark = pytest.mark.django_db

LIST = "/api/v1/households/"
GOOD_ID = idnumbers.make(county_code="530623", birth=date(1975, 3, 2), sequence=17)
BAD_CHECK_DIGIT = GOOD_ID[:-1] + ("1" if GOOD_ID[-1] == "0" else "0")
NO_SUCH_BIRTH_DATE = "5306231970023190" + "1"  # 31 February, 17 characters
NO_SUCH_BIRTH_DATE += idnumbers.check_digit(NO_SUCH_BIRTH_DATE)  # right check digit, impossible date
ENDS_IN_X = next(
    n for n in (idnumbers.make(county_code="530623", birth=date(1980, 1, 1), sequence=s) for s in range(1000))
    if n.endswith("X")
)

# "This year" is read when a test runs (as the rules read it), not when the tests are collected.
THIS_YEAR, NEXT_YEAR = "this year", "next year"


def years(changes: dict) -> dict:
    this_year = timezone.localdate().year
    return {name: {THIS_YEAR: this_year, NEXT_YEAR: this_year + 1}.get(value, value) for name, value in changes.items()}


# Each bad value (as field changes) and the field that must be named for it.
BAD = [
    pytest.param({"id_number": BAD_CHECK_DIGIT}, "id_number", id="an-id-number-with-a-wrong-check-digit"),
    pytest.param({"id_number": NO_SUCH_BIRTH_DATE}, "id_number", id="an-id-number-with-no-such-birth-date"),
    pytest.param({"id_number": GOOD_ID[:17]}, "id_number", id="an-id-number-of-17-characters"),
    pytest.param({"members": 0}, "members", id="no-members"),
    pytest.param({"members": 21}, "members", id="more-than-20-members"),
    pytest.param({"identified_year": 2012}, "identified_year", id="identified-before-2013"),
    pytest.param({"identified_year": NEXT_YEAR, "exited_year": None}, "identified_year", id="identified-after-this-year"),
    pytest.param({"identified_year": 2016, "exited_year": NEXT_YEAR}, "exited_year", id="exited-after-this-year"),
    pytest.param({"identified_year": 2016, "exited_year": 2015}, "exited_year", id="exited-before-identified"),
]
# The edges of the rules, which every door accepts.
GOOD = [
    pytest.param({"members": 1}, id="one-member"),
    pytest.param({"members": 20}, id="20-members"),
    pytest.param({"identified_year": 2013, "exited_year": None}, id="identified-in-2013"),
    pytest.param({"identified_year": THIS_YEAR, "exited_year": None}, id="identified-this-year"),
    pytest.param({"identified_year": 2016, "exited_year": 2016}, id="exited-the-year-identified"),
    pytest.param({"identified_year": 2016, "exited_year": THIS_YEAR}, id="exited-this-year"),
]


def _unchanged(household) -> tuple:
    household.refresh_from_db()
    return household.id_number, household.members, household.identified_year, household.exited_year


# --- the API ----------------------------------------------------------------------------------------


def new_household(**overrides) -> dict:
    data = {
        "registry_id": "5306231050010001", "township_code": MIAOBA, "village": "庙坝村", "head_name": "李德明",
        "id_number": GOOD_ID, "members": 4, "poverty_cause": "01", "attribute": "01", "poverty_status": "0",
        "baseline_income_per_capita": "2200.00", "identified_year": 2015, "consent_to_sell": True,
    }
    data.update(years(overrides))
    return data


@pytest.mark.parametrize(("changes", "field"), BAD)
def test_it_refuses_a_registration_through_the_api_naming_the_field(as_clerk_miaoba, people, changes, field):
    before = Household.objects.count()
    response = as_clerk_miaoba.post(LIST, new_household(**changes), format="json")
    assert response.status_code == 400, response.json()
    error = error_of(response)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert Household.objects.count() == before


@pytest.mark.parametrize(("changes", "field"), BAD)
def test_it_refuses_a_change_through_the_api_naming_the_field(as_clerk_miaoba, people, changes, field):
    household = people.household_miaoba
    before = _unchanged(household)
    response = as_clerk_miaoba.patch(f"{LIST}{household.registry_id}/", years(changes), format="json")
    assert response.status_code == 400, response.json()
    assert list(error_of(response)["fields"]) == [field]
    assert _unchanged(household) == before


def test_it_refuses_an_exit_year_sent_alone_that_is_before_the_year_identified_on_record(as_clerk_miaoba, people):
    household = people.household_miaoba
    Household.objects.filter(pk=household.pk).update(identified_year=2016, exited_year=None)
    response = as_clerk_miaoba.patch(f"{LIST}{household.registry_id}/", {"exited_year": 2015}, format="json")
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["exited_year"]
    household.refresh_from_db()
    assert household.exited_year is None


def test_it_refuses_a_year_identified_sent_alone_that_is_after_the_exit_on_record(as_clerk_miaoba, people):
    household = people.household_miaoba
    Household.objects.filter(pk=household.pk).update(identified_year=2015, exited_year=2018)
    response = as_clerk_miaoba.patch(f"{LIST}{household.registry_id}/", {"identified_year": 2019}, format="json")
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["exited_year"]
    household.refresh_from_db()
    assert household.identified_year == 2015


def test_it_still_refuses_a_year_that_is_not_a_whole_number_before_the_rules(as_clerk_miaoba, people):
    response = as_clerk_miaoba.post(LIST, new_household(identified_year="2015a"), format="json")
    assert response.status_code == 400
    assert "identified_year" in error_of(response)["fields"]


@pytest.mark.parametrize("changes", GOOD)
def test_it_accepts_the_edges_of_the_rules_through_the_api(as_clerk_miaoba, people, changes):
    response = as_clerk_miaoba.post(LIST, new_household(**changes), format="json")
    assert response.status_code == 201, response.json()


def test_it_stores_an_id_number_typed_with_a_small_x_with_a_capital_x_through_the_api(as_clerk_miaoba, people):
    response = as_clerk_miaoba.post(LIST, new_household(id_number=ENDS_IN_X.lower()), format="json")
    assert response.status_code == 201, response.json()
    assert Household.objects.get(registry_id="5306231050010001").id_number == ENDS_IN_X


# --- the station console ------------------------------------------------------------------------------


def console_form(**changes) -> dict:
    data = {
        "township": MIAOBA, "registry_id": "5306231059999", "village": "黄草村", "head_name": "杨秀英",
        "id_number": GOOD_ID, "members": "4", "phone": "13800000000", "bank_account": "6217000011112222",
        "poverty_cause": "01", "secondary_poverty_cause": "", "attribute": "01", "poverty_status": "1",
        "monitoring_type": "", "baseline_income_per_capita": "2200.50", "identified_year": "2015",
        "exited_year": "2019", "capacity": "乌骨鸡 300 羽/年", "consent_to_sell": "on",
    }
    data.update({name: "" if value is None else str(value) for name, value in years(changes).items()})
    return data


def _shows_error_on(response, field) -> bool:
    errors = response.context["form"].errors
    return field in errors and all(escape(message) in response.content.decode() for message in errors[field])


@pytest.mark.parametrize(("changes", "field"), BAD)
def test_it_refuses_a_registration_in_the_console_showing_the_error(signed_in, people, changes, field):
    response = signed_in(people.clerk_miaoba).post(reverse("station:household-create"), console_form(**changes))
    assert response.status_code == 200
    assert _shows_error_on(response, field)
    assert not Household.objects.filter(registry_id="5306231059999").exists()


@pytest.mark.parametrize(("changes", "field"), BAD)
def test_it_refuses_a_change_in_the_console_showing_the_error(signed_in, people, changes, field):
    household = people.household_miaoba
    before = _unchanged(household)
    form = console_form(**changes)
    del form["township"], form["registry_id"]
    # The station manager sees (and so sends back) personal data; a clerk leaves it empty.
    response = signed_in(people.manager_miaoba).post(reverse("station:household-edit", args=[household.registry_id]), form)
    assert response.status_code == 200
    assert _shows_error_on(response, field)
    assert _unchanged(household) == before


def test_it_refuses_in_the_console_an_exit_year_before_the_year_identified_on_record(signed_in, people):
    household = people.household_miaoba
    Household.objects.filter(pk=household.pk).update(identified_year=2016, exited_year=None)
    form = console_form(identified_year=2016, exited_year=2015, id_number="", phone="", bank_account="")
    del form["township"], form["registry_id"]
    response = signed_in(people.clerk_miaoba).post(reverse("station:household-edit", args=[household.registry_id]), form)
    assert response.status_code == 200
    assert _shows_error_on(response, "exited_year")
    household.refresh_from_db()
    assert household.exited_year is None


def test_it_keeps_the_id_number_a_clerk_leaves_empty_in_the_console(signed_in, people):
    household = people.household_miaoba
    form = console_form(village="新村", id_number="", phone="", bank_account="", exited_year=None)
    del form["township"], form["registry_id"]
    response = signed_in(people.clerk_miaoba).post(reverse("station:household-edit", args=[household.registry_id]), form)
    assert response.status_code == 302
    refreshed = Household.objects.get(pk=household.pk)
    assert (refreshed.village, refreshed.id_number) == ("新村", household.id_number)


@pytest.mark.parametrize("changes", GOOD)
def test_it_accepts_the_edges_of_the_rules_in_the_console(signed_in, people, changes):
    response = signed_in(people.clerk_miaoba).post(reverse("station:household-create"), console_form(**changes))
    assert response.status_code == 302, response.context["form"].errors
    assert Household.objects.filter(registry_id="5306231059999").exists()


def test_it_stores_an_id_number_typed_with_a_small_x_with_a_capital_x_in_the_console(signed_in, people):
    signed_in(people.clerk_miaoba).post(reverse("station:household-create"), console_form(id_number=ENDS_IN_X.lower()))
    assert Household.objects.get(registry_id="5306231059999").id_number == ENDS_IN_X


# --- the CSV import ------------------------------------------------------------------------------------


def registry_file(townships, **changes) -> str:
    """Two good rows (lines 2 and 3), line 2 changed."""
    text = synthetic_registry_csv(townships=townships, rows=2)
    return with_changes(text, 2, **{name: "" if value is None else str(value) for name, value in years(changes).items()})


@pytest.mark.parametrize(("changes", "field"), BAD)
def test_it_refuses_an_import_naming_the_line_and_column(townships, changes, field):
    result = households_import(file=io.StringIO(registry_file(townships, **changes)))
    assert [(e.line, e.column) for e in result.errors] == [(2, field)]
    assert result.imported == 0
    assert not Household.objects.exists() and not HouseholdMember.objects.exists()


def test_it_reports_the_models_reason_in_the_import(townships):
    [error] = households_import(file=io.StringIO(registry_file(townships, members=21))).errors
    assert "20" in error.reason


@pytest.mark.parametrize("changes", GOOD)
def test_it_accepts_the_edges_of_the_rules_in_the_import(townships, changes):
    result = households_import(file=io.StringIO(registry_file(townships, **changes)))
    assert (result.errors, result.imported) == ([], 2)


def test_it_stores_an_id_number_typed_with_a_small_x_with_a_capital_x_in_the_import(townships):
    households_import(file=io.StringIO(registry_file(townships, registry_id="IMPX", id_number=ENDS_IN_X.lower())))
    assert Household.objects.get(registry_id="IMPX").id_number == ENDS_IN_X
    assert HouseholdMember.objects.get(household__registry_id="IMPX").id_number == ENDS_IN_X


def test_it_checks_every_row_of_a_large_file_without_a_query_per_row(townships, django_assert_max_num_queries):
    text = synthetic_registry_csv(townships=townships, rows=300)
    with django_assert_max_num_queries(8):
        result = households_import(file=io.StringIO(text), dry_run=True)
    assert (result.rows, result.errors) == (300, [])


# --- the database ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("changes", [
    pytest.param({"members": 0}, id="no-members"),
    pytest.param({"members": 21}, id="more-than-20-members"),
    pytest.param({"identified_year": 2012}, id="identified-before-2013"),
    pytest.param({"exited_year": F("identified_year") - 1}, id="exited-before-identified"),
])
def test_it_refuses_a_raw_update_that_breaks_a_rule_in_the_database(people, changes):
    household = people.household_miaoba
    Household.objects.filter(pk=household.pk).update(identified_year=2015, exited_year=2018)
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=household.pk).update(**changes)


def test_the_database_allows_a_household_that_has_not_exited(people):
    Household.objects.filter(pk=people.household_miaoba.pk).update(identified_year=2015, exited_year=None)
    assert Household.objects.get(pk=people.household_miaoba.pk).exited_year is None


# --- the people of a household, and the data checks -------------------------------------------------------


def test_it_refuses_a_household_member_with_an_invalid_id_number(townships):
    data = synthetic.household_data(random.Random(1), township=townships[0], registry_id="RULES1", this_year=2026)
    data["members"][-1]["id_number"] = BAD_CHECK_DIGIT
    with pytest.raises(ValidationError) as refused:
        services.household_register(**data)
    assert "members" in refused.value.message_dict
    assert not Household.objects.filter(registry_id="RULES1").exists()


def test_it_refuses_a_household_listing_more_than_20_people(townships):
    data = synthetic.household_data(random.Random(1), township=townships[0], registry_id="RULES2", this_year=2026)
    data["members"] = [dict(data["members"][0]) for _ in range(21)]
    with pytest.raises(ValidationError) as refused:
        services.household_register(**data)
    assert "members" in refused.value.message_dict
    assert not Household.objects.filter(registry_id="RULES2").exists()


def test_the_data_checks_flag_a_record_identified_after_this_year(people):
    household = people.household_miaoba
    Household.objects.filter(pk=household.pk).update(**years({"identified_year": NEXT_YEAR, "exited_year": None}))
    findings = data_check_report(households=Household.objects.filter(pk=household.pk))
    assert "impossible" in {f.check for f in findings}


def test_the_synthetic_households_keep_every_rule(townships):
    rng = random.Random(7)
    for n in range(200):
        data = synthetic.household_data(rng, township=townships[n % 2], registry_id=f"SYN{n:04d}", this_year=2026)
        services.household_register(**data)
    assert Household.objects.count() == 200
