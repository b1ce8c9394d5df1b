"""Stripe is faked only at the network edge: localstripe runs as a real HTTP server and the
official SDK talks to it; webhooks are signed exactly as Stripe signs them."""

import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.factories import ProductFactory
from shop.order.models import Order
from shop.payments.stripe.client import stripe_client
from tests.shopping import buy, offer
from tests.stripe_local import SECRET_KEY, STARTUP_SECONDS, WEBHOOK_SECRET, sign


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    request = urllib.request.Request(f"{url}/v1/balance", headers={"Authorization": f"Bearer {SECRET_KEY}"})
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """A fresh localstripe on a free local port for the whole run; stopped at the end."""
    if importlib.util.find_spec("localstripe") is None:
        pytest.fail("localstripe is not installed: .venv/bin/pip install localstripe==1.15.10", pytrace=False)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "localstripe", "--from-scratch", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"localstripe did not start on {url}:\n{log_path.read_text()}", pytrace=False)
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def stripe_api(settings, localstripe_url):
    """Settings that point the SDK at localstripe; returns the configured client."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = localstripe_url
    return stripe_client()


@pytest.fixture
def stripe_checkout(settings, stripe_api, localstripe_url, webhook_secret):
    """The whole site on localstripe: the SDK, the payment page's Stripe.js and the webhook."""
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_wumeng"
    settings.STRIPE_JS_URL = f"{localstripe_url}/js.stripe.com/v3/"
    return stripe_api


@pytest.fixture
def card(stripe_api):
    """A function making a card PaymentMethod at Stripe from a test card number."""

    def make(number: str) -> str:
        method = stripe_api.v1.payment_methods.create(
            params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
        )
        return method.id

    return make


@pytest.fixture
def pending_order(stations):
    """A buyer's order for one Yanjin black-bone chicken at ¥128.00, waiting for payment."""
    product = ProductFactory(title="盐津乌骨鸡")
    offer(product, stock=5, price="128.00")
    order = Order.objects.get(pk=buy(product, quantity=1).pk)  # reloaded: its number is then a string
    assert order.status == "pending" and order.total_incl_tax == Decimal("128.00") and order.currency == "CNY"
    return order


# Webhooks ------------------------------------------------------------------------------------

@pytest.fixture
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


@pytest.fixture
def deliver(webhook_secret):
    """Post an event to the webhook as Stripe does (a client that enforces CSRF, like a browser's
    would, proves the endpoint is exempt); `header` overrides the signature."""

    def post(event: dict, *, header: str | None = None, timestamp: int | None = None):
        payload = json.dumps(event, ensure_ascii=False)
        return Client(enforce_csrf_checks=True).post(
            reverse("stripe-webhook"), data=payload.encode(), content_type="application/json",
            headers={"Stripe-Signature": header if header is not None else sign(payload, timestamp=timestamp)},
        )

    return post


# localstripe's own webhook deliveries -----------------------------------------------------

# localstripe posts each event a second after it happened, to the endpoints registered then.
WEBHOOK_DELAY_SECONDS = 1


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


