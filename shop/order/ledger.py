"""The commerce layer's side of the income ledger: it turns orders, shipments and refunds into
what `impact.services` records.

- paid → each line's fees and its households' `sale_pending` credits, and the delivery fees;
- a shipment settles → its lines' credits become `sale_settled`;
- a refund (QC failure, return, or the operator's) → `reversal`s of the refunded units' credits
  and fees, and of the delivery fees refunded.

Each runs in the caller's transaction: a ledger that cannot be written undoes the payment's,
the settlement's or the refund's bookkeeping with it."""

from decimal import Decimal

from django.db.models import Prefetch

from impact.fees import SaleFacts, categories_with_ancestors, is_certified
from impact.services import DeliveryCharge, Sale, refund_reverse, sales_credit, sales_settle
from sellers.models import BenefitLink
from shop.core.money import split_to_fen
from shop.order.models import Line, Order

ZERO = Decimal("0.00")


def order_sales(order: Order) -> tuple[list[Sale], list[DeliveryCharge]]:
    """The order's lines and parcels as the ledger needs them (four queries)."""
    lines = list(
        Line.objects.filter(order=order)
        .select_related("partner__seller", "product", "shipment_line__shipment__station")
        .prefetch_related(
            Prefetch("partner__seller__benefit_links", queryset=BenefitLink.objects.order_by("household_id")),
            "product__categories",
        )
    )
    categories = categories_with_ancestors({line.product for line in lines if line.product_id})
    sales, shipments = [], {}
    for line in lines:
        shipment = line.shipment_line.shipment if hasattr(line, "shipment_line") else None
        if shipment is not None:
            shipments[shipment.pk] = shipment
        product = line.product
        facts = SaleFacts(
            category_ids=categories.get(line.product_id, frozenset()),
            station_id=shipment.station_id if shipment else None,
            certified=bool(product) and is_certified(product),
            quantity=line.quantity,
            gross=line.line_price_incl_tax,
        )
        seller = getattr(line.partner, "seller", None) if line.partner_id else None
        sales.append(Sale(order_id=order.pk, order_line_id=line.pk, seller=seller, facts=facts))
    # Every parcel holds lines of the order, so the lines bring them all. The delivery fees are
    # what the buyer paid for delivery, shared among the parcels by their stations' charges, not
    # the charges themselves: an order placed with another shipping method (free delivery) paid
    # less or nothing, and the ledger records only money received.
    parcels = list(shipments.values())
    charges = [shipment.delivery_charge for shipment in parcels]
    paid = order.shipping_incl_tax or ZERO
    amounts = (
        split_to_fen(paid, charges if any(charges) else [Decimal("1")] * len(parcels))
        if parcels and paid > ZERO else [ZERO] * len(parcels)
    )
    deliveries = [
        DeliveryCharge(
            order_id=order.pk, shipment_id=shipment.pk, amount=amount,
            cold_chain_part=shipment.station.cold_chain_surcharge if shipment.needs_cold_chain else ZERO,
        )
        for shipment, amount in zip(parcels, amounts, strict=True)
    ]
    return sales, deliveries


def order_paid_credit(*, order: Order) -> None:
    """Paid: credit the households (replays write nothing: the entries' keys exist)."""
    sales, deliveries = order_sales(order)
    sales_credit(sales=sales, deliveries=deliveries)


def shipment_settle_credits(*, shipment) -> None:
    sales_settle(order_line_ids=list(shipment.lines.values_list("order_line_id", flat=True)))


def refund_reversals(*, event, lines: dict[int, Line], refunded: dict[int, int], delivery: Decimal) -> None:
    """A refund event: reverse what the refunded units and delivery had credited and charged.
    `refunded` is {line id: units refunded in all, this refund included}."""
    refund_reverse(
        refund_key=f"refund:{event.pk}",
        order_id=event.order_id,
        lines={
            line_id: (units, lines[line_id].quantity, lines[line_id].unit_price_incl_tax)
            for line_id, units in refunded.items()
            if line_id in lines
        },
        delivery=delivery,
    )
