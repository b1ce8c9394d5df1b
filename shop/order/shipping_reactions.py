"""What the shop does when a shipment moves or an order's money arrives: the cross-domain
reactions that logistics, knowing nothing of money, leaves to the commerce layer.

- paid → the order's shipments join their stations' queues;
- cancelled → shipments not yet taken in leave them;
- every move → the order lines take the shipment's status and Oscar records a shipping event,
  so the buyer's order page and the dashboard show what the station sees;
- all shipments with the courier → the order is shipped; all delivered → delivered;
- a line fails QC, or a shipment comes back → its money goes back to the buyer.

Receivers run inside the move's transaction: a refund that fails undoes the move."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from oscar.apps.order.signals import order_status_changed

from logistics.models import Shipment, ShipmentStatus
from logistics.services import shipments_mark_cancelled, shipments_mark_paid
from logistics.signals import shipments_moved
from logistics.states import WITH_CARRIER, State
from shop.order.ledger import order_paid_credit
from shop.order.models import Line, Order, ShippingEvent, ShippingEventQuantity, ShippingEventType
from shop.order.refunds import order_refund, refunded_quantities
from shop.order.settlement import shipment_settled
from shop.order.statuses import OrderStatus
from shop.order.tasks import sms_households_settled, sms_households_sold

# The order is shipped once none of its parcels is still at a station, delivered once all arrived.
PAST_STATION = WITH_CARRIER | {State.DELIVERED, State.RETURN_REQUESTED, State.RETURNED, State.QC_FAILED}
ARRIVED = {State.DELIVERED, State.RETURN_REQUESTED, State.QC_FAILED}


def order_lines_await_intake(*, order: Order) -> None:
    """Paid: the lines wait at their stations (one query)."""
    order.lines.update(status=State.AWAITING_INTAKE)


def households_told_sold(*, order: Order) -> None:
    """Paid: once the payment commits, each household that sold is texted (no query here)."""
    order_id = order.pk
    # robust: a broker that is down loses the texts, not the committed payment.
    transaction.on_commit(lambda: sms_households_sold.delay(order_id), robust=True)


@receiver(shipment_settled, dispatch_uid="shop.order.shipping_reactions.shipment_settled")
def on_shipment_settled(sender, shipment, **kwargs):
    shipment_id = shipment.pk
    transaction.on_commit(lambda: sms_households_settled.delay(shipment_id), robust=True)


@receiver(order_status_changed, dispatch_uid="shop.order.shipping_reactions.order_status_changed")
def on_order_status_changed(sender, order, old_status, new_status, **kwargs):
    if new_status == OrderStatus.PAID:
        shipments_mark_paid(order=order)
        order_lines_await_intake(order=order)
        order_paid_credit(order=order)
        households_told_sold(order=order)
    elif new_status == OrderStatus.CANCELLED:
        shipments_mark_cancelled(order=order)
        order.lines.filter(status__in=[OrderStatus.PENDING, State.AWAITING_INTAKE]).update(
            status=OrderStatus.CANCELLED
        )


@receiver(shipments_moved, dispatch_uid="shop.order.shipping_reactions.shipments_moved")
def on_shipments_moved(sender, moved, by, **kwargs):
    # The move read its lines with their order lines: nothing here asks for them again.
    to = moved[0].event.type
    lines_follow_shipments(moved, to)
    shipping_events_record(moved)
    orders_follow_shipments({m.shipment.order for m in moved}, to)
    # Orders in id order, as every refund locks its order: two batches returning parcels of the
    # same orders queue instead of deadlocking.
    for m in sorted(moved, key=lambda m: m.shipment.order_id):
        shipment_refund(m, by)


def shipment_refund(m, by) -> None:
    """Failed lines go back to the buyer; a parcel that never reaches them usable (every line failed,
    or it came back) costs them nothing, its delivery charge included."""
    to = m.event.type
    if to == State.QC_FAILED:
        lines_refund(m.shipment.order, m.lines, by,
                     _("Failed the quality check at the station."), delivery=m.shipment.delivery_charge)
    elif m.failed_lines:
        lines_refund(m.shipment.order, m.failed_lines, by, _("Failed the quality check at the station."))
    elif to == State.RETURNED:
        kept = [line for line in m.lines if not line.qc_failed]
        lines_refund(m.shipment.order, kept, by, _("The parcel came back."), delivery=m.shipment.delivery_charge)


def lines_follow_shipments(moved, to: str) -> None:
    lines = [line for m in moved for line in m.lines]
    passed = [line.order_line_id for line in lines if not line.qc_failed]
    failed = [line.order_line_id for line in lines if line.qc_failed]
    if passed:
        Line.objects.filter(pk__in=passed).update(status=to)
    if failed and to in (State.QC_PASSED, State.QC_FAILED):
        Line.objects.filter(pk__in=failed).update(status=State.QC_FAILED)


def shipping_events_record(moved) -> None:
    """One Oscar shipping event per shipment, naming the lines it moved."""
    to = moved[0].event.type
    event_type = shipping_event_type(to)
    events = [
        ShippingEvent(order_id=m.shipment.order_id, event_type=event_type, notes=event_notes(m))
        for m in moved
    ]
    ShippingEvent.objects.bulk_create(events)
    ShippingEventQuantity.objects.bulk_create(
        ShippingEventQuantity(event=event, line_id=line.order_line_id, quantity=line.order_line.quantity)
        for m, event in zip(moved, events, strict=True)
        for line in m.lines
    )


# Oscar's event type of each shipment status, made by `shipping_event_types_ensure` after every
# migrate (and every flush of a test database, which is followed by one) and remembered by the
# process: a move then spends no query looking its type up.
EVENT_TYPES: dict[str, ShippingEventType] = {}


def shipping_event_types_ensure(**kwargs) -> None:
    """A post_migrate receiver: the event types exist, and the process knows the ones just read."""
    EVENT_TYPES.clear()
    for status in ShipmentStatus:
        shipping_event_type(status)


def shipping_event_type(status: str) -> ShippingEventType:
    if status not in EVENT_TYPES:
        with translation.override(settings.LANGUAGE_CODE):  # the shop's records are in the site's language
            EVENT_TYPES[status], _created = ShippingEventType.objects.get_or_create(
                code=slugify(status), defaults={"name": str(ShipmentStatus(status).label)}
            )
    return EVENT_TYPES[status]


def event_notes(m) -> str:
    parts = [m.shipment.station.name, m.event.carrier, m.event.tracking_number, m.event.note]
    return " · ".join(part for part in parts if part)


def orders_follow_shipments(orders: set[Order], to: str) -> None:
    if to not in PAST_STATION:
        return
    states = defaultdict(set)
    for order_id, status in Shipment.objects.filter(order__in=orders).values_list("order_id", "status"):
        states[order_id].add(status)
    for order in orders:
        if states[order.pk] <= {State.QC_FAILED}:
            continue  # nothing of it will be sent: the refund of all its lines cancels it
        if states[order.pk] <= ARRIVED and order.status == OrderStatus.SHIPPED:
            order.set_status(OrderStatus.DELIVERED)
        elif states[order.pk] <= PAST_STATION and order.status == OrderStatus.PAID:
            order.set_status(OrderStatus.SHIPPED)
            if states[order.pk] <= ARRIVED:
                order.set_status(OrderStatus.DELIVERED)


def lines_refund(order: Order, lines, by, reason: str, delivery: Decimal = Decimal("0.00")) -> None:
    """Refund what is left of these shipment lines' order lines (a line refunded by hand earlier is
    not refunded twice), and `delivery`."""
    already = refunded_quantities(order=order)
    quantities = {line.order_line_id: line.order_line.quantity - already.get(line.order_line_id, 0) for line in lines}
    quantities = {pk: qty for pk, qty in quantities.items() if qty > 0}
    if quantities:
        # Never more than is left of what the order paid for delivery (an order placed with another
        # shipping method, or whose delivery the operator refunded already).
        order_refund(order=order, quantities=quantities, by=by, reason=reason, delivery=delivery, up_to_delivery_left=True)
