"""Access to Stripe through the official SDK, and the translation of its errors into ours.

STRIPE_API_BASE points the SDK elsewhere than api.stripe.com: localstripe in the tests
and the demo."""

from contextlib import contextmanager
from functools import lru_cache

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from shop.core.errors import DomainError

# The SDK retries network failures; every POST we send carries an idempotency key, so a
# retry never charges or refunds twice.
NETWORK_RETRIES = 2


def stripe_client() -> stripe.StripeClient:
    secret_key = settings.STRIPE_SECRET_KEY
    if not secret_key:
        raise ImproperlyConfigured(
            "STRIPE_SECRET_KEY is not set: Stripe payments are off (the demo payment is used instead)."
        )
    return _client(secret_key, settings.STRIPE_API_BASE or "")


@lru_cache(maxsize=4)
def _client(secret_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_base.rstrip("/")} if api_base else None,
        max_network_retries=NETWORK_RETRIES,
    )


class PaymentDeclined(DomainError):
    """The buyer's bank or wallet refused the payment; another card or method may work."""

    code = "payment_declined"
    status = 402

    def __init__(self, message: str, *, decline_code: str = "", provider_message: str = ""):
        super().__init__(message)
        self.decline_code = decline_code
        self.provider_message = provider_message


class PaymentProviderError(DomainError):
    """Stripe could not be reached or refused the request; nothing was charged by us."""

    code = "payment_provider_error"
    status = 502


def decline_message(code: str | None) -> str:
    """What the buyer reads when a payment fails, in plain words and their language (Stripe's
    own messages are in English and written for developers)."""
    messages = {
        "insufficient_funds": _("Your card does not have enough funds for this payment."),
        "expired_card": _("Your card has expired. Please use another card."),
        "incorrect_cvc": _("The security code (CVC) is not correct. Please check it and try again."),
        "incorrect_number": _("The card number is not correct. Please check it and try again."),
        "invalid_expiry_year": _("The expiry date is not correct. Please check it and try again."),
        "processing_error": _("Your bank could not process the payment. Please try again in a moment."),
        "payment_intent_authentication_failure": _(
            "Your bank could not confirm that it is you, so nothing was paid. Please try again or use another card."
        ),
    }
    return messages.get(code or "", _("The payment was declined. Please try another card or payment method."))


@contextmanager
def stripe_errors():
    """Turn the SDK's exceptions into the domain's, at the edge."""
    try:
        yield
    except stripe.CardError as error:
        code = getattr(error.error, "decline_code", None) or error.code or "card_declined"
        raise PaymentDeclined(
            decline_message(code),
            decline_code=code,
            provider_message=error.user_message or str(error),
        ) from error
    except stripe.StripeError as error:
        raise PaymentProviderError(
            _("The payment service is not available right now. Please try again later."),
        ) from error
