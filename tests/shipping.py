"""Paid shipments at a station and the moves that bring them to a state, for the logistics tests."""

from decimal import Decimal

from oscar.apps.basket.models import Basket
from oscar.apps.payment.models import SourceType
from oscar.test.factories import create_order

from catalogue.factories import ProductFactory
from logistics.models import Grade, Shipment
from logistics.movement import Intake, Move, shipment_move
from logistics.states import State
from sellers.partner.strategy import WumengStrategy
from shop.checkout.views import DEMO_SOURCE
from shop.order.statuses import OrderStatus
from tests.personas import MIAOBA
from tests.shopping import buy, offer

# The moves that bring a new shipment to each state, in order (the first way there).
PATH = {
    State.AWAITING_INTAKE: [],
    State.RECEIVED: [State.RECEIVED],
    State.QC_PASSED: [State.RECEIVED, State.QC_PASSED],
    State.QC_FAILED: [State.RECEIVED, State.QC_FAILED],
    State.PACKED: [State.RECEIVED, State.QC_PASSED, State.PACKED],
    State.DISPATCHED: [State.RECEIVED, State.QC_PASSED, State.PACKED, State.DISPATCHED],
    State.IN_TRANSIT: [State.RECEIVED, State.QC_PASSED, State.PACKED, State.DISPATCHED, State.IN_TRANSIT],
    State.DELIVERED: [
        State.RECEIVED, State.QC_PASSED, State.PACKED, State.DISPATCHED, State.IN_TRANSIT, State.DELIVERED,
    ],
    State.EXCEPTION: [State.RECEIVED, State.QC_PASSED, State.PACKED, State.DISPATCHED, State.EXCEPTION],
    State.RETURN_REQUESTED: [
        State.RECEIVED, State.QC_PASSED, State.PACKED, State.DISPATCHED, State.IN_TRANSIT, State.DELIVERED,
        State.RETURN_REQUESTED,
    ],
    State.RETURNED: [
        State.RECEIVED, State.QC_PASSED, State.PACKED, State.DISPATCHED, State.EXCEPTION, State.RETURNED,
    ],
}


def paid_shipment(*, township=MIAOBA, quantity=1, user=None, **product_fields) -> Shipment:
    """A paid order of one product from a household of `township`: its one shipment."""
    product = ProductFactory(**product_fields)
    offer(product, township=township, price="50.00")
    order = buy(product, quantity, user=user)
    demo_paid(order)
    order.set_status(OrderStatus.PAID)
    return order.shipments.get()


def paid_order(*products, quantity=1, user=None):
    """One paid order of `quantity` units of each of `products` (offered already): a shipment
    per station whose households supply them."""
    basket = Basket.objects.create(owner=user)
    basket.strategy = WumengStrategy()
    for product in products:
        basket.add_product(product, quantity=quantity)
    order = create_order(basket=basket, user=user)
    demo_paid(order)
    order.set_status(OrderStatus.PAID)
    return order


def demo_paid(order) -> None:
    """The order's money taken by the demo payment, as the checkout records it."""
    source_type, _created = SourceType.objects.get_or_create(code=DEMO_SOURCE, defaults={"name": "Demo"})
    order.sources.create(source_type=source_type, currency=order.currency, amount_allocated=order.total_incl_tax,
                         amount_debited=order.total_incl_tax, reference=f"demo-{order.number}")


def valid_move(shipment: Shipment, to: str) -> Move:
    """A move to `to` with everything its step asks for (weights, a courier, a note)."""
    if to == State.RECEIVED:
        intake = {line.pk: Intake(Decimal("1.800"), Grade.FIRST) for line in shipment.lines.all()}
        return Move(to=to, intake=intake)
    if to == State.DISPATCHED:
        carrier = "sf-cold" if shipment.needs_cold_chain else "ems"
        return Move(to=to, carrier=carrier, tracking_number="SF1234567890")
    if to in (State.EXCEPTION, State.RETURN_REQUESTED):
        return Move(to=to, note="包裹破损")
    return Move(to=to)


def moved_to(shipment: Shipment, state: str, *, by=None) -> Shipment:
    for step in PATH[State(state)]:
        shipment_move(shipment=shipment, move=valid_move(shipment, step), by=by)
    shipment.refresh_from_db()
    return shipment
