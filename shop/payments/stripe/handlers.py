"""Verified Stripe events → order changes.

Each event is applied once: its ID is stored, with the outcome, in the same transaction as
the changes it caused, and every change to an order is made under that order's row lock
(then its Source's: always in that order)."""

import logging
import time
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from oscar.apps.payment.models import Source, Transaction

from sellers.partner.allocation import allocation_release
from shop.core.money import fen_to_yuan, round_to_fen
from shop.order.models import (
    Order,
    PaymentEvent,
    PaymentEventQuantity,
    PaymentEventType,
)
from shop.order.statuses import PAID_EVENT, OrderStatus
from shop.payments.models import StripeEvent

from .client import stripe_client
from .services import (
    REFUND_STATUSES_RECORDED,
    SOURCE_TYPE_CODE,
    RefundExceedsPayment,
    payment_intent_refund_unplaced,
    refund_record,
    stripe_source_lock,
)

logger = logging.getLogger(__name__)

DEBIT_SUCCEEDED = "succeeded"

# Outcomes, stored on each StripeEvent.
DUPLICATE = "duplicate"
IGNORED = "ignored"
PAID = "paid"
ALREADY_RECORDED = "already_recorded"
AMOUNT_MISMATCH = "amount_mismatch"
PAID_NOT_PENDING = "paid_not_pending"
PAYMENT_FAILED = "payment_failed"
REFUND_RECORDED = "refund_recorded"
REFUND_EXCEEDS_PAYMENT = "refund_exceeds_payment"
UNKNOWN_ORDER = "unknown_order"
REFUNDED_UNPLACED = "refunded_unplaced"
CANCELLED_UNPAID = "cancelled_unpaid"

UNPLACED_REFUND_AFTER_SECONDS = 60 * 60


class EventNotReady(Exception):
    """The event names an order we don't have (yet): the checkout may not have committed it.
    Nothing is stored, so Stripe's next delivery of the event is applied."""


class MalformedEvent(ValueError):
    """A verified event without the shape of Stripe's events (a field missing, or of the wrong
    type): refused with a 400, nothing stored."""


# The shape of what we read: Stripe's ids are far shorter, and Oscar's Transaction.reference
# holds 128 characters, as do our order numbers.
MAX_ID_LENGTH = 128
MISSING = object()


def _field(obj: dict, key: str, kinds: tuple, *, required: bool, where: str):
    value = obj.get(key, MISSING)
    if value is MISSING or value is None:
        if required:
            raise MalformedEvent(f"{where}.{key} is missing.")
        return None
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        raise MalformedEvent(f"{where}.{key} is not a {' or '.join(kind.__name__ for kind in kinds)}.")
    return value


def _text(obj: dict, key: str, *, where: str, required: bool = True, max_length: int = MAX_ID_LENGTH) -> None:
    value = _field(obj, key, (str,), required=required, where=where)
    if value is not None and not (0 < len(value) <= max_length):
        raise MalformedEvent(f"{where}.{key} is empty or longer than {max_length} characters.")


def _fen(obj: dict, key: str, *, where: str, required: bool = True, least: int = 0) -> None:
    value = _field(obj, key, (int,), required=required, where=where)
    if value is not None and value < least:
        raise MalformedEvent(f"{where}.{key} is less than {least}.")


def _payment_intent_check(intent: dict) -> None:
    where = "data.object"
    _text(intent, "id", where=where)
    _fen(intent, "amount", where=where)
    _fen(intent, "amount_received", where=where, required=False)
    _text(intent, "currency", where=where, max_length=3)
    if not (intent["currency"].isascii() and intent["currency"].isalpha() and len(intent["currency"]) == 3):
        raise MalformedEvent(f"{where}.currency is not a currency code.")
    metadata = _field(intent, "metadata", (dict,), required=False, where=where)
    if metadata:
        _text(metadata, "order_number", where=f"{where}.metadata", required=False)
    error = _field(intent, "last_payment_error", (dict,), required=False, where=where)
    if error:
        for key in ("code", "decline_code", "message"):
            _field(error, key, (str,), required=False, where=f"{where}.last_payment_error")


def _charge_check(charge: dict) -> None:
    where = "data.object"
    _text(charge, "id", where=where)
    _text(charge, "payment_intent", where=where, required=False)
    refunds = _field(charge, "refunds", (dict,), required=False, where=where)
    if refunds:
        _field(refunds, "has_more", (bool,), required=False, where=f"{where}.refunds")
        listed = _field(refunds, "data", (list,), required=False, where=f"{where}.refunds")
        for refund in listed or ():
            if not isinstance(refund, dict):
                raise MalformedEvent(f"{where}.refunds.data holds something that is not a refund.")
            _text(refund, "id", where=f"{where}.refunds.data[]")
            _fen(refund, "amount", where=f"{where}.refunds.data[]", least=1)
            _text(refund, "status", where=f"{where}.refunds.data[]")


def _storable(value) -> bool:
    """Whether every text in `value` can be stored (PostgreSQL refuses NUL characters and lone
    surrogates, which JSON's \\u escapes can carry)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return False
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


OBJECT_CHECKS = {
    "payment_intent.succeeded": _payment_intent_check,
    "payment_intent.payment_failed": _payment_intent_check,
    "charge.refunded": _charge_check,
}


def event_check(event) -> None:
    """Raise MalformedEvent unless `event` has the shape of a Stripe event, with what its
    handler reads of the types Stripe sends."""
    if not isinstance(event, dict):
        raise MalformedEvent("The payload is not a Stripe event.")
    _text(event, "id", where="event", max_length=255)
    _text(event, "type", where="event", max_length=100)
    data = _field(event, "data", (dict,), required=True, where="event")
    _field(data, "object", (dict,), required=True, where="event.data")
    _field(event, "created", (int, float), required=False, where="event")
    if not _storable(event):
        raise MalformedEvent("The event holds text that cannot be stored (a NUL character or a lone surrogate).")
    check = OBJECT_CHECKS.get(event["type"])
    if check:
        check(data["object"])


def event_process(event: dict) -> str:
    """Apply a verified Stripe event once and return its outcome; MalformedEvent (nothing
    stored) when it does not have the shape of Stripe's events."""
    event_check(event)
    # Notes are written in the site's language whatever the caller's request asked for.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if StripeEvent.objects.filter(event_id=event["id"]).exists():
            return DUPLICATE
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(event_id=event["id"], type=event["type"], payload=event)
        except IntegrityError:
            # A concurrent delivery of the same event committed first.
            return DUPLICATE
        handler = HANDLERS.get(event["type"])
        try:
            order_number, outcome = handler(event["data"]["object"]) if handler else ("", IGNORED)
        except EventNotReady:
            if not _unplaced_for_too_long(event):
                raise
            intent = event["data"]["object"]
            payment_intent_refund_unplaced(intent["id"])
            order_number, outcome = _intent_order_number(intent), REFUNDED_UNPLACED
        record.order_number, record.outcome = order_number, outcome
        record.save(update_fields=["order_number", "outcome"])
    logger.info("Stripe event %s (%s) for order %r: %s", event["id"], event["type"], order_number, outcome)
    return outcome


def _unplaced_for_too_long(event: dict) -> bool:
    """A payment whose order still does not exist an hour later will never get one: the
    buyer's browser died between paying (at the bank or in a wallet) and coming back."""
    return event["type"] == "payment_intent.succeeded" and time.time() - event.get("created", time.time()) > UNPLACED_REFUND_AFTER_SECONDS


def _order_lock(number: str) -> Order:
    order = Order.objects.select_for_update().filter(number=number).first()
    if order is None:
        raise EventNotReady(f"Order {number!r} is not known (yet).")
    return order


def _note(order: Order, message: str) -> None:
    order.notes.create(note_type="System", message=message)


def _intent_order_number(intent: dict) -> str:
    return str((intent.get("metadata") or {}).get("order_number") or "")


def payment_intent_succeeded(intent: dict) -> tuple[str, str]:
    """The money arrived: record it on the order's Source; a pending order whose total it
    matches becomes paid."""
    order_number = _intent_order_number(intent)
    if not order_number:
        return "", IGNORED  # not one of our checkouts
    order = _order_lock(order_number)
    received = intent.get("amount_received")
    amount = fen_to_yuan(received if received is not None else intent["amount"])
    currency = intent["currency"].upper()
    source = stripe_source_lock(order=order, intent_id=intent["id"], currency=currency)
    if Transaction.objects.filter(
        source=source, txn_type=Transaction.DEBIT, reference=intent["id"], status=DEBIT_SUCCEEDED
    ).exists():
        return order_number, ALREADY_RECORDED

    # Recorded even when it does not match the order: it was received, and may have to be refunded.
    source.amount_allocated = max(source.amount_allocated, amount)
    source.debit(amount, reference=intent["id"], status=DEBIT_SUCCEEDED)

    total = round_to_fen(order.total_incl_tax)
    if currency != order.currency.upper() or amount != total:
        logger.error(
            "Stripe PaymentIntent %s received %s %s for order %s, whose total is %s %s: not marked paid.",
            intent["id"], amount, currency, order.number, total, order.currency,
        )
        _note(order, _(
            "Stripe received %(received)s %(currency)s for this order, but its total is %(total)s "
            "%(order_currency)s: the order was not marked paid. Check the payment and refund it if needed."
        ) % {"received": amount, "currency": currency, "total": total, "order_currency": order.currency})
        return order_number, AMOUNT_MISMATCH

    if order.status != OrderStatus.PENDING:
        logger.warning("Stripe payment %s arrived for order %s in status %r.", intent["id"], order.number, order.status)
        _note(order, _(
            "Stripe received ¥%(amount)s for this order while it was “%(status)s”: its status was not "
            "changed. Refund the payment if the order will not be fulfilled."
        ) % {"amount": amount, "status": order.status})
        return order_number, PAID_NOT_PENDING

    _payment_event_paid(order=order, amount=amount, reference=intent["id"])
    order.set_status(OrderStatus.PAID)
    _note(order, _("Paid ¥%(amount)s through Stripe (%(reference)s).") % {"amount": amount, "reference": intent["id"]})
    return order_number, PAID


def _payment_event_paid(*, order: Order, amount: Decimal, reference: str) -> None:
    """As Oscar's checkout records a payment: the amount, for every unit of every line."""
    event_type, _created = PaymentEventType.objects.get_or_create(name=PAID_EVENT)
    event = PaymentEvent.objects.create(order=order, event_type=event_type, amount=amount, reference=reference)
    PaymentEventQuantity.objects.bulk_create(
        PaymentEventQuantity(event=event, line=line, quantity=line.quantity) for line in order.lines.all()
    )


def payment_intent_payment_failed(intent: dict) -> tuple[str, str]:
    """An attempt failed (declined, authentication failed): note why. When it is the payment
    the order was placed on (a wallet's that was still processing), nothing else will pay
    the order: it is cancelled and its units go back to the households' stock."""
    order_number = _intent_order_number(intent)
    if not order_number:
        return "", IGNORED
    try:
        order = _order_lock(order_number)
    except EventNotReady:
        return order_number, UNKNOWN_ORDER  # nothing to keep waiting for
    error = intent.get("last_payment_error") or {}
    code = error.get("decline_code") or error.get("code") or "unknown"
    source = (
        Source.objects.select_for_update()
        .filter(order=order, source_type__code=SOURCE_TYPE_CODE, reference=intent["id"])
        .first()
    )
    if source is not None:
        Transaction.objects.create(
            source=source, txn_type=Transaction.DEBIT, amount=fen_to_yuan(intent["amount"]),
            reference=intent["id"], status=f"failed: {code}"[:128],
        )
        if order.status == OrderStatus.PENDING and not source.amount_debited:
            allocation_release({line.stockrecord_id: line.quantity for line in order.lines.all() if line.stockrecord_id})
            order.set_status(OrderStatus.CANCELLED)
            _note(order, _("The payment failed (%(code)s): %(message)s The order was cancelled and its goods returned to stock.")
                  % {"code": code, "message": error.get("message") or ""})
            return order_number, CANCELLED_UNPAID
    _note(order, _("A Stripe payment attempt failed (%(code)s): %(message)s The order is still waiting for payment.")
          % {"code": code, "message": error.get("message") or ""})
    return order_number, PAYMENT_FAILED


def charge_refunded(charge: dict) -> tuple[str, str]:
    """Money went back on a charge (through refund_create or Stripe's dashboard): record each
    refund on the Source once, by its id."""
    intent_id = charge.get("payment_intent")
    found = (
        Source.objects.filter(source_type__code=SOURCE_TYPE_CODE, reference=intent_id).values("pk", "order_id").first()
        if intent_id else None
    )
    if found is None:
        return "", IGNORED  # not a payment of ours
    order = Order.objects.select_for_update().get(pk=found["order_id"])
    source = Source.objects.select_for_update().get(pk=found["pk"])
    recorded = Decimal("0.00")
    refused = False
    for refund in _charge_refunds(charge):
        if refund["status"] not in REFUND_STATUSES_RECORDED:
            continue
        amount = fen_to_yuan(refund["amount"])
        try:
            new = refund_record(source=source, refund_id=refund["id"], amount=amount, status=refund["status"])
        except RefundExceedsPayment as refusal:
            if not source.amount_debited:
                # payment_intent.succeeded has not been applied yet: take the refund after it.
                raise EventNotReady(f"The payment {intent_id} is not recorded yet.") from None
            # More than was paid cannot go back: our records or the event are wrong. Not recorded.
            refused = True
            logger.error("Stripe refund %s of %s for %s exceeds the %s left of the payment: not recorded.",
                         refund["id"], amount, intent_id, refusal.left)
            _note(order, _(
                "Stripe reports refund %(reference)s of ¥%(amount)s, but only ¥%(left)s of this payment was "
                "left to refund: it was not recorded. Check the payment in Stripe's dashboard."
            ) % {"reference": refund["id"], "amount": amount, "left": refusal.left})
            continue
        if new:
            recorded += amount
            _note(order, _("Stripe refunded ¥%(amount)s (%(reference)s).")
                  % {"amount": amount, "reference": refund["id"]})
    if refused:
        return order.number, REFUND_EXCEEDS_PAYMENT
    return order.number, REFUND_RECORDED if recorded else ALREADY_RECORDED


def _charge_refunds(charge: dict) -> list[dict]:
    """The charge's refunds: in the event when its API version includes them, else asked of Stripe."""
    refunds = charge.get("refunds")
    if isinstance(refunds, dict) and not refunds.get("has_more") and refunds.get("data") is not None:
        return refunds["data"]
    listed = stripe_client().v1.refunds.list(params={"charge": charge["id"], "limit": 100})
    return [{"id": r.id, "amount": r.amount, "status": r.status} for r in listed.auto_paging_iter()]


HANDLERS = {
    "payment_intent.succeeded": payment_intent_succeeded,
    "payment_intent.payment_failed": payment_intent_payment_failed,
    "charge.refunded": charge_refunded,
}
