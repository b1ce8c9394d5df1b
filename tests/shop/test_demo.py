import pytest
from django.core.exceptions import ImproperlyConfigured

from catalogue.models import Product
from logistics.models import Station
from sellers import idnumbers
from sellers.models import Household, HouseholdMember
from sellers.partner.models import StockRecord
from shop.demo import demo_load
from shop.models import User
from shop.order.models import Order

# pytest-django sets up the test database only for the databases the collected tests ask for:
# run alone, a module that reached the database only through a module-scoped fixture would
# load the demo into the development database's file instead.
pytestmark = pytest.mark.django_db

def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Household, HouseholdMember, Product, StockRecord, Station, Order, User)
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


def test_demo_id_numbers_have_valid_check_digits(demo_twice, django_db_blocker):
    with django_db_blocker.unblock():
        numbers = list(HouseholdMember.objects.values_list("id_number", flat=True))
    assert numbers and all(idnumbers.is_valid(n) for n in numbers)


def test_it_refuses_to_run_with_production_settings(settings):
    settings.DEMO_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        demo_load(log=lambda *_: None)
