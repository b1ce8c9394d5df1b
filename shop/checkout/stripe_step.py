"""The Stripe step of the checkout.

One PaymentIntent per payment attempt, remembered in the checkout session. The buyer's
browser only collects the card (through Stripe Elements), authenticates with the bank, or
opens Alipay / WeChat Pay; the server confirms the card and checks every intent with
Stripe before an order is placed. The order is placed "pending": Stripe's signed webhook,
not this step, marks it paid."""

import logging
import re

import stripe
from django.utils.translation import gettext as _
from oscar.apps.payment.exceptions import UnableToTakePayment

from shop.core.money import yuan_to_fen
from shop.payments.stripe.client import decline_message
from shop.payments.stripe.services import (
    payment_intent_confirm,
    payment_intent_create,
    payment_intent_refund_unplaced,
    payment_intent_retrieve,
)

logger = logging.getLogger(__name__)

SESSION_NAMESPACE = "stripe"
# The money is taken (or, for a wallet, on its way): the order can be placed.
SETTLED = frozenset({"succeeded", "processing"})
# An intent in these states can still take a new payment method.
OPEN = frozenset({"requires_payment_method", "requires_confirmation"})
# PaymentMethod ids from Stripe.js; "card_" ones come from tokens (localstripe's Stripe.js).
PAYMENT_METHOD_ID = re.compile(r"^(pm|card)_[A-Za-z0-9]{1,200}$")


class AuthenticationRequired(UnableToTakePayment):
    """The bank wants the buyer to confirm (3-D Secure): the page runs Stripe.js's step with
    the intent's client secret, then submits the order again."""

    def __init__(self, intent: stripe.PaymentIntent):
        super().__init__(_("Your bank asks you to confirm this payment. Please follow the steps in the window that opens."))
        self.intent = intent


def _matches(intent, *, order_number: str, total) -> bool:
    return (
        intent.to_dict()["metadata"].get("order_number") == order_number
        and intent.amount == yuan_to_fen(total.incl_tax)
        and intent.currency == total.currency.lower()
    )


def checkout_intent(checkout_session, *, order_number: str, total) -> stripe.PaymentIntent:
    """The checkout's open PaymentIntent; a new one when there is none, the total changed, or
    the last attempt failed or was left half-way."""
    intent_id = checkout_session._get(SESSION_NAMESPACE, "intent")
    attempt = checkout_session._get(SESSION_NAMESPACE, "attempt", 0)
    if intent_id:
        intent = payment_intent_retrieve(intent_id)
        if intent.status in OPEN and not intent.last_payment_error and _matches(intent, order_number=order_number, total=total):
            return intent
        attempt += 1
    intent = payment_intent_create(
        order_number=order_number, amount=total.incl_tax, currency=total.currency, attempt=attempt
    )
    checkout_session._set(SESSION_NAMESPACE, "intent", intent.id)
    checkout_session._set(SESSION_NAMESPACE, "attempt", attempt)
    return intent


def payment_take(checkout_session, *, order_number: str, total, payment_method: str = "", payment_intent: str = ""):
    """Take the payment for the order about to be placed and return its settled intent.

    With `payment_method` (a card from Stripe Elements) the checkout's intent is confirmed
    here; with `payment_intent` (after the bank's check, or a wallet) the intent the browser
    finished is checked. Raises UnableToTakePayment, in plain words, when nothing was paid,
    and AuthenticationRequired when the bank wants the buyer first."""
    if payment_method:
        if not PAYMENT_METHOD_ID.match(payment_method):
            raise UnableToTakePayment(_("The card details did not reach us. Please enter them again."))
        intent = checkout_intent(checkout_session, order_number=order_number, total=total)
        intent = payment_intent_confirm(intent_id=intent.id, payment_method=payment_method)
    elif payment_intent and payment_intent == checkout_session._get(SESSION_NAMESPACE, "intent"):
        intent = payment_intent_retrieve(payment_intent)
    else:
        raise UnableToTakePayment(_("Please choose how to pay."))

    if intent.status == "requires_action":
        raise AuthenticationRequired(intent)
    if intent.status not in SETTLED:
        error = intent.to_dict().get("last_payment_error") or {}
        raise UnableToTakePayment(decline_message(error.get("decline_code") or error.get("code")))
    if not _matches(intent, order_number=order_number, total=total):
        # Paid for a basket that has changed since (another tab): give it back, pay again.
        payment_refund_unplaced(intent)
        raise UnableToTakePayment(
            _("Your basket changed while you were paying, so your payment was refunded in full. Please check your basket and pay again.")
        )
    return intent


def payment_refund_unplaced(intent: stripe.PaymentIntent) -> bool:
    """Refund a payment whose order will not be placed; says whether Stripe accepted it."""
    try:
        payment_intent_refund_unplaced(intent.id)
    except Exception:
        logger.exception("Could not refund PaymentIntent %s, whose order was not placed: refund it by hand.", intent.id)
        return False
    return True
