"""Which household fills an order line, fairly, and without ever selling stock twice.

When several households sell the same pooled product, the sale goes to the one with
the lowest e-commerce sales this year (ties: the older listing, i.e. the lower stock
record id). A line is split across households when the first has too little stock.
Stock rows are locked (`SELECT … FOR NO KEY UPDATE` on PostgreSQL) in id order, so
concurrent checkouts queue instead of deadlocking, and each sees the stock the
previous one left."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.order.exceptions import UnableToPlaceOrder

from oscar.apps.partner.models import StockRecord
from sellers.selectors import sales_this_year_by_partner


def available(record: StockRecord) -> int:
    return record.num_in_stock - (record.num_allocated or 0)


def fair_ranking(records, *, sales: dict[int, Decimal]) -> list[StockRecord]:
    """Records in the order they should receive sales: least sold first, then oldest listing."""
    return sorted(records, key=lambda r: (sales.get(r.partner_id, Decimal("0")), r.pk))


def fair_pick(records) -> StockRecord | None:
    """The record a buyer is offered now (no locks: display only). Records loaded through
    `stockrecords_with_sales_this_year` bring their sellers' sales along."""
    records = list(records)
    in_stock = [r for r in records if available(r) > 0]
    if not in_stock:
        return records[0] if records else None
    if all(hasattr(r, "sales_this_year") for r in in_stock):
        sales = {r.partner_id: r.sales_this_year for r in in_stock if r.sales_this_year is not None}
    else:
        sales = sales_this_year_by_partner(partner_ids=[r.partner_id for r in in_stock])
    return fair_ranking(in_stock, sales=sales)[0]


def allocate_basket(basket) -> dict[int, list[tuple[StockRecord, int]]]:
    """Reserve stock for every basket line and say which records fill it, as
    {basket line id: [(stock record, quantity), ...]}. Must run inside the order's
    transaction; raises UnableToPlaceOrder (changing nothing) when stock is short."""
    assert transaction.get_connection().in_atomic_block, "allocate inside the order's transaction"
    lines = list(basket.all_lines())
    locked = list(
        # Only the stock rows are locked; the seller (and its township) comes along for the
        # order lines and shipments, which would otherwise fetch it line by line.
        # NO KEY UPDATE (we change num_allocated, never the id) still queues checkouts behind
        # each other, but not the foreign-key checks of rows that point at a stock record:
        # with FOR UPDATE, a basket line added meanwhile (its FK checked at COMMIT, after
        # Oscar's analytics counted it) and this order (counting the same product next)
        # waited for each other, and PostgreSQL killed one of them as a deadlock.
        StockRecord.objects.select_for_update(of=("self",), no_key=True)
        .select_related("partner__seller")
        .filter(product_id__in={line.product_id for line in lines})
        .order_by("id")
    )
    sales = sales_this_year_by_partner(partner_ids={r.partner_id for r in locked})
    by_product = defaultdict(list)
    for record in fair_ranking(locked, sales=sales):
        by_product[record.product_id].append(record)

    plan, touched = {}, {}
    for line in lines:
        remaining, parts = line.quantity, []
        for record in by_product[line.product_id]:
            take = min(available(record), remaining)
            if take <= 0:
                continue
            record.num_allocated = (record.num_allocated or 0) + take
            touched[record.pk] = record
            parts.append((record, take))
            remaining -= take
            if not remaining:
                break
        if remaining:
            raise UnableToPlaceOrder(
                _("Only %(n)s of “%(title)s” left; please change the quantity in your basket.")
                % {"n": line.quantity - remaining, "title": line.product.get_title()}
            )
        plan[line.id] = parts
    StockRecord.objects.bulk_update(touched.values(), ["num_allocated"])  # one UPDATE for all, rows are locked
    return plan


def allocation_release(quantities: dict[int, int]) -> None:
    """Give reserved units back ({stock record id: units}), so the households can sell them
    again: refunded units, or the order of a payment that failed. Rows locked in id order."""
    for record in StockRecord.objects.select_for_update().filter(pk__in=quantities).order_by("id"):
        record.num_allocated = max((record.num_allocated or 0) - quantities[record.pk], 0)
        record.save(update_fields=["num_allocated"])
