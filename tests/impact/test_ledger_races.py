"""Two payments crediting the first sales of one household at the same moment (PostgreSQL):
both succeed, and the household's running totals are the sum of both. The totals are moved by
one INSERT … ON CONFLICT DO UPDATE that adds to the row (`impact.services.totals_move`); a
read-then-write would lose one sale, and a plain INSERT of the first row would fail one payment."""

import os
from decimal import Decimal

import pytest
from django.db import transaction

from catalogue.factories import ProductFactory
from impact.models import HouseholdBalance, HouseholdYear, LedgerEntry, SellerYear, TownshipMonth
from shop.order.ledger import order_paid_credit
from tests.impact.ledger_orders import fee_rules_standard
from tests.shopping import buy, offer
from tests.threads import run_together

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="concurrent writers are a PostgreSQL matter (SQLite serialises them); CI runs this on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_first_sales_of_one_household_credited_at_once_both_count(people):
    fee_rules_standard()
    product = ProductFactory()
    record = offer(product, price="50.00", stock=10)
    household = record.partner.seller.household
    orders = [buy(product, 1), buy(product, 3)]  # placed, not yet paid: nothing credited
    assert not HouseholdBalance.objects.filter(household=household).exists()

    def pay(order):
        def credit():
            with transaction.atomic():
                order_paid_credit(order=order)
        return credit

    assert run_together(pay(orders[0]), pay(orders[1])) == []

    # ¥50.00 − 2.50 − 1.00 and ¥150.00 − 7.50 − 3.00
    balance = HouseholdBalance.objects.get(household=household)
    assert (balance.pending, balance.settled, balance.paid_out) == (Decimal("186.00"), 0, 0)
    year = HouseholdYear.objects.get(household=household)
    assert (year.gross_sales, year.net_income) == (Decimal("200.00"), Decimal("186.00"))
    assert SellerYear.objects.get(seller=record.partner.seller).net_income == Decimal("186.00")
    assert TownshipMonth.objects.get(township=household.township).net_income == Decimal("186.00")
    assert LedgerEntry.objects.filter(household=household, kind="sale_pending").count() == 2
