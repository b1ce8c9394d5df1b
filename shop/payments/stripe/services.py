"""Writes that involve Stripe: PaymentIntents, confirmations, refunds, and the recording of
money on Oscar's payment models.

A Stripe payment of an order is one Oscar `Source` of type "stripe" whose `reference` is the
PaymentIntent's id; each movement of money is a `Transaction` on it, referenced by the
Stripe object that moved it (the PaymentIntent for the debit, the Refund for a refund), which
is what makes recording idempotent. Amounts are Decimal yuan here and integer fen at Stripe."""

import logging
from decimal import Decimal

import stripe
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.payment.models import Source, SourceType, Transaction

from shop.core.errors import InvalidInput
from shop.core.money import fen_to_yuan, round_to_fen, yuan_to_fen
from shop.order.models import Order

from .client import PaymentProviderError, stripe_client, stripe_errors

logger = logging.getLogger(__name__)

SOURCE_TYPE_CODE = "stripe"
PAYMENT_METHOD_TYPES = ("card", "alipay", "wechat_pay")
# A refund in these states has left (or is leaving) our balance; failed and canceled ones have not.
REFUND_STATUSES_RECORDED = frozenset({"pending", "requires_action", "succeeded"})
# Stripe counts these currencies in whole units, not hundredths: the fen helpers don't apply.
ZERO_DECIMAL_CURRENCIES = frozenset({
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
})


def _stripe_currency(currency: str) -> str:
    code = currency.strip().lower()
    if len(code) != 3 or not code.isalpha():
        raise InvalidInput(_("“%(currency)s” is not a currency code.") % {"currency": currency})
    if code in ZERO_DECIMAL_CURRENCIES:
        raise InvalidInput(_("Payments in %(currency)s are not supported.") % {"currency": code.upper()})
    return code


# PaymentIntents ------------------------------------------------------------------------------

def payment_intent_idempotency_key(*, order_number: str, fen: int, currency: str, attempt: int = 0) -> str:
    """The same order, amount and attempt always ask Stripe for the same PaymentIntent, so a
    retried checkout step never opens a second one; a changed amount, or a new attempt after
    a failed one, gets a new one."""
    suffix = f"-{attempt}" if attempt else ""
    return f"wumeng-pi-{order_number}-{fen}-{currency.lower()}{suffix}"


def payment_intent_create(
    *,
    order_number: str,
    amount: Decimal,
    currency: str,
    payment_method_types=PAYMENT_METHOD_TYPES,
    attempt: int = 0,
) -> stripe.PaymentIntent:
    fen = yuan_to_fen(amount)
    if fen <= 0:
        raise InvalidInput(_("The amount to pay must be more than ¥0.00."))
    code = _stripe_currency(currency)
    key = payment_intent_idempotency_key(order_number=order_number, fen=fen, currency=code, attempt=attempt)
    with stripe_errors():
        return stripe_client().v1.payment_intents.create(
            params={
                "amount": fen,
                "currency": code,
                "payment_method_types": list(payment_method_types),
                "metadata": {"order_number": order_number},
            },
            options={"idempotency_key": key},
        )


def payment_intent_confirm(*, intent_id: str, payment_method: str, return_url: str = "") -> stripe.PaymentIntent:
    """Attach `payment_method` and confirm. The result's status is `succeeded`, `processing`,
    or `requires_action` (3-D Secure, or a wallet's redirect / QR code: see `next_action`).
    A refusal raises `PaymentDeclined` with the decline code.

    The method is set by an update before the confirmation rather than passed to it: both
    are Stripe's API, and localstripe only implements the first."""
    client = stripe_client()
    confirm_params = {"return_url": return_url} if return_url else {}
    with stripe_errors():
        client.v1.payment_intents.update(intent_id, params={"payment_method": payment_method})
        return client.v1.payment_intents.confirm(intent_id, params=confirm_params)


def payment_intent_retrieve(intent_id: str) -> stripe.PaymentIntent:
    with stripe_errors():
        return stripe_client().v1.payment_intents.retrieve(intent_id)


def payment_intent_refund_unplaced(intent_id: str) -> stripe.Refund:
    """Give back all of a payment whose order was not placed (its goods sold out while the
    buyer paid, or the buyer never came back): with no order, the log is our only record."""
    with stripe_errors():
        refund = stripe_client().v1.refunds.create(
            params={"payment_intent": intent_id, "metadata": {"reason": "order_not_placed"}},
            options={"idempotency_key": f"wumeng-re-unplaced-{intent_id}"},
        )
    logger.warning("Refunded PaymentIntent %s (%s): no order was placed for it.", intent_id, refund.id)
    return refund


# Oscar's records ----------------------------------------------------------------------------

def source_type_stripe() -> SourceType:
    source_type, _created = SourceType.objects.get_or_create(code=SOURCE_TYPE_CODE, defaults={"name": "Stripe"})
    return source_type


def stripe_source_lock(*, order: Order, intent_id: str, currency: str) -> Source:
    """The order's Source for this PaymentIntent, created if the checkout did not, row locked.
    The caller holds the order's lock and an open transaction."""
    source = (
        Source.objects.select_for_update()
        .filter(order=order, source_type__code=SOURCE_TYPE_CODE, reference=intent_id)
        .first()
    )
    if source is None:
        source = Source.objects.create(
            order=order, source_type=source_type_stripe(), currency=currency.upper(), reference=intent_id,
        )
    return source


class RefundExceedsPayment(InvalidInput):
    """A refund larger than what is left of the payment: not recorded."""

    def __init__(self, message: str, *, left: Decimal):
        super().__init__(message)
        self.left = left


def refund_record(*, source: Source, refund_id: str, amount: Decimal, status: str) -> bool:
    """Record a Stripe refund on its Source once, whoever learns of it first (refund_create or
    the charge.refunded webhook). Returns whether it was new. Never more than is left of the
    payment (RefundExceedsPayment). The caller holds the Source's lock."""
    if Transaction.objects.filter(source=source, txn_type=Transaction.REFUND, reference=refund_id).exists():
        return False
    if amount <= 0:
        raise InvalidInput(_("A refund must be more than ¥0.00."))
    left = source.amount_debited - source.amount_refunded
    if amount > left:
        raise RefundExceedsPayment(
            _("At most ¥%(amount)s of this payment can still be refunded.") % {"amount": left}, left=left
        )
    source.refund(amount, reference=refund_id, status=status)
    return True


def refund_idempotency_key(*, order_number: str, source: Source, fen: int) -> str:
    """Derived from what was already refunded: a retry of this refund asks for the same one,
    while the next, legitimate refund of the same amount gets a new key."""
    return f"wumeng-re-{order_number}-{source.reference}-{yuan_to_fen(source.amount_refunded)}-{fen}"


@transaction.atomic
def refund_create(*, order: Order, amount: Decimal | None = None, reason: str = "") -> stripe.Refund:
    """Give back `amount` (all that is left when None) of the order's Stripe payment through
    Stripe's refund API, and record it on the Source. Bad input changes nothing."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    sources = Source.objects.select_for_update().filter(order=order, source_type__code=SOURCE_TYPE_CODE).order_by("pk")
    # An order has one Stripe payment in practice; if it has several, refund from the largest balance.
    source = max(sources, key=lambda s: s.amount_debited - s.amount_refunded, default=None)
    left = source.amount_debited - source.amount_refunded if source else Decimal("0.00")
    if left <= 0:
        raise InvalidInput(_("There is no Stripe payment left to refund on this order."))
    amount = left if amount is None else round_to_fen(amount)
    if amount <= 0:
        raise InvalidInput(_("A refund must be more than ¥0.00."))
    if amount > left:
        raise InvalidInput(_("At most ¥%(amount)s of this payment can still be refunded.") % {"amount": left})

    fen = yuan_to_fen(amount)
    metadata = {"order_number": order.number}
    if reason:
        metadata["reason"] = reason[:500]
    with stripe_errors():
        refund = stripe_client().v1.refunds.create(
            params={"payment_intent": source.reference, "amount": fen, "metadata": metadata},
            options={"idempotency_key": refund_idempotency_key(order_number=order.number, source=source, fen=fen)},
        )
    if refund.status not in REFUND_STATUSES_RECORDED:
        raise PaymentProviderError(
            _("Stripe did not accept the refund (status: %(status)s).") % {"status": refund.status}
        )
    refund_record(source=source, refund_id=refund.id, amount=fen_to_yuan(refund.amount), status=refund.status)
    return refund
