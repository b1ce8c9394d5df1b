"""What the farmers are told about their money: a text when their goods sell (what, how many,
and where to bring them today) and one when the sale of a shipment settles (the amount).

Chinese only, short, and nothing about the buyer. `shop.order.tasks` calls these from Celery
once the payment or the settlement has committed; both return False when a text could not
be sent, and the task is then retried whole (one household may get its text twice)."""

import logging
from collections import defaultdict
from decimal import Decimal

from django.conf import settings

from logistics.models import Shipment, supplier_household
from logistics.notifications import farmer_sms, goods, goods_title, goods_unit
from shop.core.money import round_to_fen
from shop.order.models import Line, Order
from shop.order.refunds import refunded_quantities
from shop.order.statuses import PAID_STATUSES

logger = logging.getLogger(__name__)


def order_sale_sms(*, order_id: int) -> bool:
    """One text per household that supplied the paid order: what sold, and the station to bring
    it to today. Nothing for an order cancelled before the task ran."""
    order = Order.objects.filter(pk=order_id).only("pk", "status", "number").first()
    if order is None or order.status not in PAID_STATUSES:
        return True
    lines = (
        Line.objects.filter(order_id=order_id, shipment_line__isnull=False)
        .select_related("product", "partner__seller__household", "shipment_line__shipment__station")
        .order_by("id")
    )
    by_household = defaultdict(list)
    for line in lines:
        household = supplier_household(line)
        if household is not None:
            by_household[household].append(line)
    sent = True
    for household, household_lines in by_household.items():
        sold = "、".join(
            f"{goods_title(line)}卖出 {line.quantity} {goods_unit(line)}" for line in household_lines
        )
        station = household_lines[0].shipment_line.shipment.station.name
        sent &= farmer_sms(household, f"{settings.SMS_SIGN_NAME}：您的{sold}，请于今天送到{station}。")
    return sent


def shipment_settled_sms(*, shipment_id: int) -> bool:
    """One text per household of a settled shipment: the amount of its lines there, less what
    was refunded (a line that failed QC, a refund by hand)."""
    shipment = Shipment.objects.filter(pk=shipment_id, settled_at__isnull=False).select_related("order").first()
    if shipment is None:
        return True
    refunded = refunded_quantities(order=shipment.order)
    lines = (
        Line.objects.filter(shipment_line__shipment_id=shipment_id)
        .select_related("product", "partner__seller__household")
        .order_by("id")
    )
    by_household = defaultdict(list)
    for line in lines:
        household = supplier_household(line)
        kept = line.quantity - refunded.get(line.pk, 0)
        if household is not None and kept > 0:
            by_household[household].append((line, kept))
    sent = True
    for household, kept_lines in by_household.items():
        amount = round_to_fen(sum((line_amount(line, kept) for line, kept in kept_lines), Decimal("0")))
        sold = "、".join(goods(line, kept) for line, kept in kept_lines)
        sent &= farmer_sms(household, f"{settings.SMS_SIGN_NAME}：您卖出的{sold}，货款 ¥{amount} 已结算。")
    return sent


def line_amount(line: Line, kept: int) -> Decimal:
    """What the buyer paid for the units of a line that were not refunded (refunds go back at
    the unit price: `shop.order.refunds`)."""
    if kept == line.quantity:
        return line.line_price_incl_tax
    return line.unit_price_incl_tax * kept
