"""A buyer pays by card in Chromium, in Chinese and in English: the page loads Stripe.js from
the configured address (localstripe's stand-in), the server confirms the card at
localstripe, and localstripe's signed webhook marks the order paid."""

import re

import pytest
from oscar.apps.order.models import Order

from catalogue.factories import ProductFactory
from shop.factories import UserFactory
from tests.checkout.conftest import offer
from tests.payments.conftest import CARD_3DS_REQUIRED, CARD_DECLINED, CARD_VISA, order_once_delivered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ADDRESS = {"first_name": "小明", "last_name": "王", "line1": "朝阳区建国路 88 号",
           "line4": "北京", "postcode": "100022", "phone_number": "13800000000"}


@pytest.fixture
def stripe_site(settings, stripe_api, localstripe_url, localstripe_posts_to_the_site):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_wumeng"
    settings.STRIPE_JS_URL = f"{localstripe_url}/js.stripe.com/v3/"
    return localstripe_url


@pytest.fixture
def at_payment_page(phone, live_server, stations, stripe_site):
    """Sign in, put a chicken in the basket, give an address: the buyer stands on the payment page."""

    def go(prefix: str):
        product = ProductFactory(title="盐津乌骨鸡", title_en="Yanjin black-bone chicken")
        offer(product, stock=4, price="168.00")
        UserFactory(username="buyer", email="buyer@wumeng.example")
        base = live_server.url + prefix
        phone.goto(base + "/accounts/login/")
        phone.fill("#id_login-username", "buyer@wumeng.example")
        phone.fill("#id_login-password", "wumeng-demo")
        phone.locator("button[name=login_submit]").click()
        phone.goto(base + product.get_absolute_url())
        phone.locator("form.add button").click()
        phone.goto(base + "/checkout/")
        for field, value in ADDRESS.items():
            phone.fill(f"#id_{field}", value)
        if phone.locator("select#id_country").count():
            phone.select_option("#id_country", "CN")
        phone.locator("#new_shipping_address button[type=submit]").click()
        phone.wait_for_url("**/checkout/payment-details/")
        return phone

    return go


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
