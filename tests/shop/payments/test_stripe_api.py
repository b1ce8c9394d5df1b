"""Payments and refunds through the official SDK, over HTTP, against localstripe."""

import json
import urllib.request
from decimal import Decimal

import pytest
from oscar.apps.payment.models import Source, Transaction

from shop.core.errors import InvalidInput
from shop.payments.stripe.client import PaymentDeclined
from shop.payments.stripe.handlers import event_process
from shop.payments.stripe.services import (
    payment_intent_confirm,
    payment_intent_create,
    refund_create,
)
from tests.stripe_local import (
    CARD_3DS_REQUIRED,
    CARD_DECLINED,
    CARD_VISA,
    stripe_event,
)

pytestmark = pytest.mark.django_db


def _intent(order_number="T-100001", amount="128.00"):
    return payment_intent_create(order_number=order_number, amount=Decimal(amount), currency="CNY")


def test_it_creates_an_intent_in_fen_for_the_order(stripe_api):
    intent = _intent(order_number="T-100042")
    assert (intent.amount, intent.currency, intent.status) == (12800, "cny", "requires_payment_method")
    assert intent.metadata["order_number"] == "T-100042"


def test_a_visa_test_card_payment_succeeds(stripe_api, card):
    intent = _intent()
    confirmed = payment_intent_confirm(intent_id=intent.id, payment_method=card(CARD_VISA))
    assert confirmed.status == "succeeded"
    assert stripe_api.v1.payment_intents.retrieve(intent.id).status == "succeeded"


def test_a_declined_card_raises_a_clear_decline(stripe_api, card):
    intent = _intent()
    with pytest.raises(PaymentDeclined) as declined:
        payment_intent_confirm(intent_id=intent.id, payment_method=card(CARD_DECLINED))
    assert declined.value.decline_code == "card_declined"
    assert declined.value.provider_message == "Your card was declined."
    assert declined.value.status == 402


def test_a_3d_secure_card_requires_action(stripe_api, card):
    intent = _intent()
    confirmed = payment_intent_confirm(intent_id=intent.id, payment_method=card(CARD_3DS_REQUIRED))
    assert confirmed.status == "requires_action"
    assert confirmed.next_action.type == "use_stripe_sdk"


def test_a_3d_secure_payment_succeeds_once_the_buyer_authenticates(stripe_api, card, localstripe_url):
    intent = _intent()
    confirmed = payment_intent_confirm(intent_id=intent.id, payment_method=card(CARD_3DS_REQUIRED))
    # What Stripe.js does in the buyer's browser; localstripe's stand-in for the bank's challenge.
    body = f"key=pk_test_wumeng&client_secret={confirmed.client_secret}&success=true".encode()
    urllib.request.urlopen(f"{localstripe_url}/v1/payment_intents/{intent.id}/_authenticate", data=body, timeout=5)
    assert stripe_api.v1.payment_intents.retrieve(intent.id).status == "succeeded"


# Refunds -------------------------------------------------------------------------------------

@pytest.fixture
def stripe_paid_order(stripe_api, card, pending_order):
    """Alice's ¥128.00 order, paid by card at (local)Stripe, recorded as the webhook records it."""
    intent = payment_intent_create(order_number=pending_order.number, amount=pending_order.total_incl_tax,
                                   currency=pending_order.currency)
    confirmed = payment_intent_confirm(intent_id=intent.id, payment_method=card(CARD_VISA))
    outcome = event_process(stripe_event("payment_intent.succeeded", confirmed.to_dict(for_json=True)))
    assert outcome == "paid"
    pending_order.refresh_from_db()
    return pending_order


def _source(order) -> Source:
    return Source.objects.get(order=order, source_type__code="stripe")


def test_a_full_refund_goes_back_through_stripe(stripe_api, stripe_paid_order):
    refund = refund_create(order=stripe_paid_order)
    assert (refund.amount, refund.status) == (12800, "succeeded")
    assert stripe_api.v1.refunds.retrieve(refund.id).payment_intent == _source(stripe_paid_order).reference


def test_a_full_refund_is_recorded_on_the_source(stripe_paid_order):
    refund = refund_create(order=stripe_paid_order, reason="破损")
    source = _source(stripe_paid_order)
    assert source.amount_refunded == Decimal("128.00")
    recorded = source.transactions.get(txn_type=Transaction.REFUND)
    assert (recorded.amount, recorded.reference, recorded.status) == (Decimal("128.00"), refund.id, "succeeded")


def test_a_partial_refund_refunds_only_that_amount(stripe_api, stripe_paid_order):
    refund = refund_create(order=stripe_paid_order, amount=Decimal("28.50"))
    assert refund.amount == 2850
    assert _source(stripe_paid_order).amount_refunded == Decimal("28.50")


def test_two_partial_refunds_add_up(stripe_paid_order):
    refund_create(order=stripe_paid_order, amount=Decimal("28.50"))
    refund_create(order=stripe_paid_order, amount=Decimal("28.50"))
    source = _source(stripe_paid_order)
    assert source.amount_refunded == Decimal("57.00")
    assert source.transactions.filter(txn_type=Transaction.REFUND).count() == 2


def test_the_rest_is_refunded_when_no_amount_is_given(stripe_paid_order):
    refund_create(order=stripe_paid_order, amount=Decimal("28.50"))
    refund = refund_create(order=stripe_paid_order)
    assert refund.amount == 9950
    assert _source(stripe_paid_order).amount_refunded == Decimal("128.00")


def test_more_than_was_paid_cannot_be_refunded_and_nothing_changes(stripe_api, stripe_paid_order):
    with pytest.raises(InvalidInput):
        refund_create(order=stripe_paid_order, amount=Decimal("128.01"))
    source = _source(stripe_paid_order)
    assert source.amount_refunded == 0
    assert stripe_api.v1.refunds.list(params={"payment_intent": source.reference}).data == []


def test_an_order_without_a_stripe_payment_cannot_be_refunded(stripe_api, pending_order):
    with pytest.raises(InvalidInput):
        refund_create(order=pending_order)


def test_the_refund_webhook_does_not_count_a_refund_twice(stripe_api, stripe_paid_order):
    refund = refund_create(order=stripe_paid_order, amount=Decimal("50.00"))
    charge = stripe_api.v1.charges.retrieve(refund.charge)
    event_process(stripe_event("charge.refunded", charge.to_dict(for_json=True)))
    assert _source(stripe_paid_order).amount_refunded == Decimal("50.00")


def test_the_refund_webhook_asks_stripe_for_refunds_its_event_does_not_list(stripe_api, stripe_paid_order):
    """Recent API versions leave a charge's refunds out of charge.refunded: they are listed from Stripe."""
    source = _source(stripe_paid_order)
    refund = stripe_api.v1.refunds.create(params={"payment_intent": source.reference, "amount": 3000})
    charge = stripe_api.v1.charges.retrieve(refund.charge).to_dict(for_json=True)
    del charge["refunds"]
    assert event_process(stripe_event("charge.refunded", json.loads(json.dumps(charge)))) == "refund_recorded"
    source.refresh_from_db()
    assert source.amount_refunded == Decimal("30.00")
    assert source.transactions.get(txn_type=Transaction.REFUND).reference == refund.id
