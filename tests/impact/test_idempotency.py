"""A payment, a settlement or a refund that reaches the ledger twice (a replayed webhook, a
retried task, a status set again from a stale copy of the order) writes its entries once."""

from decimal import Decimal

import pytest
from django.db import transaction

from catalogue.factories import ProductFactory
from impact.models import EntryKind, FeeRule, FeeType, HouseholdYear, LedgerEntry
from impact.services import refund_reverse, sales_settle
from logistics.states import State
from sellers.factories import HouseholdFactory
from sellers.models import BenefitLink
from shop.factories import UserFactory
from shop.order.ledger import order_paid_credit
from shop.order.models import Order
from shop.order.refunds import order_refund
from shop.order.settlement import shipment_settle
from shop.order.statuses import OrderStatus
from shop.payments.stripe.services import payment_intent_confirm, payment_intent_create
from tests.impact.ledger_orders import (
    audit,
    balance,
    cooperative,
    cooperative_offer,
    entries_of,
    fee_rules_standard,
)
from tests.personas import A_DAY_IN_2026
from tests.shipping import demo_paid, moved_to, paid_shipment
from tests.shop.payments import conftest as payments
from tests.shopping import buy, offer
from tests.stripe_local import CARD_VISA, stripe_event

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]

# The payment tests' fixtures: Stripe is a localstripe server here too, its events signed as Stripe signs them.
localstripe_url, stripe_api, card = payments.localstripe_url, payments.stripe_api, payments.card
webhook_secret, deliver, pending_order = payments.webhook_secret, payments.deliver, payments.pending_order


@pytest.fixture(autouse=True)
def _fees(db):
    fee_rules_standard()


def snapshot(order) -> list[tuple]:
    return [(e.kind, e.fee_type, e.household_id, e.amount, e.idempotency_key) for e in entries_of(order)]


def household_of(order):
    return order.lines.get().partner.seller.household


def paid_keeping_a_stale_copy(order):
    """Pay `order` (demo payment, PAID); return a copy read before, still "pending" in memory."""
    stale = Order.objects.get(pk=order.pk)
    demo_paid(order)
    order.set_status(OrderStatus.PAID)
    return stale


# Payment --------------------------------------------------------------------------------------


def test_paid_set_again_from_a_stale_copy_of_the_order_credits_once(people):
    product = ProductFactory()
    offer(product, price="50.00")
    order = buy(product, 2)
    stale = paid_keeping_a_stale_copy(order)
    written = snapshot(order)

    stale.set_status(OrderStatus.PAID)  # still "pending" in memory: the change to paid fires again

    assert snapshot(order) == written
    assert balance(household_of(order))[0] == Decimal("93.00")


def test_crediting_a_paid_order_again_writes_nothing(people):
    shipment = paid_shipment(quantity=2)
    order, written = shipment.order, snapshot(shipment.order)

    with transaction.atomic():
        order_paid_credit(order=order)

    assert snapshot(order) == written
    assert HouseholdYear.objects.get(household=household_of(order)).net_income == Decimal("93.00")


@pytest.fixture
def card_paid_intent(stripe_api, card, pending_order):
    """The ¥128.00 order's PaymentIntent, paid by card at (local)Stripe, as Stripe's webhook
    event carries it (not yet delivered)."""
    intent = payment_intent_create(order_number=pending_order.number, amount=pending_order.total_incl_tax,
                                   currency=pending_order.currency)
    confirmed = payment_intent_confirm(intent_id=intent.id, payment_method=card(CARD_VISA))
    assert confirmed.status == "succeeded"
    return confirmed.to_dict(for_json=True)


def test_a_replayed_stripe_payment_event_credits_once(deliver, card_paid_intent, pending_order):
    event = stripe_event("payment_intent.succeeded", card_paid_intent)
    assert deliver(event).json()["outcome"] == "paid"
    written = snapshot(pending_order)

    replay = deliver(event)

    assert replay.json()["outcome"] == "duplicate"
    assert snapshot(pending_order) == written
    # ¥128.00 less 5 % commission (¥6.40) and packing (¥1.00).
    assert sum(e.amount for e in entries_of(pending_order, kind=EntryKind.SALE_PENDING)) == Decimal("120.60")


def test_a_second_stripe_event_for_the_same_payment_credits_once(deliver, card_paid_intent, pending_order):
    deliver(stripe_event("payment_intent.succeeded", card_paid_intent))
    written = snapshot(pending_order)

    again = deliver(stripe_event("payment_intent.succeeded", card_paid_intent))  # a new event id

    assert again.json()["outcome"] == "already_recorded"
    assert snapshot(pending_order) == written


def test_a_replayed_stripe_refund_event_reverses_once(deliver, card_paid_intent, pending_order, stripe_api):
    deliver(stripe_event("payment_intent.succeeded", card_paid_intent))
    order = Order.objects.get(pk=pending_order.pk)
    order_refund(order=order, quantities={order.lines.get().pk: 1}, by=UserFactory(is_staff=True))
    written = snapshot(order)
    (refund,) = stripe_api.v1.refunds.list(params={"payment_intent": card_paid_intent["id"]}).data
    charge = stripe_api.v1.charges.retrieve(refund.charge).to_dict(for_json=True)
    refunded = stripe_event("charge.refunded", charge)

    assert deliver(refunded).json()["outcome"] == "already_recorded"  # refund_create recorded it
    assert deliver(refunded).json()["outcome"] == "duplicate"

    assert snapshot(order) == written
    assert order.sources.get().amount_refunded == Decimal("128.00")
    assert audit()[0] == 0


# Settlement and refunds ----------------------------------------------------------------------


def test_settling_a_shipment_twice_settles_once(people):
    shipment = moved_to(paid_shipment(quantity=2), State.DELIVERED)
    assert shipment_settle(shipment=shipment) is True

    assert shipment_settle(shipment=shipment) is False

    assert [e.amount for e in entries_of(shipment.order, kind=EntryKind.SALE_SETTLED)] == [Decimal("93.00")]
    assert balance(household_of(shipment.order)) == (Decimal("0.00"), Decimal("93.00"), Decimal("0.00"))


def test_a_retried_settlement_of_the_ledger_writes_nothing(people):
    """Even past the shipment's own guard (its settled time), the entries' keys hold."""
    shipment = moved_to(paid_shipment(quantity=2), State.DELIVERED)
    shipment_settle(shipment=shipment)
    written = snapshot(shipment.order)

    with transaction.atomic():
        assert sales_settle(order_line_ids=[shipment.order.lines.get().pk]) == []

    assert snapshot(shipment.order) == written


def test_a_retried_refund_reversal_writes_once(people):
    shipment = paid_shipment(quantity=2)
    line = shipment.order.lines.get()
    refund = {line.pk: (1, 2, line.unit_price_incl_tax)}
    with transaction.atomic():
        first = refund_reverse(refund_key="refund:test-1", lines=refund, order_id=shipment.order_id)

    with transaction.atomic():
        again = refund_reverse(refund_key="refund:test-1", lines=refund, order_id=shipment.order_id)

    assert (len(first), again) == (3, [])
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 3
    assert balance(household_of(shipment.order))[0] == Decimal("46.50")


# A replayed payment after the rules changed ---------------------------------------------------


def test_a_payment_replayed_after_a_new_fee_rule_writes_no_fee(people):
    FeeRule.objects.filter(fee_type=FeeType.PACKING).delete()
    product = ProductFactory()
    offer(product, price="50.00")
    order = buy(product, 2)
    stale = paid_keeping_a_stale_copy(order)
    before = list(LedgerEntry.objects.filter(order=order).values_list("kind", "fee_type", "amount"))
    FeeRule.objects.create(fee_type=FeeType.PACKING, per_unit=Decimal("1.00"), waived_for_certified=False)

    stale.set_status(OrderStatus.PAID)

    assert list(LedgerEntry.objects.filter(order=order).values_list("kind", "fee_type", "amount")) == before


def test_a_payment_replayed_after_a_new_benefit_link_credits_nobody_more(people):
    product = ProductFactory()
    seller, households = cooperative(["0.50"])
    cooperative_offer(product, seller, price="100.00")
    order = buy(product, 1)
    stale = paid_keeping_a_stale_copy(order)
    credits = list(LedgerEntry.objects.filter(order=order, kind=EntryKind.SALE_PENDING).values_list("household", "amount"))
    newcomer = HouseholdFactory(township=households[0].township, consent_to_sell=True)
    BenefitLink.objects.create(seller=seller, household=newcomer, kind="operating", share=Decimal("0.25"))

    stale.set_status(OrderStatus.PAID)

    assert list(LedgerEntry.objects.filter(order=order, kind=EntryKind.SALE_PENDING)
                .values_list("household", "amount")) == credits
