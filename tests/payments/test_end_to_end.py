"""The whole loop over real HTTP: our SDK calls localstripe, localstripe signs and posts its
webhook to the running site, and the webhook marks the order paid."""

import json
import time
import urllib.request

import pytest
from django.urls import reverse
from oscar.apps.order.models import Order

from shop.payments.models import StripeEvent
from shop.payments.stripe.services import payment_intent_confirm, payment_intent_create
from tests.payments.conftest import CARD_VISA, WEBHOOK_SECRET


# localstripe posts each event a second after it happened, to the endpoints registered then.
WEBHOOK_DELAY_SECONDS = 1
DELIVERY_SECONDS = 20


def _register_webhook(localstripe_url: str, url: str) -> None:
    body = json.dumps({"url": url, "secret": WEBHOOK_SECRET, "events": ["payment_intent.succeeded"]}).encode()
    request = urllib.request.Request(f"{localstripe_url}/_config/webhooks/wumeng", data=body,
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5)


@pytest.fixture
def localstripe_posts_to_the_site(live_server, localstripe_url, webhook_secret):
    # Events of earlier tests (their orders had the same numbers) must have gone out, to nobody.
    time.sleep(WEBHOOK_DELAY_SECONDS + 0.5)
    _register_webhook(localstripe_url, live_server.url + reverse("stripe-webhook"))
    yield
    # Later events go nowhere once this site is gone (port 9 is "discard", closed here).
    _register_webhook(localstripe_url, "http://127.0.0.1:9/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_card_payment_is_marked_paid_by_localstripes_signed_webhook(
    localstripe_posts_to_the_site, stripe_api, card, pending_order
):
    intent = payment_intent_create(order_number=pending_order.number, amount=pending_order.total_incl_tax,
                                   currency=pending_order.currency)
    assert payment_intent_confirm(intent_id=intent.id, payment_method=card(CARD_VISA)).status == "succeeded"

    deadline = time.monotonic() + DELIVERY_SECONDS
    while Order.objects.get(pk=pending_order.pk).status != "paid" and time.monotonic() < deadline:
        time.sleep(0.25)
    order = Order.objects.get(pk=pending_order.pk)
    assert order.status == "paid"
    assert order.sources.get().reference == intent.id
    assert StripeEvent.objects.get(order_number=order.number).outcome == "paid"
