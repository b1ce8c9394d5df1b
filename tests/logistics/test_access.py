"""Who may read and change which township (`logistics.access`), and the one household or listing
a scope may open (`sellers.selectors`): the same answers for the API and the console."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from catalogue.factories import ProductFactory
from logistics.access import NOBODY, scope_for
from logistics.models import Station
from sellers.selectors import household_for_scope, listing_for_scope
from sellers.services import household_seller_ensure, stock_offer
from shop.core.errors import NotFound, OutOfScope
from shop.factories import UserFactory
from tests.personas import MIAOBA, POJI

pytestmark = pytest.mark.django_db

PERSONAS = ["clerk_miaoba", "manager_miaoba", "clerk_poji", "official_yanjin", "official_zhaotong", "buyer", "anonymous"]

# Miaoba is a township of Yanjin county, Poji one of Zhenxiong; both are in Zhaotong.
READS = {
    "clerk_miaoba": {MIAOBA},
    "manager_miaoba": {MIAOBA},
    "clerk_poji": {POJI},
    "official_yanjin": {MIAOBA},
    "official_zhaotong": {MIAOBA, POJI},
    "buyer": set(),
    "anonymous": set(),
}
WRITES = {**{persona: set() for persona in PERSONAS}, "clerk_miaoba": {MIAOBA}, "manager_miaoba": {MIAOBA}, "clerk_poji": {POJI}}
HOUSEHOLD_OF = {MIAOBA: "household_miaoba", POJI: "household_poji"}
CASES = [(persona, township) for persona in PERSONAS for township in (MIAOBA, POJI)]
CASE_IDS = [f"{persona}-{'miaoba' if township == MIAOBA else 'poji'}" for persona, township in CASES]


def user_of(people, persona):
    return AnonymousUser() if persona == "anonymous" else getattr(people, persona)


def scope_of(people, persona):
    return scope_for(user_of(people, persona))


def opened(selector, **kwargs):
    """What a selector answers: the household or listing, or OutOfScope."""
    try:
        return selector(**kwargs)
    except OutOfScope:
        return OutOfScope


@pytest.fixture
def listings(people):
    """A listing of each household: {township code: stock record}."""
    product = ProductFactory(title="苦荞粉")
    return {
        township: stock_offer(seller=household_seller_ensure(household=getattr(people, household)), product=product,
                              price=Decimal("30.00"), stock=5)
        for township, household in HOUSEHOLD_OF.items()
    }


# The scope: logistics.access -----------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reads_exactly_its_townships(people, persona):
    scope = scope_of(people, persona)
    assert {code for code in (MIAOBA, POJI) if scope.can_read_township(code)} == READS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_station_staff_change_their_own_township(people, persona):
    scope = scope_of(people, persona)
    assert {code for code in (MIAOBA, POJI) if scope.can_write_township(code)} == WRITES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_station_staff_and_officials_read_the_registry_and_nobody_else(people, persona):
    assert scope_of(people, persona).can_read_registry == (persona not in ("buyer", "anonymous"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_households_own_station_manager_sees_its_personal_data(people, persona):
    scope = scope_of(people, persona)
    assert scope.sees_personal_data(people.household_miaoba) == (persona == "manager_miaoba")
    assert not scope.sees_personal_data(people.household_poji)


def test_it_gives_an_anonymous_visitor_no_scope(people):
    assert scope_for(AnonymousUser()) == NOBODY and scope_for(None) == NOBODY


def test_it_gives_a_deactivated_clerk_no_scope(people):
    people.clerk_miaoba.is_active = False
    assert scope_for(people.clerk_miaoba) == NOBODY


def test_the_staff_of_a_closed_station_lose_their_township(people):
    Station.objects.filter(township_id=MIAOBA).update(is_active=False)
    scope = scope_for(people.clerk_miaoba)
    assert not scope.can_read_township(MIAOBA) and not scope.can_read_registry


def test_the_operator_reads_and_changes_every_township(people):
    scope = scope_for(UserFactory(username="operator", is_superuser=True, is_staff=True))
    assert all(scope.can_read_township(code) and scope.can_write_township(code) for code in (MIAOBA, POJI))


def test_it_computes_a_users_scope_once(people, django_assert_num_queries):
    first = scope_for(people.official_yanjin)
    with django_assert_num_queries(0):
        assert scope_for(people.official_yanjin) is first


# One household for a scope: sellers.selectors.household_for_scope -------------------------------


@pytest.mark.parametrize(("persona", "township"), CASES, ids=CASE_IDS)
def test_a_household_opens_for_reading_in_the_scope_and_is_out_of_scope_elsewhere(people, persona, township):
    household = getattr(people, HOUSEHOLD_OF[township])
    expected = household if township in READS[persona] else OutOfScope
    assert opened(household_for_scope, scope=scope_of(people, persona), registry_id=household.registry_id) == expected


@pytest.mark.parametrize(("persona", "township"), CASES, ids=CASE_IDS)
def test_a_household_opens_for_changing_only_for_its_own_stations_staff(people, persona, township):
    household = getattr(people, HOUSEHOLD_OF[township])
    expected = household if township in WRITES[persona] else OutOfScope
    assert opened(household_for_scope, scope=scope_of(people, persona), registry_id=household.registry_id, write=True) == expected


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_an_unknown_registry_id_is_not_found_for_anyone(people, persona, write):
    with pytest.raises(NotFound):
        household_for_scope(scope=scope_of(people, persona), registry_id="5306231059999999", write=write)


# One listing for a scope: sellers.selectors.listing_for_scope -----------------------------------


@pytest.mark.parametrize(("persona", "township"), CASES, ids=CASE_IDS)
def test_a_listing_opens_for_reading_in_the_scope_and_is_out_of_scope_elsewhere(people, listings, persona, township):
    record = listings[township]
    expected = record if township in READS[persona] else OutOfScope
    assert opened(listing_for_scope, scope=scope_of(people, persona), pk=record.pk) == expected


@pytest.mark.parametrize(("persona", "township"), CASES, ids=CASE_IDS)
def test_a_listing_opens_for_changing_only_for_its_own_stations_staff(people, listings, persona, township):
    record = listings[township]
    expected = record if township in WRITES[persona] else OutOfScope
    assert opened(listing_for_scope, scope=scope_of(people, persona), pk=record.pk, write=True) == expected


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_an_unknown_listing_id_is_not_found_for_anyone(people, listings, persona, write):
    unknown = max(record.pk for record in listings.values()) + 1000
    with pytest.raises(NotFound):
        listing_for_scope(scope=scope_of(people, persona), pk=unknown, write=write)


# The same answer at both doors -----------------------------------------------------------------


def _statuses(people, as_clerk_poji, signed_in, registry_id):
    api = as_clerk_poji.get(f"/api/v1/households/{registry_id}/")
    console = signed_in(people.clerk_poji).get(reverse("station:household", args=[registry_id]))
    return api.status_code, console.status_code


def test_the_api_and_the_console_both_refuse_another_townships_household_with_403(people, as_clerk_poji, signed_in):
    assert _statuses(people, as_clerk_poji, signed_in, people.household_miaoba.registry_id) == (403, 403)


def test_the_api_and_the_console_both_answer_404_for_an_unknown_household(people, as_clerk_poji, signed_in):
    assert _statuses(people, as_clerk_poji, signed_in, "5306271029999999") == (404, 404)
