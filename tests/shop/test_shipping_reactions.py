"""What the shop does when a shipment moves (`shop.order.shipping_reactions`): the order's lines
and Oscar's shipping events follow the station, the order is shipped and delivered with its
parcels, and goods that failed the check or came back are refunded, in the move's transaction."""

from decimal import Decimal

import pytest

from catalogue.factories import ProductFactory
from logistics.models import ShipmentEvent
from logistics.movement import Move, shipment_move
from logistics.states import State
from sellers.partner.models import StockRecord
from shop.core.errors import InvalidInput
from shop.order.models import Order, PaymentEvent, ShippingEvent
from shop.order.refunds import REFUNDED
from shop.order.statuses import OrderStatus
from tests.personas import A_DAY_IN_2026, MIAOBA, POJI
from tests.shipping import moved_to, paid_order, paid_shipment
from tests.shopping import buy, offer

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]


@pytest.fixture
def two_lines(people):
    """A paid order of 2 units each of two products from Miaoba households (¥50.00 a unit):
    one shipment with two lines, each from its own stock record of 10 units."""
    products = [ProductFactory(), ProductFactory()]
    for product in products:
        offer(product, township=MIAOBA, price="50.00", stock=10)
    return paid_order(*products, quantity=2).shipments.get()


@pytest.fixture
def two_stations(people):
    """A paid order of a product from Miaoba and an ambient one from Poji: two shipments."""
    miaoba, poji = ProductFactory(), ProductFactory(storage="ambient")
    offer(miaoba, township=MIAOBA, price="50.00")
    offer(poji, township=POJI, price="30.00")
    order = paid_order(miaoba, poji)
    return order.shipments.get(station__township_id=MIAOBA), order.shipments.get(station__township_id=POJI)


def order_of(shipment) -> Order:
    return Order.objects.get(pk=shipment.order_id)


def refunds_of(order) -> list[PaymentEvent]:
    return list(PaymentEvent.objects.filter(order=order, event_type__name=REFUNDED))


def fail_first_line(shipment):
    moved_to(shipment, State.RECEIVED)
    failed, passed = (line.order_line for line in shipment.lines.select_related("order_line"))
    shipment_move(shipment=shipment, move=Move(to=State.QC_PASSED, failed_lines=frozenset({failed.shipment_line.pk})))
    return failed, passed


# The order's lines and Oscar's shipping events ----------------------------------------------------


def test_it_gives_the_order_lines_the_shipments_status(people):
    shipment = moved_to(paid_shipment(), State.DISPATCHED)

    assert list(shipment.order.lines.values_list("status", flat=True)) == [State.DISPATCHED]


def test_it_puts_the_lines_of_a_paid_order_in_the_stations_queue(people):
    shipment = paid_shipment()

    assert list(shipment.order.lines.values_list("status", flat=True)) == [State.AWAITING_INTAKE]


def test_it_keeps_a_line_that_failed_the_check_apart_from_the_others(two_lines):
    failed, passed = fail_first_line(two_lines)

    shipment_move(shipment=two_lines, move=Move(to=State.PACKED))

    failed.refresh_from_db()
    passed.refresh_from_db()
    assert (failed.status, passed.status) == (State.QC_FAILED, State.PACKED)


def test_it_records_an_oscar_shipping_event_per_move(people):
    shipment = moved_to(paid_shipment(), State.PACKED)

    events = ShippingEvent.objects.filter(order_id=shipment.order_id).order_by("id")
    assert [event.event_type.code for event in events] == ["received", "qc_passed", "packed"]


def test_it_names_the_lines_and_quantities_in_the_shipping_event(people):
    shipment = moved_to(paid_shipment(quantity=3), State.RECEIVED)

    event = ShippingEvent.objects.get(order_id=shipment.order_id)
    line = shipment.order.lines.get()
    assert [(q.line_id, q.quantity) for q in event.line_quantities.all()] == [(line.pk, 3)]


def test_it_writes_the_courier_and_tracking_number_in_the_shipping_event_notes(people):
    shipment = moved_to(paid_shipment(), State.DISPATCHED)

    event = ShippingEvent.objects.filter(order_id=shipment.order_id).latest("id")
    assert "ems" in event.notes and "SF1234567890" in event.notes


# The order's status -------------------------------------------------------------------------------


def test_it_ships_an_order_once_its_one_shipment_is_dispatched(people):
    shipment = moved_to(paid_shipment(), State.DISPATCHED)

    assert order_of(shipment).status == OrderStatus.SHIPPED


def test_it_does_not_ship_an_order_while_one_of_its_shipments_is_at_a_station(two_stations):
    miaoba, poji = two_stations

    moved_to(miaoba, State.DISPATCHED)
    moved_to(poji, State.PACKED)

    assert order_of(miaoba).status == OrderStatus.PAID


def test_it_ships_an_order_once_all_its_shipments_are_dispatched(two_stations):
    miaoba, poji = two_stations

    moved_to(miaoba, State.DISPATCHED)
    moved_to(poji, State.DISPATCHED)

    assert order_of(miaoba).status == OrderStatus.SHIPPED


def test_it_does_not_deliver_an_order_while_one_of_its_shipments_travels(two_stations):
    miaoba, poji = two_stations

    moved_to(miaoba, State.DISPATCHED)
    moved_to(poji, State.DELIVERED)

    assert order_of(miaoba).status == OrderStatus.SHIPPED


def test_it_delivers_an_order_once_all_its_shipments_are_delivered(two_stations):
    miaoba, poji = two_stations

    moved_to(miaoba, State.DELIVERED)
    moved_to(poji, State.DELIVERED)

    assert order_of(miaoba).status == OrderStatus.DELIVERED


def test_it_delivers_an_order_whose_other_shipment_failed_the_check(two_stations):
    miaoba, poji = two_stations

    moved_to(poji, State.QC_FAILED)
    moved_to(miaoba, State.DELIVERED)

    assert order_of(miaoba).status == OrderStatus.DELIVERED


def test_it_cancels_an_order_whose_every_line_failed_the_check(people):
    shipment = moved_to(paid_shipment(), State.QC_FAILED)

    assert order_of(shipment).status == OrderStatus.CANCELLED


def test_it_cancels_an_order_whose_every_shipment_failed_the_check(two_stations):
    miaoba, poji = two_stations

    moved_to(miaoba, State.QC_FAILED)
    moved_to(poji, State.QC_FAILED)

    assert order_of(miaoba).status == OrderStatus.CANCELLED


# Refunds ------------------------------------------------------------------------------------------


def test_it_refunds_a_line_that_failed_the_check(two_lines):
    failed, _passed = fail_first_line(two_lines)

    (refund,) = refunds_of(two_lines.order)
    assert refund.amount == failed.line_price_incl_tax == Decimal("100.00")
    assert [(q.line_id, q.quantity) for q in refund.line_quantities.all()] == [(failed.pk, 2)]
    assert two_lines.order.sources.get().amount_refunded == Decimal("100.00")


def test_it_does_not_refund_the_line_that_passed(two_lines):
    _failed, passed = fail_first_line(two_lines)

    assert not PaymentEvent.objects.filter(line_quantities__line=passed).exists()


def test_it_keeps_the_order_open_when_only_some_lines_failed(two_lines):
    fail_first_line(two_lines)

    assert order_of(two_lines).status == OrderStatus.PAID


def test_it_refunds_every_line_of_a_shipment_that_failed_the_check(two_lines):
    moved_to(two_lines, State.QC_FAILED)

    (refund,) = refunds_of(two_lines.order)
    assert refund.amount == Decimal("200.00")


def test_it_gives_the_households_their_stock_back_for_a_line_that_failed(two_lines):
    failed, passed = fail_first_line(two_lines)

    allocated = dict(StockRecord.objects.filter(pk__in=[failed.stockrecord_id, passed.stockrecord_id])
                     .values_list("pk", "num_allocated"))
    assert allocated == {failed.stockrecord_id: 0, passed.stockrecord_id: 2}


def test_it_refunds_the_lines_of_a_returned_shipment(two_lines):
    moved_to(two_lines, State.RETURNED)

    (refund,) = refunds_of(two_lines.order)
    assert refund.amount == Decimal("200.00")
    assert sorted(q.quantity for q in refund.line_quantities.all()) == [2, 2]


def test_it_refunds_a_shipment_returned_after_delivery(people):
    shipment = moved_to(paid_shipment(quantity=2), State.RETURN_REQUESTED)

    shipment_move(shipment=shipment, move=Move(to=State.RETURNED))

    (refund,) = refunds_of(shipment.order)
    assert refund.amount == Decimal("100.00")
    assert order_of(shipment).status == OrderStatus.CANCELLED  # refunded in full


def test_it_refunds_only_the_lines_left_when_a_shipment_with_a_failed_line_comes_back(two_lines):
    failed, passed = fail_first_line(two_lines)
    shipment_move(shipment=two_lines, move=Move(to=State.PACKED))
    shipment_move(shipment=two_lines, move=Move(to=State.DISPATCHED, carrier="ems", tracking_number="EMS12345678"))
    shipment_move(shipment=two_lines, move=Move(to=State.EXCEPTION, note="派送失败"))

    shipment_move(shipment=two_lines, move=Move(to=State.RETURNED))

    refunds = refunds_of(two_lines.order)
    assert [r.amount for r in refunds] == [Decimal("100.00"), Decimal("100.00")]
    assert [q.line_id for q in refunds[1].line_quantities.all()] == [passed.pk]
    assert two_lines.order.sources.get().amount_refunded == Decimal("200.00")


def test_a_refund_that_fails_undoes_the_move(people):
    product = ProductFactory()
    offer(product)
    order = buy(product)
    order.set_status(OrderStatus.PAID)  # paid, yet no payment recorded: nothing to refund from
    shipment = moved_to(order.shipments.get(), State.RECEIVED)
    events, shipping_events = ShipmentEvent.objects.count(), ShippingEvent.objects.count()

    with pytest.raises(InvalidInput):
        shipment_move(shipment=shipment, move=Move(to=State.QC_FAILED))

    shipment.refresh_from_db()
    assert (shipment.status, ShipmentEvent.objects.count(), ShippingEvent.objects.count()) == (
        State.RECEIVED, events, shipping_events
    )
    assert list(order.lines.values_list("status", flat=True)) == [State.RECEIVED]
    assert not shipment.lines.get().qc_failed


# Bought through the real checkout, so the buyer paid the station's delivery charge ------------


@pytest.fixture
def checked_out(people, stations, client):
    """Two units of a Miaoba product bought through the checkout pages (demo payment)."""
    from tests.shopping import checkout_two_units

    product = ProductFactory()
    offer(product, township=MIAOBA, price="50.00")
    client.force_login(people.buyer)
    checkout_two_units(client, product)
    return Order.objects.get(user=people.buyer).shipments.get()


def test_it_refunds_the_delivery_charge_with_a_shipment_that_failed_the_check(checked_out):
    moved_to(checked_out, State.QC_FAILED)

    order = Order.objects.get(pk=checked_out.order_id)
    assert order.shipping_incl_tax == checked_out.delivery_charge > 0
    assert order.sources.get().amount_refunded == order.total_incl_tax


def test_it_refunds_the_delivery_charge_with_a_returned_shipment(checked_out):
    moved_to(checked_out, State.RETURNED)

    order = Order.objects.get(pk=checked_out.order_id)
    assert order.sources.get().amount_refunded == order.total_incl_tax


def test_it_keeps_the_delivery_charge_when_only_some_goods_failed(people, stations, client):
    from django.urls import reverse

    from tests.shopping import ADDRESS, place_order

    products = [ProductFactory(), ProductFactory()]
    for product in products:
        offer(product, township=MIAOBA, price="50.00")
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    client.force_login(people.buyer)
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.get(reverse("checkout:shipping-method"))
    place_order(client)
    shipment = Order.objects.get().shipments.get()
    shipment = moved_to(shipment, State.RECEIVED)
    failed = shipment.lines.first()

    shipment_move(shipment=shipment, move=Move(to=State.QC_PASSED, failed_lines=frozenset({failed.pk})))

    assert Order.objects.get().sources.get().amount_refunded == failed.order_line.line_price_incl_tax


def test_it_cancels_an_order_whose_only_parcel_came_back(people):
    shipment = moved_to(paid_shipment(), State.RETURNED)

    assert Order.objects.get(pk=shipment.order_id).status == OrderStatus.CANCELLED

