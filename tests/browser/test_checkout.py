"""A buyer completes a purchase with the demo payment in Chromium, in Chinese and in English."""

import pytest
from oscar.apps.order.models import Order

from catalogue.factories import ProductFactory
from shop.factories import UserFactory
from tests.checkout.conftest import offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("prefix, place_order", [("", "下订单"), ("/en", "Place order")])
def test_a_buyer_pays_with_the_demo_payment(phone, live_server, home_page, stations, prefix, place_order):
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
    for field, value in {"first_name": "小明", "last_name": "王", "line1": "朝阳区建国路 88 号",
                         "line4": "北京", "postcode": "100022", "phone_number": "13800000000"}.items():
        phone.fill(f"#id_{field}", value)
    if phone.locator("select#id_country").count():  # hidden when China is the only shipping country
        phone.select_option("#id_country", "CN")
    phone.locator("#new_shipping_address button[type=submit]").click()
    phone.locator("#view_preview").click()
    phone.get_by_role("button", name=place_order).click()

    phone.wait_for_url("**/checkout/thank-you/")
    order = Order.objects.get()
    assert order.status == "paid"
    assert phone.get_by_text(order.number).first.is_visible()
    assert phone.outside_requests == []
