"""Each kind of ledger entry, written by the event that causes it in the shop: payment (at the
checkout, or a later change to paid), settlement, a line failing the station's check, a parcel
coming back, the operator's refunds, an adjustment and a payout."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from catalogue.factories import ProductFactory
from impact.models import (
    Bucket,
    EntryKind,
    FeeType,
    HouseholdYear,
    LedgerEntry,
    PayoutBatch,
    PayoutLine,
)
from impact.services import adjustment_record, payouts_record
from logistics.models import Station
from logistics.movement import Move, shipment_move
from logistics.states import State
from shop.core.errors import InvalidInput
from shop.factories import UserFactory
from shop.order.models import Order
from shop.order.refunds import order_refund
from shop.order.settlement import shipments_settle_due
from shop.order.statuses import OrderStatus
from tests.impact.ledger_orders import balance, checkout, entries_of, fee_rules_standard, totals_by_kind
from tests.personas import A_DAY_IN_2026, MIAOBA
from tests.shipping import demo_paid, moved_to, paid_order, paid_shipment
from tests.shopping import buy, offer

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]

SALE = EntryKind.SALE_PENDING, ""
COMMISSION = EntryKind.FEE, FeeType.COMMISSION
PACKING = EntryKind.FEE, FeeType.PACKING
TRANSPORT = EntryKind.FEE, FeeType.TRANSPORT
COLD_CHAIN = EntryKind.FEE, FeeType.COLD_CHAIN


@pytest.fixture(autouse=True)
def _fees(db):
    fee_rules_standard()


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_staff=True)


def household_of(order_line):
    return order_line.partner.seller.household


@pytest.fixture
def chilled_checkout(people, stations, client):
    """Two chilled Miaoba chickens at ¥50.00 bought through the checkout: ¥100.00 of goods,
    ¥12.00 delivery and ¥18.00 for the cold chain."""
    product = ProductFactory(storage="chilled")
    offer(product, township=MIAOBA, price="50.00")
    client.force_login(people.buyer)
    return checkout(client, product, quantity=2)


# Payment --------------------------------------------------------------------------------------


def test_the_demo_payment_at_the_checkout_credits_the_household_less_the_fees(chilled_checkout):
    assert chilled_checkout.status == OrderStatus.PAID
    assert totals_by_kind(chilled_checkout) == {
        SALE: Decimal("93.00"), COMMISSION: Decimal("5.00"), PACKING: Decimal("2.00"),
        TRANSPORT: Decimal("12.00"), COLD_CHAIN: Decimal("18.00"),
    }


def test_the_credit_goes_to_the_household_that_supplied_the_line(chilled_checkout):
    line = chilled_checkout.lines.get()
    (credit,) = entries_of(chilled_checkout, kind=EntryKind.SALE_PENDING)

    assert (credit.household, credit.bucket, credit.gross, credit.order_line) == (
        household_of(line), Bucket.PENDING, Decimal("100.00"), line
    )
    assert balance(household_of(line)) == (Decimal("93.00"), Decimal("0.00"), Decimal("0.00"))


def test_the_delivery_fees_belong_to_the_parcel_and_to_no_household(chilled_checkout):
    fees = entries_of(chilled_checkout, fee_type__in=[FeeType.TRANSPORT, FeeType.COLD_CHAIN])

    assert {(f.shipment_id, f.household_id, f.bucket) for f in fees} == {
        (chilled_checkout.shipments.get().pk, None, Bucket.NONE)
    }


def test_a_change_to_paid_credits_the_order(people):
    product = ProductFactory()
    offer(product, price="50.00")
    order = buy(product, 2)
    assert not entries_of(order)

    demo_paid(order)
    order.set_status(OrderStatus.PAID)

    assert totals_by_kind(order) == {SALE: Decimal("93.00"), COMMISSION: Decimal("5.00"), PACKING: Decimal("2.00")}


def test_no_delivery_fee_is_recorded_when_the_buyer_paid_nothing_for_delivery(people):
    """An order placed with free delivery: its parcel's station charge was never received."""
    shipment = paid_shipment(quantity=2)
    assert shipment.delivery_charge > 0 and shipment.order.shipping_incl_tax == 0

    assert not entries_of(shipment.order, fee_type__in=[FeeType.TRANSPORT, FeeType.COLD_CHAIN])


def test_a_certified_product_pays_no_waived_commission(people):
    shipment = paid_shipment(quantity=2, certificate_number="扶贫产品认定 2026-53-00001")

    assert totals_by_kind(shipment.order) == {SALE: Decimal("98.00"), PACKING: Decimal("2.00")}


def test_the_credit_counts_as_the_households_income_of_the_year(people):
    shipment = paid_shipment(quantity=2)
    household = household_of(shipment.order.lines.get())

    year = HouseholdYear.objects.get(household=household)
    assert (year.year, year.gross_sales, year.net_income) == (2026, Decimal("100.00"), Decimal("93.00"))


# Settlement -----------------------------------------------------------------------------------


def test_a_delivered_parcel_settles_its_credits_once_the_return_window_closed(people, time_machine):
    shipment = moved_to(paid_shipment(quantity=2), State.DELIVERED)
    household = household_of(shipment.order.lines.get())
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=7))

    assert shipments_settle_due() == 1

    (settled,) = entries_of(shipment.order, kind=EntryKind.SALE_SETTLED)
    assert (settled.household, settled.amount, settled.bucket) == (household, Decimal("93.00"), Bucket.SETTLED)
    assert balance(household) == (Decimal("0.00"), Decimal("93.00"), Decimal("0.00"))


def test_nothing_settles_before_the_return_window_closed(people, time_machine):
    shipment = moved_to(paid_shipment(quantity=2), State.DELIVERED)
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=6))

    shipments_settle_due()

    assert not entries_of(shipment.order, kind=EntryKind.SALE_SETTLED)


# Refunds: the station's check, returns, the operator --------------------------------------------


@pytest.fixture
def two_lines(people):
    """A paid order of 2 units each of two Miaoba products at ¥50.00, in one shipment."""
    products = [ProductFactory(), ProductFactory()]
    for product in products:
        offer(product, township=MIAOBA, price="50.00")
    return paid_order(*products, quantity=2).shipments.get()


def test_a_line_that_failed_the_check_reverses_its_credit_and_fees(two_lines):
    moved_to(two_lines, State.RECEIVED)
    failed, passed = (line for line in two_lines.lines.select_related("order_line"))

    shipment_move(shipment=two_lines, move=Move(to=State.QC_PASSED, failed_lines=frozenset({failed.pk})))

    reversals = entries_of(two_lines.order, kind=EntryKind.REVERSAL)
    assert {(r.order_line_id, r.fee_type, r.amount) for r in reversals} == {
        (failed.order_line_id, "", Decimal("-93.00")),
        (failed.order_line_id, FeeType.COMMISSION, Decimal("-5.00")),
        (failed.order_line_id, FeeType.PACKING, Decimal("-2.00")),
    }
    assert all(r.reverses.order_line_id == r.order_line_id for r in reversals)


def test_the_household_whose_line_failed_the_check_is_owed_nothing(two_lines):
    moved_to(two_lines, State.RECEIVED)
    failed, passed = (line.order_line for line in two_lines.lines.select_related("order_line"))

    shipment_move(shipment=two_lines, move=Move(to=State.QC_PASSED,
                                                failed_lines=frozenset({failed.shipment_line.pk})))

    assert balance(household_of(failed)) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert balance(household_of(passed)) == (Decimal("93.00"), Decimal("0.00"), Decimal("0.00"))
    year = HouseholdYear.objects.get(household=household_of(failed))
    assert (year.gross_sales, year.net_income) == (Decimal("0.00"), Decimal("0.00"))


def test_a_parcel_that_failed_the_check_reverses_everything_its_delivery_included(chilled_checkout):
    moved_to(chilled_checkout.shipments.get(), State.QC_FAILED)

    totals = totals_by_kind(chilled_checkout)
    assert {key: amount for key, amount in totals.items() if key[0] == EntryKind.REVERSAL} == {
        (EntryKind.REVERSAL, ""): Decimal("-93.00"),
        (EntryKind.REVERSAL, FeeType.COMMISSION): Decimal("-5.00"),
        (EntryKind.REVERSAL, FeeType.PACKING): Decimal("-2.00"),
        (EntryKind.REVERSAL, FeeType.TRANSPORT): Decimal("-12.00"),
        (EntryKind.REVERSAL, FeeType.COLD_CHAIN): Decimal("-18.00"),
    }


def test_a_returned_parcel_reverses_its_credit_fees_and_delivery(chilled_checkout):
    moved_to(chilled_checkout.shipments.get(), State.RETURNED)

    reversed_total = sum(e.amount for e in entries_of(chilled_checkout, kind=EntryKind.REVERSAL))
    assert reversed_total == -chilled_checkout.total_incl_tax == Decimal("-130.00")
    assert {e.fee_type for e in entries_of(chilled_checkout, kind=EntryKind.REVERSAL)} == {
        "", FeeType.COMMISSION, FeeType.PACKING, FeeType.TRANSPORT, FeeType.COLD_CHAIN
    }


@pytest.fixture
def three_at_33_33(people):
    """A paid order of 3 units at ¥33.33: ¥99.99, commission ¥5.00 (4.9995), packing ¥3.00,
    credit ¥91.99."""
    product = ProductFactory()
    offer(product, price="33.33")
    return paid_order(product, quantity=3)


def test_an_operators_partial_refund_reverses_its_share_of_credit_and_fees(three_at_33_33, operator):
    line = three_at_33_33.lines.get()

    order_refund(order=three_at_33_33, quantities={line.pk: 1}, by=operator)

    reversals = entries_of(three_at_33_33, kind=EntryKind.REVERSAL)
    # ¥33.33 shared by 5.00 : 3.00 : 91.99, to the fen; the fen left over goes to the largest remainder.
    assert [(r.fee_type, r.amount) for r in reversals] == [
        (FeeType.COMMISSION, Decimal("-1.67")), (FeeType.PACKING, Decimal("-1.00")), ("", Decimal("-30.66")),
    ]
    (credit_reversal,) = [r for r in reversals if not r.fee_type]
    assert credit_reversal.gross == Decimal("-33.33")


def test_the_last_partial_refund_reverses_exactly_what_was_left(three_at_33_33, operator):
    line = three_at_33_33.lines.get()

    for _unit in range(3):
        order_refund(order=three_at_33_33, quantities={line.pk: 1}, by=operator)

    assert all(amount == 0 for amount in _net_by_component(three_at_33_33).values())
    assert HouseholdYear.objects.get(household=household_of(line)).gross_sales == Decimal("0.00")


def _net_by_component(order) -> dict[int, Decimal]:
    """{credit or fee id: its amount plus its reversals}."""
    net = {}
    for entry in entries_of(order):
        if entry.kind in (EntryKind.SALE_PENDING, EntryKind.FEE):
            net[entry.pk] = net.get(entry.pk, Decimal("0")) + entry.amount
        elif entry.kind == EntryKind.REVERSAL:
            net[entry.reverses_id] = net.get(entry.reverses_id, Decimal("0")) + entry.amount
    return net


def test_a_refund_after_settlement_reverses_the_settled_balance(people, operator, time_machine):
    shipment = moved_to(paid_shipment(quantity=2), State.DELIVERED)
    household = household_of(shipment.order.lines.get())
    time_machine.move_to(A_DAY_IN_2026 + timedelta(days=8))
    shipments_settle_due()

    order_refund(order=Order.objects.get(pk=shipment.order_id), quantities={shipment.order.lines.get().pk: 1},
                 by=operator)

    (credit_reversal,) = entries_of(shipment.order, kind=EntryKind.REVERSAL, fee_type="")
    assert (credit_reversal.bucket, credit_reversal.amount) == (Bucket.SETTLED, Decimal("-46.50"))
    assert balance(household) == (Decimal("0.00"), Decimal("46.50"), Decimal("0.00"))


# Adjustments and payouts ---------------------------------------------------------------------


def adjust(**kwargs):
    with transaction.atomic():
        return adjustment_record(**kwargs)


def test_an_adjustment_needs_a_reason(people, operator):
    with pytest.raises(InvalidInput) as refusal:
        adjust(household=people.household_miaoba, amount=Decimal("10.00"), reason=" ", approved_by=operator, key="a1")

    assert "reason" in refusal.value.fields
    assert not LedgerEntry.objects.exists()


def test_an_adjustment_needs_a_platform_operators_approval(people):
    with pytest.raises(InvalidInput) as refusal:
        adjust(household=people.household_miaoba, amount=Decimal("10.00"), reason="漏记一笔货款",
               approved_by=people.manager_miaoba, key="a1")

    assert "approved_by" in refusal.value.fields
    assert not LedgerEntry.objects.exists()


def test_the_database_refuses_an_adjustment_without_reason_or_approver(people):
    entry = LedgerEntry(kind=EntryKind.ADJUSTMENT, bucket=Bucket.SETTLED, household=people.household_miaoba,
                        amount=Decimal("10.00"), created_at=A_DAY_IN_2026, idempotency_key="adjust:raw")

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.bulk_create([entry])


def test_an_approved_adjustment_moves_the_settled_balance_and_the_years_income(people, operator):
    entry = adjust(household=people.household_miaoba, amount=Decimal("12.34"), reason="漏记一笔货款",
                   approved_by=operator, key="a1")

    assert (entry.kind, entry.reason, entry.approved_by) == (EntryKind.ADJUSTMENT, "漏记一笔货款", operator)
    assert balance(people.household_miaoba) == (Decimal("0.00"), Decimal("12.34"), Decimal("0.00"))
    assert HouseholdYear.objects.get(household=people.household_miaoba).net_income == Decimal("12.34")


def test_a_payout_moves_money_from_settled_to_paid_out(people, operator):
    household = people.household_miaoba
    adjust(household=household, amount=Decimal("80.00"), reason="结算", approved_by=operator, key="a1")
    batch = PayoutBatch.objects.create(station=Station.objects.get(code="YJ-MIAOBA"), prepared_by=people.manager_miaoba)
    line = PayoutLine.objects.create(batch=batch, household=household, amount=Decimal("75.50"),
                                     bank_account="6217000011112222")

    with transaction.atomic():
        (payout,) = payouts_record(payout_lines=[line])

    assert (payout.kind, payout.amount, payout.payout_line) == (EntryKind.PAYOUT, Decimal("-75.50"), line)
    assert balance(household) == (Decimal("0.00"), Decimal("4.50"), Decimal("75.50"))


def test_delivery_the_operator_refunded_is_not_refunded_again_when_the_parcel_fails_the_check(
    chilled_checkout, operator
):
    line = chilled_checkout.lines.get()
    order_refund(order=chilled_checkout, quantities={line.pk: 1}, by=operator, delivery=Decimal("30.00"))

    moved_to(chilled_checkout.shipments.get(), State.QC_FAILED)

    chilled_checkout.refresh_from_db()
    source = chilled_checkout.sources.get()
    assert source.amount_refunded == chilled_checkout.total_incl_tax == Decimal("130.00")
    assert sum(e.amount for e in entries_of(chilled_checkout)) == Decimal("0.00")


def test_the_operator_cannot_refund_delivery_twice(chilled_checkout, operator):
    line = chilled_checkout.lines.get()
    order_refund(order=chilled_checkout, quantities={line.pk: 1}, by=operator, delivery=Decimal("30.00"))

    with pytest.raises(InvalidInput) as refused:
        order_refund(order=chilled_checkout, quantities={line.pk: 1}, by=operator, delivery=Decimal("1.00"))

    assert "delivery" in refused.value.fields
    assert chilled_checkout.sources.get().amount_refunded == Decimal("80.00")
