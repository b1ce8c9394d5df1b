"""Which household fills an order line, fairly, and without ever selling stock twice.

When several households sell the same pooled product, the sale goes to the one with
the lowest e-commerce income credited this year (only households that consent to selling are ever picked) (ties: the older listing, i.e. the lower stock
record id). A line is split across households when the first has too little stock.
Stock rows are locked (`SELECT … FOR NO KEY UPDATE` on PostgreSQL) in id order, so
concurrent checkouts queue instead of deadlocking, and each sees the stock the
previous one left."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.order.exceptions import UnableToPlaceOrder

from catalogue.selectors import SELLABLE
from impact.models import SellerYear
from sellers.partner.lock_objects import stock_records_for_update
from sellers.partner.models import StockRecord

# Income this year: the measure of who needs the next sale most ------------------------------


def _income_this_year():
    """Each seller's net income credited since 1 January (China time), as the ledger keeps it
    (`impact.SellerYear`, moved with every credit and reversal): one row per seller, no scan of
    orders."""
    return SellerYear.objects.filter(year=timezone.localdate().year)


def sales_this_year_by_partner(*, partner_ids) -> dict[int, Decimal]:
    """Each seller's income credited this year, by partner id (missing: nothing yet)."""
    rows = _income_this_year().filter(seller__partner_id__in=partner_ids).values_list("seller__partner_id", "net_income")
    return dict(rows)


def stockrecords_for_fair_pick(records: QuerySet) -> QuerySet:
    """The stock records that may be sold (`SELLABLE`: not of a household that withdrew its
    consent), each with its seller's `sales_this_year` (None: no income yet), in one query. For
    display only: under a row lock, read the income after the lock instead
    (`sales_this_year_by_partner`), or the sale the lock waited for would be missed."""
    total = _income_this_year().filter(seller__partner_id=OuterRef("partner_id")).values("net_income")[:1]
    return records.filter(SELLABLE).annotate(sales_this_year=Subquery(total))


# The rule and the locked write -------------------------------------------------------------


def available(record: StockRecord) -> int:
    return record.num_in_stock - (record.num_allocated or 0)


def fair_ranking(records, *, sales: dict[int, Decimal]) -> list[StockRecord]:
    """Records in the order they should receive sales: least sold first, then oldest listing."""
    return sorted(records, key=lambda r: (sales.get(r.partner_id, Decimal("0")), r.pk))


def fair_pick(records) -> StockRecord | None:
    """The record a buyer is offered now (no locks: display only). Records loaded through
    `stockrecords_for_fair_pick` are the sellable ones and bring their sellers' sales along."""
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
    # A household that withdrew its consent to sell is never allocated another sale.
    locked = list(stock_records_for_update(product_id__in={line.product_id for line in lines}).filter(SELLABLE))
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
    StockRecord.objects.bulk_update(touched.values(), ["num_allocated"])  # one UPDATE for all, rows locked
    return plan


def allocation_release(quantities: dict[int, int]) -> None:
    """Give reserved units back ({stock record id: units}), so the households can sell them
    again: refunded units, or the order of a payment that failed. Rows locked in id order."""
    records = list(stock_records_for_update(pk__in=quantities))
    for record in records:
        record.num_allocated = max((record.num_allocated or 0) - quantities[record.pk], 0)
    StockRecord.objects.bulk_update(records, ["num_allocated"])
