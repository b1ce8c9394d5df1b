"""The operator edits the fee rules and the poverty lines in Oscar's dashboard; nobody else
may, and bad input comes back as form errors that change nothing."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.translation import gettext

from catalogue.services import categories_ensure
from impact.models import FeeRule, FeeType, LedgerEntry, LineKind, PovertyLine
from shop.factories import UserFactory
from tests.personas import MIAOBA
from tests.shipping import paid_shipment

pytestmark = pytest.mark.django_db

FEE_RULES = reverse("impact-dashboard:fee-rule-list")
NEW_FEE_RULE = reverse("impact-dashboard:fee-rule-create")
POVERTY_LINES = reverse("impact-dashboard:poverty-line-list")
NEW_POVERTY_LINE = reverse("impact-dashboard:poverty-line-create")


@pytest.fixture
def operator(signed_in, people):
    return signed_in(UserFactory(username="operator", is_staff=True, is_superuser=True))


def fee_rule_form(**fields) -> dict:
    return {"fee_type": FeeType.COMMISSION, "category": "", "station": "", "rate": "0.0500", "per_unit": "0.00",
            "waived_for_certified": "on", **fields}


def poverty_line_form(**fields) -> dict:
    return {"year": "2025", "region_code": "53", "kind": LineKind.MONITORING, "amount": "7800.00", "note": "", **fields}


@pytest.fixture
def national_lines(db):
    """Two national lines as the reference file has them (loaded by migration 0005; made again
    here in case a transactional test emptied the table)."""
    PovertyLine.objects.get_or_create(year=2020, region_code="CN", kind=LineKind.POVERTY_LINE,
                                      defaults={"amount": Decimal("4000.00")})
    PovertyLine.objects.get_or_create(year=2024, region_code="CN", kind=LineKind.MONITORING,
                                      defaults={"amount": Decimal("7300.00")})


def form_errors(response) -> dict:
    return response.context["form"].errors


# Fee rules: the operator's CRUD


def test_it_creates_a_fee_rule(operator):
    response = operator.post(NEW_FEE_RULE, fee_rule_form())
    assert response.status_code == 302 and response.url == FEE_RULES
    rule = FeeRule.objects.get()
    assert (rule.fee_type, rule.category, rule.station, rule.rate) == ("commission", None, None, Decimal("0.0500"))


def test_it_creates_a_rule_for_a_station_and_a_category(operator, stations):
    poultry = categories_ensure()["poultry-eggs"]
    station = stations[MIAOBA]
    operator.post(NEW_FEE_RULE, fee_rule_form(fee_type=FeeType.PACKING, category=poultry.pk, station=station.pk,
                                              rate="0", per_unit="2.50"))
    rule = FeeRule.objects.get()
    assert (rule.category, rule.station, rule.per_unit) == (poultry, station, Decimal("2.50"))


def test_it_lists_the_rules_with_their_shares_as_percentages(operator):
    FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.0450"))
    page = operator.get("/en" + FEE_RULES).content.decode()
    assert "4.5%" in page and "Every category" in page and "Every station" in page


def test_it_changes_a_fee_rule(operator):
    rule = FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.0500"))
    operator.post(reverse("impact-dashboard:fee-rule-update", kwargs={"pk": rule.pk}), fee_rule_form(rate="0.0300"))
    rule.refresh_from_db()
    assert rule.rate == Decimal("0.0300")


def test_it_deletes_a_fee_rule(operator):
    rule = FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.0500"))
    response = operator.post(reverse("impact-dashboard:fee-rule-delete", kwargs={"pk": rule.pk}))
    assert response.status_code == 302 and not FeeRule.objects.exists()


def test_the_delete_page_asks_first(operator):
    rule = FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.0500"))
    response = operator.get(reverse("impact-dashboard:fee-rule-delete", kwargs={"pk": rule.pk}))
    assert response.status_code == 200 and FeeRule.objects.exists()


# Fee rules: bad input


@pytest.mark.parametrize("rate", ["1", "1.5", "-0.01", "5"])
def test_a_share_of_one_or_more_or_below_nought_is_refused(operator, rate):
    response = operator.post(NEW_FEE_RULE, fee_rule_form(rate=rate))
    assert response.status_code == 200 and "rate" in form_errors(response)
    assert not FeeRule.objects.exists()


def test_a_negative_amount_per_unit_is_refused(operator):
    response = operator.post(NEW_FEE_RULE, fee_rule_form(per_unit="-1.00"))
    assert "per_unit" in form_errors(response) and not FeeRule.objects.exists()


def test_a_second_default_rule_of_a_type_is_a_form_error(operator):
    FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.0500"))
    response = operator.post(NEW_FEE_RULE, fee_rule_form(rate="0.0800"))
    assert response.status_code == 200
    assert form_errors(response)["__all__"] == [gettext("There is already a rule of this type for this category and station.")]
    assert FeeRule.objects.count() == 1


def test_a_second_rule_for_the_same_station_is_a_form_error(operator, stations):
    station = stations[MIAOBA]
    FeeRule.objects.create(fee_type=FeeType.PACKING, station=station, per_unit=Decimal("1.00"))
    response = operator.post(NEW_FEE_RULE, fee_rule_form(fee_type=FeeType.PACKING, station=station.pk))
    assert "__all__" in form_errors(response) and FeeRule.objects.count() == 1


def test_an_edit_into_a_duplicate_is_a_form_error(operator):
    FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.0500"))
    packing = FeeRule.objects.create(fee_type=FeeType.PACKING, per_unit=Decimal("1.00"))
    response = operator.post(reverse("impact-dashboard:fee-rule-update", kwargs={"pk": packing.pk}), fee_rule_form())
    assert "__all__" in form_errors(response)
    packing.refresh_from_db()
    assert packing.fee_type == FeeType.PACKING


def test_an_unknown_station_is_a_form_error(operator):
    response = operator.post(NEW_FEE_RULE, fee_rule_form(station="999999"))
    assert "station" in form_errors(response) and not FeeRule.objects.exists()


# Poverty lines


def test_it_creates_a_poverty_line(operator):
    response = operator.post(NEW_POVERTY_LINE, poverty_line_form())
    assert response.status_code == 302 and response.url == POVERTY_LINES
    line = PovertyLine.objects.get(region_code="53", year=2025)
    assert (line.kind, line.amount) == (LineKind.MONITORING, Decimal("7800.00"))


def test_it_lists_the_national_lines(operator, national_lines):
    page = operator.get(POVERTY_LINES).content.decode()
    assert "4000.00" in page and "7300.00" in page


def test_it_names_a_lines_region(operator):
    PovertyLine.objects.create(year=2025, region_code="5306", kind=LineKind.MONITORING, amount=Decimal("7800"))
    assert "昭通市" in operator.get(POVERTY_LINES).content.decode()


def test_it_stores_a_citys_official_code_as_the_prefix_its_places_start_with(operator):
    operator.post(NEW_POVERTY_LINE, poverty_line_form(region_code="530600"))
    assert PovertyLine.objects.filter(region_code="5306", year=2025).exists()


def test_it_takes_the_national_code_in_any_case(operator):
    operator.post(NEW_POVERTY_LINE, poverty_line_form(region_code="cn", year="2026"))
    assert PovertyLine.objects.filter(region_code="CN", year=2026).exists()


def test_it_changes_a_poverty_line(operator, national_lines):
    line = PovertyLine.objects.get(region_code="CN", year=2024)
    operator.post(reverse("impact-dashboard:poverty-line-update", kwargs={"pk": line.pk}),
                  poverty_line_form(year="2024", region_code="CN", amount="7400.00", note="corrected"))
    line.refresh_from_db()
    assert (line.amount, line.note) == (Decimal("7400.00"), "corrected")


def test_it_deletes_a_poverty_line(operator, national_lines):
    line = PovertyLine.objects.get(region_code="CN", year=2024)
    operator.post(reverse("impact-dashboard:poverty-line-delete", kwargs={"pk": line.pk}))
    assert not PovertyLine.objects.filter(pk=line.pk).exists()


@pytest.mark.parametrize("code", ["Yunnan", "53a", "5", "53062", "CN53", ""])
def test_a_region_that_is_not_cn_or_a_division_code_is_refused(operator, code):
    response = operator.post(NEW_POVERTY_LINE, poverty_line_form(region_code=code))
    assert "region_code" in form_errors(response)
    assert not PovertyLine.objects.filter(year=2025).exists()


def test_a_second_line_of_a_year_region_and_kind_is_a_form_error(operator, national_lines):
    response = operator.post(NEW_POVERTY_LINE, poverty_line_form(year="2024", region_code="CN"))
    assert response.status_code == 200 and "__all__" in form_errors(response)
    assert PovertyLine.objects.filter(year=2024, region_code="CN").count() == 1


@pytest.mark.parametrize("field,value", [("amount", "-1"), ("year", "1900"), ("year", "abc"), ("amount", "lots")])
def test_impossible_amounts_and_years_are_refused(operator, field, value):
    response = operator.post(NEW_POVERTY_LINE, poverty_line_form(**{field: value}))
    assert field in form_errors(response) and not PovertyLine.objects.filter(region_code="53").exists()


# Who may


PAGES = [FEE_RULES, NEW_FEE_RULE, POVERTY_LINES, NEW_POVERTY_LINE]


@pytest.mark.parametrize("persona", ["buyer", "clerk_miaoba", "manager_miaoba", "official_zhaotong"])
@pytest.mark.parametrize("url", PAGES)
def test_nobody_but_staff_may_open_the_pages(signed_in, people, persona, url):
    assert signed_in(getattr(people, persona)).get(url).status_code == 403


@pytest.mark.parametrize("persona", ["buyer", "manager_miaoba", "official_zhaotong"])
def test_nobody_but_staff_may_change_a_rule(signed_in, people, persona):
    rule = FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.0500"))
    client = signed_in(getattr(people, persona))
    client.post(reverse("impact-dashboard:fee-rule-update", kwargs={"pk": rule.pk}), fee_rule_form(rate="0.5"))
    client.post(reverse("impact-dashboard:fee-rule-delete", kwargs={"pk": rule.pk}))
    client.post(NEW_FEE_RULE, fee_rule_form(fee_type=FeeType.PACKING))
    assert list(FeeRule.objects.values_list("fee_type", "rate")) == [("commission", Decimal("0.0500"))]


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, people):
    response = client.get(FEE_RULES)
    assert response.status_code == 302 and reverse("customer:login") in response.url


def test_inactive_staff_may_not(signed_in, people):
    staff = UserFactory(username="former", is_staff=True, is_active=False)
    assert signed_in(staff).get(FEE_RULES).status_code in (302, 403)


# The dashboard's menu


def test_the_dashboards_menu_offers_the_impact_pages_to_the_operator(operator):
    page = operator.get("/en" + reverse("dashboard:index")).content.decode()
    assert ("/en" + FEE_RULES in page, "/en" + POVERTY_LINES in page) == (True, True)


def test_the_pages_keep_the_dashboards_layout(operator):
    page = operator.get(FEE_RULES).content.decode()
    assert "oscar/css/dashboard.css" in page and "navbar-primary" in page


def test_a_sellers_dashboard_user_sees_the_dashboard_without_the_impact_menu(signed_in, people):
    """Oscar lets a partner's users (permission partner.dashboard_access) into the dashboard; the
    Impact entries check the user themselves instead of failing on Oscar's own menu check."""
    user = people.clerk_miaoba
    user.user_permissions.add(Permission.objects.get(codename="dashboard_access", content_type__app_label="partner"))
    response = signed_in(user).get(reverse("dashboard:index"))
    assert response.status_code == 200 and FEE_RULES not in response.content.decode()


# The ledger in Django's admin: to look at only, without households' names


@pytest.fixture
def credited(stations):
    """The household credited for a paid order of its goods (its credit, balance, income year)."""
    return paid_shipment().lines.get().order_line.partner.seller.household


ADMIN_PAGES = ["ledgerentry", "householdbalance", "householdyear", "payoutbatch"]


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_the_admin_lists_the_ledger_without_households_names(operator, credited, model):
    response = operator.get(reverse(f"admin:impact_{model}_changelist"))
    assert response.status_code == 200 and credited.head_name not in response.content.decode()


def test_an_entrys_admin_page_shows_the_household_by_registry_id_only(operator, credited):
    entry = LedgerEntry.objects.filter(household=credited).first()
    page = operator.get(reverse("admin:impact_ledgerentry_change", args=[entry.pk])).content.decode()
    assert credited.registry_id in page and credited.head_name not in page


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_nothing_can_be_added_in_the_admin(operator, model):
    assert operator.get(reverse(f"admin:impact_{model}_add")).status_code == 403


def test_an_entry_cannot_be_changed_or_deleted_in_the_admin(operator, credited):
    entry = LedgerEntry.objects.first()
    operator.post(reverse("admin:impact_ledgerentry_change", args=[entry.pk]), {"amount": "999.00"})
    response = operator.post(reverse("admin:impact_ledgerentry_delete", args=[entry.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount
