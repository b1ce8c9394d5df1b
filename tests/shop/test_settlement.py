"""Settlement (`shop.order.settlement`): a delivered shipment settles once its return window
has closed (fresh food 48 h after delivery, other goods 7 days), once, whoever runs it: the
service, the management command or the Celery task."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from logistics.movement import Move, shipment_move
from logistics.states import State
from shop.order.settlement import shipment_settle, shipments_settle_due
from shop.order.tasks import settle_due_shipments
from tests.personas import A_DAY_IN_2026
from tests.shipping import moved_to, paid_shipment

# The shipments below are delivered at A_DAY_IN_2026.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]


@pytest.fixture
def fresh(people):
    """Chilled goods, delivered now."""
    return moved_to(paid_shipment(storage="chilled"), State.DELIVERED)


@pytest.fixture
def ambient(people):
    """Goods that keep a year at room temperature, delivered now."""
    return moved_to(paid_shipment(storage="ambient", shelf_life_days=365), State.DELIVERED)


def settled(shipment) -> bool:
    shipment.refresh_from_db()
    return shipment.settled_at is not None


def test_the_chilled_goods_are_fresh_and_the_others_not(fresh, ambient):
    assert (fresh.fresh, ambient.fresh) == (True, False)


def test_it_does_not_settle_fresh_food_47_hours_after_delivery(fresh, time_machine):
    time_machine.move_to(A_DAY_IN_2026 + timedelta(hours=47))

    assert shipments_settle_due() == 0
    assert not settled(fresh)


def test_it_settles_fresh_food_48_hours_after_delivery(fresh, time_machine):
    time_machine.move_to(A_DAY_IN_2026 + timedelta(hours=48))

    assert shipments_settle_due() == 1
    assert settled(fresh)


def test_it_does_not_settle_other_goods_after_2_days(ambient, time_machine):
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=2))

    assert shipments_settle_due() == 0
    assert not settled(ambient)


def test_it_does_not_settle_other_goods_a_minute_before_7_days(ambient, time_machine):
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=7, minutes=-1))

    assert shipments_settle_due() == 0


def test_it_settles_other_goods_7_days_after_delivery(ambient, time_machine):
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=7))

    assert shipments_settle_due() == 1
    assert settled(ambient)


def test_it_settles_a_shipment_once(fresh, time_machine):
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=3))
    shipments_settle_due()
    fresh.refresh_from_db()
    first = fresh.settled_at
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=4))

    assert shipments_settle_due() == 0
    assert shipment_settle(shipment=fresh) is False
    fresh.refresh_from_db()
    assert fresh.settled_at == first


def test_it_does_not_settle_a_shipment_whose_return_was_requested(fresh, time_machine):
    shipment_move(shipment=fresh, move=Move(to=State.RETURN_REQUESTED, note="鸡已变质"))
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=3))

    assert shipments_settle_due() == 0
    assert not settled(fresh)


def test_it_does_not_settle_a_shipment_still_on_its_way(people, time_machine):
    shipment = moved_to(paid_shipment(), State.IN_TRANSIT)
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=30))

    assert shipments_settle_due() == 0
    assert not settled(shipment)


def test_the_command_settles_and_says_how_many(fresh, ambient, time_machine):
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=8))
    out = StringIO()

    call_command("settle_shipments", stdout=out)

    assert "Settled 2 shipment(s)." in out.getvalue()
    assert settled(fresh) and settled(ambient)


def test_the_celery_task_settles(fresh, time_machine):
    time_machine.move_to(A_DAY_IN_2026 + timedelta(hours=49))

    assert settle_due_shipments.delay().get() == 1
    assert settled(fresh)
