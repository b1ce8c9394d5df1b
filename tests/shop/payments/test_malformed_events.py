"""Stripe's webhook: a correctly signed event without the shape of Stripe's events is a 400
that changes nothing, never a 500; a refund claiming more than was paid is not recorded."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.apps.payment.models import Source, Transaction

from shop.order.models import Order
from shop.payments.models import StripeEvent
from tests.stripe_local import charge_refunded_object, intent_object, sign, stripe_event

pytestmark = [pytest.mark.django_db]


def _post_raw(payload: str):
    return Client().post(reverse("stripe-webhook"), data=payload.encode(), content_type="application/json",
                         headers={"Stripe-Signature": sign(payload)})


def _assert_refused_and_nothing_changed(response, order=None):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("text/plain")
    assert not StripeEvent.objects.exists()
    if order is not None:
        assert Order.objects.get(pk=order.pk).status == "pending"
        assert not Transaction.objects.filter(source__order=order).exists()


# --- the envelope -----------------------------------------------------------------------------


@pytest.mark.parametrize("event", [
    {"id": "evt_1"},
    {"id": "evt_1", "type": "payment_intent.succeeded"},
    {"id": "evt_1", "type": "payment_intent.succeeded", "data": {}},
    {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": "pi_1"}},
    {"id": "evt_1", "type": "payment_intent.succeeded", "data": "pi_1"},
    {"id": 1, "type": "payment_intent.succeeded", "data": {"object": {}}},
    {"id": "evt_1", "type": ["payment_intent.succeeded"], "data": {"object": {}}},
    [1, 2, 3],
    "evt_1",
], ids=["no-type", "no-data", "no-object", "object-a-string", "data-a-string", "id-a-number", "type-a-list",
        "a-list", "a-string"])
def test_an_event_without_stripes_envelope_is_400(deliver, event):
    _assert_refused_and_nothing_changed(deliver(event))


def test_an_event_id_longer_than_stripes_is_400(deliver, pending_order):
    event = stripe_event("payment_intent.succeeded", intent_object(pending_order), event_id="evt_" + "x" * 300)
    _assert_refused_and_nothing_changed(deliver(event), pending_order)


def test_an_event_nested_2000_levels_deep_is_400(webhook_secret):
    _assert_refused_and_nothing_changed(_post_raw('{"id": "evt_1", "data": ' + "[" * 2000 + "]" * 2000 + "}"))


def test_an_event_with_a_nul_character_is_400(deliver, pending_order):
    intent = intent_object(pending_order)
    intent["description"] = "chicken\x00"
    _assert_refused_and_nothing_changed(deliver(stripe_event("payment_intent.succeeded", intent)), pending_order)


def test_an_event_whose_created_time_is_not_a_number_is_400(deliver, pending_order):
    event = stripe_event("payment_intent.succeeded", intent_object(pending_order))
    event["created"] = "yesterday"
    _assert_refused_and_nothing_changed(deliver(event), pending_order)


# --- payment intents ----------------------------------------------------------------------------


def _intent_with(order, **changes) -> dict:
    intent = intent_object(order)
    for key, value in changes.items():
        if value is KeyError:
            intent.pop(key)
        else:
            intent[key] = value
    return intent


@pytest.mark.parametrize("changes", [
    {"amount": "128.00", "amount_received": "128.00"},
    {"amount_received": 12800.0},
    {"amount_received": True},
    {"amount_received": -12800},
    {"amount": KeyError, "amount_received": KeyError},
    {"id": KeyError},
    {"id": {"pi": 1}},
    {"currency": KeyError},
    {"currency": 156},
    {"currency": "yuan"},
    {"metadata": "order T-1"},
    {"metadata": {"order_number": {"n": 1}}},
    {"metadata": {"order_number": "1" * 200}},
], ids=["amount-a-string", "amount-a-float", "amount-a-bool", "amount-negative", "no-amount", "no-id", "id-a-dict",
        "no-currency", "currency-a-number", "currency-not-a-code", "metadata-a-string", "order-number-a-dict",
        "order-number-too-long"])
def test_a_payment_intent_succeeded_of_the_wrong_shape_is_400(deliver, pending_order, changes):
    event = stripe_event("payment_intent.succeeded", _intent_with(pending_order, **changes))
    _assert_refused_and_nothing_changed(deliver(event), pending_order)


@pytest.mark.parametrize("error", ["card declined", ["card_declined"], {"code": 402}, {"message": ["no"]}],
                         ids=["a-string", "a-list", "code-a-number", "message-a-list"])
def test_a_payment_failed_with_a_malformed_error_is_400(deliver, pending_order, error):
    intent = intent_object(pending_order, status="requires_payment_method", last_payment_error=error)
    _assert_refused_and_nothing_changed(deliver(stripe_event("payment_intent.payment_failed", intent)), pending_order)


def test_a_payment_failed_with_an_amount_that_is_not_an_int_is_400(deliver, pending_order):
    Source.objects.create(order=pending_order, source_type=_stripe(), currency="CNY", reference="pi_test_0001")
    intent = intent_object(pending_order, status="requires_payment_method", last_payment_error={"code": "x"})
    intent["amount"] = "128.00"
    _assert_refused_and_nothing_changed(deliver(stripe_event("payment_intent.payment_failed", intent)), pending_order)


def _stripe():
    from shop.payments.stripe.services import source_type_stripe

    return source_type_stripe()


# --- charge.refunded ----------------------------------------------------------------------------


@pytest.fixture
def paid(deliver, pending_order) -> Source:
    deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order, intent_id="pi_alice")))
    return Source.objects.get(order=pending_order, reference="pi_alice")


def _charge_with(*, refund: dict | None = None, **changes) -> dict:
    charge = charge_refunded_object(intent_id="pi_alice", refunds=[("re_erin", 5000)])
    if refund is not None:
        charge["refunds"]["data"] = [refund]
    charge.update(changes)
    return charge


@pytest.mark.parametrize("charge", [
    _charge_with(refund={"id": "re_erin", "amount": "50.00", "status": "succeeded"}),
    _charge_with(refund={"id": "re_erin", "amount": 5000.0, "status": "succeeded"}),
    _charge_with(refund={"id": "re_erin", "amount": -5000, "status": "succeeded"}),
    _charge_with(refund={"id": "re_erin", "status": "succeeded"}),
    _charge_with(refund={"amount": 5000, "status": "succeeded"}),
    _charge_with(refund={"id": "re_erin", "amount": 5000}),
    _charge_with(refund="re_erin"),
    _charge_with(refunds={"object": "list", "has_more": False, "data": "re_erin"}),
    _charge_with(refunds="re_erin"),
    _charge_with(payment_intent={"id": "pi_alice"}),
    _charge_with(id=KeyError),
], ids=["amount-a-string", "amount-a-float", "amount-negative", "no-amount", "no-id", "no-status", "refund-a-string",
        "data-a-string", "refunds-a-string", "intent-a-dict", "no-charge-id"])
def test_a_charge_refunded_of_the_wrong_shape_is_400(deliver, paid, charge):
    if charge.get("id") is KeyError:
        del charge["id"]
    response = deliver(stripe_event("charge.refunded", charge))
    assert response.status_code == 400, response.content
    paid.refresh_from_db()
    assert paid.amount_refunded == 0
    assert StripeEvent.objects.filter(type="charge.refunded").count() == 0


# --- refunds beyond the payment ------------------------------------------------------------------


def test_a_refund_claiming_more_than_was_paid_is_not_recorded(deliver, paid):
    charge = charge_refunded_object(intent_id="pi_alice", refunds=[("re_greedy", 12801)])
    response = deliver(stripe_event("charge.refunded", charge))
    assert response.status_code == 200 and response.json()["outcome"] == "refund_exceeds_payment"
    paid.refresh_from_db()
    assert paid.amount_refunded == 0
    assert not paid.transactions.filter(txn_type=Transaction.REFUND).exists()


def test_a_refund_claiming_more_than_was_paid_is_noted_for_the_operator(deliver, paid):
    deliver(stripe_event("charge.refunded", charge_refunded_object(intent_id="pi_alice", refunds=[("re_x", 12801)])))
    note = paid.order.notes.get(message__contains="re_x").message
    assert "128.01" in note and "128.00" in note  # what was claimed, and what was left


def test_refunds_adding_up_to_more_than_was_paid_record_only_what_fits(deliver, paid):
    charge = charge_refunded_object(intent_id="pi_alice", refunds=[("re_one", 10000), ("re_two", 5000)])
    response = deliver(stripe_event("charge.refunded", charge))
    assert response.json()["outcome"] == "refund_exceeds_payment"
    paid.refresh_from_db()
    assert paid.amount_refunded == Decimal("100.00")
    assert list(paid.transactions.filter(txn_type=Transaction.REFUND).values_list("reference", flat=True)) == ["re_one"]


def test_a_refund_of_the_whole_payment_is_still_recorded(deliver, paid):
    deliver(stripe_event("charge.refunded", charge_refunded_object(intent_id="pi_alice", refunds=[("re_all", 12800)])))
    paid.refresh_from_db()
    assert paid.amount_refunded == Decimal("128.00")


def test_a_refund_for_a_payment_not_recorded_yet_is_postponed(deliver, pending_order):
    """The checkout opened the Source, but payment_intent.succeeded has not been applied yet:
    Stripe delivers the refund again later."""
    Source.objects.create(order=pending_order, source_type=_stripe(), currency="CNY", reference="pi_alice")
    response = deliver(stripe_event("charge.refunded", charge_refunded_object(intent_id="pi_alice",
                                                                              refunds=[("re_erin", 5000)])))
    assert response.status_code == 409
    assert not StripeEvent.objects.exists()
    assert Source.objects.get(reference="pi_alice").amount_refunded == 0


def test_refund_record_refuses_more_than_is_left(paid):
    from shop.core.errors import InvalidInput
    from shop.payments.stripe.services import refund_record

    with pytest.raises(InvalidInput):
        refund_record(source=paid, refund_id="re_big", amount=Decimal("128.01"), status="succeeded")
    paid.refresh_from_db()
    assert paid.amount_refunded == 0
