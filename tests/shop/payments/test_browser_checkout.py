"""A buyer pays by card in Chromium, in Chinese and in English: the page loads Stripe.js from
the configured address (localstripe's stand-in), the server confirms the card at
localstripe, and localstripe's signed webhook marks the order paid."""

import re

import pytest

from shop.order.models import Order
from tests.stripe_local import CARD_3DS_REQUIRED, CARD_DECLINED, CARD_VISA, order_once_delivered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def stripe_site(stripe_checkout, localstripe_url, localstripe_posts_to_the_site):
    return localstripe_url


@pytest.fixture
def at_payment_page(shopper_at_payment, stripe_site):
    return shopper_at_payment


def enter_card(page, number: str) -> None:
    """localstripe's card element: plain inputs named by their placeholders."""
    for placeholder, value in {"number": number, "exp_month": "12", "exp_year": "34", "cvc": "123"}.items():
        page.locator(f"#card-element input[placeholder={placeholder}]").fill(value)


# The total as each language writes it: ¥180.00 in Chinese, CN¥180.00 in English.
PAY_ZH, PAY_EN = re.compile(r"^付款 ¥180\.00$"), re.compile(r"^Pay CN¥180\.00$")


@pytest.mark.parametrize("prefix, pay", [("", PAY_ZH), ("/en", PAY_EN)])
def test_a_buyer_pays_by_card_and_the_webhook_marks_the_order_paid(at_payment_page, stripe_site, prefix, pay):
    page = at_payment_page(prefix)
    enter_card(page, CARD_VISA)
    page.get_by_role("button", name=pay).click()

    page.wait_for_url("**/checkout/thank-you/")
    order = order_once_delivered(Order.objects.get().pk)
    assert order.status == "paid"
    assert page.get_by_text(order.number).first.is_visible()
    assert [url for url in page.outside_requests if not url.startswith(stripe_site)] == []


def test_a_declined_card_is_explained_and_the_buyer_can_pay_with_another(at_payment_page):
    page = at_payment_page("/en")
    enter_card(page, CARD_DECLINED)
    page.get_by_role("button", name=PAY_EN).click()
    page.get_by_text("The payment was declined. Please try another card or payment method.").wait_for()
    assert not Order.objects.exists()

    enter_card(page, CARD_VISA)
    page.get_by_role("button", name=PAY_EN).click()
    page.wait_for_url("**/checkout/thank-you/")
    assert Order.objects.count() == 1


def test_a_buyer_confirms_a_3d_secure_card_with_the_bank(at_payment_page):
    page = at_payment_page("")
    enter_card(page, CARD_3DS_REQUIRED)
    page.get_by_role("button", name=PAY_ZH).click()
    page.get_by_role("button", name="Complete authentication").click()  # localstripe's stand-in for the bank

    page.wait_for_url("**/checkout/thank-you/")
    assert order_once_delivered(Order.objects.get().pk).status == "paid"
