"""The rules of each step of the state machine (DESIGN.md): what intake, the quality check,
dispatch, exceptions and returns ask for, and what no shipment may do. A refused move raises a
clear error and changes nothing: not the status, not the events, not the lines."""

from datetime import timedelta
from decimal import Decimal

import pytest

from catalogue.factories import ProductFactory
from logistics.models import Grade, ShipmentEvent
from logistics.movement import Intake, Move, shipment_move, shipments_move
from logistics.states import State
from shop.core.errors import IllegalState, InvalidInput
from shop.order.statuses import OrderStatus
from tests.personas import A_DAY_IN_2026, MIAOBA, POJI
from tests.shipping import moved_to, paid_order, paid_shipment, valid_move
from tests.shopping import buy, offer

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]


def intake(shipment, weight="1.800", grade=Grade.FIRST) -> dict:
    return {line.pk: Intake(Decimal(weight) if isinstance(weight, str) else weight, grade)
            for line in shipment.lines.all()}


def refused(shipment, move, error=InvalidInput) -> str:
    """Make `move`, which must be refused with `error`, and check that nothing changed; the message."""
    shipment.refresh_from_db()
    status, events = shipment.status, ShipmentEvent.objects.count()
    lines = list(shipment.lines.values_list("weight_kg", "grade", "qc_failed"))
    with pytest.raises(error) as refusal:
        shipment_move(shipment=shipment, move=move)
    shipment.refresh_from_db()
    assert (shipment.status, ShipmentEvent.objects.count()) == (status, events)
    assert list(shipment.lines.values_list("weight_kg", "grade", "qc_failed")) == lines
    assert refusal.value.message
    return refusal.value.message


@pytest.fixture
def two_lines(people):
    """A paid order of two products from Miaoba households: one shipment with two lines."""
    products = [ProductFactory(), ProductFactory()]
    for product in products:
        offer(product, township=MIAOBA, price="50.00")
    return paid_order(*products).shipments.get()


# Intake ------------------------------------------------------------------------------------------


def test_it_refuses_chilled_goods_at_a_station_without_cold_chain(people):
    shipment = paid_shipment(township=POJI, storage="chilled")

    message = refused(shipment, Move(to=State.RECEIVED, intake=intake(shipment)))

    assert "cold chain" in message or "冷链" in message


def test_it_takes_chilled_goods_in_at_a_station_with_cold_chain(people):
    shipment = paid_shipment(township=MIAOBA, storage="chilled")

    shipment_move(shipment=shipment, move=Move(to=State.RECEIVED, intake=intake(shipment)))

    shipment.refresh_from_db()
    assert shipment.status == State.RECEIVED and shipment.received_at is not None


def test_it_takes_ambient_goods_in_at_a_station_without_cold_chain(people):
    shipment = paid_shipment(township=POJI)

    shipment_move(shipment=shipment, move=Move(to=State.RECEIVED, intake=intake(shipment)))

    shipment.refresh_from_db()
    assert shipment.status == State.RECEIVED


def test_it_records_the_weight_and_grade_of_each_line(people):
    shipment = paid_shipment()

    shipment_move(shipment=shipment, move=Move(to=State.RECEIVED, intake=intake(shipment, "2.350", Grade.SECOND)))

    assert list(shipment.lines.values_list("weight_kg", "grade")) == [(Decimal("2.350"), Grade.SECOND)]


def test_it_refuses_intake_with_a_line_not_weighed(two_lines):
    first = two_lines.lines.first()

    refused(two_lines, Move(to=State.RECEIVED, intake={first.pk: Intake(Decimal("1.000"), Grade.FIRST)}))


def test_it_refuses_intake_with_no_weight(people):
    shipment = paid_shipment()

    refused(shipment, Move(to=State.RECEIVED, intake=intake(shipment, weight=None)))


@pytest.mark.parametrize("weight", ["0", "0.000", "-1.5", "500.001", "9999"])
def test_it_refuses_intake_with_an_impossible_weight(people, weight):
    shipment = paid_shipment()

    message = refused(shipment, Move(to=State.RECEIVED, intake=intake(shipment, weight)))

    assert "500" in message


@pytest.mark.parametrize("weight", ["NaN", "Infinity"])
def test_it_refuses_intake_with_a_weight_that_is_not_a_number(people, weight):
    shipment = paid_shipment()

    refused(shipment, Move(to=State.RECEIVED, intake=intake(shipment, weight)))


def test_it_takes_in_500_kg(people):
    shipment = paid_shipment()

    shipment_move(shipment=shipment, move=Move(to=State.RECEIVED, intake=intake(shipment, "500")))

    assert shipment.lines.get().weight_kg == Decimal("500.000")


@pytest.mark.parametrize("grade", ["excellent", "", "FIRST"])
def test_it_refuses_intake_with_an_unknown_grade(people, grade):
    shipment = paid_shipment()

    refused(shipment, Move(to=State.RECEIVED, intake=intake(shipment, grade=grade)))


# Quality check -----------------------------------------------------------------------------------


def test_it_marks_the_lines_that_failed_a_partly_passed_check(two_lines):
    moved_to(two_lines, State.RECEIVED)
    failed, passed = two_lines.lines.all()

    shipment_move(shipment=two_lines, move=Move(to=State.QC_PASSED, failed_lines=frozenset({failed.pk})))

    assert dict(two_lines.lines.values_list("pk", "qc_failed")) == {failed.pk: True, passed.pk: False}
    two_lines.refresh_from_db()
    assert two_lines.status == State.QC_PASSED


def test_it_refuses_a_passed_check_in_which_every_line_failed(two_lines):
    moved_to(two_lines, State.RECEIVED)

    refused(two_lines, Move(to=State.QC_PASSED, failed_lines=frozenset(two_lines.lines.values_list("pk", flat=True))))


def test_it_refuses_a_passed_check_that_fails_a_line_of_another_shipment(two_lines, people):
    moved_to(two_lines, State.RECEIVED)
    other = paid_shipment().lines.get()

    refused(two_lines, Move(to=State.QC_PASSED, failed_lines=frozenset({other.pk})))


def test_it_marks_every_line_on_a_failed_check(two_lines):
    moved_to(two_lines, State.RECEIVED)

    shipment_move(shipment=two_lines, move=Move(to=State.QC_FAILED))

    assert set(two_lines.lines.values_list("qc_failed", flat=True)) == {True}


# Dispatch ----------------------------------------------------------------------------------------


def test_it_refuses_to_hand_chilled_goods_to_a_courier_without_cold_chain(people):
    shipment = moved_to(paid_shipment(storage="chilled"), State.PACKED)

    refused(shipment, Move(to=State.DISPATCHED, carrier="ems", tracking_number="EMS123456789"))


def test_it_refuses_to_hand_frozen_goods_to_a_courier_without_cold_chain(people):
    shipment = moved_to(paid_shipment(storage="frozen"), State.PACKED)

    refused(shipment, Move(to=State.DISPATCHED, carrier="agg-express", tracking_number="AGG123456789"))


@pytest.mark.parametrize("carrier", ["sf-cold", "jd-cold", "agg-cold"])
def test_it_hands_chilled_goods_to_a_cold_chain_courier(people, carrier):
    shipment = moved_to(paid_shipment(storage="chilled"), State.PACKED)

    shipment_move(shipment=shipment, move=Move(to=State.DISPATCHED, carrier=carrier, tracking_number="CC12345678"))

    shipment.refresh_from_db()
    assert (shipment.status, shipment.carrier, shipment.tracking_number) == (State.DISPATCHED, carrier, "CC12345678")
    assert shipment.dispatched_at is not None


def test_it_refuses_a_dispatch_without_tracking_number(people):
    shipment = moved_to(paid_shipment(), State.PACKED)

    refused(shipment, Move(to=State.DISPATCHED, carrier="ems"))


@pytest.mark.parametrize("number", ["AB1", "EMS 1234", "运单12345", "X" * 65])
def test_it_refuses_a_dispatch_with_a_malformed_tracking_number(people, number):
    shipment = moved_to(paid_shipment(), State.PACKED)

    refused(shipment, Move(to=State.DISPATCHED, carrier="ems", tracking_number=number))


def test_it_refuses_a_dispatch_without_courier(people):
    shipment = moved_to(paid_shipment(), State.PACKED)

    refused(shipment, Move(to=State.DISPATCHED, tracking_number="EMS123456789"))


def test_it_refuses_a_dispatch_to_an_unknown_courier(people):
    shipment = moved_to(paid_shipment(), State.PACKED)

    refused(shipment, Move(to=State.DISPATCHED, carrier="pigeon", tracking_number="EMS123456789"))


def test_it_dispatches_again_after_an_exception_with_the_same_courier(people):
    shipment = moved_to(paid_shipment(), State.EXCEPTION)

    shipment_move(shipment=shipment, move=Move(to=State.DISPATCHED))

    shipment.refresh_from_db()
    assert (shipment.status, shipment.carrier) == (State.DISPATCHED, "ems")


# Exceptions and returns --------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "   "])
def test_it_refuses_an_exception_without_a_note(people, note):
    shipment = moved_to(paid_shipment(), State.DISPATCHED)

    refused(shipment, Move(to=State.EXCEPTION, note=note))


def test_it_refuses_a_return_request_without_a_note(people):
    shipment = moved_to(paid_shipment(), State.DELIVERED)

    refused(shipment, Move(to=State.RETURN_REQUESTED))


def test_it_takes_a_return_request_of_fresh_food_within_48_hours(people, time_machine):
    shipment = moved_to(paid_shipment(storage="chilled"), State.DELIVERED)
    time_machine.move_to(A_DAY_IN_2026 + timedelta(hours=47, minutes=59))

    shipment_move(shipment=shipment, move=Move(to=State.RETURN_REQUESTED, note="鸡已变质"))

    shipment.refresh_from_db()
    assert shipment.status == State.RETURN_REQUESTED


def test_it_refuses_a_return_request_of_fresh_food_after_48_hours(people, time_machine):
    shipment = moved_to(paid_shipment(storage="chilled"), State.DELIVERED)
    time_machine.move_to(A_DAY_IN_2026 + timedelta(hours=48, minutes=1))

    message = refused(shipment, Move(to=State.RETURN_REQUESTED, note="鸡已变质"))

    assert "2026-06-17 10:00" in message


def test_it_refuses_a_return_request_of_other_goods_after_7_days(people, time_machine):
    shipment = moved_to(paid_shipment(shelf_life_days=365), State.DELIVERED)
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=7, minutes=1))

    refused(shipment, Move(to=State.RETURN_REQUESTED, note="绣片有破洞"))


def test_it_takes_a_return_request_of_other_goods_after_3_days(people, time_machine):
    shipment = moved_to(paid_shipment(shelf_life_days=365), State.DELIVERED)
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=3))

    shipment_move(shipment=shipment, move=Move(to=State.RETURN_REQUESTED, note="绣片有破洞"))

    shipment.refresh_from_db()
    assert shipment.status == State.RETURN_REQUESTED


# No move at all ----------------------------------------------------------------------------------


def test_it_does_not_move_a_shipment_of_an_unpaid_order(people):
    product = ProductFactory()
    offer(product)
    shipment = buy(product).shipments.get()

    message = refused(shipment, valid_move(shipment, State.RECEIVED), IllegalState)

    assert "paid" in message or "付款" in message or "支付" in message


def test_it_does_not_move_a_shipment_of_a_cancelled_order(people):
    shipment = paid_shipment()
    shipment.order.set_status(OrderStatus.CANCELLED)

    refused(shipment, valid_move(shipment, State.RECEIVED), IllegalState)


def test_it_refuses_an_unknown_move(people):
    shipment = paid_shipment()

    refused(shipment, Move(to="lost"))


def test_it_refuses_a_move_of_no_shipment(people):
    with pytest.raises(InvalidInput):
        shipments_move(shipment_ids=[], move=Move(to=State.RECEIVED))


# Batches -----------------------------------------------------------------------------------------


def test_it_moves_a_batch_whole(people):
    first, second = moved_to(paid_shipment(), State.QC_PASSED), moved_to(paid_shipment(), State.QC_PASSED)

    moved = shipments_move(shipment_ids=[first.pk, second.pk], move=Move(to=State.PACKED), by=people.clerk_miaoba)

    assert {m.shipment.pk for m in moved} == {first.pk, second.pk}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (State.PACKED, State.PACKED)


def test_it_moves_none_of_a_batch_in_which_one_cannot_move_and_names_its_order(people):
    ready = [moved_to(paid_shipment(), State.QC_PASSED) for _ in range(2)]
    behind = moved_to(paid_shipment(), State.RECEIVED)
    events = ShipmentEvent.objects.count()

    with pytest.raises(IllegalState) as refusal:
        shipments_move(shipment_ids=[s.pk for s in [*ready, behind]], move=Move(to=State.PACKED))

    assert list(refusal.value.fields) == [str(behind.order.number)]
    assert [s.status for s in type(behind).objects.filter(pk__in=[s.pk for s in ready])] == [State.QC_PASSED] * 2
    behind.refresh_from_db()
    assert (behind.status, ShipmentEvent.objects.count()) == (State.RECEIVED, events)


def test_it_moves_none_of_a_batch_in_which_one_is_not_paid(people):
    ready = paid_shipment()
    product = ProductFactory()
    offer(product)
    unpaid = buy(product).shipments.get()

    with pytest.raises(IllegalState) as refusal:
        shipments_move(shipment_ids=[ready.pk, unpaid.pk], move=valid_move(ready, State.RECEIVED))

    assert list(refusal.value.fields) == [str(unpaid.order.number)]
    ready.refresh_from_db()
    assert ready.status == State.AWAITING_INTAKE and not ready.events.exists()


def test_it_refuses_a_batch_naming_a_shipment_that_does_not_exist(people):
    shipment = moved_to(paid_shipment(), State.QC_PASSED)

    with pytest.raises(InvalidInput):
        shipments_move(shipment_ids=[shipment.pk, shipment.pk + 1000], move=Move(to=State.PACKED))

    shipment.refresh_from_db()
    assert shipment.status == State.QC_PASSED


def test_it_records_a_couriers_move_at_the_time_it_happened(people, time_machine):
    shipment = moved_to(paid_shipment(), State.IN_TRANSIT)
    happened = shipment.status_changed_at + timedelta(minutes=5)
    time_machine.move_to(happened + timedelta(hours=1), tick=False)  # the report arrives an hour late

    shipment_move(shipment=shipment, move=Move(to=State.DELIVERED), source="carrier:ems", at=happened)

    shipment.refresh_from_db()
    assert shipment.delivered_at == happened == shipment.events.last().at


def test_it_never_records_a_move_before_the_last_one_or_in_the_future(people):
    shipment = moved_to(paid_shipment(), State.IN_TRANSIT)
    last = shipment.status_changed_at

    shipment_move(shipment=shipment, move=Move(to=State.DELIVERED), at=last - timedelta(days=3))

    shipment.refresh_from_db()
    assert shipment.delivered_at == last
