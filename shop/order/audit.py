"""The fund-flow audit, order side: for every order, the money received equals what the ledger
credited to households, what it kept as fees, and what went back to the buyer, to the fen.

Money received and refunded is what Oscar's payment sources of the order record (the demo
payment, or Stripe's webhook); credits and fees are the order's ledger entries
(`impact.audit.order_sums`). Both are read with one GROUP BY each, whatever the number of
orders, and only the orders that disagree are named."""

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from oscar.apps.payment.models import Source

from impact.audit import Discrepancy, Kind, order_has_entries, order_sums, year_bounds
from shop.core.money import round_to_fen
from shop.order.models import Order
from shop.order.statuses import PAID_STATUSES

ZERO = Decimal("0.00")


def _received(*, placed_in: int | None) -> Iterator[tuple[int, Decimal, Decimal]]:
    """(order id, Σ debited, Σ refunded) over the orders' payment sources, in order id order."""
    sources = Source.objects.order_by()
    if placed_in is not None:
        start, end = year_bounds(placed_in)
        sources = sources.filter(order__date_placed__gte=start, order__date_placed__lt=end)
    rows = (
        sources.values("order_id").annotate(debited=Sum("amount_debited"), refunded=Sum("amount_refunded"))
        .order_by("order_id").values_list("order_id", "debited", "refunded")
    )
    for order_id, debited, refunded in rows.iterator(chunk_size=20000):
        # SQLite sums decimals as floats: back to the fen before comparing.
        yield order_id, round_to_fen(debited or ZERO), round_to_fen(refunded or ZERO)


def _side_by_side(payments, ledger) -> Iterator[tuple[int, tuple, tuple]]:
    """Walk two streams sorted by order id together: (order id, its payments row, its ledger row),
    a missing row as zeros."""
    no_payment, no_entries = (ZERO, ZERO), (ZERO, ZERO, 0)
    payment, entry = next(payments, None), next(ledger, None)
    while payment is not None or entry is not None:
        if entry is None or (payment is not None and payment[0] < entry[0]):
            yield payment[0], payment[1:], no_entries
            payment = next(payments, None)
        elif payment is None or entry[0] < payment[0]:
            yield entry[0], no_payment, entry[1:]
            entry = next(ledger, None)
        else:
            yield payment[0], payment[1:], entry[1:]
            payment, entry = next(payments, None), next(ledger, None)


def order_money_discrepancies(*, year: int | None = None) -> tuple[list[Discrepancy], int]:
    """Orders whose money received is not their credits + fees + refunds, orders with money
    on the ledger that never received any, and paid orders the ledger never heard of; and how
    many orders were checked. `year`: only the orders placed in that year (China time).

    The payments and the ledger are each one GROUP BY, streamed side by side in order id order:
    the memory it takes does not grow with the number of orders."""
    paid = Order.objects.filter(status__in=PAID_STATUSES).exclude(order_has_entries())
    if year is not None:
        start, end = year_bounds(year)
        paid = paid.filter(date_placed__gte=start, date_placed__lt=end)
    found = [  # (kind, order id, expected, found, message)
        (Kind.PAID_WITHOUT_ENTRIES, order_id, total, ZERO, _("The order is paid, but the ledger has no entry for it."))
        for order_id, total in paid.values_list("pk", "total_incl_tax")
    ]
    unrecorded = {order_id for _kind, order_id, *_rest in found}  # named once, above
    checked = len(unrecorded)
    for order_id, (debited, refunded), (credits, fees, entries) in _side_by_side(
        _received(placed_in=year), order_sums(placed_in=year)
    ):
        if order_id in unrecorded:
            continue
        checked += 1
        if entries and not debited:
            found.append((Kind.ENTRIES_WITHOUT_PAYMENT, order_id, ZERO, credits + fees, _(
                "The ledger has entries for this order, but no money was received for it."
            )))
        elif debited != credits + fees + refunded:
            found.append((Kind.ORDER_MONEY, order_id, debited, credits + fees + refunded, _(
                "Money received (¥%(debited)s) is not household credits (¥%(credits)s) + fees (¥%(fees)s) "
                "+ refunds (¥%(refunded)s)."
            ) % {"debited": debited, "credits": credits, "fees": fees, "refunded": refunded}))
    ids = sorted({order_id for _kind, order_id, *_rest in found})
    numbers = {}
    for at in range(0, len(ids), 1000):  # a bad day's list could outgrow a query's parameters
        numbers.update(Order.objects.filter(pk__in=ids[at:at + 1000]).values_list("pk", "number"))
    discrepancies = [
        Discrepancy(kind, numbers.get(order_id, f"#{order_id}"), expected, actual, message)
        for kind, order_id, expected, actual, message in found
    ]
    return discrepancies, checked
