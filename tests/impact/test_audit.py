"""`manage.py impact_audit`: a clean shop passes (exit 0); every kind of discrepancy planted in
it (behind the services' back, with raw SQL where the model would refuse) is caught, named by
its order number or household registry id, and fails the run (exit 1)."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from oscar.apps.payment.models import Source, SourceType

from catalogue.factories import ProductFactory
from impact.audit import Kind, ledger_discrepancies
from impact.models import (
    EntryKind,
    HouseholdBalance,
    HouseholdYear,
    LedgerEntry,
    PayoutBatch,
    PayoutLine,
    SellerYear,
    TownshipMonth,
)
from impact.services import adjustment_record, payouts_record, sales_settle
from logistics.models import Station
from logistics.movement import Move, shipment_move
from logistics.states import State
from shop.factories import UserFactory
from shop.order.audit import order_money_discrepancies
from shop.order.models import Order
from shop.order.refunds import order_refund
from shop.order.settlement import shipment_settle
from shop.order.statuses import OrderStatus
from tests.impact.ledger_orders import audit, checkout, cooperative, cooperative_offer, fee_rules_standard
from tests.personas import A_DAY_IN_2026, CHINA, MIAOBA, POJI
from tests.shipping import demo_paid, moved_to, paid_order, paid_shipment
from tests.shopping import buy, offer

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_staff=True)


@pytest.fixture
def shop(people, stations, client, operator):
    """A morning's trade, every kind of entry in it: a chilled parcel bought through the checkout
    (delivery paid), a parcel with a line that failed the check, a sale settled and then partly
    refunded, a cooperative's sale, an adjustment and a payout."""
    fee_rules_standard()
    chilled = ProductFactory(storage="chilled")
    offer(chilled, township=MIAOBA, price="50.00")
    client.force_login(people.buyer)
    checked_out = checkout(client, chilled, quantity=2)

    products = [ProductFactory(), ProductFactory()]
    for product in products:
        offer(product, township=MIAOBA, price="33.33")
    two_lines = moved_to(paid_order(*products, quantity=3).shipments.get(), State.RECEIVED)
    failed = frozenset({two_lines.lines.first().pk})
    shipment_move(shipment=two_lines, move=Move(to=State.QC_PASSED, failed_lines=failed))

    settled = moved_to(paid_shipment(quantity=3, township=POJI, storage="ambient"), State.DELIVERED)
    shipment_settle(shipment=settled)
    order_refund(order=Order.objects.get(pk=settled.order_id), quantities={settled.order.lines.get().pk: 1},
                 by=operator)

    seller, households = cooperative(["0.3333", "0.3333", "0.3334"])
    coop_product = ProductFactory()
    cooperative_offer(coop_product, seller, price="100.01")
    paid_order(coop_product)

    household = settled.order.lines.get().partner.seller.household
    with transaction.atomic():
        adjustment_record(household=household, amount=Decimal("5.55"), reason="补记运费", approved_by=operator,
                          key="shop-1")
        batch = PayoutBatch.objects.create(station=Station.objects.get(code="ZX-POJI"), prepared_by=operator)
        line = PayoutLine.objects.create(batch=batch, household=household, amount=Decimal("20.00"),
                                         bank_account="6217000011112222")
        payouts_record(payout_lines=[line])
    return {"checked_out": checked_out, "two_lines": two_lines.order, "settled": settled.order,
            "household": household, "cooperative": seller, "linked": households}


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def named(output: str, kind: str, subject: str) -> bool:
    """Whether a line of the output names this discrepancy."""
    return any(line.startswith(f"{kind} {subject}") for line in output.splitlines())


# A clean shop ---------------------------------------------------------------------------------


def test_a_clean_shop_passes(shop):
    code, output = audit()

    assert code == 0, output


def test_it_checks_every_order_that_received_money(shop):
    assert order_money_discrepancies() == ([], 4)


def test_its_queries_do_not_grow_with_the_orders(people):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            audit()
        return len(captured)

    paid_shipment()
    one = queries()
    for _ in range(4):
        paid_shipment(quantity=2)

    assert queries() == one


# Planted discrepancies ------------------------------------------------------------------------


def test_a_balance_changed_behind_the_ledgers_back_is_caught(shop):
    household = shop["household"]
    sql("UPDATE impact_householdbalance SET settled = settled + 0.01 WHERE household_id = %s", household.pk)

    code, output = audit()

    assert code == 1
    assert named(output, Kind.BALANCE, household.registry_id)
    (found,) = [d for d in ledger_discrepancies() if d.kind == Kind.BALANCE]
    assert found.found - found.expected == Decimal("0.01")


def test_an_entry_no_payment_explains_is_caught(shop):
    order, household = shop["settled"], shop["household"]
    sql(
        "INSERT INTO impact_ledgerentry (kind, fee_type, bucket, household_id, order_id, amount, gross, currency, "
        "created_at, idempotency_key, reason) VALUES ('sale_pending', '', 'pending', %s, %s, 5, 5, 'CNY', %s, "
        "'planted:1', '')",
        household.pk, order.pk, connection.ops.adapt_datetimefield_value(A_DAY_IN_2026),
    )

    code, output = audit()

    assert code == 1
    assert named(output, Kind.ORDER_MONEY, order.number)
    assert named(output, Kind.BALANCE, household.registry_id)  # its balance never moved
    assert named(output, Kind.HOUSEHOLD_YEAR, f"{household.registry_id} 2026")


def test_a_refund_without_a_reversal_is_caught(shop):
    """Money given back from Stripe's dashboard, recorded by the webhook, never reversed."""
    order = shop["two_lines"]
    order.sources.get().refund(Decimal("10.00"), reference="re_dashboard")

    code, output = audit()

    assert code == 1
    assert named(output, Kind.ORDER_MONEY, order.number)
    (found,) = order_money_discrepancies()[0]
    assert (found.expected, found.found - found.expected) == (order.total_incl_tax, Decimal("10.00"))


def test_a_paid_order_the_ledger_never_heard_of_is_caught(people):
    product = ProductFactory()
    offer(product, price="50.00")
    order = buy(product)
    demo_paid(order)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)  # no signal: no credit

    code, output = audit()

    assert code == 1
    assert named(output, Kind.PAID_WITHOUT_ENTRIES, order.number)
    assert [d.kind for d in order_money_discrepancies()[0]] == [Kind.PAID_WITHOUT_ENTRIES]


def test_money_received_for_an_order_that_was_never_paid_is_caught(people):
    """A payment that did not match the order's total: received, not credited, not yet refunded."""
    product = ProductFactory()
    offer(product, price="50.00")
    order = buy(product)
    source_type, _created = SourceType.objects.get_or_create(code="stripe", defaults={"name": "Stripe"})
    order.sources.create(source_type=source_type, currency="CNY", amount_debited=Decimal("0.50"), reference="pi_short")

    code, output = audit()

    assert code == 1
    assert named(output, Kind.ORDER_MONEY, order.number)


def test_entries_of_an_order_that_received_no_money_are_caught(shop):
    order = shop["two_lines"]
    Source.objects.filter(order=order).delete()

    code, output = audit()

    assert code == 1
    assert named(output, Kind.ENTRIES_WITHOUT_PAYMENT, order.number)


def test_a_missing_balance_is_caught(shop):
    household = shop["household"]
    sql("DELETE FROM impact_householdbalance WHERE household_id = %s", household.pk)

    code, output = audit()

    assert code == 1
    assert named(output, Kind.BALANCE_MISSING, household.registry_id)


def test_a_years_income_changed_behind_the_ledgers_back_is_caught(shop):
    household = shop["linked"][0]
    HouseholdYear.objects.filter(household=household).update(net_income=Decimal("1000000.00"))

    code, output = audit()

    assert code == 1
    assert named(output, Kind.HOUSEHOLD_YEAR, f"{household.registry_id} 2026")


def test_a_sellers_income_changed_behind_the_ledgers_back_is_caught(shop):
    seller = shop["cooperative"]
    SellerYear.objects.filter(seller=seller).update(net_income=Decimal("0.00"))

    code, output = audit()

    assert code == 1
    assert named(output, Kind.SELLER_YEAR, f"{seller.partner.name} (#{seller.pk}) 2026")


def test_a_townships_month_changed_behind_the_ledgers_back_is_caught(shop):
    TownshipMonth.objects.filter(township_id=MIAOBA).update(gross_sales=Decimal("0.00"))

    code, output = audit()

    assert code == 1
    assert named(output, Kind.TOWNSHIP_MONTH, f"{MIAOBA} 2026-06")


def test_a_payout_of_more_than_had_settled_is_caught(shop, operator):
    household = shop["linked"][1]  # owed a pending credit only
    batch = PayoutBatch.objects.create(station=Station.objects.get(code="YJ-MIAOBA"), prepared_by=operator)
    line = PayoutLine.objects.create(batch=batch, household=household, amount=Decimal("1.00"), bank_account="1")
    with transaction.atomic():
        payouts_record(payout_lines=[line])

    code, output = audit()

    assert code == 1
    assert named(output, Kind.PAYOUT_EXCEEDS_SETTLED, household.registry_id)


def test_a_sale_refunded_after_it_was_paid_out_leaves_the_household_owing_without_a_discrepancy(shop, operator):
    """Settled, paid out, then refunded: the settled balance goes below nought (the household owes
    it), which is no discrepancy, since the payout did not exceed what had settled then."""
    household = shop["linked"][1]
    with transaction.atomic():
        sales_settle(order_line_ids=LedgerEntry.objects.filter(household=household, kind=EntryKind.SALE_PENDING)
                     .values_list("order_line_id", flat=True))
    settled = HouseholdBalance.objects.get(household=household).settled
    batch = PayoutBatch.objects.create(station=Station.objects.get(code="YJ-MIAOBA"), prepared_by=operator)
    line = PayoutLine.objects.create(batch=batch, household=household, amount=settled, bank_account="1")
    with transaction.atomic():
        payouts_record(payout_lines=[line])
    credit = LedgerEntry.objects.filter(household=household, kind=EntryKind.SALE_PENDING).first()
    order = credit.order
    order_refund(order=order, quantities={credit.order_line_id: 1}, by=operator)

    code, output = audit()

    assert HouseholdBalance.objects.get(household=household).settled < 0
    assert code == 0, output


def test_every_discrepancy_is_named_on_its_own_line(shop):
    sql("UPDATE impact_householdbalance SET pending = pending + 1")

    _code, output = audit()

    assert sum(line.startswith(Kind.BALANCE + " ") for line in output.splitlines()) == HouseholdBalance.objects.count()


# One year -------------------------------------------------------------------------------------


@pytest.fixture
def last_years_sale(people, time_machine):
    time_machine.move_to(datetime(2025, 12, 31, 23, 30, tzinfo=CHINA))  # still 2025 in China
    shipment = paid_shipment()
    time_machine.move_to(A_DAY_IN_2026)
    return shipment.order.lines.get().partner.seller.household


def test_income_is_counted_in_the_year_it_was_credited_in_china(last_years_sale):
    assert list(HouseholdYear.objects.filter(household=last_years_sale).values_list("year", flat=True)) == [2025]
    assert audit()[0] == 0


def test_a_year_leaves_the_other_years_income_alone(last_years_sale):
    HouseholdYear.objects.filter(household=last_years_sale).update(net_income=Decimal("1.00"))

    assert audit("--year", "2026")[0] == 0
    code, output = audit("--year", "2025")
    assert code == 1 and named(output, Kind.HOUSEHOLD_YEAR, f"{last_years_sale.registry_id} 2025")


def test_a_year_checks_only_the_orders_placed_in_it(last_years_sale):
    order = Order.objects.get(lines__partner__seller__household=last_years_sale)
    order.sources.get().refund(Decimal("1.00"), reference="re_dashboard")

    assert audit("--year", "2026")[0] == 0
    assert named(audit("--year", "2025")[1], Kind.ORDER_MONEY, order.number)


def test_the_end_of_the_year_in_china_is_not_the_end_of_the_year_in_utc(people, time_machine):
    time_machine.move_to(datetime(2026, 1, 1, 0, 30, tzinfo=CHINA))  # 2025-12-31 16:30 UTC
    household = paid_shipment().order.lines.get().partner.seller.household

    assert list(HouseholdYear.objects.filter(household=household).values_list("year", flat=True)) == [2026]
    assert audit("--year", "2026")[0] == 0
