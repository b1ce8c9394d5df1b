"""Who may set a household's payout account, the audit trail of its phone, bank account and
consents (console, API, registry import), who may read the trail, and the ID number that is never
shown whole again."""

from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sellers import idnumbers
from sellers.masking import mask_digits
from sellers.models import Household, HouseholdChange
from sellers.models.audit import AuditRowIsFinal, Channel
from sellers.registry_csv import synthetic_registry_csv
from shop.models import Division
from tests.api_helpers import error_of
from tests.personas import A_DAY_IN_2026, MIAOBA

pytestmark = pytest.mark.django_db

LIST = "/api/v1/households/"
GOOD_ID = idnumbers.make(county_code="530623", birth=date(1975, 3, 2), sequence=17)
NEW_ACCOUNT = "6228480012345678901"
NEW_PHONE = "13912345678"


def detail(household) -> str:
    return f"/api/v1/households/{household.registry_id}/"


def changes_url(household) -> str:
    return f"/api/v1/households/{household.registry_id}/changes/"


def new_rows(household, **filters):
    """The trail's rows but those the test's own household got when it was registered."""
    return HouseholdChange.objects.filter(household=household, **filters).exclude(channel=Channel.SYSTEM)


def edit_form(household, **overrides) -> dict:
    """What the console's edit form posts back, unchanged but for `overrides`."""
    data = {
        "village": household.village, "head_name": household.head_name, "id_number": "", "members": household.members,
        "phone": household.phone, "poverty_cause": household.poverty_cause,
        "secondary_poverty_cause": household.secondary_poverty_cause, "attribute": household.attribute,
        "poverty_status": household.poverty_status, "monitoring_type": household.monitoring_type,
        "baseline_income_per_capita": str(household.baseline_income_per_capita),
        "identified_year": household.identified_year, "exited_year": household.exited_year or "",
        "capacity": household.capacity, "consent_to_sell": "on" if household.consent_to_sell else "",
        "consent_to_story": "on" if household.consent_to_story else "",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value != ""}


def new_household(**overrides) -> dict:
    """A registration over the API."""
    data = {
        "registry_id": "5306231050020001", "township_code": MIAOBA, "village": "庙坝村", "head_name": "李德明",
        "id_number": GOOD_ID, "members": 4, "poverty_cause": "01", "attribute": "01", "poverty_status": "0",
        "baseline_income_per_capita": "3200.00", "identified_year": 2015, "phone": "13800001234",
        "consent_to_sell": True,
    }
    data.update(overrides)
    return data


def register_form(**overrides) -> dict:
    """A registration on the console."""
    data = {
        "township": MIAOBA, "registry_id": "5306231058888", "village": "黄草村", "head_name": "杨秀英",
        "id_number": GOOD_ID, "members": "4",
        "phone": NEW_PHONE, "poverty_cause": "01", "attribute": "01", "poverty_status": "1",
        "baseline_income_per_capita": "3200.50", "identified_year": "2015", "consent_to_sell": "on",
    }
    data.update(overrides)
    return data


# --- only managers set bank accounts ------------------------------------------------------------


def test_a_clerk_setting_a_bank_account_over_the_api_is_refused_with_the_field_named(as_clerk_miaoba, people):
    household = people.household_miaoba
    response = as_clerk_miaoba.patch(detail(household), {"bank_account": NEW_ACCOUNT}, format="json")
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "forbidden" and "bank_account" in error["fields"]


def test_a_refused_bank_account_changes_nothing_else_in_the_same_request(as_clerk_miaoba, people):
    household = people.household_miaoba
    before = (household.bank_account, household.village)
    as_clerk_miaoba.patch(detail(household), {"bank_account": NEW_ACCOUNT, "village": "别的村"}, format="json")
    household.refresh_from_db()
    assert (household.bank_account, household.village) == before
    assert not new_rows(household).exists()


def test_a_clerk_may_not_register_a_household_with_a_bank_account_over_the_api(as_clerk_miaoba, people):
    response = as_clerk_miaoba.post(LIST, new_household(bank_account=NEW_ACCOUNT), format="json")
    assert response.status_code == 403
    assert "bank_account" in error_of(response)["fields"]
    assert not Household.objects.filter(registry_id=new_household()["registry_id"]).exists()


def test_a_clerk_still_registers_a_household_without_a_bank_account(as_clerk_miaoba, people):
    assert as_clerk_miaoba.post(LIST, new_household(), format="json").status_code == 201


def test_the_clerks_console_form_has_no_bank_account_field(signed_in, people):
    household = people.household_miaoba
    page = signed_in(people.clerk_miaoba).get(reverse("station:household-edit", args=[household.registry_id]))
    assert 'name="bank_account"' not in page.content.decode()


def test_the_clerks_registration_form_has_no_bank_account_field(signed_in, people):
    page = signed_in(people.clerk_miaoba).get(reverse("station:household-create"))
    assert 'name="bank_account"' not in page.content.decode()


def test_a_bank_account_a_clerk_posts_to_the_console_anyway_changes_nothing(signed_in, people):
    household = people.household_miaoba
    url = reverse("station:household-edit", args=[household.registry_id])
    signed_in(people.clerk_miaoba).post(url, edit_form(household, phone="", bank_account=NEW_ACCOUNT))
    household.refresh_from_db()
    assert household.bank_account != NEW_ACCOUNT
    assert not new_rows(household, field="bank_account").exists()


def test_a_clerk_registering_on_the_console_cannot_give_a_bank_account(signed_in, people):
    signed_in(people.clerk_miaoba).post(reverse("station:household-create"), register_form(bank_account=NEW_ACCOUNT))
    assert Household.objects.get(registry_id="5306231058888").bank_account == ""


def test_the_manager_sees_the_bank_account_on_the_console_form(signed_in, people):
    household = people.household_miaoba
    page = signed_in(people.manager_miaoba).get(reverse("station:household-edit", args=[household.registry_id]))
    assert 'name="bank_account"' in page.content.decode()


def test_a_manager_changes_the_bank_account_on_the_console(signed_in, people):
    household = people.household_miaoba
    url = reverse("station:household-edit", args=[household.registry_id])
    response = signed_in(people.manager_miaoba).post(url, edit_form(household, bank_account=NEW_ACCOUNT))
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.bank_account == NEW_ACCOUNT


# --- the trail: what is written -------------------------------------------------------------------


def test_a_managers_bank_account_change_is_audited_with_masked_values(as_manager_miaoba, people):
    household = people.household_miaoba
    old = household.bank_account
    assert as_manager_miaoba.patch(detail(household), {"bank_account": NEW_ACCOUNT}, format="json").status_code == 200
    [row] = new_rows(household)
    assert (row.field, row.old_value, row.new_value) == ("bank_account", mask_digits(old), "*" * 15 + "8901")
    assert (row.changed_by, row.channel) == (people.manager_miaoba, Channel.API)


def test_the_trail_never_holds_a_full_number(as_manager_miaoba, people):
    household = people.household_miaoba
    old_account, old_phone = household.bank_account, household.phone
    as_manager_miaoba.patch(detail(household), {"bank_account": NEW_ACCOUNT, "phone": NEW_PHONE}, format="json")
    stored = str(list(HouseholdChange.objects.filter(household=household).values_list("old_value", "new_value")))
    for number in (old_account, old_phone, NEW_ACCOUNT, NEW_PHONE):
        assert number not in stored


def test_a_clerks_phone_change_is_audited(as_clerk_miaoba, people):
    household = people.household_miaoba
    assert as_clerk_miaoba.patch(detail(household), {"phone": NEW_PHONE}, format="json").status_code == 200
    [row] = new_rows(household)
    assert (row.field, row.new_value, row.changed_by) == ("phone", "*******5678", people.clerk_miaoba)


def test_a_consent_change_is_audited_as_booleans(as_clerk_miaoba, people):
    household = people.household_miaoba
    as_clerk_miaoba.patch(detail(household), {"consent_to_sell": False}, format="json")
    [row] = new_rows(household)
    assert (row.field, row.old_value, row.new_value) == ("consent_to_sell", True, False)


def test_a_console_change_is_audited_as_from_the_console(signed_in, people):
    household = people.household_miaoba
    url = reverse("station:household-edit", args=[household.registry_id])
    signed_in(people.clerk_miaoba).post(url, edit_form(household, phone=NEW_PHONE))
    [row] = new_rows(household)
    assert (row.field, row.channel, row.changed_by) == ("phone", Channel.CONSOLE, people.clerk_miaoba)


def test_a_value_sent_unchanged_is_not_audited(as_manager_miaoba, people):
    household = people.household_miaoba
    as_manager_miaoba.patch(
        detail(household), {"phone": household.phone, "bank_account": household.bank_account, "capacity": "1 mu"},
        format="json",
    )
    assert not new_rows(household).exists()


def test_a_change_refused_as_bad_input_leaves_no_trail(as_clerk_miaoba, people):
    household = people.household_miaoba
    response = as_clerk_miaoba.patch(detail(household), {"phone": NEW_PHONE, "members": 0}, format="json")
    assert response.status_code == 400
    assert not new_rows(household).exists()


def test_a_registration_is_audited_as_a_change_from_nothing(as_manager_miaoba, people):
    data = new_household(bank_account=NEW_ACCOUNT)
    assert as_manager_miaoba.post(LIST, data, format="json").status_code == 201
    rows = HouseholdChange.objects.filter(household__registry_id=data["registry_id"])
    assert {(r.field, r.old_value, r.new_value) for r in rows} == {
        ("phone", None, "*******1234"), ("bank_account", None, "*" * 15 + "8901"), ("consent_to_sell", None, True),
    }
    assert {(r.changed_by, r.channel) for r in rows} == {(people.manager_miaoba, Channel.API)}


def test_a_registry_import_is_audited_as_imported_by_the_manager(client, people):
    client.force_login(people.manager_miaoba)
    text = synthetic_registry_csv(townships=[Division.objects.get(code=MIAOBA)], rows=3)
    client.post(reverse("station:import"), {"file": SimpleUploadedFile("r.csv", text.encode())})
    rows = HouseholdChange.objects.filter(channel=Channel.IMPORT)
    assert rows.values("household").distinct().count() == 3
    assert {r.changed_by for r in rows} == {people.manager_miaoba}
    assert all(r.old_value is None for r in rows)


# --- the trail: who reads it --------------------------------------------------------------------


@pytest.mark.time_machine(A_DAY_IN_2026, tick=False)
def test_an_official_of_the_region_reads_who_changed_what_and_when(as_manager_miaoba, as_official_yanjin, people):
    household = people.household_miaoba
    as_manager_miaoba.patch(detail(household), {"bank_account": NEW_ACCOUNT}, format="json")
    response = as_official_yanjin.get(changes_url(household))
    assert response.status_code == 200
    newest = response.json()["results"][0]
    assert (newest["field"], newest["new_value"], newest["changed_by"], newest["channel"]) == (
        "bank_account", "*" * 15 + "8901", "manager_miaoba", "api")
    assert datetime.fromisoformat(newest["changed_at"]) == A_DAY_IN_2026


def test_a_city_official_reads_the_trail_of_every_county(as_official_zhaotong, people):
    assert as_official_zhaotong.get(changes_url(people.household_poji)).status_code == 200


def test_an_official_of_another_county_cannot_read_the_trail(as_official_yanjin, people):
    response = as_official_yanjin.get(changes_url(people.household_poji))
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_a_clerk_cannot_read_the_trail_of_their_own_township(as_clerk_miaoba, people):
    response = as_clerk_miaoba.get(changes_url(people.household_miaoba))
    assert response.status_code == 403
    assert "results" not in response.json()


def test_the_station_manager_reads_the_trail_over_the_api(as_manager_miaoba, people):
    assert as_manager_miaoba.get(changes_url(people.household_miaoba)).status_code == 200


def test_a_buyer_cannot_read_the_trail(as_buyer, people):
    assert as_buyer.get(changes_url(people.household_miaoba)).status_code == 403


def test_the_trail_of_an_unknown_household_is_404(as_official_zhaotong, people):
    assert as_official_zhaotong.get("/api/v1/households/NO-SUCH-ID/changes/").status_code == 404


def test_the_trail_is_in_the_api_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/households/{registry_id}/changes/"]["get"]
    assert {"200", "403", "404"} <= set(operation["responses"])


def test_the_station_manager_sees_the_trail_on_the_households_page(signed_in, as_manager_miaoba, people):
    household = people.household_miaoba
    as_manager_miaoba.patch(detail(household), {"bank_account": NEW_ACCOUNT}, format="json")
    page = signed_in(people.manager_miaoba).get(reverse("station:household", args=[household.registry_id])).content.decode()
    assert "电话、银行账号和同意事项的变更记录" in page
    assert "manager_miaoba" in page and "*" * 15 + "8901" in page


def test_a_clerk_does_not_see_the_trail_on_the_households_page(signed_in, as_manager_miaoba, people):
    household = people.household_miaoba
    as_manager_miaoba.patch(detail(household), {"bank_account": NEW_ACCOUNT}, format="json")
    page = signed_in(people.clerk_miaoba).get(reverse("station:household", args=[household.registry_id])).content.decode()
    assert "变更记录" not in page and "manager_miaoba" not in page


# --- the trail cannot be rewritten ------------------------------------------------------------------


def test_an_audit_row_cannot_be_edited(people):
    row = HouseholdChange.objects.filter(household=people.household_miaoba).first()
    row.new_value = "*******0000"
    with pytest.raises(AuditRowIsFinal):
        row.save()


def test_an_audit_row_cannot_be_deleted(people):
    row = HouseholdChange.objects.filter(household=people.household_miaoba).first()
    with pytest.raises(AuditRowIsFinal):
        row.delete()
    assert HouseholdChange.objects.filter(pk=row.pk).exists()


def test_audit_rows_cannot_be_changed_or_deleted_in_bulk(people):
    rows = HouseholdChange.objects.filter(household=people.household_miaoba)
    with pytest.raises(AuditRowIsFinal):
        rows.update(new_value="x")
    with pytest.raises(AuditRowIsFinal):
        rows.delete()


def test_nobody_gets_a_permission_to_change_audit_rows():
    assert HouseholdChange._meta.default_permissions == ("view",)


# --- the full ID number is never shown again ----------------------------------------------------


def test_the_edit_form_never_contains_the_full_id_number_even_for_the_manager(signed_in, people):
    household = people.household_miaoba
    page = signed_in(people.manager_miaoba).get(reverse("station:household-edit", args=[household.registry_id]))
    html = page.content.decode()
    assert household.id_number not in html
    assert mask_digits(household.id_number) in html  # in the help text, to say which number is on record


def test_the_edit_form_shown_again_after_an_error_does_not_contain_the_full_id_number(signed_in, people):
    household = people.household_miaoba
    url = reverse("station:household-edit", args=[household.registry_id])
    page = signed_in(people.manager_miaoba).post(url, edit_form(household, members="0"))
    assert page.status_code == 200 and household.id_number not in page.content.decode()


def test_an_id_number_left_empty_on_the_form_is_kept(signed_in, people):
    household = people.household_miaoba
    url = reverse("station:household-edit", args=[household.registry_id])
    signed_in(people.manager_miaoba).post(url, edit_form(household, village="新村"))
    refreshed = Household.objects.get(pk=household.pk)
    assert (refreshed.village, refreshed.id_number) == ("新村", household.id_number)
