"""A ledger entry, once written, is never changed or removed: the model refuses, and so does
the database itself (triggers of impact migration 0004), on SQLite and on PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from impact.models import EntryKind, LedgerEntry
from tests.impact.ledger_orders import fee_rules_standard
from tests.personas import A_DAY_IN_2026
from tests.shipping import paid_shipment

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]

APPEND_ONLY = "append-only"


@pytest.fixture
def credit(people) -> LedgerEntry:
    fee_rules_standard()
    return LedgerEntry.objects.get(order=paid_shipment().order, kind=EntryKind.SALE_PENDING)


def unchanged(entry: LedgerEntry) -> bool:
    stored = LedgerEntry.objects.get(pk=entry.pk)
    return (stored.amount, stored.kind) == (Decimal("46.50"), EntryKind.SALE_PENDING)


# The model ------------------------------------------------------------------------------------


def test_an_entry_cannot_be_saved_again(credit):
    credit.amount = Decimal("4650.00")

    with pytest.raises(TypeError, match=APPEND_ONLY):
        credit.save()
    assert unchanged(credit)


def test_an_entry_cannot_be_deleted(credit):
    with pytest.raises(TypeError, match=APPEND_ONLY):
        credit.delete()
    assert unchanged(credit)


def test_entries_cannot_be_updated_in_bulk(credit):
    with pytest.raises(TypeError, match=APPEND_ONLY):
        LedgerEntry.objects.filter(pk=credit.pk).update(amount=Decimal("4650.00"))
    assert unchanged(credit)


def test_entries_cannot_be_bulk_updated_either(credit):
    credit.amount = Decimal("4650.00")

    # bulk_update opens its own atomic block; the savepoint keeps the test's transaction usable.
    with pytest.raises(TypeError, match=APPEND_ONLY), transaction.atomic():
        LedgerEntry.objects.bulk_update([credit], ["amount"])
    assert unchanged(credit)


def test_entries_cannot_be_deleted_in_bulk(credit):
    with pytest.raises(TypeError, match=APPEND_ONLY):
        LedgerEntry.objects.filter(pk=credit.pk).delete()
    assert unchanged(credit)


# The database ---------------------------------------------------------------------------------


@pytest.fixture
def purge_not_allowed():
    """The test database lets Django empty the ledger between tests (tests/conftest.py); this
    test's transaction takes that away, as in any other database, and rolls it back at its end."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS impact_ledger_purge_allowed")


def raw(sql: str, *params) -> None:
    # A savepoint: on PostgreSQL, the refused statement aborts only it, not the test's transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_to_update_an_entry(credit, purge_not_allowed):
    with pytest.raises(DatabaseError, match=APPEND_ONLY):
        raw("UPDATE impact_ledgerentry SET amount = 4650 WHERE id = %s", credit.pk)
    assert unchanged(credit)


def test_the_database_refuses_to_update_any_column(credit, purge_not_allowed):
    with pytest.raises(DatabaseError, match=APPEND_ONLY):
        raw("UPDATE impact_ledgerentry SET reason = 'typo' WHERE id = %s", credit.pk)
    assert LedgerEntry.objects.get(pk=credit.pk).reason == ""


def test_the_database_refuses_to_delete_an_entry(credit, purge_not_allowed):
    with pytest.raises(DatabaseError, match=APPEND_ONLY):
        raw("DELETE FROM impact_ledgerentry WHERE id = %s", credit.pk)
    assert unchanged(credit)


def test_the_database_refuses_to_empty_the_ledger(credit, purge_not_allowed):
    with pytest.raises(DatabaseError, match=APPEND_ONLY):
        raw("DELETE FROM impact_ledgerentry")
    assert LedgerEntry.objects.count() > 1


def test_the_database_still_takes_new_entries(credit, purge_not_allowed):
    raw(
        "INSERT INTO impact_ledgerentry (kind, fee_type, bucket, amount, gross, currency, created_at, "
        "idempotency_key, reason) VALUES ('fee', 'commission', 'none', 1, 0, 'CNY', %s, 'raw:1', '')",
        connection.ops.adapt_datetimefield_value(A_DAY_IN_2026),
    )
    assert LedgerEntry.objects.filter(idempotency_key="raw:1").exists()
