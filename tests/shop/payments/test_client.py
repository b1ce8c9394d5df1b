"""The SDK's configuration comes from settings, and refuses to run without a key."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from shop.payments.stripe.client import stripe_client


def test_it_refuses_clearly_without_a_secret_key(settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="STRIPE_SECRET_KEY"):
        stripe_client()


def test_it_talks_to_the_configured_api_base(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_alice"
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420/"
    assert stripe_client()._requestor.base_addresses["api"] == "http://127.0.0.1:8420"


def test_it_talks_to_stripe_when_no_api_base_is_set(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_alice"
    settings.STRIPE_API_BASE = ""
    assert stripe_client()._requestor.base_addresses["api"] == "https://api.stripe.com"
