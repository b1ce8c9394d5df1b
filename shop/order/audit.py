"""The fund-flow audit, order side: for every order, the money received equals what the ledger
credited to households, what it kept as fees, and what went back to the buyer, to the fen.

Money received and refunded is what Oscar's payment sources of the order record (the demo
payment, or Stripe's webhook); credits and fees are the order's ledger entries
(`impact.audit.order_sums`). Both are read with one GROUP BY each, whatever the number of
orders, and only the orders that disagree are named."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from oscar.apps.payment.models import Source

from impact.audit import Discrepancy, Kind, order_has_entries, order_sums, year_bounds
from shop.core.money import round_to_fen
from shop.order.models import Order
from shop.order.statuses import PAID_STATUSES

ZERO = Decimal("0.00")


def _received(*, placed_in: int | None) -> dict[int, tuple[Decimal, Decimal]]:
    """{order id: (Σ debited, Σ refunded)} over the orders' payment sources."""
    sources = Source.objects.order_by()
    if placed_in is not None:
        start, end = year_bounds(placed_in)
        sources = sources.filter(order__date_placed__gte=start, order__date_placed__lt=end)
    rows = sources.values("order_id").annotate(debited=Sum("amount_debited"), refunded=Sum("amount_refunded"))
    # SQLite sums decimals as floats: back to the fen before comparing.
    return {
        row["order_id"]: (round_to_fen(row["debited"] or ZERO), round_to_fen(row["refunded"] or ZERO))
        for row in rows
    }


def order_money_discrepancies(*, year: int | None = None) -> tuple[list[Discrepancy], int]:
    """Orders whose money received is not their credits + fees + refunds, orders with money
    on the ledger that never received any, and paid orders the ledger never heard of; and how
    many orders were checked. `year`: only the orders placed in that year (China time)."""
    received = _received(placed_in=year)
    ledger = order_sums(placed_in=year)
    found = []  # (kind, order id, expected, found, message)
    for order_id in sorted(received.keys() | ledger.keys()):
        debited, refunded = received.get(order_id, (ZERO, ZERO))
        credits, fees, entries = ledger.get(order_id, (ZERO, ZERO, 0))
        if entries and not debited:
            found.append((Kind.ENTRIES_WITHOUT_PAYMENT, order_id, ZERO, credits + fees, _(
                "The ledger has entries for this order, but no money was received for it."
            )))
        elif debited != credits + fees + refunded:
            found.append((Kind.ORDER_MONEY, order_id, debited, credits + fees + refunded, _(
                "Money received (¥%(debited)s) is not household credits (¥%(credits)s) + fees (¥%(fees)s) "
                "+ refunds (¥%(refunded)s)."
            ) % {"debited": debited, "credits": credits, "fees": fees, "refunded": refunded}))
    paid = Order.objects.filter(status__in=PAID_STATUSES).exclude(order_has_entries())
    if year is not None:
        start, end = year_bounds(year)
        paid = paid.filter(date_placed__gte=start, date_placed__lt=end)
    for order_id, total in paid.values_list("pk", "total_incl_tax"):
        found.append((Kind.PAID_WITHOUT_ENTRIES, order_id, total, ZERO, _(
            "The order is paid, but the ledger has no entry for it."
        )))
    numbers = dict(Order.objects.filter(pk__in={order_id for _kind, order_id, *_rest in found})
                   .values_list("pk", "number"))
    discrepancies = [
        Discrepancy(kind, numbers.get(order_id, f"#{order_id}"), expected, actual, message)
        for kind, order_id, expected, actual, message in found
    ]
    return discrepancies, len(received.keys() | ledger.keys())
