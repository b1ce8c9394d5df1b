"""Yuan ↔ fen for Stripe: Decimal only, exact, never a float."""

from decimal import Decimal

import pytest

from shop.core.errors import InvalidInput
from shop.core.money import fen_to_yuan, yuan_to_fen
from shop.payments.stripe.services import (
    payment_intent_create,
    payment_intent_idempotency_key,
)


def test_it_converts_yuan_to_integer_fen():
    assert yuan_to_fen(Decimal("128.00")) == 12800
    assert isinstance(yuan_to_fen(Decimal("128.00")), int)


def test_it_rounds_to_the_fen_half_up_before_converting():
    assert yuan_to_fen(Decimal("0.125")) == 13


def test_it_converts_large_amounts_exactly():
    assert yuan_to_fen(Decimal("9999999999.99")) == 999999999999


def test_it_refuses_a_float_amount():
    with pytest.raises(TypeError):
        yuan_to_fen(128.0)


def test_it_converts_fen_back_to_two_place_yuan():
    assert fen_to_yuan(12801) == Decimal("128.01")
    assert str(fen_to_yuan(5)) == "0.05"


def test_it_refuses_fen_that_are_not_an_integer():
    with pytest.raises(TypeError):
        fen_to_yuan(12.5)


def test_the_intent_idempotency_key_is_stable_for_an_order_and_amount():
    assert payment_intent_idempotency_key(order_number="100001", fen=12800, currency="cny") == \
        payment_intent_idempotency_key(order_number="100001", fen=12800, currency="CNY")


def test_the_intent_idempotency_key_changes_with_the_amount():
    assert payment_intent_idempotency_key(order_number="100001", fen=12800, currency="cny") != \
        payment_intent_idempotency_key(order_number="100001", fen=25600, currency="cny")


def test_a_zero_amount_is_refused_before_asking_stripe(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_never_used"
    with pytest.raises(InvalidInput):
        payment_intent_create(order_number="100001", amount=Decimal("0.00"), currency="CNY")


def test_a_zero_decimal_currency_is_refused(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_never_used"
    with pytest.raises(InvalidInput):
        payment_intent_create(order_number="100001", amount=Decimal("100"), currency="JPY")
