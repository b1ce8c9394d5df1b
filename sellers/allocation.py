"""Which household fills an order line, fairly, and without ever selling stock twice.

When several households sell the same pooled product, the sale goes to the one with
the lowest e-commerce sales this year (ties: the older listing, i.e. the lower stock
record id). A line is split across households when the first has too little stock.
Stock rows are locked (`SELECT … FOR UPDATE` on PostgreSQL) in id order, so
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
    """The record a buyer is offered now (no locks: display only)."""
    records = list(records)
    in_stock = [r for r in records if available(r) > 0]
    if not in_stock:
        return records[0] if records else None
    sales = sales_this_year_by_partner(partner_ids=[r.partner_id for r in in_stock])
    return fair_ranking(in_stock, sales=sales)[0]


def allocate_basket(basket) -> dict[int, list[tuple[StockRecord, int]]]:
    """Reserve stock for every basket line and say which records fill it, as
    {basket line id: [(stock record, quantity), ...]}. Must run inside the order's
    transaction; raises UnableToPlaceOrder (changing nothing) when stock is short."""
    assert transaction.get_connection().in_atomic_block, "allocate inside the order's transaction"
    lines = list(basket.all_lines())
    locked = list(
        StockRecord.objects.select_for_update()
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
    for record in touched.values():
        StockRecord.objects.filter(pk=record.pk).update(num_allocated=record.num_allocated)
    return plan
