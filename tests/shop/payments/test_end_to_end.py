"""The whole loop over real HTTP: our SDK calls localstripe, localstripe signs and posts its
webhook to the running site, and the webhook marks the order paid."""

import pytest

from shop.payments.models import StripeEvent
from shop.payments.stripe.services import payment_intent_confirm, payment_intent_create
from tests.stripe_local import CARD_VISA, order_once_delivered


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_card_payment_is_marked_paid_by_localstripes_signed_webhook(
    localstripe_posts_to_the_site, stripe_api, card, pending_order
):
    intent = payment_intent_create(order_number=pending_order.number, amount=pending_order.total_incl_tax,
                                   currency=pending_order.currency)
    assert payment_intent_confirm(intent_id=intent.id, payment_method=card(CARD_VISA)).status == "succeeded"

    order = order_once_delivered(pending_order.pk)
    assert order.status == "paid"
    assert order.sources.get().reference == intent.id
    assert StripeEvent.objects.get(order_number=order.number).outcome == "paid"
