"""A buyer completes a purchase with the demo payment in Chromium, in Chinese and in English."""

import pytest

from shop.order.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("prefix, place_order", [("", "下订单"), ("/en", "Place order")])
def test_a_buyer_pays_with_the_demo_payment(shopper_at_payment, home_page, prefix, place_order):
    phone = shopper_at_payment(prefix)
    phone.locator("#view_preview").click()
    phone.get_by_role("button", name=place_order).click()

    phone.wait_for_url("**/checkout/thank-you/")
    order = Order.objects.get()
    assert order.status == "paid"
    assert phone.get_by_text(order.number).first.is_visible()
    assert phone.outside_requests == []
