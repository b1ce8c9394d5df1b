from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from catalogue.models import Product
from logistics.models import Shipment, ShipmentEvent, Station
from logistics.states import State
from sellers import idnumbers
from sellers.models import Household, HouseholdMember
from sellers.partner.models import StockRecord
from shop.demo import demo_load
from shop.models import User
from shop.order.models import Order, PaymentEvent
from shop.order.refunds import REFUNDED

# pytest-django sets up the test database only for the databases the collected tests ask for:
# run alone, a module that reached the database only through a module-scoped fixture would
# load the demo into the development database's file instead.
pytestmark = pytest.mark.django_db

def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Household, HouseholdMember, Product, StockRecord, Station, Order, User, Shipment, ShipmentEvent)
    }


@pytest.fixture(scope="module")
def demo_twice(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo twice in one module-wide transaction that is rolled back afterwards."""
    from django.conf import settings
    from django.db import transaction

    with django_db_blocker.unblock():
        settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_load(log=lambda *_: None)
            first = _counts()
            demo_load(log=lambda *_: None)
            second = _counts()
            yield first, second
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_it_loads_the_promised_amounts(demo_twice):
    first, _ = demo_twice
    assert first["Household"] >= 300
    assert first["Product"] >= 40
    assert first["Station"] >= 8
    assert first["Order"] >= 3


def test_running_it_again_changes_nothing(demo_twice):
    first, second = demo_twice
    assert first == second


def test_running_it_again_adds_no_shipments(demo_twice):
    first, second = demo_twice
    assert first["Shipment"] > 0
    assert second["Shipment"] == first["Shipment"]
    assert second["ShipmentEvent"] == first["ShipmentEvent"]


def test_it_leaves_shipments_in_every_state_of_the_machine(demo_twice, django_db_blocker):
    with django_db_blocker.unblock():
        counts = {state.value: Shipment.objects.filter(status=state).count() for state in State}
        settled = Shipment.objects.filter(status=State.DELIVERED, settled_at__isnull=False).count()
    assert [state for state, count in counts.items() if count == 0] == []
    assert settled > 0


def test_every_move_is_an_event_in_the_past(demo_twice, django_db_blocker):
    with django_db_blocker.unblock():
        moved = Shipment.objects.exclude(status=State.AWAITING_INTAKE)
        assert not moved.filter(events=None).exists()
        assert not ShipmentEvent.objects.filter(at__gt=timezone.now()).exists()


def test_chilled_and_frozen_goods_are_only_at_stations_with_a_cold_chain(demo_twice, django_db_blocker):
    with django_db_blocker.unblock():
        assert Shipment.objects.exclude(storage="ambient").exists()
        assert not Shipment.objects.exclude(storage="ambient").filter(station__cold_chain=False).exists()


def test_the_miaoba_manager_finds_a_chilled_parcel_taken_in_more_than_a_day_ago(demo_twice, django_db_blocker):
    with django_db_blocker.unblock():
        waiting = Shipment.objects.filter(
            station__code="YJ-MIAOBA", status=State.RECEIVED, storage="chilled",
            received_at__lt=timezone.now() - timedelta(hours=24),
        )
        assert waiting.exists()


def test_failed_and_returned_parcels_were_refunded_through_the_demo_payment(demo_twice, django_db_blocker):
    with django_db_blocker.unblock():
        orders = Order.objects.filter(shipments__status__in=[State.QC_FAILED, State.RETURNED]).distinct()
        assert orders.exists()
        for order in orders:
            assert PaymentEvent.objects.filter(order=order, event_type__name=REFUNDED).exists()
            assert order.sources.get().amount_refunded > 0


def test_demo_id_numbers_have_valid_check_digits(demo_twice, django_db_blocker):
    with django_db_blocker.unblock():
        numbers = list(HouseholdMember.objects.values_list("id_number", flat=True))
    assert numbers and all(idnumbers.is_valid(n) for n in numbers)


def test_it_refuses_to_run_with_production_settings(settings):
    settings.DEMO_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        demo_load(log=lambda *_: None)
