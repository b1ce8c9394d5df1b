"""Stripe as the tests meet it: test cards, keys, and events signed exactly as Stripe signs them."""

import hashlib
import hmac
import time
from decimal import Decimal
from itertools import count

from shop.core.money import yuan_to_fen
from shop.order.models import Order
from shop.order.statuses import OrderStatus

SECRET_KEY = "sk_test_wumeng"
WEBHOOK_SECRET = "whsec_wumeng_test"
STARTUP_SECONDS = 30

# Stripe's test cards (https://docs.stripe.com/testing), as localstripe knows them.
CARD_VISA = "4242424242424242"
# Declined when charged. Stripe's generic decline card 4000 0000 0000 0002 is declined by
# localstripe only when attached to a customer, so a payment with it would succeed there.
CARD_DECLINED = "4000000000000341"
CARD_3DS_REQUIRED = "4000002760003184"
# How long a test waits for localstripe's own webhook delivery.
DELIVERY_SECONDS = 20


_event_ids = count(1)


def sign(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, computed as Stripe does: HMAC-SHA256 of "{t}.{payload}"."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def stripe_event(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{next(_event_ids):06d}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def intent_object(order, *, intent_id: str = "pi_test_0001", amount: Decimal | None = None,
                  status: str = "succeeded", last_payment_error: dict | None = None) -> dict:
    fen = yuan_to_fen(order.total_incl_tax if amount is None else amount)
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": fen,
        "amount_received": fen if status == "succeeded" else 0,
        "currency": "cny",
        "metadata": {"order_number": order.number},
        "payment_method_types": ["card", "alipay", "wechat_pay"],
        "status": status,
        "last_payment_error": last_payment_error,
    }


def charge_refunded_object(*, intent_id: str = "pi_test_0001", refunds: list[tuple[str, int]]) -> dict:
    return {
        "id": "ch_test_0001",
        "object": "charge",
        "payment_intent": intent_id,
        "amount_refunded": sum(fen for _id, fen in refunds),
        "refunded": True,
        "refunds": {
            "object": "list",
            "has_more": False,
            "data": [{"id": rid, "object": "refund", "amount": fen, "status": "succeeded"} for rid, fen in refunds],
        },
    }


def order_once_delivered(pk: int) -> Order:
    """The order, once localstripe's webhook has marked it paid (or the wait is over)."""
    deadline = time.monotonic() + DELIVERY_SECONDS
    while Order.objects.get(pk=pk).status != OrderStatus.PAID and time.monotonic() < deadline:
        time.sleep(0.25)
    return Order.objects.get(pk=pk)
