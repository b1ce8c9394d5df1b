"""Row locks on stock records: every write to a stock record's numbers goes through here.

Rows are locked `FOR NO KEY UPDATE` (we change stock, price and allocation, never the id): it
still queues writers of the same rows behind each other, but not the foreign-key checks of
rows that point at a stock record (a basket line added meanwhile), which with `FOR UPDATE`
deadlocked against checkouts. Rows are always locked in id order, so two transactions that
lock overlapping sets queue instead of deadlocking. After a lock, callers save only the fields
they changed, so they never write back a value another transaction changed before the lock.
(Saleor's `warehouse/lock_objects.py` is the model.)"""

from django.db import transaction
from django.db.models import QuerySet

from sellers.partner.models import StockRecord


def stock_records_for_update(**filters) -> QuerySet[StockRecord]:
    """The stock records matching `filters`, to be locked in id order when evaluated; each with
    its seller (not locked) loaded along, for the order lines and shipments that follow."""
    assert transaction.get_connection().in_atomic_block, "lock stock rows inside a transaction"
    return (
        StockRecord.objects.select_for_update(of=("self",), no_key=True)
        .select_related("partner__seller")
        .filter(**filters)
        .order_by("id")
    )
