"""Refunds by the platform operator: whole orders or some units of some lines.

The money goes back through the provider that took it (Stripe's refund API, or the
demo payment's record), the refunded units return to the households' stock, and the
order records what was refunded line by line. Bad input changes nothing."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from sellers.partner.allocation import allocation_release
from shop.core.errors import InvalidInput
from shop.core.money import round_to_fen
from shop.order.ledger import refund_reversals
from shop.order.models import Order, PaymentEvent, PaymentEventQuantity, PaymentEventType
from shop.order.statuses import CANCELLABLE_STATUSES, OrderStatus
from shop.payments.stripe.services import SOURCE_TYPE_CODE, refund_create

REFUNDED = "Refunded"


def refunded_quantities(*, order: Order) -> dict[int, int]:
    rows = (
        PaymentEventQuantity.objects.filter(event__order=order, event__event_type__name=REFUNDED)
        .values("line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["line_id"]: row["total"] for row in rows}


def delivery_refunded(*, order: Order, lines: dict, refunded: dict[int, int]) -> Decimal:
    """What earlier refunds gave back for delivery: their amounts beyond the units they refunded
    (`refunded`, as `refunded_quantities` reads them)."""
    refunds = PaymentEvent.objects.filter(order=order, event_type__name=REFUNDED)
    total = refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    units = sum(
        (lines[line_id].unit_price_incl_tax * qty for line_id, qty in refunded.items() if line_id in lines),
        Decimal("0.00"),
    )
    return round_to_fen(total - units)


@transaction.atomic
def order_refund(
    *, order: Order, quantities: dict[int, int], by, reason: str = "", delivery: Decimal = Decimal("0.00"),
    up_to_delivery_left: bool = False,
) -> PaymentEvent:
    """Refund `quantities` ({order line id: units}) of an order, and `delivery` of what the
    buyer paid for delivery (a parcel that never reached them usable). With `up_to_delivery_left`,
    a `delivery` beyond what is left to refund of it is cut down to that instead of refused (a
    parcel coming back after the operator refunded the order's delivery by hand)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    lines = {line.pk: line for line in order.lines.all()}
    already = refunded_quantities(order=order)
    wanted = {line_id: qty for line_id, qty in quantities.items() if qty}
    errors = {}
    for line_id, qty in wanted.items():
        line = lines.get(line_id)
        if line is None:
            errors[str(line_id)] = [_("This line is not part of the order.")]
        elif qty < 0 or qty > line.quantity - already.get(line_id, 0):
            errors[str(line_id)] = [
                _("Between 0 and %(n)s units of this line can still be refunded.")
                % {"n": line.quantity - already.get(line_id, 0)}
            ]
    delivery_left = order.shipping_incl_tax - delivery_refunded(order=order, lines=lines, refunded=already)
    if up_to_delivery_left:
        delivery = max(min(delivery, delivery_left), Decimal("0.00"))
    if delivery != round_to_fen(delivery):
        errors["delivery"] = [_("Enter the delivery to refund to the fen.")]
    elif not Decimal("0.00") <= delivery <= delivery_left:
        errors["delivery"] = [_("At most ¥%(max)s of delivery is left to refund.") % {"max": delivery_left}]
    if errors:
        raise InvalidInput(_("Some quantities cannot be refunded."), fields=errors)
    if not wanted and not delivery:
        raise InvalidInput(_("Choose at least one unit, or the delivery, to refund."))

    amount = round_to_fen(sum((lines[i].unit_price_incl_tax * qty for i, qty in wanted.items()), delivery))
    refund_payment(order=order, amount=amount)
    event_type, _created = PaymentEventType.objects.get_or_create(name=REFUNDED)
    event = PaymentEvent.objects.create(order=order, amount=amount, event_type=event_type, reference=reason[:128])
    for line_id, qty in wanted.items():
        PaymentEventQuantity.objects.create(event=event, line=lines[line_id], quantity=qty)
    allocation_release({lines[i].stockrecord_id: qty for i, qty in wanted.items() if lines[i].stockrecord_id})
    order.notes.create(
        user=by, note_type="System",
        message=_("Refunded ¥%(amount)s. %(reason)s") % {"amount": amount, "reason": reason},
    )
    # The order is locked: what was refunded before, and now.
    refunded = {pk: already.get(pk, 0) + wanted.get(pk, 0) for pk in lines}
    refund_reversals(
        event=event, lines=lines, refunded={i: refunded.get(i, 0) for i in wanted}, delivery=delivery
    )
    if all(refunded.get(pk, 0) >= line.quantity for pk, line in lines.items()) and order.status in CANCELLABLE_STATUSES:
        order.set_status(OrderStatus.CANCELLED)
    return event


def refund_payment(*, order: Order, amount: Decimal) -> None:
    """Give the money back through the provider that took it."""
    source = order.sources.select_for_update().select_related("source_type").first()
    if source is None or amount > source.amount_debited - source.amount_refunded:
        raise InvalidInput(_("There is no payment left to refund on this order."))
    if source.source_type.code == SOURCE_TYPE_CODE:
        refund_create(order=order, amount=amount)
    else:  # the demo payment: nothing to send anywhere
        source.refund(amount, reference=f"refund-{order.number}")

