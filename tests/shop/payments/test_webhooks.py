"""Stripe's webhook: only signed, fresh events change orders, each one once."""

import time
from decimal import Decimal

import pytest
from oscar.apps.payment.models import Source, Transaction

from shop.order.models import Order
from shop.payments.models import StripeEvent
from tests.stripe_local import (
    charge_refunded_object,
    intent_object,
    sign,
    stripe_event,
)

pytestmark = [pytest.mark.django_db]


def _reloaded(order) -> Order:
    return Order.objects.get(pk=order.pk)


def test_it_marks_the_order_paid_on_a_signed_payment_intent_succeeded(deliver, pending_order):
    response = deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order)))
    assert response.status_code == 200
    assert _reloaded(pending_order).status == "paid"


def test_it_records_the_payment_on_a_stripe_source(deliver, pending_order):
    deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order, intent_id="pi_alice")))
    source = Source.objects.get(order=pending_order)
    assert (source.source_type.code, source.reference, source.currency) == ("stripe", "pi_alice", "CNY")
    assert source.amount_debited == Decimal("128.00")
    debit = source.transactions.get()
    assert (debit.txn_type, debit.amount, debit.reference) == (Transaction.DEBIT, Decimal("128.00"), "pi_alice")


def test_it_records_a_paid_payment_event_for_every_line(deliver, pending_order):
    deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order, intent_id="pi_alice")))
    event = pending_order.payment_events.get()
    assert (event.event_type.name, event.amount, event.reference) == ("paid", Decimal("128.00"), "pi_alice")
    assert {q.line_id: q.quantity for q in event.line_quantities.all()} == {
        line.pk: line.quantity for line in pending_order.lines.all()
    }


def test_a_replayed_event_changes_nothing(deliver, pending_order):
    event = stripe_event("payment_intent.succeeded", intent_object(pending_order))
    deliver(event)
    replay = deliver(event)
    assert replay.status_code == 200 and replay.json()["outcome"] == "duplicate"
    assert Source.objects.get(order=pending_order).amount_debited == Decimal("128.00")
    assert Transaction.objects.filter(source__order=pending_order).count() == 1
    assert pending_order.status_changes.count() == 1
    assert StripeEvent.objects.count() == 1


def test_a_second_event_for_the_same_payment_does_not_debit_twice(deliver, pending_order):
    deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order, intent_id="pi_alice")))
    response = deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order, intent_id="pi_alice")))
    assert response.json()["outcome"] == "already_recorded"
    assert Source.objects.get(order=pending_order).amount_debited == Decimal("128.00")


def test_it_stores_the_processed_event(deliver, pending_order):
    event = stripe_event("payment_intent.succeeded", intent_object(pending_order), event_id="evt_bob")
    deliver(event)
    stored = StripeEvent.objects.get(event_id="evt_bob")
    assert (stored.type, stored.order_number, stored.outcome) == (
        "payment_intent.succeeded", pending_order.number, "paid"
    )
    assert stored.payload == event


def test_a_forged_signature_is_refused_and_changes_nothing(deliver, pending_order):
    event = stripe_event("payment_intent.succeeded", intent_object(pending_order))
    forged = sign('{"id": "evt_other"}', secret="whsec_charlie_guessed")
    response = deliver(event, header=forged)
    assert response.status_code == 400
    assert _reloaded(pending_order).status == "pending"
    assert not Source.objects.exists() and not StripeEvent.objects.exists()


def test_a_payload_signed_with_another_secret_is_refused(deliver, pending_order):
    import json

    event = stripe_event("payment_intent.succeeded", intent_object(pending_order))
    header = sign(json.dumps(event, ensure_ascii=False), secret="whsec_someone_else")
    assert deliver(event, header=header).status_code == 400
    assert _reloaded(pending_order).status == "pending"


def test_a_delivery_without_a_signature_is_refused(deliver, pending_order):
    response = deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order)), header="")
    assert response.status_code == 400
    assert _reloaded(pending_order).status == "pending"


def test_a_stale_signature_is_refused(deliver, pending_order):
    ten_minutes_ago = int(time.time()) - 600
    event = stripe_event("payment_intent.succeeded", intent_object(pending_order))
    response = deliver(event, timestamp=ten_minutes_ago)
    assert response.status_code == 400
    assert _reloaded(pending_order).status == "pending"
    assert not StripeEvent.objects.exists()


def test_every_delivery_is_refused_without_an_endpoint_secret(deliver, pending_order, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order)))
    assert response.status_code == 400
    assert _reloaded(pending_order).status == "pending"
    assert not StripeEvent.objects.exists()


def test_it_only_accepts_post(client, webhook_secret):
    from django.urls import reverse

    assert client.get(reverse("stripe-webhook")).status_code == 405


def test_a_signed_body_that_is_not_an_event_is_refused(deliver):
    assert deliver({"hello": "stripe"}).status_code == 400


def test_a_failed_payment_leaves_the_order_pending(deliver, pending_order):
    failed = intent_object(pending_order, status="requires_payment_method",
                           last_payment_error={"code": "card_declined", "decline_code": "insufficient_funds",
                                               "message": "Your card has insufficient funds."})
    response = deliver(stripe_event("payment_intent.payment_failed", failed))
    assert response.status_code == 200 and response.json()["outcome"] == "payment_failed"
    assert _reloaded(pending_order).status == "pending"


def test_a_failed_payment_is_noted_with_its_decline_code(deliver, pending_order):
    failed = intent_object(pending_order, status="requires_payment_method",
                           last_payment_error={"code": "card_declined", "decline_code": "insufficient_funds",
                                               "message": "Your card has insufficient funds."})
    deliver(stripe_event("payment_intent.payment_failed", failed))
    assert "insufficient_funds" in pending_order.notes.get().message


def test_a_failed_attempt_on_a_known_payment_is_a_failed_transaction(deliver, pending_order):
    from shop.payments.stripe.services import source_type_stripe

    source = Source.objects.create(order=pending_order, source_type=source_type_stripe(), currency="CNY",
                                   amount_allocated=Decimal("128.00"), reference="pi_alice")
    failed = intent_object(pending_order, intent_id="pi_alice", status="requires_payment_method",
                           last_payment_error={"code": "card_declined", "message": "Your card was declined."})
    deliver(stripe_event("payment_intent.payment_failed", failed))
    attempt = source.transactions.get()
    assert (attempt.txn_type, attempt.status) == (Transaction.DEBIT, "failed: card_declined")
    source.refresh_from_db()
    assert source.amount_debited == 0


@pytest.fixture
def placed_on_a_processing_wallet_payment(pending_order):
    """An order placed while its WeChat Pay payment was still processing."""
    from shop.payments.stripe.services import source_type_stripe

    Source.objects.create(order=pending_order, source_type=source_type_stripe(), currency="CNY",
                          amount_allocated=Decimal("128.00"), reference="pi_wallet")
    return pending_order


def _wallet_failed(order):
    return stripe_event("payment_intent.payment_failed", intent_object(
        order, intent_id="pi_wallet", status="requires_payment_method",
        last_payment_error={"code": "payment_method_provider_decline", "message": "The wallet declined."}))


def test_a_failed_payment_the_order_was_placed_on_cancels_it(deliver, placed_on_a_processing_wallet_payment):
    response = deliver(_wallet_failed(placed_on_a_processing_wallet_payment))
    assert response.json()["outcome"] == "cancelled_unpaid"
    assert _reloaded(placed_on_a_processing_wallet_payment).status == "cancelled"


def test_a_cancelled_unpaid_order_returns_its_goods_to_stock(deliver, placed_on_a_processing_wallet_payment):
    line = placed_on_a_processing_wallet_payment.lines.get()
    assert line.stockrecord.num_allocated == 1
    deliver(_wallet_failed(placed_on_a_processing_wallet_payment))
    line.stockrecord.refresh_from_db()
    assert line.stockrecord.num_allocated == 0


def test_an_amount_that_does_not_match_the_total_does_not_mark_paid(deliver, pending_order):
    short = intent_object(pending_order, amount=Decimal("1.28"))
    response = deliver(stripe_event("payment_intent.succeeded", short))
    assert response.json()["outcome"] == "amount_mismatch"
    assert _reloaded(pending_order).status == "pending"


def test_a_mismatched_payment_is_still_recorded_so_it_can_be_refunded(deliver, pending_order):
    deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order, amount=Decimal("1.28"))))
    assert Source.objects.get(order=pending_order).amount_debited == Decimal("1.28")
    assert "1.28" in pending_order.notes.get().message


def test_a_payment_in_another_currency_does_not_mark_paid(deliver, pending_order):
    usd = {**intent_object(pending_order), "currency": "usd"}
    deliver(stripe_event("payment_intent.succeeded", usd))
    assert _reloaded(pending_order).status == "pending"


def test_a_payment_for_a_cancelled_order_does_not_reopen_it(deliver, pending_order):
    pending_order.set_status("cancelled")
    response = deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order)))
    assert response.json()["outcome"] == "paid_not_pending"
    assert _reloaded(pending_order).status == "cancelled"


def test_an_event_for_an_order_not_yet_known_is_refused_for_a_later_retry(deliver, pending_order):
    unknown = {**intent_object(pending_order), "metadata": {"order_number": "999999999"}}
    response = deliver(stripe_event("payment_intent.succeeded", unknown, event_id="evt_early"))
    assert response.status_code == 409
    assert not StripeEvent.objects.filter(event_id="evt_early").exists()


def test_an_intent_without_an_order_number_is_ignored(deliver, pending_order):
    foreign = {**intent_object(pending_order), "metadata": {}}
    response = deliver(stripe_event("payment_intent.succeeded", foreign))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert _reloaded(pending_order).status == "pending"


def test_an_unknown_event_type_is_acknowledged_and_ignored(deliver):
    response = deliver(stripe_event("customer.created", {"id": "cus_dave", "object": "customer"}))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"


def _paid(deliver, order, intent_id="pi_alice"):
    deliver(stripe_event("payment_intent.succeeded", intent_object(order, intent_id=intent_id)))
    return Source.objects.get(order=order, reference=intent_id)


def test_charge_refunded_records_the_refund_on_the_source(deliver, pending_order):
    source = _paid(deliver, pending_order)
    deliver(stripe_event("charge.refunded", charge_refunded_object(intent_id="pi_alice", refunds=[("re_erin", 5000)])))
    source.refresh_from_db()
    assert source.amount_refunded == Decimal("50.00")
    refund = source.transactions.get(txn_type=Transaction.REFUND)
    assert (refund.amount, refund.reference) == (Decimal("50.00"), "re_erin")


def test_charge_refunded_records_each_refund_once(deliver, pending_order):
    source = _paid(deliver, pending_order)
    deliver(stripe_event("charge.refunded", charge_refunded_object(intent_id="pi_alice", refunds=[("re_erin", 5000)])))
    # A second partial refund: Stripe's event lists both.
    both = charge_refunded_object(intent_id="pi_alice", refunds=[("re_frank", 2800), ("re_erin", 5000)])
    deliver(stripe_event("charge.refunded", both))
    source.refresh_from_db()
    assert source.amount_refunded == Decimal("78.00")
    assert source.transactions.filter(txn_type=Transaction.REFUND).count() == 2


def test_charge_refunded_skips_a_refund_already_recorded_by_refund_create(deliver, pending_order):
    source = _paid(deliver, pending_order)
    source.refund(Decimal("50.00"), reference="re_erin", status="succeeded")  # as refund_create records it
    response = deliver(stripe_event("charge.refunded", charge_refunded_object(intent_id="pi_alice",
                                                                              refunds=[("re_erin", 5000)])))
    assert response.json()["outcome"] == "already_recorded"
    source.refresh_from_db()
    assert source.amount_refunded == Decimal("50.00")


def test_charge_refunded_ignores_a_failed_refund(deliver, pending_order):
    source = _paid(deliver, pending_order)
    charge = charge_refunded_object(intent_id="pi_alice", refunds=[("re_gone", 5000)])
    charge["refunds"]["data"][0]["status"] = "failed"
    deliver(stripe_event("charge.refunded", charge))
    source.refresh_from_db()
    assert source.amount_refunded == 0


def test_charge_refunded_for_a_payment_we_do_not_know_is_ignored(deliver, pending_order):
    response = deliver(stripe_event("charge.refunded", charge_refunded_object(intent_id="pi_unknown",
                                                                              refunds=[("re_x", 100)])))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"


def test_the_operator_reads_the_events_in_the_admin(admin_client, deliver, pending_order):
    deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order), event_id="evt_admin"))
    page = admin_client.get("/django-admin/wumeng_payments/stripeevent/").content.decode()
    assert "evt_admin" in page


def test_nobody_can_edit_an_event_in_the_admin(admin_client, deliver, pending_order):
    deliver(stripe_event("payment_intent.succeeded", intent_object(pending_order), event_id="evt_admin"))
    event = StripeEvent.objects.get()
    response = admin_client.post(f"/django-admin/wumeng_payments/stripeevent/{event.pk}/change/", {"outcome": "x"})
    assert response.status_code == 403
    assert StripeEvent.objects.get().outcome == "paid"
